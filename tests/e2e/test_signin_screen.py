"""The sign-in screen when a link does not work or a sign-in ends (issue 16): on a phone, in
Chinese (and English), what happened, ask the committee for a new link, and a field to paste
a new link that signs in. Before: raw English JSON for a bad link, and "请先登录 / missing or
invalid token" in the app when a member was revoked while it was open."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from playwright.async_api import expect

from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[Callable[..., Any]]:
    """``await phone(locale)``: a fresh phone page whose browser asks for ``locale``; fails
    the test on a script error or a CSP violation."""
    contexts: list[Any] = []
    problems: list[str] = []

    async def open_(locale: str) -> Any:
        context = await browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=locale
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )
        return page

    yield open_
    for context in contexts:
        await context.close()
    assert not problems, problems


async def _fits(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


async def _card_text(page: Any) -> str:
    text: str = await page.get_by_test_id("signin-problem").inner_text()
    return text


@pytest.mark.timeout(240)
async def test_a_bad_link_shows_the_page_and_a_pasted_link_signs_in_zh_and_en(
    make_service_estate: Any, phone: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, token = estate.member("owner", "业主甲", household_ids=[estate.households()[0]["id"]])

    zh = await phone("zh-CN")
    response = await zh.goto(f"{base}/login?token=pl_not_a_real_token")
    assert response.status == 401
    card = zh.get_by_test_id("signin-problem")
    await expect(card.get_by_role("heading")).to_have_text("此登录链接无效")
    await expect(card).to_contain_text("请向业委会索取新的登录链接")
    text = await _card_text(zh)
    assert not LATIN_WORD.search(text), text
    assert "pl_not_a_real_token" not in await zh.content()
    await _fits(zh)
    await screenshot(zh, "signin-bad-link-zh")
    await zh.get_by_label("收到新链接后").fill(f"{base}/login?token={token}")
    await zh.get_by_role("button", name="登录").click()
    await expect(zh.get_by_test_id("who")).to_contain_text("业主甲")
    await expect(zh.locator("nav.main")).to_contain_text("我的分摊")

    en = await phone("en-US")
    await en.goto(f"{base}/login?token=pl_not_a_real_token")
    card = en.get_by_test_id("signin-problem")
    await expect(card.get_by_role("heading")).to_have_text("This sign-in link is not valid")
    await expect(card).to_contain_text("Ask your committee for a new sign-in link.")
    await _fits(en)
    await screenshot(en, "signin-bad-link-en")
    await en.get_by_label("When you have a new link").fill(token)
    await en.get_by_role("button", name="Sign in").click()
    await expect(en.get_by_test_id("who")).to_contain_text("业主甲")
    await expect(en.get_by_test_id("lang-toggle")).to_have_text("中文")  # the app in English too

    # The page's own language switch keeps what it said.
    zh_again = await phone("en-US")
    await zh_again.goto(f"{base}/login?token=pl_other")
    await zh_again.get_by_test_id("lang-toggle").click()
    await expect(zh_again.get_by_test_id("signin-problem").get_by_role("heading")).to_have_text(
        "此登录链接无效"
    )


@pytest.mark.exclusive
@pytest.mark.timeout(240)
async def test_a_member_revoked_while_the_app_is_open_sees_the_sign_in_screen(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    house = estate.households()[0]["id"]
    member_id, token = estate.member("owner", "业主甲", household_ids=[house])
    en_id, en_token = estate.member("owner", "Owner B", household_ids=[house])

    page = await open_page(base, token, phone=True, lang="zh-CN")
    await page.locator("nav.main").wait_for()
    await page.wait_for_timeout(500)  # the live socket says hello
    started = time.monotonic()
    estate.admin.post(f"/api/members/{member_id}/revoke")
    card = page.get_by_test_id("signin-problem")
    await expect(card.get_by_role("heading")).to_have_text("您的登录链接已被撤销", timeout=5_000)
    elapsed = time.monotonic() - started
    print(f"revoked → sign-in screen in {elapsed:.2f} s")
    assert elapsed < 3, elapsed
    await expect(card).to_contain_text("请向业委会索取新的登录链接")
    text = await _card_text(page)
    assert not LATIN_WORD.search(text), text
    assert "请先登录" not in await page.content()
    await _fits(page)
    assert await missing_keys(page) == []
    await screenshot(page, "signin-revoked-in-app-zh")
    # the way back: a new link from the committee, pasted
    _, fresh = estate.member("owner", "业主甲", household_ids=[house])
    await page.get_by_label("收到新链接后").fill(f"{base}/login?token={fresh}")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_test_id("who")).to_contain_text("业主甲")

    english = await open_page(base, en_token, phone=True, lang="en")
    await english.wait_for_timeout(500)
    estate.admin.post(f"/api/members/{en_id}/revoke")
    heading = english.get_by_test_id("signin-problem").get_by_role("heading")
    await expect(heading).to_have_text("Your sign-in link was revoked", timeout=5_000)
    await _fits(english)


@pytest.mark.timeout(240)
async def test_an_expired_session_shows_the_ended_screen_on_the_next_call(
    make_service_estate: Any, open_page: Any, module_database_url: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    member_id, token = estate.member(
        "owner", "业主甲", household_ids=[estate.households()[0]["id"]]
    )
    page = await open_page(base, token, phone=True, lang="zh-CN")
    conn = await asyncpg.connect(module_database_url)
    try:
        await conn.execute(
            "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE member_id = $1",
            member_id,
        )
    finally:
        await conn.close()
    await page.evaluate("location.hash = '#/meetings'")  # the screen's next call gets 401
    card = page.get_by_test_id("signin-problem")
    await expect(card).to_have_attribute("data-reason", "ended")
    await expect(card.get_by_role("heading")).to_have_text("您的登录已结束")
    assert not LATIN_WORD.search(await _card_text(page))
    assert "请先登录" not in await page.content()
    await _fits(page)
    await page.reload()  # and so it stays after a reload (the CSRF cookie tells it had a sign-in)
    await expect(card).to_have_attribute("data-reason", "ended")
