"""Secrets and sessions: tokens hashed at rest, sign-in rate limit, cookie flags, CSRF on
every unsafe route, security headers on pages."""

from __future__ import annotations

import re

import httpx
import pytest

from planner.access.middleware import CSRF_COOKIE, SESSION_COOKIE
from planner.db.pool import connect_raw
from planner.testing import Served, bearer, row_counts
from planner.testing.routes_spec import REQUESTS, call

pytestmark = pytest.mark.timeout(120)

# POST /login is the sign-in form: it takes no session (a stale cookie is ignored) and is
# guarded by its Origin instead (test_a_sign_in_form_from_another_site_is_refused).
UNSAFE = [
    route
    for route in REQUESTS
    if route[0] in ("POST", "PUT", "PATCH", "DELETE") and route != ("POST", "/login")
]


async def _sign_in(base_url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        return await http.get("/login", params={"token": token}, follow_redirects=False)


async def _tables_holding(database_url: str, secrets: list[str]) -> list[str]:
    """Every table.column whose text (or bytes) contains one of ``secrets`` in plain."""
    conn = await connect_raw(database_url)
    found = []
    try:
        columns = await conn.fetch(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json',
                                   'character', 'ARRAY')"""
        )
        for col in columns:
            table, name = col["table_name"], col["column_name"]
            if col["data_type"] == "bytea":
                expr = f"encode(\"{name}\", 'escape')"
            else:
                expr = f'"{name}"::text'
            for secret in secrets:
                hits = await conn.fetchval(
                    f'SELECT count(*) FROM "{table}" WHERE strpos({expr}, $1) > 0', secret
                )
                if hits:
                    found.append(f"{table}.{name}")
    finally:
        await conn.close()
    return found


async def test_tokens_and_session_ids_are_only_hashed_at_rest(served: Served) -> None:
    world = served.world
    tokens = [world.admin, world.other_supplier, *world.own.values(), *world.other.values()]
    signed_in = await _sign_in(served.base_url, world.own["committee"])
    assert signed_in.status_code in (302, 303, 307)
    session_id = signed_in.cookies[SESSION_COOKIE]
    holding = await _tables_holding(served.database_url, [*tokens, session_id])
    assert holding == [], f"plaintext secrets stored in {holding}"


async def test_session_cookie_is_httponly_and_samesite(served: Served) -> None:
    response = await _sign_in(served.base_url, served.world.own["owner"])
    assert response.status_code in (302, 303, 307)
    set_cookies = response.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith(f"{SESSION_COOKIE}="))
    csrf = next(c for c in set_cookies if c.startswith(f"{CSRF_COOKIE}="))
    assert re.search(r";\s*httponly", session, re.I), session
    assert re.search(r";\s*samesite=(lax|strict)", session, re.I), session
    assert re.search(r";\s*samesite=(lax|strict)", csrf, re.I), csrf
    assert re.search(r";\s*path=/", session, re.I)


async def test_csrf_is_required_for_every_cookie_authenticated_change(served: Served) -> None:
    world = served.world
    signed_in = await _sign_in(served.base_url, world.own["committee"])
    cookies = {
        SESSION_COOKIE: signed_in.cookies[SESSION_COOKIE],
        CSRF_COOKIE: signed_in.cookies[CSRF_COOKIE],
    }
    before = await row_counts(served.database_url)
    refused = []
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30, cookies=cookies) as http:
        me = await http.get("/api/me")
        assert me.status_code == 200, "the cookie alone signs in for reads"
        for route in UNSAFE:
            for csrf in (None, "forged-" + cookies[CSRF_COOKIE][:10]):
                headers = {"x-csrf-token": csrf} if csrf else {}
                response = await call(http, world, route, headers)
                refused.append((route, csrf is not None, response.status_code))
        assert await row_counts(served.database_url) == before
        # the same change with the CSRF token goes through
        made = await http.post(
            f"/api/estates/{world.estate_a}/meetings",
            json={"title": "带令牌", "kind": "public_hearing"},
            headers={"x-csrf-token": cookies[CSRF_COOKIE]},
        )
        assert made.status_code == 201, made.text
    not_refused = [r for r in refused if r[2] != 403]
    assert not_refused == [], f"changes accepted without a valid CSRF token: {not_refused}"


PAGES = ["/", "/index.html"]


async def test_pages_carry_security_headers(served: Served) -> None:
    world = served.world
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
        pages = [await http.get(p) for p in PAGES]
        committee = bearer(world.own["committee"])
        pages.append(
            await http.get(
                f"/api/meetings/{world.ids['meeting_id']}/minutes.html", headers=committee
            )
        )
        pages.append(
            await http.get(
                f"/api/funding-plans/{world.ids['plan_id']}/notices/{world.ids['household_id']}",
                headers=committee,
            )
        )
        api = await http.get("/api/me", headers=committee)
        schema = await http.get("/schema/swagger")
    for page in pages:
        where = f"{page.request.url.path} ({page.status_code})"
        csp = page.headers.get("content-security-policy", "")
        assert csp, where
        directives = dict(([*d.strip().split(" ", 1), ""])[:2] for d in csp.split(";") if d.strip())
        script_src = directives.get("script-src", directives.get("default-src", ""))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
        assert "frame-ancestors 'none'" in csp, where
        assert page.headers.get("x-content-type-options") == "nosniff", where
        assert page.headers.get("x-frame-options", "").upper() == "DENY", where
    for response in (api, schema):
        assert response.headers.get("x-content-type-options") == "nosniff"
        assert response.headers.get("x-frame-options", "").upper() == "DENY"
    # the pages themselves hold no inline script for the CSP to have to allow
    index = pages[0].text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", index), "inline script in /"


async def test_failed_sign_ins_beyond_twenty_a_minute_get_429_but_the_right_token_signs_in(
    served: Served,
) -> None:
    """Wrong tokens are counted (otherwise the limit would not slow down guessing); over the
    limit they get 429 with Retry-After, and the right token still signs in (a limit on
    every attempt would let one guesser lock out everyone behind the same address).

    (Last in this module: afterwards this client's wrong tokens get 429 for a minute.)"""
    conn = await connect_raw(served.database_url)
    try:
        await conn.execute("DELETE FROM auth_failures")  # the earlier tests' failures
    finally:
        await conn.close()
    statuses = []
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        for i in range(24):
            response = await http.get("/login", params={"token": f"guess-{i}"})
            statuses.append(response.status_code)
        refused = response
        right = await http.get("/login", params={"token": served.world.own["owner"]})
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}, statuses
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["code"] == "too_many_requests"
    assert right.status_code in (302, 303, 307), right.text
    assert SESSION_COOKIE in right.cookies
    # others keep being served
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        me = await http.get("/api/me", headers=bearer(served.world.own["owner"]))
    assert me.status_code == 200


async def test_a_sign_in_form_from_another_site_is_refused(served: Served) -> None:
    """Login CSRF: a page elsewhere must not sign a visitor in as the attacker."""
    token = served.world.own["owner"]
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        elsewhere = await http.post(
            "/login", data={"link": token}, headers={"origin": "https://evil.example"}
        )
        framed = await http.post(
            "/login", data={"link": token}, headers={"sec-fetch-site": "cross-site"}
        )
        here = await http.post("/login", data={"link": token}, headers={"origin": served.base_url})
    assert elsewhere.status_code == 403, elsewhere.text
    assert elsewhere.json()["code"] == "csrf_failed"
    assert SESSION_COOKIE not in elsewhere.cookies
    assert framed.status_code == 403 and SESSION_COOKIE not in framed.cookies
    assert here.status_code == 303, here.text
    assert SESSION_COOKIE in here.cookies
