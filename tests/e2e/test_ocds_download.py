"""Issue 20, the OCDS export in the browser at 375 px, in Chinese and English: the committee
finds the download on an awarded work's page and the estate's bulk export on the works list;
both links answer valid-looking release packages for the signed-in browser session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
"""
LINES = [{"description": "防水卷材", "unit": "m²", "quantity": "120.5", "unit_price_fen": 4_550}]

FETCH = """async (href) => { const r = await fetch(href); return [r.status, await r.json()]; }"""


def _scene(estate: Any) -> dict[str, Any]:
    """An awarded work: one invited supplier's quote in round 1."""
    _, chair = estate.member("committee", "王主任")
    c = estate.api(chair)
    supplier = c.post(f"/api/estates/{estate.id}/suppliers", {"name": "甲防水公司"})
    _, bidder = estate.member("supplier", "甲报价人", supplier_id=supplier["id"])
    work = c.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 600_000},
    )
    c.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    c.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    quote = estate.api(bidder).post(f"/api/works/{work['id']}/quotes", {"lines": LINES})
    c.post(f"/api/quotes/{quote['id']}/award", {"round": 1})
    return {"chair": chair, "work_id": work["id"], "quote_id": quote["id"]}


@pytest.mark.timeout(300)
async def test_committee_downloads_the_work_and_the_estate_as_ocds(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV, "金桂苑")
    scene = _scene(estate)
    base = estate.svc.base_url
    for lang in ("zh-CN", "en"):
        page = await open_page(base, scene["chair"], phone=True, lang=lang)
        await page.goto(f"{base}/#/works/{scene['work_id']}")
        link = page.get_by_test_id("ocds-work")
        await link.wait_for()
        href = await link.get_attribute("href")
        assert href == f"/api/works/{scene['work_id']}/ocds"
        assert await link.get_attribute("download") == f"ocds-w{scene['work_id']}.json"
        status, package = await page.evaluate(FETCH, href)
        assert status == 200 and package["version"] == "1.1"
        award = next(r for r in package["releases"] if r["tag"] == ["award"])
        assert award["awards"][0]["relatedBids"] == [f"bid-{scene['quote_id']}-r1"]
        assert award["awards"][0]["value"] == {"amount": 5482.75, "currency": "CNY"}
        await fits_phone(page)
        await in_language(page, lang, missing_keys)
        await screenshot(page, f"ocds-work-{lang}")

        await page.goto(f"{base}/#/works")
        bulk = page.get_by_test_id("ocds-estate")
        await bulk.wait_for()
        status, package = await page.evaluate(FETCH, await bulk.get_attribute("href"))
        assert status == 200
        assert {r["ocid"] for r in package["releases"]} == {f"ocds-gongsh-w{scene['work_id']}"}
        await fits_phone(page)
        await in_language(page, lang, missing_keys)
        await screenshot(page, f"ocds-estate-{lang}")
