"""Issue 19, the disclosure (公示) in the browser at 375 px, in Chinese and English: the
committee publishes the public link (after the confirm dialog); an owner sees her own line
above the estate's totals; the public page, without signing in, shows the totals only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""


def _scene(estate: Any) -> dict[str, Any]:
    """A work on an estimate, an approved plan, the owner's payment in the ledger."""
    units = {f"{h['building']} {h['unit']}": h["id"] for h in estate.households()}
    mine = units["1栋 101"]
    _, owner = estate.member("owner", "业主甲", household_ids=[mine])
    _, chair = estate.member("committee", "王主任")
    _, treasurer = estate.member("treasurer", "李会计")
    c, tr = estate.api(chair), estate.api(treasurer)
    c.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 3_000_000},
    )
    plan = tr.post(f"/api/estates/{estate.id}/funding-plans", {"resident_band": ["0.20", "1.00"]})
    tr.post(f"/api/funding-plans/{plan['id']}/approve")
    tr.post(
        f"/api/funding-plans/{plan['id']}/ledger",
        {
            "household_id": mine,
            "amount_fen": 200_000,
            "channel": "cash",
            "receipt_no": "GS-1",
            "paid_on": "2026-11-02",
        },
    )
    return {"owner": owner, "chair": chair}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_publishes_owner_sees_her_line_public_sees_totals(
    make_service_estate: Any,
    open_page: Any,
    browser: Any,
    screenshot: Any,
    missing_keys: Any,
    lang: str,
) -> None:
    estate = make_service_estate(CSV)
    scene = _scene(estate)
    base = estate.svc.base_url

    # The committee publishes the public link after the confirm dialog.
    chair = await open_page(base, scene["chair"], phone=True, lang=lang)
    await chair.goto(f"{base}/#/disclosure")
    await chair.get_by_test_id("disclosure-collection").wait_for()
    assert await chair.get_by_test_id("disclosure-mine").count() == 0
    await chair.get_by_test_id("disclosure-publish-button").click()
    await chair.get_by_test_id("disclosure-confirm").wait_for()
    await fits_phone(chair)
    await chair.get_by_test_id("disclosure-confirm-yes").click()
    link = chair.get_by_test_id("disclosure-link")
    await link.wait_for()
    href = await link.get_attribute("href")
    assert href and "#/d/" in href
    token = href.split("#/d/")[1]
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)
    await screenshot(chair, f"disclosure-committee-{lang}")

    # The owner sees her own line first, then the totals.
    owner = await open_page(base, scene["owner"], phone=True, lang=lang)
    await owner.goto(f"{base}/#/disclosure")
    line = owner.get_by_test_id("disclosure-my-line")
    await line.wait_for()
    assert await line.count() == 1
    assert "2,000" in await line.inner_text()
    assert "2,000" in await owner.get_by_test_id("disclosure-collected").inner_text()
    assert await owner.get_by_test_id("disclosure-publish").count() == 0
    await fits_phone(owner)
    await in_language(owner, lang, missing_keys)
    await screenshot(owner, f"disclosure-owner-{lang}")

    # Anyone with the link: the totals without signing in, no household's line.
    context = await browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        await context.add_init_script(f"localStorage.setItem('planner.lang', '{lang}')")
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{base}/#/d/{token}")
        await page.get_by_test_id("public-title").wait_for()
        assert "2,000" in await page.get_by_test_id("disclosure-collected").inner_text()
        assert await page.get_by_test_id("disclosure-mine").count() == 0
        assert await page.get_by_test_id("public-page").count() == 1
        assert "业主甲" not in await page.inner_text("main")
        await fits_phone(page)
        await in_language(page, lang, missing_keys)
        await screenshot(page, f"disclosure-public-{lang}")
        assert errors == []
    finally:
        await context.close()
