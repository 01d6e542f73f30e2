"""Issue 21, the district's overview in the browser at 375 px, in Chinese and then English:
a district member signs in and lands on #/district (its only page), sees the figures, the
three charts, the table of its two estates (sorted by a header), the downloads and how fresh
the data is, in the estates' zone. One service for the module."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
SMALL = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,70.00,X,业主戊,
"""
FIRST = [{"description": "电缆改造", "unit": "项", "quantity": "1", "unit_price_fen": 360_000_000}]
LAST = [{"description": "电缆改造", "unit": "项", "quantity": "1", "unit_price_fen": 170_000_000}]


def _scene(estate: Any) -> dict[str, Any]:
    """Estate A: a tender negotiated from ¥3.6M to ¥1.7M and awarded, a plan in the band,
    an open motion with one ballot. Estate B (片区 东片区): households only. A district
    member reads both."""
    admin = estate.admin
    units = [h["id"] for h in estate.households()]
    _, owner = estate.member("owner", "业主甲", household_ids=units[:2])
    _, chair = estate.member("committee", "王主任")
    _, treasurer = estate.member("treasurer", "李会计")
    c, tr, o = estate.api(chair), estate.api(treasurer), estate.api(owner)
    supplier = c.post(f"/api/estates/{estate.id}/suppliers", {"name": "供电公司"})
    _, negotiator = estate.member("supplier", "刘经理", supplier_id=supplier["id"])
    s = estate.api(negotiator)
    work = c.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "estimate_fen": 360_000_000},
    )
    c.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    c.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    quote = s.post(f"/api/works/{work['id']}/quotes", {"lines": FIRST})
    s.post(f"/api/quotes/{quote['id']}/rounds", {"based_on_round": 1, "lines": LAST})
    c.post(f"/api/quotes/{quote['id']}/award", {"round": 2})
    c.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "旧改补贴",
            "kind": "subsidy",
            "budget_fen": 200_000_000,
            "eligible_work_ids": [work["id"]],
        },
    )
    plan = tr.post(f"/api/estates/{estate.id}/funding-plans", {"resident_band": ["0.20", "0.30"]})
    tr.post(f"/api/funding-plans/{plan['id']}/approve")
    meeting = c.post(
        f"/api/estates/{estate.id}/meetings", {"title": "业主大会", "kind": "owners_assembly"}
    )
    c.post(f"/api/meetings/{meeting['id']}/open")
    motion = c.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "使用维修资金", "matter": 5}
    )
    c.post(f"/api/motions/{motion['id']}/open")
    o.post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    other = admin.post("/api/estates", {"name": "东风小区", "district": "东片区"})["id"]
    admin.post(
        f"/api/estates/{other}/households/import",
        content=SMALL.encode(),
        headers={"content-type": "text/csv"},
        expect=201,
    )
    district = admin.post(
        "/api/district-members",
        {"display_name": "月塘街道办", "estate_ids": [estate.id, other], "level": "subdistrict"},
    )
    return {"district": district["token"], "a": estate.id, "b": other}


async def _check(page: Any, base: str, scene: dict[str, Any], lang: str) -> None:
    await page.get_by_test_id("district-table").wait_for()
    assert page.url.endswith("#/district")
    nav = await page.locator("nav.main a").all_inner_texts()
    assert len(nav) == 1, nav
    figures = page.get_by_test_id("district-figures")
    assert await figures.get_by_test_id("district-figure-estates").inner_text() != ""
    saving = await page.get_by_test_id("district-figure-saving").inner_text()
    assert "-52.8%" in saving
    top = await page.get_by_test_id("district-top-tenders").inner_text()
    assert "二次供电改造" in top and "-52.8%" in top
    for chart in ("turnout", "saving", "share"):
        assert await page.get_by_test_id(f"district-chart-{chart}").locator("svg").count() == 1
    rows = page.get_by_test_id("district-row")
    assert await rows.count() == 2
    as_of = await page.get_by_test_id("district-as-of").inner_text()
    assert "Asia/Shanghai" in as_of
    # Sort by households, descending on the second click: the bigger estate first.
    first_row = "(id) => document.querySelector('[data-testid=district-row]').dataset.estate == id"
    await page.get_by_test_id("district-sort-households").click()
    await page.wait_for_function(first_row, arg=str(scene["b"]))
    await page.get_by_test_id("district-sort-households").click()
    await page.wait_for_function(first_row, arg=str(scene["a"]))
    csv = await page.get_by_test_id("district-csv").get_attribute("href")
    assert csv and csv.startswith("/api/district/overview.csv") and "sort=-households" in csv
    assert ("lang=en" in csv) == (lang == "en")
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    got = httpx.get(base + csv, cookies=cookies, timeout=30)
    assert got.status_code == 200 and "业主甲" not in got.content.decode("utf-8-sig")
    # An estate page opened by link: the district's overview, never the estate's data.
    await page.goto(f"{base}/#/works")
    await page.get_by_test_id("district-table").wait_for()


@pytest.mark.timeout(300)
async def test_district_member_reads_its_estates_on_a_phone(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV, name="金桂苑小区")
    scene = _scene(estate)
    base = estate.svc.base_url
    for lang in ("zh-CN", "en"):
        page = await open_page(base, scene["district"], phone=True, lang=lang)
        await _check(page, base, scene, lang)
        await page.goto(f"{base}/#/district")
        await page.get_by_test_id("district-table").wait_for()
        await fits_phone(page)
        await in_language(page, lang, missing_keys)
        await screenshot(page, f"district-overview-{lang}")
