"""Errors read in the interface's language, by code: in Chinese, a 400 (funding), a 403
(meeting room) and a 409 (quote review) each show a Chinese error box and no English
sentence from the server, on a phone without horizontal scrolling."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,100.00,C,业主丙,
"""
CJK = re.compile(r"[\u3400-\u9fff]")
# Three Latin words in a row (separated by spaces or punctuation): an English sentence.
ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w]+[A-Za-z]+){2,}")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


async def assert_reads_chinese(page: Any, box: Any, heading: str) -> None:
    """The error box is Chinese with the status's heading; nothing on the page is English."""
    await box.wait_for()
    text = await box.inner_text()
    assert heading in text, text
    assert CJK.search(text.replace(heading, "")), text  # a sentence besides the heading
    assert not ENGLISH.search(text), text
    main = await page.inner_text("main")
    assert not ENGLISH.search(main), main
    assert await page.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.timeout(240)
async def test_400_403_409_read_chinese(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    households = {h["owner_key"]: h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主甲", household_ids=[households["A"]])
    committee = estate.api(committee_token)
    base = estate.svc.base_url

    # 400 on the funding screen: a residents' band whose lower bound is above the upper one.
    funding = await open_page(base, committee_token, phone=True, lang="zh-CN")
    await funding.goto(f"{base}/#/funding")
    # (the band is typed in percent; the form's live preview answers before any save)
    await funding.locator("#band-low").fill("40")
    await funding.locator("#band-high").fill("30")
    await assert_reads_chinese(funding, funding.get_by_test_id("preview"), "输入有误")
    assert await missing_keys(funding) == []
    await screenshot(funding, "error-400-funding")

    # 403 in the meeting room: the owner's unit is outside the meeting's scope (building 2),
    # the vote buttons are offered, and the server refuses the ballot.
    buildings = committee.get(f"/api/estates/{estate.id}/buildings")
    building_2 = next(b["id"] for b in buildings if b["name"] == "2栋")
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings",
        {"title": "2栋议事会", "kind": "building_meeting", "scope_building_ids": [building_2]},
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "2栋屋面防水", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    room = await open_page(base, owner_token, phone=True, lang="zh-CN")
    await room.goto(f"{base}/#/meetings/{meeting['id']}")
    await room.get_by_test_id("vote-yes").click()
    await assert_reads_chinese(
        room, room.get_by_test_id("motion").locator(".error").first, "无权执行此操作"
    )
    await screenshot(room, "error-403-meeting-room")

    # 409 on the quote review: the work needs a passed motion before the award.
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "国网株洲供电公司"})
    _, supplier_token = estate.member("supplier", "李经理", supplier_id=supplier["id"])
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "requires_motion": True},
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    estate.api(supplier_token).post(
        f"/api/works/{work['id']}/quotes",
        {"lines": [{"description": "电缆", "unit": "米", "quantity": "10", "unit_price_fen": 100}]},
    )
    review = await open_page(base, committee_token, phone=True, lang="zh-CN")
    await review.goto(f"{base}/#/works/{work['id']}")
    await review.get_by_test_id("award").click()
    await review.get_by_test_id("award-confirm").click()
    await assert_reads_chinese(
        review, review.get_by_test_id("quote-history").locator(".error").first, "操作冲突"
    )
    await screenshot(review, "error-409-quote-review")
    assert committee.get(f"/api/works/{work['id']}")["status"] != "awarded"
