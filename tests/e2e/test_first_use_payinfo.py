"""Issue 16, what an owner needs to pay and what a supplier answers: 我的分摊 shows the due
date, the treasurer's payee, account and where/how to pay, what she has paid and what
remains (her flats only); the treasurer sets them on the plan screen; the committee reads a
supplier's reply note beside his lines. Phone 375 px, Chinese and English."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,100.00,A,业主甲,
2栋,201,2,120.00,C,业主丙,
"""
# Three Latin words in a row: an English sentence (none in the Chinese UI)
ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w]+[A-Za-z]+){2,}")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= 375"
NOT_YET = {"zh-CN": "业委会尚未公布缴费方式", "en": "has not published how to pay"}
HOW = "转账请备注楼栋房号\n或到物业服务中心（1栋一楼）刷卡"
WORDS = {
    "zh-CN": {"due": "缴费截止日期", "paid": "已缴", "remaining": "尚需缴纳", "how": "缴费方式"},
    "en": {
        "due": "Due date",
        "paid": "Paid so far",
        "remaining": "Still to pay",
        "how": "How to pay",
    },
}


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def _approved_plan(estate: Any) -> tuple[Any, str, dict[str, Any]]:
    """A solved and approved plan; returns (treasurer api, treasurer token, plan)."""
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {
            "title": "屋面防水",
            "category": "roof",
            "benefit_rule": "area",
            "estimate_fen": 3_000_000,
        },
    )
    _, treasurer_token = estate.member("treasurer", "李会计")
    treasurer = estate.api(treasurer_token)
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 2_250_000,
            "eligible_work_ids": [work["id"]],
        },
    )
    plan = treasurer.post(
        f"/api/estates/{estate.id}/funding-plans", {"resident_band": ["0.20", "0.30"]}
    )
    treasurer.post(f"/api/funding-plans/{plan['id']}/approve", expect=200)
    return treasurer, treasurer_token, plan


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_owner_sees_due_date_how_to_pay_and_what_remains(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = {f"{h['building']}{h['unit']}": h["id"] for h in estate.households()}
    treasurer, _, plan = _approved_plan(estate)
    amounts = {h["household_id"]: h["amount_fen"] for h in plan["households"]}
    for unit, paid in (("1栋101", 10_000), ("2栋201", 5_000)):
        recorded = treasurer.http.put(
            f"/api/funding-plans/{plan['id']}/payments/{units[unit]}", json={"paid_fen": paid}
        )
        assert recorded.status_code == 200, recorded.text
    _, owner_token = estate.member(
        "owner", "业主甲", household_ids=[units["1栋101"], units["1栋102"]]
    )

    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/my")
    card = page.get_by_test_id("my-payment")
    await card.wait_for()
    # before the treasurer says how: the card says so, in the page's language
    none = card.get_by_test_id("no-instructions")
    await none.wait_for()
    assert NOT_YET[lang] in await none.inner_text()
    # the treasurer sets them while her page is open: it shows them (live event)
    set_ = treasurer.http.put(
        f"/api/funding-plans/{plan['id']}/payment-instructions",
        json={
            "due_date": "2027-01-31",
            "payee": "幸福里小区业主委员会",
            "account": "工商银行 6222 0000 1234 5678",
            "how_to_pay": HOW,
        },
    )
    assert set_.status_code == 200, set_.text
    await card.get_by_test_id("how-to-pay").wait_for()
    words = WORDS[lang]
    text = await card.inner_text()
    assert words["due"] in text and "2027-01-31" in text, text
    assert "幸福里小区业主委员会" in text and "6222 0000 1234 5678" in text, text
    # the instructions keep their line breaks
    how = await card.get_by_test_id("how").inner_text()
    assert how.splitlines() == HOW.splitlines(), how
    # the totals over her two flats: 100.00 paid, the rest remaining
    mine_total = amounts[units["1栋101"]] + amounts[units["1栋102"]]
    totals = await card.get_by_test_id("my-paid-total").inner_text()
    assert yuan(10_000) in totals and yuan(mine_total - 10_000) in totals, totals
    # each notice: paid and remaining, her flats only (2栋201's payment is not hers)
    notices = page.get_by_test_id("my-notice")
    assert await notices.count() == 2
    first = notices.nth(0)
    assert await first.get_by_test_id("paid").inner_text() == yuan(10_000)
    remaining = await first.get_by_test_id("remaining").inner_text()
    assert remaining == yuan(amounts[units["1栋101"]] - 10_000), remaining
    assert await notices.nth(1).get_by_test_id("paid").inner_text() == yuan(0)
    assert yuan(5_000) not in await page.inner_text("main")
    for label in (words["paid"], words["remaining"]):
        assert label in await first.inner_text()
    assert await card.is_visible() and await first.get_by_test_id("remaining").is_visible()
    assert await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(
        "document.documentElement.scrollWidth"
    )
    if lang == "zh-CN":
        main = await page.inner_text("main")
        assert not ENGLISH.search(main), ENGLISH.search(main)
    assert await missing_keys(page) == []
    await screenshot(page, f"owner-payment-info-{lang}")

    # the printed notice the app links to says the same, in the screen's language
    link = await first.get_by_test_id("official-notice").get_attribute("href")
    assert link == (
        f"/api/funding-plans/{plan['id']}/notices/{units['1栋101']}"
        f"?lang={'en' if lang == 'en' else 'zh'}"
    )
    notice = await page.context.request.get(f"{base}{link}")
    body = await notice.text()
    assert "2027-01-31" in body and "幸福里小区业主委员会" in body
    assert yuan(amounts[units["1栋101"]] - 10_000) in body
    assert f'<html lang="{lang}">' in body
    assert ("尚需缴纳" in body) == (lang == "zh-CN") and ("remaining" in body) == (lang == "en")


@pytest.mark.timeout(240)
async def test_treasurer_sets_how_to_pay_on_the_plan_screen(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, treasurer_token, plan = _approved_plan(estate)
    page = await open_page(base, treasurer_token, phone=True, lang="zh-CN")
    await page.goto(f"{base}/#/funding/{plan['id']}")
    section = page.get_by_test_id("payment-instructions")
    await section.get_by_test_id("edit-payment-instructions").wait_for()
    assert "尚未设置" in await section.inner_text()
    await section.get_by_test_id("edit-payment-instructions").click()
    form = section.get_by_test_id("payment-instructions-form")
    await form.get_by_label("缴费截止日期").fill("2027-01-31")
    await form.get_by_label("收款人").fill("幸福里小区业主委员会")
    await form.get_by_label("收款账户").fill("工商银行 6222 0000 1234 5678")
    await form.get_by_label("缴费地点与方式").fill(HOW)
    assert await page.evaluate(NO_SIDEWAYS_SCROLL)
    await form.get_by_test_id("save-payment-instructions").click()
    shown = section.get_by_test_id("how-to-pay")
    await shown.wait_for()
    text = await shown.inner_text()
    assert "2027-01-31" in text and "幸福里小区业主委员会" in text, text
    assert await page.evaluate(NO_SIDEWAYS_SCROLL)
    main = await page.inner_text("main")
    assert not ENGLISH.search(main), ENGLISH.search(main)
    assert await missing_keys(page) == []
    await screenshot(page, "treasurer-payment-instructions")
    # what the owners will read
    saved = estate.api(treasurer_token).get(f"/api/funding-plans/{plan['id']}/payment-instructions")
    assert saved["how_to_pay"] == HOW and saved["due_date"] == "2027-01-31"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_reads_the_suppliers_reply_note(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "地下车库改造", "category": "parking", "benefit_rule": "area"},
    )
    committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    suppliers = [
        committee.post(f"/api/estates/{estate.id}/suppliers", {"name": name})
        for name in ("湘江建设", "长沙市政")
    ]
    for s in suppliers:
        committee.post(f"/api/works/{work['id']}/invitations", {"supplier_id": s["id"]})
    _, a_token = estate.member("supplier", "刘洋", supplier_id=suppliers[0]["id"])
    _, b_token = estate.member("supplier", "陈刚", supplier_id=suppliers[1]["id"])
    line = {
        "description": "顶板防水",
        "unit": "平方米",
        "quantity": "2400",
        "unit_price_fen": 24_000,
    }
    estate.api(b_token).post(
        f"/api/works/{work['id']}/quotes", {"lines": [line], "reply_note": "乙方说明：含税价"}
    )

    # supplier A writes his note with the round, in the browser
    page = await open_page(base, a_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/supplier")
    await page.get_by_test_id("invited-work").get_by_role("button").first.click()
    editor = page.get_by_test_id("lines-editor")
    await editor.wait_for()
    await editor.locator("#l0-d").fill("顶板防水")
    await editor.locator("#l0-u").fill("平方米")
    await editor.locator("#l0-q").fill("2400")
    await editor.locator("#l0-p").fill("230")
    await editor.get_by_test_id("reply-note-input").fill("单价含脚手架与垃圾清运\n工期 45 天")
    assert await page.evaluate(NO_SIDEWAYS_SCROLL)
    await editor.get_by_test_id("submit-lines").click()
    await page.wait_for_url(re.compile(r"#/supplier/quotes/\d+"))
    own = page.get_by_test_id("reply-note")
    await own.wait_for()
    # supplier B's note never reaches A
    assert "含税价" not in await page.inner_text("main")

    review = await open_page(base, committee_token, phone=True, lang=lang)
    await review.goto(f"{base}/#/works/{work['id']}")
    history = review.get_by_test_id("quote-history")
    await history.wait_for()
    if await review.get_by_role("button", name="湘江建设").count():
        await review.get_by_role("button", name="湘江建设").click()
    note = history.get_by_test_id("reply-note")
    await note.wait_for()
    text = await note.inner_text()
    label = "供应商说明" if lang == "zh-CN" else "Supplier's note"
    assert label in text and "单价含脚手架与垃圾清运" in text and "工期 45 天" in text, text
    assert await note.is_visible()
    # beside his lines: in the same round as the lines' summary
    round_item = history.get_by_test_id("round").first
    assert await round_item.get_by_test_id("reply-note").count() == 1
    assert await round_item.locator("details").count() == 1
    assert await review.evaluate(NO_SIDEWAYS_SCROLL)
    if lang == "zh-CN":
        main = await review.inner_text("main")
        assert not ENGLISH.search(main), ENGLISH.search(main)
    assert await missing_keys(review) == []
    await screenshot(review, f"committee-reply-note-{lang}")
