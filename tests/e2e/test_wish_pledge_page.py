"""Issue 18, a partner unit's pledge in the browser at 375 px, in Chinese and English: the bank
pledges 12,345.60 yuan to a work (asked first), the pledge is listed as its own and becomes a
funding source of that amount; it withdraws it (asked first) and the source gives nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
"""


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_partner_pledges_and_withdraws(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, chair_token = estate.member("committee", "王主任")
    _, bank_token = estate.member("partner", "中国建设银行长沙芙蓉支行", partner_kind="bank")
    chair = estate.api(chair_token)
    work = chair.post(
        f"/api/estates/{estate.id}/works",
        {"title": "1栋加装电梯", "category": "other", "estimate_fen": 60_000_000},
    )
    chair.post(
        f"/api/estates/{estate.id}/works",
        {"title": "候选：屋面防水", "category": "roof", "status": "candidate"},
    )
    base = estate.svc.base_url

    page = await open_page(base, bank_token, phone=True, lang=lang)
    await page.locator("[data-testid=home-wishes] a[href='#/wishes/pledges']").click()
    item = page.locator(f"[data-testid=pledge-work][data-work-id='{work['id']}']")
    await item.wait_for()
    # the candidate work is not offered
    assert await page.locator("[data-testid=pledge-work]").count() == 1
    await item.locator("input").first.fill("12,345.60")
    await item.get_by_test_id("pledge-submit").click()
    dialog = page.get_by_test_id("confirm-pledge")
    assert "12,345.60" in await dialog.inner_text()
    await page.get_by_test_id("confirm-pledge-yes").click()
    await page.get_by_test_id("pledge-made").wait_for()
    await page.wait_for_selector("[data-testid=pledges] [data-testid=pledge][data-status=active]")
    sources = chair.get(f"/api/estates/{estate.id}/funding-sources")
    (source,) = sources
    assert source["budget_fen"] == 1_234_560 and source["eligible_work_ids"] == [work["id"]]
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    await screenshot(page, f"wishes-pledge-{lang}")

    await page.get_by_test_id("pledge-withdraw").click()
    await page.get_by_test_id("confirm-withdraw-yes").click()
    await page.wait_for_selector(
        "[data-testid=pledges] [data-testid=pledge][data-status=withdrawn]"
    )
    (source,) = chair.get(f"/api/estates/{estate.id}/funding-sources")
    assert source["budget_fen"] == 0
    await fits_phone(page)
