"""Issue 16, time zones and printed pages: a browser running in UTC (Playwright
``timezone_id="UTC"``) shows the meeting room and the sealed-quote screen in the estate's
zone (Shanghai); a time typed into the new-meeting form is Shanghai time; the admin sets an
estate's zone; the minutes and a payment notice fit a 375 px phone and still print on A4."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,102,1,90.00,A,曹玉兰,
1栋,101,1,80.00,A,曹玉兰,
2栋,101,1,95.00,B,李四,
"""
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def utc_page(browser: Any, base: str, token: str, *, phone: bool = False) -> Any:
    """A signed-in page whose browser believes it is in UTC."""
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP, timezone_id="UTC", is_mobile=phone, has_touch=phone
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{base}/login?token={token}")
    await page.wait_for_selector("header.top .who")
    assert await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    return page


def shanghai(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def closed_meeting(estate: Any) -> tuple[int, str]:
    """A meeting scheduled at 11:30 UTC, one motion voted on by both owners, then closed."""
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    ids = {f"{h['building']}-{h['unit']}": h["id"] for h in estate.households()}
    _, cao = estate.member("owner", "曹玉兰", household_ids=[ids["1栋-101"], ids["1栋-102"]])
    _, li = estate.member("owner", "李四", household_ids=[ids["2栋-101"]])
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings",
        {
            "title": "1栋议事会",
            "kind": "building_meeting",
            "scheduled_at": "2026-05-16T11:30:00Z",
            "agenda": ["加装电梯"],
        },
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "加装电梯", "matter": 9}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    for token in (cao, li):
        estate.api(token).post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    committee.post(f"/api/meetings/{meeting['id']}/close")
    return meeting["id"], committee_token


@pytest.mark.timeout(240)
async def test_a_utc_browser_shows_the_meeting_and_sealed_quotes_in_shanghai_time(
    make_service_estate: Any, browser: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    meeting_id, committee_token = closed_meeting(estate)
    committee = estate.api(committee_token)
    page = await utc_page(browser, base, committee_token)

    await page.goto(f"{base}/#/meetings/{meeting_id}")
    await page.get_by_test_id("meeting-title").wait_for()
    body = await page.inner_text("main")
    assert "2026-05-16 19:30" in body and "11:30" not in body
    motion = committee.get(f"/api/meetings/{meeting_id}/motions")
    motions = motion["items"] if isinstance(motion, dict) else motion
    closed_at = motions[0]["closed_at"]
    await page.get_by_test_id("minutes").wait_for()
    minutes = await page.get_by_test_id("minutes").inner_text()
    assert shanghai(closed_at) in minutes, (closed_at, minutes)
    await screenshot(page, "local-time-meeting")

    # A time typed into the new-meeting form is the estate's wall clock, whatever the browser's.
    await page.goto(f"{base}/#/meetings")
    await page.get_by_text("新建会议").or_(page.locator("details.card > summary")).first.click()
    assert (await page.get_by_test_id("meeting-zone").inner_text()) == "(北京时间)"
    await page.fill("#meeting-title", "2栋议事会")
    await page.fill("#meeting-when", "2026-06-01T19:30")
    await page.locator("details.card form button[type=submit]").click()
    await page.wait_for_url(re.compile(r"#/meetings/\d+$"))
    new_id = int(page.url.rsplit("/", 1)[1])
    scheduled = committee.get(f"/api/meetings/{new_id}")["scheduled_at"]
    assert datetime.fromisoformat(scheduled) == datetime(2026, 6, 1, 11, 30, tzinfo=ZoneInfo("UTC"))
    await page.get_by_test_id("meeting-title").wait_for()
    assert "2026-06-01 19:30" in await page.inner_text("main")

    # Sealed bids open at 11:30 UTC: the committee reads 19:30.
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "sealed_until": "2030-05-16T11:30:00Z"},
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "国网株洲供电公司"})
    committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    _, bidder = estate.member("supplier", "经理", supplier_id=supplier["id"])
    line = {"description": "电缆", "unit": "米", "quantity": "10", "unit_price_fen": 19_500}
    estate.api(bidder).post(f"/api/works/{work['id']}/quotes", {"lines": [line]})
    await page.goto(f"{base}/#/works/{work['id']}")
    sealed = page.get_by_test_id("sealed")
    await sealed.wait_for()
    text = await sealed.inner_text()
    assert "2030-05-16 19:30" in text and "11:30" not in text, text
    await screenshot(page, "local-time-sealed")
    assert not page.errors  # type: ignore[attr-defined]
    await page.context.close()


