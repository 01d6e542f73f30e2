"""Issue 16, quotes: with one bidder no line is "最低价 ★" and there is no one-point chart;
a supplier whose quote lost never sees "lowest" marks on his lines."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""


def lines(cable_fen: int, transformer_fen: int) -> list[dict[str, Any]]:
    return [
        {"description": "10kV 电缆", "unit": "米", "quantity": "1000", "unit_price_fen": cable_fen},
        {
            "description": "箱式变压器",
            "unit": "台",
            "quantity": "2",
            "unit_price_fen": transformer_fen,
        },
    ]


async def no_lowest_marks(page: Any) -> None:
    assert await page.locator("td.lowest").count() == 0
    text = await page.locator("main").inner_text()
    assert "最低价" not in text and "★" not in text and "lowest unit price" not in text, text


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_one_bidder_has_nothing_lowest_and_the_loser_sees_no_marks(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {
            "title": "二次供电改造",
            "category": "power",
            "benefit_rule": "area",
            "estimate_fen": 10**8,
        },
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    bidders = []
    for name, person in (("供电公司", "李经理"), ("湘江建设", "刘经理")):
        supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": name})
        committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
        _, token = estate.member("supplier", person, supplier_id=supplier["id"])
        bidders.append(token)
    first = estate.api(bidders[0]).post(
        f"/api/works/{work['id']}/quotes", {"lines": lines(26_000, 5_000_000)}
    )

    review = await open_page(base, committee_token, phone=True, lang=lang)
    await review.goto(f"{base}/#/works/{work['id']}")
    await review.get_by_test_id("comparison").wait_for()
    await review.get_by_test_id("quote-history").wait_for()
    await no_lowest_marks(review)
    note = await review.get_by_test_id("comparison-note").inner_text()
    assert note == (
        "只有一家报价，暂无可比较的价格"
        if lang == "zh-CN"
        else "Only one bidder: nothing to compare yet"
    )
    await no_lowest_marks(review)
    assert await review.get_by_test_id("rounds-chart").count() == 0, "no one-point chart"
    await screenshot(review, f"one-bidder-{lang}")

    # A second bidder: now the lowest prices are marked, line by line.
    second = estate.api(bidders[1]).post(
        f"/api/works/{work['id']}/quotes", {"lines": lines(24_000, 5_500_000)}
    )
    await review.reload()
    await review.get_by_test_id("comparison").wait_for()
    await review.locator("td.lowest").first.wait_for()
    assert await review.locator("tbody td.lowest").count() == 2  # one per line
    committee.post(f"/api/quotes/{second['id']}/award", {"round": 1})

    # The first bidder lost: his own view has no "lowest" on any line, in the API or on screen.
    loser = estate.api(bidders[0])
    mine = loser.get(f"/api/works/{work['id']}/comparison")
    assert [q["quote_id"] for q in mine["quotes"]] == [first["id"]]
    assert not any(c["lowest"] for row in mine["rows"] for c in row["cells"] if c)
    assert not any(q["lowest_total"] for q in mine["quotes"])
    desk = await open_page(base, bidders[0], phone=True, lang=lang)
    for where in (f"#/supplier/quotes/{first['id']}", f"#/works/{work['id']}"):
        await desk.goto(f"{base}/{where}")
        await desk.get_by_test_id("quote-history").wait_for()
        await no_lowest_marks(desk)
