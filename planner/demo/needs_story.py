"""The story before the renovation (issue 18), played by the loader right after the
committee is named: the needs questionnaire, the common problems, the candidate works, the
partner units' small wishes and the equal-shares round that chose the public works.

The chapters (``intake_chapter``, ``problems_chapter``, ``wishes_chapter``,
``choice_chapter``) know nothing of the story's calendar; here each of their callers is
``Paced``: before every change it asks a pacer for the story time of that step, so the
problems are followed one step every few hours, the wishes over two weeks and the round's
approvals over its twelve days, always forward (the events stay in story order).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from planner.demo import population as pop
from planner.demo import story
from planner.demo.choice_chapter import play_choice_round
from planner.demo.client import Caller
from planner.demo.intake_chapter import play_intake
from planner.demo.problems_chapter import play_problems
from planner.demo.wishes_chapter import play_wishes

if TYPE_CHECKING:
    from planner.demo.loader import Estate, Story

PROBLEM_STEP = timedelta(hours=7)
WISH_STEP = timedelta(minutes=35)
SEED = 18


class Paced(Caller):
    """A member's caller whose every POST first moves the story clock (``pace(path)``)."""

    def __init__(self, caller: Caller, pace: Callable[[str], None]) -> None:
        super().__init__(caller.http, caller.token, caller.member_id)
        self._pace = pace

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        self._pace(path)
        return await super().post(path, body, **kwargs)


class Steps:
    """The story clock moves ``step`` forward before each paced call, from ``start``."""

    def __init__(self, played: Story, start: datetime, step: timedelta) -> None:
        self.played = played
        self.next = start
        self.step = step

    def __call__(self, path: str) -> None:
        self.played.clock.at(self.next)
        self.next += self.step


def work_body(work: story.Work, jg: Estate) -> dict[str, Any]:
    """The details of a story work, as the committee gives them."""
    return {
        "title": work.title,
        "category": work.category,
        "benefit_rule": work.benefit_rule,
        "scope_building_ids": [jg.buildings[b] for b in work.scope_buildings],
        "estimate_fen": work.estimate_fen,
        "urgency": work.urgency,
        "difficulty": work.difficulty,
        "description": work.description,
    }


async def play_needs(played: Story, jg: Estate) -> dict[str, Any]:
    """Play the needs of 金桂苑; fills ``played.works`` with the candidate works (the chosen
    ones proposed, the others still candidates) and returns ``{"choice_round_id",
    "partner"}`` (the tour's partner unit)."""
    clock = played.clock
    chair = played.people["chair"]
    clock.at(clock.day(story.QUESTIONNAIRE_IMPORTED))
    intake = await play_intake(chair, jg.id, seed=SEED)

    works = {w.key: w for w in (*story.WORKS, *story.CANDIDATES)}
    titles = {t.key: t.title for t in intake.themes}
    bodies = {
        titles[theme]: {k: v for k, v in work_body(works[key], jg).items() if k != "estimate_fen"}
        | {"estimate_fen": works[key].estimate_fen}
        for theme, key in story.THEME_WORKS.items()
    }
    steps = Steps(played, clock.day(story.PROBLEMS_FROM), PROBLEM_STEP)
    _, made = await play_problems(
        Paced(chair, steps),
        jg.id,
        intake.by_title(),
        estimates=bodies,
        categories=intake.categories(),
        in_progress=titles["pipes"],  # the pipes are being replaced: the one still 处理中
    )
    by_title = {titles[theme]: key for theme, key in story.THEME_WORKS.items()}
    for title, work_id in made.items():
        played.works[by_title[title]] = work_id
    clock.at(clock.day(story.CANDIDATE_WORKS))
    signage = await chair.post(
        f"/api/estates/{jg.id}/works",
        {**work_body(works["signage"], jg), "status": "candidate"},
    )
    played.works["signage"] = signage["id"]

    owners = await _owners(played, jg, clock.day(story.WISHES_FROM) - timedelta(hours=2))
    wishes = Steps(played, clock.day(story.WISHES_FROM), WISH_STEP)
    residents = {
        household_id: Paced(caller, wishes)
        for caller, household_ids in owners
        for household_id in household_ids
    }
    partners = await play_wishes(
        played.http,
        Paced(played.admin, wishes),
        jg.id,
        committee=Paced(chair, wishes),
        residents=residents,
        seed=SEED,
    )

    opened = clock.day(story.CHOICE_OPENED)
    closed = clock.day(story.CHOICE_CLOSED)
    clock.at(opened - timedelta(days=2))
    every = (closed - opened) / (len(owners) + 1)
    approvals = Steps(played, opened + every, every)

    def round_step(path: str) -> None:
        if path.endswith("/open"):
            clock.at(opened)
        elif path.endswith("/close"):
            clock.at(closed)
        elif "/approvals" in path or "/paper-approvals" in path:
            approvals(path)

    candidates = (*story.PLAN_WORKS, *(w.key for w in story.CANDIDATES))
    result = await play_choice_round(
        Paced(chair, round_step),
        jg.id,
        {key: (played.works[key], works[key].estimate_fen) for key in candidates},
        story.PLAN_WORKS,
        [(Paced(caller, round_step), household_ids) for caller, household_ids in owners],
        story.CHOICE_BUDGET_FEN,
        title=story.CHOICE_TITLE,
        seed=SEED,
    )
    return {"choice_round_id": result["round_id"], "partner": partners["partner"]}


async def _owners(played: Story, jg: Estate, when: datetime) -> list[tuple[Caller, list[int]]]:
    """The owners who take part in the needs (their sign-ins made at ``when``): a fixed
    sample of the estate's owners, with all their units."""
    played.clock.at(when)
    names: dict[str, str] = {}
    for h in sorted(jg.households, key=lambda h: h["id"]):
        names.setdefault(h["owner_key"], h["owner_name"])
    keys = sorted(k for k in names if k != pop.TOUR_OWNER_KEY)  # the tour's owner comes last
    random.Random(SEED).shuffle(keys)  # noqa: S311 - a fixed demo story, not a secret
    chosen = keys[: story.CHOICE_OWNERS]
    return [(await played.owner(jg, key, names[key]), jg.units_of(key)) for key in sorted(chosen)]
