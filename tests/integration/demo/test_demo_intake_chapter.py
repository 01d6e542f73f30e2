"""The demo's intake chapter (issue 18) against the real service: ~3,000 questionnaires of
金桂苑 imported as the committee, ~400 suggestions over 40 themes for the problems chapter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.demo import population as pop
from planner.demo.client import Caller
from planner.demo.intake_chapter import THEMES, answers_csv, play_intake
from planner.demo.problems_chapter import play_problems

pytestmark = pytest.mark.timeout(120)


async def test_intake_chapter_imports_the_questionnaires(
    client: httpx.AsyncClient,
    make_estate: Callable[..., Awaitable[int]],
    make_member: Callable[..., Awaitable[tuple[int, str]]],
) -> None:
    estate_id = await make_estate("金桂苑小区", pop.households_csv(pop.JINGUI))
    member_id, token = await make_member(estate_id, "committee")
    committee = Caller(client, token, member_id)
    result = await play_intake(committee, estate_id)
    assert result.answers == 3000
    ids = [i for found in result.suggestion_ids.values() for i in found]
    assert len(ids) == len(set(ids)) == 400
    assert set(result.suggestion_ids) == {t.key for t in THEMES}
    assert sum(t.urgency == "urgent" for t in result.themes) == 35
    listed = await committee.get(f"/api/estates/{estate_id}/suggestions?limit=1")
    assert listed["total"] == 400
    lift = result.suggestion_ids["lift"][0]
    one = await committee.get(f"/api/suggestions/{lift}")
    assert one["category"] == "facilities" and one["channel"] == "import"
    assert one["household_id"] is not None and "电梯" in one["text"]
    for category, found in result.by_category().items():
        page = await committee.get(f"/api/estates/{estate_id}/suggestions?category={category}")
        assert page["total"] == len(found)
    titles = list(result.by_title())
    urgent = {t.title for t in THEMES if t.urgency == "urgent"}
    assert set(titles[:35]) == urgent and len(titles) == 40
    assert result.categories()["老旧楼栋加装电梯"] == "facilities"
    round_ = await committee.get(f"/api/questionnaires/{result.questionnaire_id}")
    assert round_["status"] == "closed" and round_["answers_count"] == 3000


def test_same_seed_same_answers() -> None:
    units = [("1栋", "101"), ("2栋", "202")]
    assert answers_csv(units, sheets=50, suggestions=45, seed=7) == answers_csv(
        units, sheets=50, suggestions=45, seed=7
    )
    _, keys = answers_csv(units, sheets=50, suggestions=45, seed=7)
    assert len(keys) == 45 and len(set(keys)) == 40


async def test_intake_then_problems_chapter(
    client: httpx.AsyncClient,
    make_estate: Callable[..., Awaitable[int]],
    make_member: Callable[..., Awaitable[tuple[int, str]]],
) -> None:
    """The two chapters wired as the intake chapter's docstring says: 400 suggestions, 40
    problems, 39 solved, 35 of them urgent; the owners' suggestions carry their problem."""
    estate_id = await make_estate("金桂苑小区", pop.households_csv(pop.JINGUI))
    member_id, token = await make_member(estate_id, "committee")
    committee = Caller(client, token, member_id)
    intake = await play_intake(committee, estate_id)
    problem_ids, _ = await play_problems(
        committee, estate_id, intake.by_title(), categories=intake.categories()
    )
    assert len(problem_ids) == 40
    board = await committee.get(f"/api/estates/{estate_id}/board")
    figures = board["figures"]
    assert (figures["problems_solved"], figures["problems_urgent_solved"]) == (39, 35)
    merged = await committee.get(f"/api/estates/{estate_id}/suggestions?state=merged&limit=1")
    assert merged["total"] == 400
    assert merged["items"][0]["problem"]["id"] in problem_ids.values()
