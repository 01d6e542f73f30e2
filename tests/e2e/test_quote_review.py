"""Quote review, live: a supplier revises in one browser, the committee's review updates."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.50,B,业主乙,
"""


def power_lines(cable_unit_price_fen: int) -> list[dict[str, Any]]:
    return [
        {
            "description": "10kV 电缆",
            "unit": "米",
            "quantity": "1000",
            "unit_price_fen": cable_unit_price_fen,
        },
        {"description": "箱式变压器", "unit": "台", "quantity": "2", "unit_price_fen": 50_000_000},
    ]


@pytest.mark.timeout(240)
async def test_supplier_revision_reaches_committee_live(
    make_service_estate: Any, open_page: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "国网株洲供电公司"})
    _, supplier_token = estate.member("supplier", "李经理", supplier_id=supplier["id"])
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {
            "title": "二次供电改造",
            "category": "power",
            "benefit_rule": "area",
            "estimate_fen": 360_000_000,
        },
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    # Round 1 at ¥3,600,000: 1000 m × ¥2,600 + 2 × ¥500,000.
    quote = estate.api(supplier_token).post(
        f"/api/works/{work['id']}/quotes", {"lines": power_lines(260_000)}
    )

    review = await open_page(estate.svc.base_url, committee_token)
    await review.goto(f"{estate.svc.base_url}/#/works/{work['id']}")
    await review.get_by_test_id("latest-total").get_by_text("¥3,600,000.00").wait_for()
    await review.get_by_test_id("comparison").wait_for()

    desk = await open_page(estate.svc.base_url, supplier_token, phone=True)
    await desk.goto(f"{estate.svc.base_url}/#/supplier/quotes/{quote['id']}")
    await desk.get_by_test_id("quote-history").wait_for()

    # The committee answers round 1 with a counter-offer; the supplier sees it live.
    await review.get_by_label("目标总价（元）").fill("1,700,000")
    await review.get_by_label("理由").fill("参照同类小区改造结算价")
    await review.get_by_role("button", name="发送还价").click()
    offer = desk.get_by_test_id("counter-offers")
    await offer.get_by_text("参照同类小区改造结算价").wait_for()
    await offer.get_by_text("¥1,700,000.00").wait_for()

    price = desk.get_by_test_id("unit-price").first
    await price.fill("700")  # 1000 m × ¥700 + ¥1,000,000 = ¥1,700,000
    await desk.get_by_test_id("live-total").get_by_text("¥1,700,000.00").wait_for()
    await screenshot(desk, "supplier-desk")
    await desk.get_by_test_id("submit-lines").click()
    await desk.get_by_test_id("rounds").get_by_text("2", exact=False).first.wait_for()

    # The committee's page was not reloaded: the new round arrives over the live socket.
    latest = review.get_by_test_id("latest-total")
    await latest.get_by_text("¥1,700,000.00").wait_for()
    await latest.get_by_text("-52.8%").wait_for()
    assert await review.get_by_test_id("round").count() == 2
    await screenshot(review, "quote-review")

    await review.get_by_test_id("award").click()
    await review.get_by_test_id("award-confirm").click()
    await review.get_by_test_id("awarded-total").get_by_text("¥1,700,000.00").wait_for()
    assert committee.get(f"/api/works/{work['id']}")["awarded_total_fen"] == 170_000_000
