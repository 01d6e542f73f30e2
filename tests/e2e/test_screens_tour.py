"""Every screen, for the role that uses it, on a phone (in Chinese) and on a desktop (in
English): it renders without a script error, an error box or a missing translation, every
form control has a label, nothing scrolls sideways, and it leaves a screenshot for people to
look at."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,100.00,C,业主丙,0
2栋,102,1,50.00,D,业主丁,50000
"""

# Form controls a screen reader could not name (no <label>, aria-label or aria-labelledby).
UNLABELLED = """[...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""
# The page fits the viewport's width (375 px on a phone): no horizontal scrolling.
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.timeout(300)
async def test_every_screen_on_phone_and_desktop(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    households = {h["owner_key"]: h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "王主任")
    _, treasurer_token = estate.member("treasurer", "刘会计")
    _, owner_token = estate.member("owner", "业主甲", household_ids=[households["A"]])
    committee = estate.api(committee_token)
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "国网株洲供电公司"})
    _, supplier_token = estate.member("supplier", "李经理", supplier_id=supplier["id"])
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "estimate_fen": 360_000_000},
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier["id"]})
    bidder = estate.api(supplier_token)
    quote = bidder.post(
        f"/api/works/{work['id']}/quotes",
        {
            "lines": [
                {
                    "description": "10kV 电缆",
                    "unit": "米",
                    "quantity": "1000",
                    "unit_price_fen": 360_000,
                }
            ]
        },
    )
    committee.post(
        f"/api/quotes/{quote['id']}/counter-offers",
        {"note": "参考同类小区，请降至 170 万元", "target_total_fen": 170_000_000},
    )
    bidder.post(
        f"/api/quotes/{quote['id']}/rounds",
        {
            "based_on_round": 1,
            "lines": [
                {
                    "description": "10kV 电缆",
                    "unit": "米",
                    "quantity": "1000",
                    "unit_price_fen": 170_000,
                }
            ],
        },
    )
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "1栋议事会", "kind": "building_meeting"}
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "使用维修资金改造二次供电", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    treasurer = estate.api(treasurer_token)
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "老旧小区改造补贴",
            "kind": "subsidy",
            "budget_fen": 260_000_000,
            "eligible_work_ids": [work["id"]],
        },
    )
    treasurer.post(
        f"/api/estates/{estate.id}/funding-plans",
        {"policy": "minimum", "resident_band": ["0.20", "0.30"]},
    )

    tour = {
        committee_token: [
            "#/",
            "#/works",
            f"#/works/{work['id']}",
            "#/meetings",
            f"#/meetings/{meeting['id']}",
            "#/households",
            "#/members",
        ],
        supplier_token: ["#/", "#/supplier", f"#/supplier/quotes/{quote['id']}"],
        treasurer_token: ["#/", "#/funding"],
        owner_token: ["#/", f"#/meetings/{meeting['id']}", "#/my"],
        estate.svc.admin_token: ["#/"],  # the global admin first chooses an estate
    }
    names = {
        committee_token: "committee",
        supplier_token: "supplier",
        treasurer_token: "treasurer",
        owner_token: "owner",
        estate.svc.admin_token: "admin",
    }
    for phone in (True, False):
        for token, routes in tour.items():
            page = await open_page(
                estate.svc.base_url, token, phone=phone, lang=None if phone else "en"
            )
            for route in routes:
                await page.goto(f"{estate.svc.base_url}/{route}")
                await page.locator("main h1").first.wait_for()
                await page.wait_for_load_state("networkidle")
                await expect(page.locator(".loading")).to_have_count(0)
                await expect(page.locator('.chart[data-ready="false"]')).to_have_count(0)
                assert await page.locator(".error").count() == 0, (
                    route,
                    await page.inner_text("main"),
                )
                assert await missing_keys(page) == [], route
                assert await page.evaluate(UNLABELLED) == [], route
                assert await page.evaluate(NO_SIDEWAYS_SCROLL), route
                slug = route.strip("#/").replace("/", "-") or "home"
                await screenshot(page, f"tour-{names[token]}-{slug}")
            await page.context.close()
