"""An estate with owners and a committee member, a meeting and an open motion, made through
the API: what the vote tests and the fault storms (tests and bench/faults.py) start from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec

from planner.testing.api import bearer, create_estate


class Voting(msgspec.Struct, kw_only=True):
    admin: str
    estate_id: int
    committee: str
    households: dict[str, int]  # "building/unit" -> id
    owners: dict[str, tuple[int, str]]  # owner_key -> (member_id, token)
    buildings: dict[str, int]


def csv_of(rows: list[tuple[str, str, str, str]]) -> str:
    """rows of (building, unit, area, owner_key)."""
    lines = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    lines += [f"{b},{u},1,{a},{k},业主{k}," for b, u, a, k in rows]
    return "\n".join(lines) + "\n"


async def add_member(
    client: httpx.AsyncClient,
    admin_token: str,
    estate_id: int,
    role: str,
    household_ids: tuple[int, ...] = (),
    display_name: str | None = None,
    supplier_id: int | None = None,
) -> tuple[int, str]:
    """A member made through the API (the app's pool lives on the test client's loop)."""
    body: dict[str, Any] = {
        "role": role,
        "display_name": display_name or role,
        "household_ids": list(household_ids),
    }
    if supplier_id is not None:
        body["supplier_id"] = supplier_id
    response = await client.post(
        f"/api/estates/{estate_id}/members", json=body, headers=bearer(admin_token)
    )
    assert response.status_code == 201, response.text
    return response.json()["member_id"], response.json()["token"]


async def setup_voting(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]] | None,
    rows: list[tuple[str, str, str, str]],
) -> Voting:
    """An estate with ``rows`` of (building, unit, area, owner_key), one owner member per key
    and a committee member. Without ``make_estate`` the estate is made through ``client``."""
    if make_estate is not None:
        estate_id = await make_estate(csv=csv_of(rows))
    else:
        estate_id = await create_estate(client, admin_token, csv_of(rows))
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    households = {f"{h['building']}/{h['unit']}": h["id"] for h in items}
    by_owner: dict[str, list[int]] = {}
    for h in items:
        by_owner.setdefault(h["owner_key"], []).append(h["id"])
    gate = asyncio.Semaphore(8)

    async def owner(key: str, ids: list[int]) -> tuple[str, tuple[int, str]]:
        async with gate:
            made = await add_member(
                client, admin_token, estate_id, "owner", tuple(ids), f"业主{key}"
            )
            return key, made

    owners = dict(await asyncio.gather(*(owner(k, v) for k, v in sorted(by_owner.items()))))
    _, committee = await add_member(
        client, admin_token, estate_id, "committee", display_name="主任"
    )
    buildings = {
        b["name"]: b["id"]
        for b in (
            await client.get(f"/api/estates/{estate_id}/buildings", headers=bearer(admin_token))
        ).json()
    }
    return Voting(
        admin=admin_token,
        estate_id=estate_id,
        committee=committee,
        households=households,
        owners=owners,
        buildings=buildings,
    )


async def open_motion(
    client: httpx.AsyncClient,
    v: Voting,
    matter: int = 5,
    scope: list[int] | None = None,
    **motion: Any,
) -> tuple[int, int]:
    """Create and open a meeting and one motion in it; returns (meeting_id, motion_id)."""
    h = bearer(v.committee)
    meeting = await client.post(
        f"/api/estates/{v.estate_id}/meetings",
        headers=h,
        json={
            "title": "二季度业主大会",
            "kind": "owners_assembly",
            "scope_building_ids": scope or [],
            "agenda": ["电力改造", {"text": "其他"}],
        },
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    assert (await client.post(f"/api/meetings/{meeting_id}/open", headers=h)).status_code == 200
    created = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=h,
        json={"title": "使用维修资金", "matter": matter, **motion},
    )
    assert created.status_code == 201, created.text
    motion_id = created.json()["id"]
    opened = await client.post(f"/api/motions/{motion_id}/open", headers=h)
    assert opened.status_code == 200, opened.text
    return meeting_id, motion_id