@pytest.mark.timeout(240)
async def test_the_admin_sets_an_estates_time_zone(
    make_service_estate: Any, browser: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    page = await utc_page(browser, base, estate.svc.admin_token, phone=True)
    select = page.locator(f"#estate-zone-{estate.id}")
    await select.wait_for()
    assert await select.input_value() == "Asia/Shanghai"
    assert await page.locator("#estate-zone").input_value() == "Asia/Shanghai"
    await select.select_option("Asia/Urumqi")
    await page.get_by_role("status").filter(has_text="已保存").wait_for()
    assert estate.admin.get(f"/api/estates/{estate.id}")["time_zone"] == "Asia/Urumqi"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    await screenshot(page, "estate-time-zone")
    assert not page.errors  # type: ignore[attr-defined]
    await page.context.close()


def _a4(pdf: bytes) -> bool:
    """Every page of the PDF is A4 (595 × 842 pt, give or take a point)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return bool(boxes) and all(
        abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes
    )


async def _fits(page: Any) -> None:
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= 375 and widths[0] <= widths[1], widths


@pytest.mark.timeout(240)
async def test_minutes_and_a_payment_notice_fit_a_phone_and_print_on_a4(
    make_service_estate: Any, browser: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    meeting_id, committee_token = closed_meeting(estate)
    page = await utc_page(browser, base, committee_token, phone=True)

    await page.goto(f"{base}/#/meetings/{meeting_id}")
    link = page.get_by_test_id("minutes-link")
    await link.wait_for()
    async with page.context.expect_page() as opened:
        await link.click()
    minutes = await opened.value
    await minutes.wait_for_load_state()
    text = await minutes.inner_text("body")
    closed_at = estate.api(committee_token).get(f"/api/meetings/{meeting_id}")["closed_at"]
    assert f"{shanghai(closed_at)}（北京时间）" in text and "UTC" not in text
    assert "曹玉兰（1栋-101、1栋-102）" in text and "李四（2栋-101）" in text
    assert await minutes.get_by_text("曹玉兰（1栋-101、1栋-102）").is_visible()
    await _fits(minutes)
    await screenshot(minutes, "minutes-page")
    assert _a4(await minutes.pdf(prefer_css_page_size=True))
    await minutes.goto(f"{base}/api/meetings/{meeting_id}/minutes.html?lang=en")
    text = await minutes.inner_text("body")
    assert f"Closed: {shanghai(closed_at)} (Beijing time)" in text
    assert await minutes.get_by_text("曹玉兰 (1栋-101, 1栋-102)").is_visible()
    await _fits(minutes)

    _, treasurer_token = estate.member("treasurer", "刘会计")
    treasurer = estate.api(treasurer_token)
    work = treasurer.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "estimate_fen": 10_000_000},
        expect=(200, 201, 403),
    )
    if "id" not in (work or {}):
        work = estate.api(committee_token).post(
            f"/api/estates/{estate.id}/works",
            {"title": "二次供电改造", "category": "power", "estimate_fen": 10_000_000},
        )
    estate.api(committee_token).post(f"/api/works/{work['id']}/status", {"status": "approved"})
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "改造补贴",
            "kind": "subsidy",
            "budget_fen": 7_500_000,
            "eligible_work_ids": [work["id"]],
        },
    )
    plan = treasurer.post(
        f"/api/estates/{estate.id}/funding-plans",
        {"policy": "minimum", "resident_band": ["0.20", "0.30"], "work_ids": [work["id"]]},
    )
    treasurer.post(f"/api/funding-plans/{plan['id']}/approve")
    household = estate.households()[0]["id"]
    notice_page = await utc_page(browser, base, treasurer_token, phone=True)
    await notice_page.goto(f"{base}/api/funding-plans/{plan['id']}/notices/{household}")
    notice = notice_page.locator("section.notice")
    await notice.wait_for()
    assert await notice.get_by_text("缴费通知单").is_visible()
    assert await notice.get_by_text("人民币大写").is_visible()
    box = await notice.bounding_box()
    assert box is not None and box["width"] <= 375, box
    await _fits(notice_page)
    await screenshot(notice_page, "payment-notice")
    assert _a4(await notice_page.pdf(prefer_css_page_size=True))
    # On a desktop screen the notice is still the A4 sheet (210 mm = 794 px).
    await notice_page.set_viewport_size(DESKTOP)
    box = await notice.bounding_box()
    assert box is not None and abs(box["width"] - 794) < 2, box
    for p in (page, notice_page):
        assert not p.errors  # type: ignore[attr-defined]
        await p.context.close()
