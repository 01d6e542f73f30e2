"""The demo's common problems chapter on the real service (in-process HTTP): 40 themes of
suggestions become 40 problems, 39 solved (35 urgent), one in progress, and the candidate
works appear among the estate's works."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.db.pool import Database
from planner.demo.client import Caller
from planner.demo.problems_chapter import guess_category, play_problems
from planner.testing import bearer

pytestmark = pytest.mark.timeout(120)


async def test_the_chapter_tells_the_pilot_s_figures(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    db: Database,
) -> None:
    estate_id = await make_estate("金桂苑")
    created = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": "committee", "display_name": "主任"},
        headers=bearer(admin_token),
    )
    committee = Caller(client, created.json()["token"], created.json()["member_id"])
    themes: dict[str, list[int]] = {}
    async with db.transaction() as conn:
        for t in range(40):
            theme = f"第{t + 1}号问题：{'电梯' if t % 2 else '垃圾'}"
            themes[theme] = [
                await conn.fetchval(
                    """INSERT INTO suggestions (estate_id, text, category, channel)
                       VALUES ($1, $2, $3, 'paper') RETURNING id""",
                    estate_id,
                    f"{theme} 意见{i}",
                    guess_category(theme),
                )
                for i in range(3)
            ]
    last = list(themes)[-1]
    estimates = {list(themes)[1]: 3_000_000, last: 8_800_000}
    problem_ids, work_ids = await play_problems(committee, estate_id, themes, estimates=estimates)
    assert len(problem_ids) == 40 and set(work_ids) == set(estimates)

    board = (await client.get(f"/api/estates/{estate_id}/board", headers=committee.headers)).json()
    figures = board["figures"]
    assert figures["problems_total"] == 40
    assert figures["problems_solved"] == 39
    assert figures["problems_urgent_solved"] == 35
    assert figures["suggestions_received"] == 120 and figures["suggestions_sorted"] == 120
    statuses = {p["id"]: p["status"] for p in board["problems"]}
    assert statuses[problem_ids[last]] == "in_progress"
    assert all(p["responsible"] for p in board["problems"])
    works = (await client.get(f"/api/estates/{estate_id}/works", headers=committee.headers)).json()
    candidates = {w["id"]: w for w in works if w["status"] == "candidate"}
    assert set(candidates) == set(work_ids.values())
    assert candidates[work_ids[last]]["estimate_fen"] == 8_800_000
