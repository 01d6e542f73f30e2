"""Issue 18, small wishes (微心愿) in the browser at 375 px, in Chinese and English: the committee
adds a partner unit (a bank) on the members page with its kind; a resident posts a wish; the
bank signs in with its link, finds it from its home screen, claims it,
sees the unit to deliver to (never the owner's name) and records it fulfilled with a note;
the resident sees it change live and confirms receipt."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
WISH = {"zh-CN": "家中老人需要一副助行器", "en": "A walking frame for my elderly father"}


def _wish(page: Any, list_id: str, text: str) -> Any:
    return page.locator(f"[data-testid={list_id}] [data-testid=wish]", has_text=text)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_partner_claims_and_fulfils_the_resident_confirms(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    units = {f"{h['building']} {h['unit']}": h["id"] for h in estate.households()}
    _, owner_token = estate.member("owner", "业主甲", household_ids=[units["1栋 101"]])
    _, chair_token = estate.member("committee", "王主任")
    base = estate.svc.base_url
    text = WISH[lang]

    # The committee adds the bank as a partner unit, with its kind, on the phone.
    chair = await open_page(base, chair_token, phone=True, lang=lang)
    await chair.goto(f"{base}/#/members")
    await chair.locator("details.card summary").first.click()
    await chair.select_option("#member-role", "partner")
    await chair.select_option("#member-kind", "bank")
    await chair.fill("#member-name", "建设银行芙蓉支行")
    await chair.locator("details.card button[type=submit]").click()
    link = await chair.get_by_test_id("new-member-link").locator("input").input_value()
    bank_token = parse_qs(urlsplit(link).query)["token"][0]
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)

    # The resident posts a wish on the phone.
    resident = await open_page(base, owner_token, phone=True, lang=lang)
    await resident.goto(f"{base}/#/wishes")
    await resident.fill("#wish-text", text)
    await resident.select_option("#wish-category", "health")
    await resident.locator("[data-testid=post-wish] button[type=submit]").click()
    await resident.get_by_test_id("wish-posted").wait_for()
    mine = _wish(resident, "my-wishes", text)
    await mine.wait_for()
    assert await mine.get_attribute("data-status") == "open"

    # The bank signs in: its home leads to the wishes, nothing it cannot use.
    bank = await open_page(base, bank_token, phone=True, lang=lang)
    await bank.get_by_test_id("home-wishes").wait_for()
    nav = await bank.locator("nav.main").inner_text()
    assert "#/meetings" not in await bank.locator("nav.main").inner_html()
    assert nav.strip()
    await screenshot(bank, f"wishes-partner-home-{lang}")
    await bank.locator("[data-testid=home-wishes] a.primary").click()
    open_wish = _wish(bank, "open-wishes", text)
    await open_wish.wait_for()
    await open_wish.get_by_test_id("wish-claim").click()
    claimed = _wish(bank, "my-wishes", text)
    await claimed.get_by_test_id("wish-unit").wait_for()
    assert "1栋 101" in await claimed.get_by_test_id("wish-unit").inner_text()
    body = await bank.locator("main").inner_text()
    assert "业主甲" not in body and "80.00" not in body
    await claimed.locator("input").fill("已送达助行器一副" if lang == "zh-CN" else "Delivered")
    await claimed.get_by_test_id("wish-fulfil").click()
    await claimed.get_by_test_id("confirm-fulfil-yes").click()
    await bank.wait_for_selector(
        "[data-testid=my-wishes] [data-testid=wish][data-status=fulfilled]"
    )
    await bank.get_by_test_id("my-counts").wait_for()
    await fits_phone(bank)
    await in_language(bank, lang, missing_keys)
    await screenshot(bank, f"wishes-partner-fulfilled-{lang}")

    # The resident's page follows live; she confirms receipt.
    await resident.wait_for_selector(
        "[data-testid=my-wishes] [data-testid=wish][data-status=fulfilled]", timeout=20_000
    )
    mine = _wish(resident, "my-wishes", text)
    partner_line = await mine.get_by_test_id("wish-partner").inner_text()
    assert "建设银行芙蓉支行" in partner_line
    assert ("银行" if lang == "zh-CN" else "Bank") in partner_line.replace("建设银行芙蓉支行", "")
    await mine.get_by_test_id("wish-confirm").click()
    await resident.get_by_test_id("confirm-confirm-yes").click()
    await resident.wait_for_selector(
        "[data-testid=my-wishes] [data-testid=wish][data-status=confirmed]"
    )
    await fits_phone(resident)
    await in_language(resident, lang, missing_keys)
    await screenshot(resident, f"wishes-resident-confirmed-{lang}")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_posts_for_a_resident_and_confirms(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, chair_token = estate.member("committee", "王主任")
    _, hospital_token = estate.member("partner", "东湖社区卫生服务中心", partner_kind="hospital")
    hospital = estate.api(hospital_token)
    base = estate.svc.base_url
    text = (
        "独居老人希望有医生上门体检" if lang == "zh-CN" else "A home health check for a lone elder"
    )

    chair = await open_page(base, chair_token, phone=True, lang=lang)
    await chair.goto(f"{base}/#/wishes")
    await chair.locator("details.card summary").first.click()
    await chair.fill("#wish-text", text)
    await chair.select_option("#wish-category", "health")
    await chair.select_option("#wish-unit", label="2栋 101")
    await chair.locator("[data-testid=post-wish] button[type=submit]").click()
    await chair.get_by_test_id("wish-posted").wait_for()
    row = _wish(chair, "all-wishes", text)
    await row.wait_for()
    assert "2栋 101" in await row.inner_text()
    wish_id = int(await row.get_attribute("data-wish-id") or 0)
    hospital.post(f"/api/wishes/{wish_id}/claim")
    hospital.post(f"/api/wishes/{wish_id}/fulfil", {"note": "已上门体检"})
    await chair.wait_for_selector(
        f"[data-testid=all-wishes] [data-wish-id='{wish_id}'][data-status=fulfilled]",
        timeout=20_000,
    )
    await row.get_by_test_id("wish-confirm").click()
    await chair.get_by_test_id("confirm-confirm-yes").click()
    await chair.wait_for_selector(
        f"[data-testid=all-wishes] [data-wish-id='{wish_id}'][data-status=confirmed]"
    )
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)
    await screenshot(chair, f"wishes-committee-{lang}")
