"""Issue 17 in the browser at 375 px, zh and en: the committee's list of owners the notice has
not reached; an owner who opens the consultation counts as reached online (the list moves
live); the committee records a notice handed over on paper, asked first; the door-to-door
list opens. Needs the notice slice's routes (skipped without them, saying so)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.consultation_helpers import ENGLISH, draft

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
STATE = {
    "zh-CN": {"not_yet": "未送达", "online": "已在网上查看", "paper": "已纸质送达"},
    "en": {"not_yet": "Not reached", "online": "Seen online", "paper": "Handed on paper"},
}


def row(page: Any, name: str) -> Any:
    return page.locator("[data-testid=deliveries] li.delivery", has_text=name)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_deliveries_move_live_and_a_paper_delivery_is_asked_first(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    unit_b = next(h["id"] for h in estate.households() if h["owner_key"] == "B")
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主乙", household_ids=[unit_b])
    committee = estate.api(committee_token)
    created = draft(committee, estate.id, opens_in=3600, closes_in=7200)
    committee.post(f"/api/consultations/{created['id']}/publish")
    if committee.http.get(f"/api/consultations/{created['id']}/deliveries").status_code != 200:
        pytest.skip("the notice slice's routes are not on this server")
    base = estate.svc.base_url
    words = STATE[lang]

    page = await open_page(base, committee_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/consultations/{created['id']}")
    await page.get_by_test_id("deliveries-link").click()
    await row(page, "业主乙").wait_for()
    assert words["not_yet"] in await row(page, "业主乙").inner_text()

    # The owner opens the consultation: reached online, and the committee's list follows.
    owner = await open_page(base, owner_token, phone=True, lang=lang)
    await owner.goto(f"{base}/#/consultations/{created['id']}")
    await owner.get_by_test_id("consult-notice").wait_for()
    await page.get_by_role("button", name=re.compile("全部业主|Every owner")).click()
    await row(page, "业主乙").locator(".badge", has_text=words["online"]).wait_for(timeout=20_000)

    # Paper for 业主丙: asked first, then recorded with who and when.
    await row(page, "业主丙").get_by_test_id("record-delivery").click()
    confirm = page.get_by_test_id("confirm-delivery")
    await confirm.wait_for()
    assert "业主丙" in await confirm.inner_text()
    states = {
        d["owner_key"]: d["state"]
        for d in committee.get(f"/api/consultations/{created['id']}/deliveries")["items"]
    }
    assert states["C"] == "not_yet"
    await screenshot(page, f"consultation-delivery-confirm-{lang}")
    await page.get_by_test_id("confirm-delivery-yes").click()
    await row(page, "业主丙").locator(".badge", has_text=words["paper"]).wait_for()
    assert "王主任" in await row(page, "业主丙").inner_text()
    deadline = time.monotonic() + 10
    while True:
        states = {
            d["owner_key"]: d["state"]
            for d in committee.get(f"/api/consultations/{created['id']}/deliveries")["items"]
        }
        if states == {"A": "not_yet", "B": "online", "C": "paper"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert states == {"A": "not_yet", "B": "online", "C": "paper"}
    assert await page.evaluate("document.documentElement.scrollWidth <= 375")
    assert await missing_keys(page) == []
    if lang == "zh-CN":
        assert not ENGLISH.search(await page.inner_text("main"))
    await screenshot(page, f"consultation-deliveries-{lang}")
    printed = committee.http.get(f"/api/consultations/{created['id']}/unreached.html")
    assert printed.status_code == 200
    short = "zh" if lang == "zh-CN" else "en"
    assert await page.get_by_test_id("unreached-print").get_attribute("href") == (
        f"/api/consultations/{created['id']}/unreached.html?lang={short}"
    )
