"""Issue 19, the collection ledger at 375 px in Chinese and English: the treasurer records a
payment (yuan → fen) and reverses it with a reason after a confirmation; an owner sees what
she has paid, what is due and her balance (her units only)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_first_use_payinfo import _approved_plan

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,100.00,B,业主乙,
2栋,201,2,120.00,C,业主丙,
"""
ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w]+[A-Za-z]+){2,}")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= 375"


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_treasurer_records_and_reverses_owner_sees_paid_and_due(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = {f"{h['building']}{h['unit']}": h["id"] for h in estate.households()}
    treasurer, treasurer_token, plan = _approved_plan(estate)
    amounts = {h["household_id"]: h["amount_fen"] for h in plan["households"]}

    page = await open_page(base, treasurer_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/funding/{plan['id']}/ledger")
    form = page.get_by_test_id("record-form")
    await form.wait_for()
    await page.select_option("#lg-household", str(units["1栋101"]))
    await page.fill("#lg-amount", "1,234.50")
    await page.select_option("#lg-channel", "wechat")
    await page.fill("#lg-receipt", f"{lang[:2]}001")
    await page.get_by_test_id("record-payment").click()
    await page.get_by_test_id("recorded").wait_for()
    entry = page.get_by_test_id("entry").first
    await entry.wait_for()
    assert yuan(123_450) in await entry.inner_text()
    # the totals reload beside the entries (two requests): wait for them
    await page.get_by_test_id("total-paid").filter(has_text=yuan(123_450)).wait_for()
    assert await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(
        "document.documentElement.scrollWidth"
    )
    if lang == "zh-CN":
        main = await page.inner_text("main")
        assert not ENGLISH.search(main), ENGLISH.search(main)
    assert await missing_keys(page) == []
    await screenshot(page, f"ledger-treasurer-{lang}")

    # reverse: asks first, with a reason
    await entry.get_by_test_id("reverse").click()
    await page.get_by_test_id("reverse-reason").fill("金额录错")
    await page.get_by_test_id("confirm-reverse").wait_for()
    await page.get_by_test_id("confirm-reverse-yes").click()
    await page.locator("[data-testid=entry][data-kind=reversal]").wait_for()
    await page.get_by_test_id("reversed").wait_for()
    await page.get_by_test_id("total-paid").filter(has_text=yuan(0)).wait_for()

    # a second payment, then the owner of 1栋101 and 1栋102 sees paid / due / balance
    treasurer.post(
        f"/api/funding-plans/{plan['id']}/ledger",
        {
            "household_id": units["1栋101"],
            "amount_fen": 10_000,
            "channel": "cash",
            "receipt_no": f"{lang[:2]}002",
            "paid_on": "2026-11-20",
        },
    )
    _, owner_token = estate.member(
        "owner", "业主甲", household_ids=[units["1栋101"], units["1栋102"]]
    )
    owner = await open_page(base, owner_token, phone=True, lang=lang)
    await owner.goto(f"{base}/#/my")
    mine = owner.get_by_test_id("my-ledger")
    await mine.wait_for()
    await mine.get_by_test_id("my-balance").first.wait_for()
    rows = mine.get_by_test_id("my-balance")
    assert await rows.count() == 2
    first = await rows.nth(0).inner_text()
    assert yuan(10_000) in first and yuan(amounts[units["1栋101"]]) in first, first
    assert yuan(amounts[units["1栋101"]] - 10_000) in first, first
    assert await owner.evaluate(NO_SIDEWAYS_SCROLL), await owner.evaluate(
        "document.documentElement.scrollWidth"
    )
    if lang == "zh-CN":
        main = await owner.inner_text("main")
        assert not ENGLISH.search(main), ENGLISH.search(main)
    assert await missing_keys(owner) == []
    await screenshot(owner, f"ledger-owner-{lang}")
