"""Issue 18, common problems in the browser at 375 px, in Chinese and English: an owner who
submitted a suggestion sees the common problem it was merged into move from 收集 to 处理中 to
已解决 live (with a notice) while the committee moves it on its own page (confirming 已解决);
the board shows the figures and its charts, without horizontal scroll.

The suggestion row is written straight into the service's database: intake's API lives on
another branch."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
WORDS = {
    "zh-CN": {"collecting": "收集", "in_progress": "处理中", "solved": "已解决", "moved": "您支持"},
    "en": {
        "collecting": "Collecting",
        "in_progress": "In progress",
        "solved": "Solved",
        "moved": "you support",
    },
}


async def suggestion(database_url: str, estate_id: int, household_id: int, member_id: int) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        found: int = await conn.fetchval(
            """INSERT INTO suggestions (estate_id, text, category, household_id, channel,
                                        submitted_by, triaged_at, urgency, difficulty)
               VALUES ($1, '楼道灯坏了，晚上看不见', 'facilities', $2, 'online', $3, now(),
                       'urgent', 'easy') RETURNING id""",
            estate_id,
            household_id,
            member_id,
        )
    finally:
        await conn.close()
    return found


async def test_owner_sees_the_problem_move_and_the_board(
    make_service_estate: Any,
    module_database_url: str,
    open_page: Any,
    screenshot: Any,
    missing_keys: Any,
) -> None:
    for lang in ("zh-CN", "en"):
        words = WORDS[lang]
        estate = make_service_estate(CSV, name="金桂苑" if lang == "zh-CN" else "Osmanthus Garden")
        base = estate.svc.base_url
        units = {f"{h['building']}-{h['unit']}": h["id"] for h in estate.households()}
        _, committee_token = estate.member("committee", "主任")
        owner_id, owner_token = estate.member("owner", "业主甲", household_ids=[units["1栋-101"]])
        committee = estate.api(committee_token)
        sid = await suggestion(module_database_url, estate.id, units["1栋-101"], owner_id)
        problem = committee.post(
            f"/api/estates/{estate.id}/problems",
            {
                "title": "楼道照明损坏",
                "category": "facilities",
                "urgency": "urgent",
                "difficulty": "easy",
                "suggestion_ids": [sid],
                "responsible": "物业公司",
            },
        )
        pid = problem["id"]
        item = f'[data-testid=problem-item][data-id="{pid}"]'

        owner = await open_page(base, owner_token, phone=True, lang=lang)
        await owner.goto(f"{base}/#/problems")
        await owner.wait_for_selector(f"{item} [data-status=collecting]")
        assert words["collecting"] in await owner.inner_text(f"{item} [data-testid=problem-status]")
        await owner.wait_for_selector(f"{item} [data-testid=problem-supported]")
        await fits_phone(owner)
        await in_language(owner, lang, missing_keys)

        # a neighbour who wrote nothing says "me too" on the problem's page
        _, neighbour_token = estate.member("owner", "业主乙", household_ids=[units["1栋-102"]])
        neighbour = await open_page(base, neighbour_token, phone=True, lang=lang)
        await neighbour.goto(f"{base}/#/problems/{pid}")
        toggle = neighbour.locator("[data-testid=support-toggle]")
        await toggle.wait_for()
        assert await toggle.get_attribute("aria-pressed") == "false"
        await toggle.click()
        await neighbour.wait_for_selector("[data-testid=support-toggle][aria-pressed=true]")
        counts = await neighbour.inner_text("[data-testid=problem-counts]")
        assert "2" in counts, counts
        await fits_phone(neighbour)
        await in_language(neighbour, lang, missing_keys)
        await neighbour.context.close()

        desk = await open_page(base, committee_token, phone=True, lang=lang)
        await desk.goto(f"{base}/#/problems/{pid}")
        await desk.wait_for_selector("[data-testid=problem-status-form]")
        await fits_phone(desk)
        await in_language(desk, lang, missing_keys)
        for target in ("listed", "in_progress"):
            await desk.select_option("[data-testid=status-target]", target)
            await desk.click("[data-testid=status-submit]")
            await desk.wait_for_selector(f"[data-testid=problem-status][data-status={target}]")
        # the owner's list moved live, with a notice naming the new status
        await owner.wait_for_selector(f"{item} [data-status=in_progress]")
        notice = owner.locator("[data-testid=problem-moved]").last
        await notice.wait_for()
        text = await notice.inner_text()
        assert words["in_progress"] in text and words["moved"] in text, text
        await screenshot(owner, f"needs-problems-owner-{lang}")

        # solved asks first
        await desk.select_option("[data-testid=status-target]", "solved")
        await desk.click("[data-testid=status-submit]")
        await desk.wait_for_selector("[data-testid=status-confirm]")
        await screenshot(desk, f"needs-problems-confirm-{lang}")
        await desk.click("[data-testid=status-confirm-yes]")
        await desk.wait_for_selector("[data-testid=problem-status][data-status=solved]")
        await owner.wait_for_selector(f"{item} [data-status=solved]")
        assert words["solved"] in await owner.inner_text(f"{item} [data-testid=problem-status]")

        # the board: figures, charts, the list; 375 px without horizontal scroll
        await owner.goto(f"{base}/#/board")
        await owner.wait_for_selector("[data-testid=board-figures]")
        solved = await owner.inner_text("[data-testid=figure-problems_urgent_solved] .board-number")
        assert solved.strip() == "1"
        received = await owner.inner_text("[data-testid=figure-suggestions_received] .board-number")
        assert received.strip() == "1"
        chart = owner.locator("[data-testid=chart-status] svg")
        assert await chart.get_attribute("role") == "img"
        assert await chart.get_attribute("aria-label")
        assert await owner.locator("[data-testid=board-problem]").count() == 1
        await fits_phone(owner)
        await in_language(owner, lang, missing_keys)
        await screenshot(owner, f"needs-board-{lang}")
        await owner.context.close()
        await desk.context.close()
