"""Who may call the foundation's routes: 401 without a valid token, 403 outside one's role,
404 ``estate_not_found`` for another estate (as for one that does not exist)."""

from typing import Any

import httpx
import pytest

from tests.conftest import bearer

ROLES = ("committee", "owner", "supplier", "treasurer", "observer")

# (method, path template, body, roles allowed in their own estate)
FOUNDATION_ROUTES: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/api/estates/{e}", None, {"committee", "owner", "supplier", "treasurer", "observer"}),
    ("GET", "/api/estates/{e}/buildings", None, {"committee", "owner", "treasurer", "observer"}),
    ("POST", "/api/estates/{e}/buildings", {"name": "新楼"}, {"committee"}),
    ("GET", "/api/estates/{e}/households", None, {"committee", "owner", "treasurer", "observer"}),
    ("GET", "/api/estates/{e}/members", None, {"committee"}),
    ("POST", "/api/estates/{e}/members", {"role": "observer", "display_name": "x"}, {"committee"}),
]


async def _member(db, estate_id: int, role: str) -> str:
    supplier_id = None
    async with db.transaction() as conn:
        if role == "supplier":
            supplier_id = await conn.fetchval(
                "INSERT INTO suppliers (estate_id, name) VALUES ($1, 'S') RETURNING id", estate_id
            )
    from planner.access import store
    from planner.access.tokens import new_token

    token = new_token()
    async with db.transaction() as conn:
        await store.insert_member(
            conn,
            estate_id=estate_id,
            role=role,
            display_name=role,
            token=token,
            supplier_id=supplier_id,
            household_ids=[],
        )
    return token


@pytest.mark.parametrize("role", ROLES)
async def test_role_and_estate_matrix(
    client: httpx.AsyncClient, db, make_estate, role: str
) -> None:
    own = await make_estate("本小区")
    other = await make_estate("别的小区", csv=None)
    token = await _member(db, own, role)
    for method, template, body, allowed in FOUNDATION_ROUTES:
        for estate_id, in_own in ((own, True), (other, False)):
            response = await client.request(
                method, template.format(e=estate_id), json=body, headers=bearer(token)
            )
            expected_ok = in_own and role in allowed
            cell = f"{role} {method} {template} {'own' if in_own else 'other'}"
            if expected_ok:
                assert response.status_code in (200, 201), f"{cell}: {response.text}"
            elif in_own:
                assert response.status_code == 403, f"{cell}: {response.status_code}"
            else:
                assert response.status_code == 404, f"{cell}: {response.status_code}"
                assert response.json()["code"] == "estate_not_found", cell


async def test_only_admin_creates_estates(
    client: httpx.AsyncClient, make_estate, make_member, admin_token: str
) -> None:
    estate_id = await make_estate(csv=None)
    _, committee = await make_member(estate_id, "committee")
    response = await client.post("/api/estates", json={"name": "x"}, headers=bearer(committee))
    assert response.status_code == 403
    listing = (await client.get("/api/estates", headers=bearer(committee))).json()
    assert [e["id"] for e in listing] == [estate_id]
    assert (await client.get("/api/estates", headers=bearer(admin_token))).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
async def test_missing_or_bad_credentials_get_401(
    client: httpx.AsyncClient, make_estate, header: str | None
) -> None:
    estate_id = await make_estate(csv=None)
    headers = {"Authorization": header} if header else {}
    response = await client.get(f"/api/estates/{estate_id}", headers=headers)
    assert response.status_code == 401
    assert (await client.get("/health")).status_code == 200


async def test_member_token_is_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, db, make_estate, admin_token: str
) -> None:
    estate_id = await make_estate()
    created = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": "owner", "display_name": "张三", "household_ids": [1, 3]},
        headers=bearer(admin_token),
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert len(token) >= 43
    assert created.json()["login_url"].endswith(f"/login?token={token}")
    async with db.connection() as conn:
        stored = await conn.fetch("SELECT token_hash::text AS h FROM members")
    assert all(token not in r["h"] for r in stored)
    me = (await client.get("/api/me", headers=bearer(token))).json()
    assert me["role"] == "owner" and me["household_ids"] == [1, 3]
    assert me["estate_id"] == estate_id


async def test_members_cannot_be_given_other_estates_households(
    client: httpx.AsyncClient, make_estate, admin_token: str
) -> None:
    own = await make_estate("a")
    other = await make_estate("b")
    foreign = (
        await client.get(f"/api/estates/{other}/households", headers=bearer(admin_token))
    ).json()[0]["id"]
    response = await client.post(
        f"/api/estates/{own}/members",
        json={"role": "owner", "display_name": "x", "household_ids": [foreign]},
        headers=bearer(admin_token),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "household_ids"


async def test_committee_cannot_mint_admins(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    estate_id = await make_estate(csv=None)
    _, committee = await make_member(estate_id, "committee")
    response = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": "admin", "display_name": "x"},
        headers=bearer(committee),
    )
    assert response.status_code == 403


async def test_revoked_token_gets_401(
    client: httpx.AsyncClient, make_estate, make_member, admin_token: str
) -> None:
    estate_id = await make_estate(csv=None)
    member_id, token = await make_member(estate_id, "observer")
    assert (await client.get("/api/me", headers=bearer(token))).status_code == 200
    revoked = await client.post(f"/api/members/{member_id}/revoke", headers=bearer(admin_token))
    assert revoked.json() == {"revoked": True}
    assert (await client.get("/api/me", headers=bearer(token))).status_code == 401


async def test_browser_sign_in_sets_httponly_cookie_and_enforces_csrf(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    estate_id = await make_estate(csv=None)
    _, token = await make_member(estate_id, "committee")
    response = await client.get(f"/login?token={token}", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("planner_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session.replace("Lax", "lax")
    csrf = next(c for c in cookies if c.startswith("planner_csrf=")).split(";")[0].split("=", 1)[1]
    assert "HttpOnly" not in next(c for c in cookies if c.startswith("planner_csrf="))

    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == csrf
    denied = await client.post(f"/api/estates/{estate_id}/buildings", json={"name": "A"})
    assert denied.status_code == 403
    allowed = await client.post(
        f"/api/estates/{estate_id}/buildings", json={"name": "A"}, headers={"X-CSRF-Token": csrf}
    )
    assert allowed.status_code == 201

    out = await client.post("/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    client.cookies.clear()
    assert (await client.get("/api/me")).status_code == 401


async def test_bad_sign_in_link_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/login?token=pl_wrong")).status_code == 401


async def test_pages_carry_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert (await client.get("/schema/openapi.json")).status_code == 200
