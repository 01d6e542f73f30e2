"""A sign-in link that does not work (issue 16): browsers get a page in their language with a
way back (a form that posts a pasted link to /login); API clients keep problem+json.

Before: every bad, revoked or refused link answered ``{"status":401,...}`` in English, also to
browsers, with no way back.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from planner.access.routes import token_of
from planner.access.signin_page import pick_lang
from planner.settings import AuthLimits, Settings
from planner.testing import Served
from planner.testing.service import running_app
from tests.conftest import bearer

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ZH = {"accept": BROWSER, "accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"accept": BROWSER, "accept-language": "en-GB,en;q=0.9"}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _text(page: str) -> str:
    """The visible words of the page's card (markup, attributes and the header removed)."""
    card = page.split('<main id="content">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]*>", " ", card)


def _is_page(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "<script" not in response.text and not re.search(r"\son\w+=", response.text)
    assert '<form method="post" action="/login">' in response.text
    assert 'name="link"' in response.text
    return response.text


async def test_a_bad_link_in_a_browser_is_a_page_in_chinese_without_the_token(
    client: httpx.AsyncClient,
) -> None:
    guess = "pl_bad_link_123456"
    page = _is_page(await client.get("/login", params={"token": guess}, headers=ZH), 401)
    assert '<html lang="zh-CN">' in page
    assert "此登录链接无效" in page and "请向业委会索取新的登录链接" in page
    assert guess not in page
    assert not LATIN_WORD.search(_text(page)), _text(page)
    assert 'data-reason="invalid"' in page


async def test_english_by_accept_language_or_lang_and_the_cookie_the_app_writes(
    client: httpx.AsyncClient,
) -> None:
    page = _is_page(await client.get("/login", params={"token": "pl_x"}, headers=EN), 401)
    assert '<html lang="en">' in page and "Ask your committee for a new sign-in link" in page
    by_query = await client.get(
        "/login", params={"token": "pl_x", "lang": "en"}, headers={"accept": BROWSER}
    )
    assert '<html lang="en">' in _is_page(by_query, 401)
    client.cookies.set("planner_lang", "zh-CN")
    by_cookie = await client.get("/login", params={"token": "pl_x"}, headers=EN)
    assert '<html lang="zh-CN">' in _is_page(by_cookie, 401)


async def test_a_revoked_link_says_revoked(
    client: httpx.AsyncClient, make_estate, make_member, admin_token: str
) -> None:
    estate_id = await make_estate(csv=None)
    member_id, token = await make_member(estate_id, "owner")
    revoked = await client.post(f"/api/members/{member_id}/revoke", headers=bearer(admin_token))
    assert revoked.status_code == 200, revoked.text
    page = _is_page(await client.get("/login", params={"token": token}, headers=ZH), 401)
    assert 'data-reason="revoked"' in page and "已被撤销" in page and token not in page
    api = await client.get(
        "/login", params={"token": token}, headers={"accept": "application/json"}
    )
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "signin_link_revoked"


async def test_api_clients_keep_problem_json(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "application/problem+json", "*/*"):
        response = await client.get("/login", params={"token": "pl_x"}, headers={"accept": accept})
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "signin_link_invalid"


async def test_pasting_a_link_or_token_into_the_form_signs_in(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    estate_id = await make_estate(csv=None)
    _, token = await make_member(estate_id, "owner")
    for pasted in (f"  http://example.org/login?token={token}  ", token):
        client.cookies.clear()
        response = await client.post(
            "/login", data={"link": pasted, "lang": "en"}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"
        assert client.cookies.get("planner_lang") == "en"
        me = await client.get("/api/me")
        assert me.status_code == 200 and me.json()["role"] == "owner"
    bad = await client.post(
        "/login", data={"link": "pl_wrong", "lang": "en"}, headers={"accept": BROWSER}
    )
    page = _is_page(bad, 401)
    assert '<html lang="en">' in page and "pl_wrong" not in page


async def test_a_stale_session_cookie_does_not_block_the_form(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    """The form posts without X-CSRF-Token; a cookie of another (live) session must not turn
    the post into a refused cookie change."""
    estate_id = await make_estate(csv=None)
    _, first = await make_member(estate_id, "owner")
    _, second = await make_member(estate_id, "committee")
    await client.get("/login", params={"token": first}, follow_redirects=False)
    response = await client.post("/login", data={"link": second}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert (await client.get("/api/me")).json()["role"] == "committee"


async def test_an_api_client_posting_the_form_gets_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/login", data={"link": "pl_wrong"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "signin_link_invalid"


async def test_no_token_is_the_page_and_counts_no_failure(client: httpx.AsyncClient) -> None:
    page = _is_page(await client.get("/login", headers=ZH), 401)
    assert 'data-reason="missing"' in page
    switched = await client.get("/login", params={"lang": "en", "why": "revoked"}, headers=ZH)
    assert 'data-reason="revoked"' in _is_page(switched, 401)
    assert client.cookies.get("planner_lang") == "en"


def test_language_and_token_parsing() -> None:
    assert pick_lang(None, None, None) == "zh-CN"
    assert pick_lang(None, None, "en-US,en;q=0.9") == "en"
    assert pick_lang(None, None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert pick_lang(None, None, "fr, zh;q=0.5, en;q=0.7") == "en"
    assert pick_lang(None, None, "en;q=0, zh") == "zh-CN"
    assert pick_lang("en", "zh-CN", "zh") == "en"
    assert pick_lang("xx", "en", "zh") == "en"
    assert token_of(" https://h/login?token=abc&x=1 ") == "abc"
    assert token_of("/login?token=a%2Bb") == "a+b"
    assert token_of("abc") == "abc"


@pytest.fixture
async def strict(served: Served, tmp_path: Path) -> AsyncIterator[str]:
    """An instance on the shared database allowing 3 failures per client a minute."""
    settings = Settings(
        database_url=served.database_url,
        data_dir=tmp_path,
        auth=AuthLimits(failures_per_client=3, failures_global=1000, window_s=600),
    )
    async with running_app(settings) as (base_url, _):
        yield base_url


async def test_over_the_limit_the_page_says_wait_in_the_language(strict: str) -> None:
    async with httpx.AsyncClient(base_url=strict, timeout=10) as http:
        for i in range(3):
            assert (
                await http.get("/login", params={"token": f"g{i}"}, headers=ZH)
            ).status_code == 401
        zh = await http.get("/login", params={"token": "g9"}, headers=ZH)
        page = _is_page(zh, 429)
        assert int(zh.headers["retry-after"]) > 0
        assert 'data-reason="limited"' in page and "尝试次数过多" in page
        assert re.search(r"请在 \d+ 分钟后再试", page)
        assert not LATIN_WORD.search(_text(page))
        posted = await http.post(
            "/login", data={"link": "g10", "lang": "en"}, headers={"accept": BROWSER}
        )
        en = _is_page(posted, 429)
        assert re.search(r"Try again in \d+ minutes", en)
