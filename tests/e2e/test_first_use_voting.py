"""Issue 16, the owner voting on a phone: while the ballot is on its way the room says so
("正在提交…") and does not show the old choice as recorded; focus stays on the chosen
button; the receipt is shown with its time. In Chinese and English."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
"""
SAYS = {
    "zh-CN": ("正在提交：反对…", "已记录：反对", "回执 "),
    "en": ("Sending: No…", "Recorded: No", "Receipt "),
}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_ballot_on_its_way_says_so_then_shows_its_receipt(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = [h["id"] for h in estate.households() if h["owner_key"] == "A"]
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主甲", household_ids=units)
    committee = estate.api(committee_token)
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "1栋议事会", "kind": "building_meeting"}
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "屋面防水", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    sending, recorded, receipt = SAYS[lang]

    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    await page.get_by_test_id("vote-yes").click()
    await page.get_by_test_id("my-vote").wait_for()

    # A slow network: the change to "no" is held on its way.
    release = asyncio.Event()

    async def held(route: Any) -> None:
        if route.request.method == "POST":
            await release.wait()
        await route.continue_()

    await page.route("**/api/motions/*/ballots", held)
    await page.get_by_test_id("vote-no").click()
    status = page.get_by_test_id("vote-sending")
    await status.wait_for()
    assert await status.inner_text() == sending
    assert await page.get_by_test_id("my-vote").count() == 0, "the old choice is not shown"
    assert await page.get_by_test_id("vote-yes").get_attribute("aria-pressed") == "false"
    await screenshot(page, f"vote-sending-{lang}")
    release.set()
    mine = page.get_by_test_id("my-vote")
    await mine.wait_for()
    assert recorded in await mine.inner_text()
    shown = await page.get_by_test_id("receipt").inner_text()
    assert shown.startswith(receipt), shown
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", shown), shown
    assert await page.evaluate("document.activeElement.dataset.testid") == "vote-no"
    assert await page.get_by_test_id("vote-no").get_attribute("aria-pressed") == "true"
    ballots = estate.api(owner_token).get(f"/api/motions/{motion['id']}/ballots/mine")
    codes = {b["receipt"] for b in ballots if b["counted"]}
    assert len(codes) == 2 and all(code in shown for code in codes)
    await page.unroute("**/api/motions/*/ballots")
    # after a reload the receipt comes back from the server
    await page.reload()
    await page.get_by_test_id("receipt").wait_for()
    again = await page.get_by_test_id("receipt").inner_text()
    assert all(code in again for code in codes), again
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
