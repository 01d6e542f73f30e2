"""The committee edits a work in the browser, and follows sealed bids arriving live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
2栋,101,1,90.50,B,业主乙,
"""

LINES = [{"description": "防水卷材", "unit": "m²", "quantity": "100", "unit_price_fen": 9_000}]


@pytest.mark.timeout(240)
async def test_committee_edits_a_work_with_reasons_shown_inline(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 100_000_000},
    )

    page = await open_page(estate.svc.base_url, committee_token)
    await page.goto(f"{estate.svc.base_url}/#/works/{work['id']}")
    await page.get_by_test_id("work-title").get_by_text("屋面防水").wait_for()
    await page.get_by_text("修改项目").click()
    form = page.get_by_test_id("edit-work")

    # A negative estimate: the server's 400 reason appears under the estimate field.
    await form.get_by_label("估算金额（元）").fill("-5")
    await page.get_by_test_id("edit-save").click()
    # (in Chinese: msgspec's "Expected `int` >= 0" reads as the interface's language)
    await (
        page.get_by_test_id("edit-error-estimate_fen").get_by_text("须为不小于 0 的整数").wait_for()
    )
    await screenshot(page, "work-edit-error")
    assert committee.get(f"/api/works/{work['id']}")["estimate_fen"] == 100_000_000

    # The building rule without a building: the reason shows under the scope.
    await form.get_by_label("估算金额（元）").fill("1,250,000")
    await form.get_by_label("受益分摊方式").select_option("building")
    await page.get_by_test_id("edit-save").click()
    await page.get_by_test_id("edit-error-scope_building_ids").wait_for()

    await form.get_by_label("1栋").check()
    await form.get_by_label("工程名称").fill("屋面防水（含天沟）")
    await page.get_by_test_id("edit-save").click()
    await page.get_by_test_id("work-title").get_by_text("屋面防水（含天沟）").wait_for()
    await page.get_by_text("¥1,250,000.00").first.wait_for()
    saved = committee.get(f"/api/works/{work['id']}")
    assert saved["estimate_fen"] == 125_000_000 and saved["benefit_rule"] == "building"
    assert len(saved["scope_building_ids"]) == 1
    assert await missing_keys(page) == []


@pytest.mark.timeout(240)
async def test_sealed_bids_are_counted_live_without_prices(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    names = ("国网株洲供电公司", "湘电安装工程")
    suppliers = [
        committee.post(f"/api/estates/{estate.id}/suppliers", {"name": n})["id"] for n in names
    ]
    opening = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "sealed_until": opening},
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    for supplier_id in suppliers:
        committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier_id})

    page = await open_page(estate.svc.base_url, committee_token)
    await page.goto(f"{estate.svc.base_url}/#/works/{work['id']}")
    await page.get_by_test_id("sealed").wait_for()
    notice = page.get_by_test_id("sealed-received")
    await notice.get_by_text("尚未收到密封报价").wait_for()

    for supplier_id in suppliers:
        _, token = estate.member("supplier", f"供应商{supplier_id}", supplier_id=supplier_id)
        estate.api(token).post(f"/api/works/{work['id']}/quotes", {"lines": LINES})
    # No reload: the quote.received events bring the count and the names.
    await notice.get_by_text(f"已收到 2 份密封报价（供应商：{names[0]}、{names[1]}）").wait_for()
    assert "¥9,000" not in await page.content()
    await screenshot(page, "sealed-bids-received")
    assert await missing_keys(page) == []
