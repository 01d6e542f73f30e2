"""The demo's common problems (共性问题, issue 18): the committee merges the triaged
suggestions into ~40 common problems, names who is responsible, and follows them to 已解决
(39 solved, 35 of them urgent, one still 处理中); some become candidate works with an estimate.

One entry point::

    problem_ids, work_ids = await play_problems(
        committee,            # planner.demo.client.Caller: a committee member (or the admin)
        estate_id,            # the estate the suggestions belong to
        themes,               # dict[str, list[int]]: theme (the problem's title) → suggestion ids,
                              # in the order to play (intake's chapter groups them)
        estimates=None,       # Mapping[str, int | dict] | None: theme → estimate_fen (or the
                              # whole body of POST /api/problems/{id}/work); those themes
                              # become candidate works
        categories=None,      # Mapping[str, str] | None: theme → category key
                              # (planner.needs.categories); missing: guessed from the title's
                              # words (KEYWORDS), else "facilities"
        in_progress=None,     # the theme left 处理中 (default: the last one)
    )
    # problem_ids: dict[str, int] theme → problem id; work_ids: dict[str, int] theme → work id

It needs: the estate's suggestions (any channel) not yet in a problem, and a committee
Caller; nothing else. Every step goes through the HTTP API. Which problems are solved and
urgent is fixed (no randomness): in the given order, the first ``SOLVED`` themes other than
the one in progress are solved and the first ``URGENT_SOLVED`` of those are urgent; any
further themes stay 已纳入清单. Responsible parties come from ``RESPONSIBLE`` in turn (fixed
seed, so every run tells the same story). Estimates must be whole fen.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Final

from planner.demo.client import Caller

SOLVED: Final = 39
URGENT_SOLVED: Final = 35
SEED: Final = 18

#: who handles the estate's common problems (in turn, shuffled with ``SEED``)
RESPONSIBLE: Final[tuple[str, ...]] = (
    "金桂物业服务中心",
    "桂园社区居委会",
    "街道城市管理科",
    "区供电公司营业所",
    "市自来水公司维修站",
    "业主委员会",
    "社区网格员",
    "社区卫生服务站",
    "街道社会事务科",
    "辖区派出所",
)

#: words of a theme's title → its category, when the caller gives none
KEYWORDS: Final[tuple[tuple[str, str], ...]] = (
    ("电梯", "facilities"),
    ("路灯", "facilities"),
    ("照明", "facilities"),
    ("管道", "facilities"),
    ("屋面", "facilities"),
    ("漏水", "facilities"),
    ("停车", "livelihood"),
    ("充电", "livelihood"),
    ("快递", "livelihood"),
    ("菜", "livelihood"),
    ("垃圾", "environment"),
    ("绿化", "environment"),
    ("卫生", "environment"),
    ("噪音", "environment"),
    ("消防", "safety"),
    ("监控", "safety"),
    ("门禁", "safety"),
    ("安全", "safety"),
    ("医", "health"),
    ("健康", "health"),
    ("老人", "health"),
    ("学", "education"),
    ("就业", "education"),
    ("托", "education"),
    ("补贴", "policy"),
    ("政策", "policy"),
    ("低保", "policy"),
    ("养老金", "policy"),
)


def guess_category(theme: str) -> str:
    for word, category in KEYWORDS:
        if word in theme:
            return category
    return "facilities"


def _plan(themes: list[str], in_progress: str | None) -> dict[str, tuple[str, str]]:
    """theme → (final status, urgency)."""
    last = in_progress if in_progress is not None else (themes[-1] if themes else None)
    plan: dict[str, tuple[str, str]] = {}
    solved = 0
    for theme in themes:
        if theme == last:
            plan[theme] = ("in_progress", "normal")
        elif solved < SOLVED:
            plan[theme] = ("solved", "urgent" if solved < URGENT_SOLVED else "normal")
            solved += 1
        else:
            plan[theme] = ("listed", "normal")
    return plan


PATH_TO: Final[dict[str, tuple[str, ...]]] = {
    "listed": ("listed",),
    "in_progress": ("listed", "in_progress"),
    "solved": ("listed", "in_progress", "solved"),
}


async def play_problems(
    committee: Caller,
    estate_id: int,
    themes: Mapping[str, list[int]],
    *,
    estimates: Mapping[str, int | Mapping[str, object]] | None = None,
    categories: Mapping[str, str] | None = None,
    in_progress: str | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Create one common problem per theme, move it along its path, make the candidate
    works; returns (theme → problem id, theme → work id)."""
    order = list(themes)
    plan = _plan(order, in_progress)
    responsible = list(RESPONSIBLE)
    random.Random(SEED).shuffle(responsible)  # noqa: S311 (a fixed seed: reproducible)
    problem_ids: dict[str, int] = {}
    work_ids: dict[str, int] = {}
    for n, theme in enumerate(order):
        status, urgency = plan[theme]
        category = (categories or {}).get(theme) or guess_category(theme)
        created = await committee.post(
            f"/api/estates/{estate_id}/problems",
            {
                "title": theme[:200],
                "category": category,
                "urgency": urgency,
                "difficulty": "hard" if n % 3 == 0 else "easy",
                "suggestion_ids": list(themes[theme]),
                "responsible": responsible[n % len(responsible)],
            },
        )
        problem_ids[theme] = created["id"]
        if estimates and theme in estimates:
            estimate = estimates[theme]
            body_of_work = {"estimate_fen": estimate} if isinstance(estimate, int) else estimate
            made = await committee.post(f"/api/problems/{created['id']}/work", body_of_work)
            work_ids[theme] = made["work_id"]
        for step in PATH_TO[status]:
            body: dict[str, str] = {"status": step}
            if step == "solved":
                body["note"] = "已处理完毕，经回访居民认可"
            await committee.post(f"/api/problems/{created['id']}/status", body)
    return problem_ids, work_ids
