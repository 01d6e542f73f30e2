"""Issue 16, phone: the navigation shows every section the member has (住户, 成员 were off
screen with no hint); nothing in the bar needs scrolling sideways. Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_every_section_is_in_sight_on_a_phone(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    page = await open_page(estate.svc.base_url, committee_token, phone=True, lang=lang)
    nav = page.locator("nav.main")
    links = nav.locator("a")
    names = await links.all_inner_texts()
    assert len(names) >= 6, names  # home, meetings, works, funding, households, members
    assert ("住户" if lang == "zh-CN" else "Households") in names
    assert ("成员" if lang == "zh-CN" else "Members") in names
    for i in range(len(names)):
        box = await links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, (names[i], box)
    assert await nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    await links.filter(has_text="成员" if lang == "zh-CN" else "Members").click()
    await page.get_by_test_id("members").wait_for()
    await screenshot(page, f"nav-{lang}")
