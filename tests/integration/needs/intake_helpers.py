"""Shared set-up of the intake tests: an estate with a committee member, two owners and a
supplier, and the households by (building, unit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from planner.db.pool import Database
from tests.conftest import bearer

MakeEstate = Callable[..., Awaitable[int]]
MakeMember = Callable[..., Awaitable[tuple[int, str]]]
JPEG = b"\xff\xd8\xff\xe0" + "手机拍的照片".encode() * 20


@dataclass
class Intake:
    estate_id: int
    admin: str
    committee: str
    owner: str  # owns 1栋 101 and 1栋 201
    other_owner: str  # owns 2栋 101
    supplier: str
    partner: str
    households: dict[tuple[str, str], int]
    buildings: dict[str, int]


async def setup_intake(
    client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate, make_member: MakeMember
) -> Intake:
    estate_id = await make_estate()
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    households = {(h["building"], h["unit"]): h["id"] for h in items}
    buildings = {h["building"]: h["building_id"] for h in items}
    _, committee = await make_member(estate_id, "committee")
    _, owner = await make_member(
        estate_id, "owner", household_ids=(households[("1栋", "101")], households[("1栋", "201")])
    )
    _, other_owner = await make_member(
        estate_id, "owner", household_ids=(households[("2栋", "101")],)
    )
    supplier_id = (
        await client.post(
            f"/api/estates/{estate_id}/suppliers",
            json={"name": "供应商"},
            headers=bearer(admin_token),
        )
    ).json()["id"]
    _, supplier = await make_member(estate_id, "supplier", supplier_id=supplier_id)
    partner = (
        await client.post(
            f"/api/estates/{estate_id}/members",
            json={"role": "partner", "display_name": "银行", "partner_kind": "bank"},
            headers=bearer(admin_token),
        )
    ).json()["token"]
    return Intake(
        estate_id,
        admin_token,
        committee,
        owner,
        other_owner,
        supplier,
        partner,
        households,
        buildings,
    )


async def suggest(
    client: httpx.AsyncClient, token: str, estate_id: int, **body: Any
) -> httpx.Response:
    body.setdefault("text", "楼道灯坏了，晚上看不见")
    body.setdefault("category", "facilities")
    return await client.post(
        f"/api/estates/{estate_id}/suggestions", json=body, headers=bearer(token)
    )


async def events_of(db: Database, estate_id: int, prefix: str) -> list[tuple[str, str, Any]]:
    """(type, audience, data) of the estate's events whose type starts with ``prefix``."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT type, audience, data FROM events WHERE estate_id = $1 AND type LIKE $2"
            " ORDER BY seq",
            estate_id,
            prefix + "%",
        )
    return [(r["type"], r["audience"], r["data"]) for r in rows]


QUESTIONS: list[dict[str, Any]] = [
    {"text": "您对小区环境是否满意？", "kind": "single", "options": ["满意", "一般", "不满意"]},
    {"text": "最希望改造的设施", "kind": "multi", "options": ["电梯", "停车", "绿化", "照明"]},
    {"text": "您的意见建议", "kind": "text", "suggestion": True},
]


async def open_questionnaire(client: httpx.AsyncClient, intake: Intake) -> int:
    created = await client.post(
        f"/api/estates/{intake.estate_id}/questionnaires",
        json={"title": "2026年居民需求问卷", "questions": QUESTIONS},
        headers=bearer(intake.committee),
    )
    assert created.status_code == 201, created.text
    qid: int = created.json()["id"]
    published = await client.post(
        f"/api/questionnaires/{qid}/publish", headers=bearer(intake.committee)
    )
    assert published.status_code == 200, published.text
    return qid
