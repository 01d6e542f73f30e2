"""Shared set-up of the wishes tests: an estate with an owner, a committee member and two
partner units, all made through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from planner.testing.api import bearer


@dataclass
class WishWorld:
    estate_id: int
    households: list[int]
    admin: str
    committee: str
    owner: str  # holds households[0] and households[1]
    other_owner: str  # holds households[3]
    treasurer: str
    bank: str
    school: str
    bank_id: int
    school_id: int


async def member(
    client: httpx.AsyncClient, admin: str, estate_id: int, role: str, name: str, **extra: Any
) -> tuple[int, str]:
    response = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": role, "display_name": name, **extra},
        headers=bearer(admin),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["member_id"], body["token"]


async def wish_world(client: httpx.AsyncClient, admin: str, estate_id: int) -> WishWorld:
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin))
    ).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    households = sorted(h["id"] for h in items)
    _, committee = await member(client, admin, estate_id, "committee", "主任")
    _, owner = await member(
        client, admin, estate_id, "owner", "业主甲", household_ids=households[:2]
    )
    _, other_owner = await member(
        client, admin, estate_id, "owner", "业主丙", household_ids=[households[3]]
    )
    _, treasurer = await member(client, admin, estate_id, "treasurer", "出纳")
    bank_id, bank = await member(
        client, admin, estate_id, "partner", "建设银行芙蓉支行", partner_kind="bank"
    )
    school_id, school = await member(
        client, admin, estate_id, "partner", "长郡双语实验学校", partner_kind="school"
    )
    return WishWorld(
        estate_id,
        households,
        admin,
        committee,
        owner,
        other_owner,
        treasurer,
        bank,
        school,
        bank_id,
        school_id,
    )
