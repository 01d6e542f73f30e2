"""Issue 16, phone: a table wider than the screen (the quote comparison of three bidders)
keeps its first column in place, says that it scrolls sideways, and the page itself does
not scroll sideways. Chinese and English at 375 px."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""
HINT = {"zh-CN": "← 表格较宽，左右滑动查看 →", "en": "← Wide table: swipe sideways to see more →"}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_wide_table_scrolls_in_its_card_with_a_hint(
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
    for i, name in enumerate(("国网株洲供电公司", "湘江建设工程有限公司", "株洲电力安装有限公司")):
        supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": name})
        committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
        _, token = estate.member("supplier", f"经理{i}", supplier_id=supplier["id"])
        lines = [
            {
                "description": "高压电缆 YJV22-8.7/15kV 3×70",
                "unit": "米",
                "quantity": "1800",
                "unit_price_fen": 19_500 + 100 * i,
            },
            {
                "description": "箱式变电站 800kVA",
                "unit": "台",
                "quantity": "2",
                "unit_price_fen": 23_500_000 - 10_000 * i,
            },
        ]
        estate.api(token).post(f"/api/works/{work['id']}/quotes", {"lines": lines})

    page = await open_page(base, committee_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/works/{work['id']}")
    table = page.get_by_test_id("comparison")
    await table.wait_for()
    wrap = table.locator("xpath=..")
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=comparison]').parentElement.dataset.scrollHint"
    )
    assert await wrap.get_attribute("data-scroll-hint") == HINT[lang]
    shown = await wrap.evaluate("w => getComputedStyle(w, '::before').content")
    assert shown == f'"{HINT[lang]}"'
    first = table.locator("tbody th").first
    before = await first.bounding_box()
    await wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    await page.wait_for_timeout(100)
    after = await first.bounding_box()
    assert before and after and abs(after["x"] - before["x"]) < 1, (before, after)
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    await screenshot(page, f"wide-table-{lang}")

    # A table that fits says nothing.
    wide = await page.context.new_page()
    await wide.set_viewport_size({"width": 1280, "height": 900})
    await wide.goto(f"{base}/#/works/{work['id']}")
    await wide.get_by_test_id("comparison").wait_for()
    await wide.wait_for_timeout(200)
    assert (
        await wide.get_by_test_id("comparison")
        .locator("xpath=..")
        .get_attribute("data-scroll-hint")
        is None
    )
