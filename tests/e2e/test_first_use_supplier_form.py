"""Issue 16, the supplier's round form: its fields show their whole values at desktop width
(they were cut to "平方:" and "240("), and the committee's per-line targets stand beside the
lines he edits. Desktop and phone, Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""
TARGET = {"zh-CN": "业委会目标单价：¥200.00", "en": "Committee's target unit price: ¥200.00"}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_round_form_shows_whole_values_and_the_targets(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {
            "title": "地下车库改造",
            "category": "parking",
            "benefit_rule": "area",
            "estimate_fen": 10**7,
        },
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "湘江建设"})
    committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    _, supplier_token = estate.member("supplier", "刘洋", supplier_id=supplier["id"])
    quote = estate.api(supplier_token).post(
        f"/api/works/{work['id']}/quotes",
        {
            "lines": [
                {
                    "description": "车库顶板及侧墙防水堵漏",
                    "unit": "平方米",
                    "quantity": "2400",
                    "unit_price_fen": 24_000,
                },
                {
                    "description": "LED 照明灯具更换",
                    "unit": "套",
                    "quantity": "260",
                    "unit_price_fen": 16_000,
                },
            ]
        },
    )
    committee.post(
        f"/api/quotes/{quote['id']}/counter-offers",
        {
            "note": "防水面积按图纸核定",
            "line_targets": [
                {"line_no": 1, "target_unit_price_fen": 20_000, "note": "参照政府采购价"}
            ],
        },
    )

    for phone in (False, True):
        page = await open_page(base, supplier_token, phone=phone, lang=lang)
        await page.goto(f"{base}/#/supplier/quotes/{quote['id']}")
        editor = page.get_by_test_id("lines-editor")
        await editor.wait_for()
        targets = editor.get_by_test_id("line-target")
        assert await targets.count() == 1, "only line 1 has a target"
        text = await targets.inner_text()
        assert TARGET[lang] in text and "参照政府采购价" in text, text
        first_row = editor.locator("fieldset.line-row").first
        assert await first_row.get_by_test_id("line-target").count() == 1
        cut = await editor.evaluate(
            """e => [...e.querySelectorAll('input')]
                 .filter(i => i.scrollWidth > i.clientWidth + 1 || i.clientWidth < 72)
                 .map(i => [i.id, i.value, i.clientWidth, i.scrollWidth])"""
        )
        assert cut == [], cut
        widths = await page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        await screenshot(page, f"supplier-round-form-{lang}")
