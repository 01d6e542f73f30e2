"""Issue 16, "no server sentence in the wrong language": the payment notices the app opens
(the owner's 缴费通知单 on 我的分摊, the treasurer's building batch on the plan screen) speak
the language of the screen that opened them, fit a 375 px phone and keep their verification
code. Chinese: no Latin word but units, versions, codes and data; English: no Chinese but
data (estate, buildings, owners, works, the treasurer's typed instructions)."""

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
INSTRUCTIONS = {
    "due_date": "2027-01-31",
    "payee": "幸福里小区业主委员会",
    "account": "工商银行 6222 0000 1234 5678",
    "how_to_pay": "转账请备注楼栋房号\n或到物业服务中心刷卡",
}
# What the notice shows that people typed: the other script is allowed there.
DATA = [
    "幸福里小区",
    "1栋",
    "2栋",
    "业主甲",
    "业主乙",
    "业主丙",
    "屋面防水",
    INSTRUCTIONS["payee"],
    INSTRUCTIONS["account"],
    *INSTRUCTIONS["how_to_pay"].splitlines(),
]
CODE = re.compile(r"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORDS = {
    "zh-CN": ("缴费通知单", "合计", "核验码", "人民币大写", "业主委员会（盖章）"),
    "en": ("Payment notice", "Total", "Verification code", "Owners' committee (seal)"),
}


async def _check_notice(notice: Any, lang: str, pages: int) -> None:
    """One language, the screen's width, the verification code on every page."""
    await notice.locator("section.notice").first.wait_for()
    assert await notice.evaluate("document.documentElement.lang") == lang
    assert await notice.locator("section.notice").count() == pages
    assert await notice.evaluate("document.documentElement.scrollWidth <= 375")
    text = await notice.inner_text("body")
    assert len(CODE.findall(text)) == pages, text
    for word in WORDS[lang]:
        assert await notice.get_by_text(word, exact=False).first.is_visible(), word
    rest = CODE.sub(" ", text)
    for piece in sorted(DATA, key=len, reverse=True):
        rest = rest.replace(piece, " ")
    if lang == "zh-CN":
        assert set(LATIN_WORD.findall(rest)) <= {"m"}, rest
        assert "Total" not in text and "Verification" not in text
    else:
        assert CJK.findall(rest) == [], rest
        assert "人民币大写" not in text and "缴费通知单" not in text


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_owner_s_notice_speaks_the_screen_s_language(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = {f"{h['building']}{h['unit']}": h["id"] for h in estate.households()}
    treasurer, _, plan = _approved_plan(estate)
    treasurer.http.put(
        f"/api/funding-plans/{plan['id']}/payment-instructions", json=INSTRUCTIONS
    ).raise_for_status()
    _, owner_token = estate.member("owner", "业主甲", household_ids=[units["1栋101"]])
    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/my")
    link = page.get_by_test_id("official-notice")
    await link.wait_for()
    async with page.context.expect_page() as opened:
        await link.click()
    notice = await opened.value
    await notice.wait_for_load_state()
    assert notice.url.endswith(f"?lang={'zh' if lang == 'zh-CN' else 'en'}")
    await _check_notice(notice, lang, 1)
    text = await notice.inner_text("body")
    assert "2027-01-31" in text and INSTRUCTIONS["payee"] in text
    await screenshot(notice, f"owner-notice-{lang}")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_treasurer_s_building_notices_speak_the_screen_s_language(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, treasurer_token, plan = _approved_plan(estate)
    page = await open_page(base, treasurer_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/funding/{plan['id']}")
    select = page.locator("#notice-building")
    await select.wait_for()
    await select.select_option(label="1栋")
    link = page.locator('a[href*="/notices?building_id="]')
    await link.wait_for()
    async with page.context.expect_page() as opened:
        await link.click()
    notice = await opened.value
    await notice.wait_for_load_state()
    assert notice.url.endswith(f"&lang={'zh' if lang == 'zh-CN' else 'en'}")
    await _check_notice(notice, lang, 2)
    await screenshot(notice, f"building-notices-{lang}")
