"""Ranks for revocation (issue 15, item 2): admin > committee > everyone else.

Nobody revokes a higher rank; anyone may revoke themselves; a committee member revoking
another committee member needs a second committee member's confirmation (recorded), or the
admin. The full actor × target table is in ``test_authorisation_matrix.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from planner.db.pool import Database
from tests.conftest import bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def revoke(client: httpx.AsyncClient, token: str, member_id: int) -> httpx.Response:
    return await client.post(f"/api/members/{member_id}/revoke", headers=bearer(token))


async def signed_in(client: httpx.AsyncClient, token: str) -> bool:
    return (await client.get("/api/me", headers=bearer(token))).status_code == 200


async def members_by_id(client: httpx.AsyncClient, token: str, estate_id: int) -> dict[int, Any]:
    response = await client.get(f"/api/estates/{estate_id}/members", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {m["id"]: m for m in response.json()}


async def test_a_committee_member_cannot_revoke_the_admin_nor_another_alone(
    client: httpx.AsyncClient, make_estate: Callable[..., Awaitable[int]], make_member: MakeMember
) -> None:
    estate_id = await make_estate(csv=None)
    admin_id, admin = await make_member(estate_id, "admin")
    rogue_id, rogue = await make_member(estate_id, "committee", display_name="甲")
    other_id, other = await make_member(estate_id, "committee", display_name="乙")

    refused = await revoke(client, rogue, admin_id)
    assert refused.status_code == 403
    assert refused.json()["code"] == "rank_too_low"
    assert refused.json()["params"] == {"role": "committee", "target_role": "admin"}
    asked = await revoke(client, rogue, other_id)
    assert asked.status_code == 202, asked.text
    assert asked.json()["revoked"] is False and asked.json()["pending"] is True
    assert await signed_in(client, admin) and await signed_in(client, other)
    again = await revoke(client, rogue, other_id)
    assert again.status_code == 409
    assert again.json()["code"] == "revocation_already_requested"
    assert await signed_in(client, other)
    # the lower ranks: at once, as before
    owner_id, owner = await make_member(estate_id, "owner")
    assert (await revoke(client, rogue, owner_id)).json() == {"revoked": True}
    assert not await signed_in(client, owner)
    # an owner may not revoke anyone else, but may revoke themselves
    o2_id, o2 = await make_member(estate_id, "owner")
    refused = await revoke(client, o2, other_id)
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")
    assert (await revoke(client, o2, o2_id)).json() == {"revoked": True}
    assert not await signed_in(client, o2)
    assert rogue_id != other_id


async def test_a_second_committee_member_confirms_and_both_are_recorded(
    client: httpx.AsyncClient,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    estate_id = await make_estate(csv=None)
    first_id, first = await make_member(estate_id, "committee", display_name="甲")
    second_id, second = await make_member(estate_id, "committee", display_name="乙")
    target_id, target = await make_member(estate_id, "committee", display_name="丙")

    asked = await revoke(client, first, target_id)
    assert asked.status_code == 202, asked.text
    request_id = asked.json()["request_id"]
    listed = await members_by_id(client, second, estate_id)
    assert listed[target_id]["revocation"]["requested_by"] == first_id
    assert listed[target_id]["revocation"]["requested_by_name"] == "甲"
    assert listed[target_id]["revocable"] == "confirm"
    assert listed[target_id]["withdrawable"] is False
    mine = await members_by_id(client, first, estate_id)
    assert mine[target_id]["revocable"] is None and mine[target_id]["withdrawable"] is True

    confirmed = await revoke(client, second, target_id)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"revoked": True, "request_id": request_id}
    assert not await signed_in(client, target)
    assert await signed_in(client, first) and await signed_in(client, second)
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM revocation_requests WHERE id = $1", request_id)
        events = await conn.fetch(
            "SELECT type, actor_id, data FROM events WHERE estate_id = $1 AND type LIKE "
            "'member.revo%' ORDER BY seq",
            estate_id,
        )
    assert (row["status"], row["requested_by"], row["decided_by"]) == (
        "confirmed",
        first_id,
        second_id,
    )
    assert [(e["type"], e["actor_id"]) for e in events] == [
        ("member.revocation_requested", first_id),
        ("member.revoked", second_id),
    ]
    assert events[1]["data"] == {
        "member_id": target_id,
        "request_id": request_id,
        "requested_by": first_id,
    }


async def test_withdrawing_a_request_and_the_admin_revoking_at_once(
    client: httpx.AsyncClient, make_estate: Callable[..., Awaitable[int]], make_member: MakeMember
) -> None:
    estate_id = await make_estate(csv=None)
    admin_id, admin = await make_member(estate_id, "admin")
    first_id, first = await make_member(estate_id, "committee")
    second_id, second = await make_member(estate_id, "committee")
    target_id, target = await make_member(estate_id, "committee")

    none = await client.delete(
        f"/api/members/{target_id}/revocation-request", headers=bearer(first)
    )
    assert (none.status_code, none.json()["code"]) == (409, "revocation_not_pending")
    assert (await revoke(client, first, target_id)).status_code == 202
    not_yours = await client.delete(
        f"/api/members/{target_id}/revocation-request", headers=bearer(second)
    )
    assert (not_yours.status_code, not_yours.json()["code"]) == (403, "revocation_not_yours")
    withdrawn = await client.delete(
        f"/api/members/{target_id}/revocation-request", headers=bearer(first)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    # withdrawn: the second committee member's revoke is a new request, not a confirmation
    anew = await revoke(client, second, target_id)
    assert anew.status_code == 202
    assert await signed_in(client, target)
    # the admin revokes committee members at once (and so settles the pending request)
    settled = await revoke(client, admin, target_id)
    assert settled.json() == {"revoked": True, "request_id": anew.json()["request_id"]}
    assert not await signed_in(client, target)
    # a committee member's own pending requests lapse when they are revoked
    assert (await revoke(client, first, second_id)).status_code == 202
    assert (await revoke(client, admin, first_id)).json() == {"revoked": True}
    listed = await members_by_id(client, admin, estate_id)
    assert listed[second_id]["revocation"] is None
    assert await signed_in(client, second)
    assert admin_id not in (first_id, second_id)
