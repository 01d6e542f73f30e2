"""Every refusal of the access routes carries its code and the parameters of its sentence."""

import httpx

from tests.conftest import bearer


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict = response.json()
    return body


async def test_grants_name_what_is_wrong(
    client: httpx.AsyncClient, make_estate, make_member, admin_token: str
) -> None:
    own = await make_estate("a")
    other = await make_estate("b")
    _, committee = await make_member(own, "committee")
    foreign = (
        await client.get(f"/api/estates/{other}/households", headers=bearer(admin_token))
    ).json()[0]["id"]
    members = f"/api/estates/{own}/members"

    admin = await client.post(
        members, json={"role": "admin", "display_name": "x"}, headers=bearer(committee)
    )
    assert problem(admin, 403)["code"] == "admin_only"

    supplier = await client.post(
        members, json={"role": "supplier", "display_name": "x"}, headers=bearer(admin_token)
    )
    assert problem(supplier, 400)["errors"][0]["code"] == "supplier_id_mismatch"

    households = await client.post(
        members,
        json={"role": "owner", "display_name": "x", "household_ids": [foreign]},
        headers=bearer(admin_token),
    )
    body = problem(households, 400)
    assert (body["code"], body["params"]) == (
        "not_in_estate",
        {"what": "household", "ids": [foreign]},
    )

    missing = await client.post(
        "/api/estates/999999/members",
        json={"role": "owner", "display_name": "x"},
        headers=bearer(admin_token),
    )
    assert problem(missing, 404)["code"] == "estate_not_found"

    gone = await client.post("/api/members/999999/revoke", headers=bearer(admin_token))
    assert problem(gone, 404)["code"] == "member_not_found"


async def test_only_the_admin_creates_estates_by_code(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    estate_id = await make_estate(csv=None)
    _, committee = await make_member(estate_id, "committee")
    response = await client.post("/api/estates", json={"name": "x"}, headers=bearer(committee))
    assert problem(response, 403)["code"] == "admin_only"


async def test_cookie_change_without_csrf_token_is_csrf_failed(
    client: httpx.AsyncClient, make_estate, make_member
) -> None:
    estate_id = await make_estate(csv=None)
    _, token = await make_member(estate_id, "committee")
    await client.get(f"/login?token={token}", follow_redirects=False)
    denied = await client.post(f"/api/estates/{estate_id}/buildings", json={"name": "A"})
    assert problem(denied, 403)["code"] == "csrf_failed"


async def test_bad_sign_in_link_is_unauthorized(client: httpx.AsyncClient) -> None:
    response = await client.get("/login?token=pl_nope", follow_redirects=False)
    assert problem(response, 401)["code"] == "signin_link_invalid"
