"""Issue 16, lists and first sight: buildings and units in natural order on the screens
(1栋, 2栋, …, 10栋), a favicon the browser may load, and a loading state on every card that
waits for its data (never "none yet" before the answer came)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
10栋,1-101,1,80.00,A,业主甲,
2栋,10-101,1,80.00,B,业主乙,
1栋,1-201,2,80.00,C,业主丙,
2栋,2-101,1,80.00,D,业主丁,
2栋,1-1001,10,80.00,E,业主戊,
"""


async def no_horizontal_scroll(page: Any) -> None:
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: the page scrolls sideways {widths}"


@pytest.mark.timeout(240)
async def test_natural_order_favicon_and_loading_cards(
    make_service_estate: Any, open_page: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "benefit_rule": "area", "estimate_fen": 100_000},
    )

    page = await open_page(base, committee_token, phone=True)
    await page.goto(f"{base}/#/households")
    table = page.get_by_test_id("households")
    await table.wait_for()
    rows = await table.locator("tbody tr").all()
    shown = [tuple((await row.locator("td").all_inner_texts())[:2]) for row in rows]
    assert shown == [
        ("1栋", "1-201"),
        ("2栋", "1-1001"),
        ("2栋", "2-101"),
        ("2栋", "10-101"),
        ("10栋", "1-101"),
    ]
    await no_horizontal_scroll(page)

    # the scope choices of a work's edit form: the buildings in natural order
    await page.goto(f"{base}/#/works/{work['id']}")
    await page.get_by_test_id("edit-work").locator("summary").click()
    scope = page.get_by_test_id("edit-work").get_by_text("10栋", exact=True)
    await scope.wait_for()
    text = await page.get_by_test_id("edit-work").inner_text()
    positions = [text.index(f"{n}栋") for n in (1, 2, 10)]
    assert positions == sorted(positions), text

    # the favicon: linked from the page, served as SVG, allowed by the CSP (open_page fails
    # the test on any CSP violation)
    href = await page.locator('link[rel="icon"]').get_attribute("href")
    assert href == "/favicon.svg"
    icon = httpx.get(base + href)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")
    loaded = await page.evaluate(
        """() => new Promise((done) => { const img = new Image();
             img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false);
             img.src = document.querySelector('link[rel="icon"]').href; })"""
    )
    assert loaded is True

    # a slow network: every card of the home page says it is loading, then shows its data
    release = asyncio.Event()

    async def held(route: Any) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/api/estates/*/*", held)
    await page.goto(f"{base}/#/meetings")
    await page.goto(f"{base}/#/")
    cards = ["next-meeting", "works-by-status", "money"]
    for card in cards:
        await page.get_by_test_id(card).get_by_test_id("loading").wait_for()
        text = await page.get_by_test_id(card).inner_text()
        assert "还没有" not in text and "暂无" not in text and "尚无" not in text, text
    await screenshot(page, "home-loading")
    release.set()
    for card in cards:
        await page.get_by_test_id(card).get_by_test_id("loading").wait_for(state="detached")
    await page.get_by_test_id("works-by-status").get_by_text("1 项", exact=False).wait_for()
    await page.unroute("**/api/estates/*/*")
    await no_horizontal_scroll(page)
