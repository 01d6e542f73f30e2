"""The demo's disclosure chapter plays through the API: published once (the same token when
again), the owner reads her own line, the public figures match the ledger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.disclosure_chapter import play_disclosure

pytestmark = pytest.mark.timeout(120)


async def test_the_disclosure_chapter_plays(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    households = await admin.get(f"/api/estates/{estate_id}/households")
    first = households[0]["id"]
    people = {}
    for role, name, extra in (
        ("committee", "王主任", {}),
        ("treasurer", "李会计", {}),
        ("owner", "业主甲", {"household_ids": [first]}),
    ):
        made = await admin.post(
            f"/api/estates/{estate_id}/members", {"role": role, "display_name": name, **extra}
        )
        people[role] = Caller(client, made["token"], made["member_id"])
    committee, treasurer = people["committee"], people["treasurer"]
    await committee.post(
        f"/api/estates/{estate_id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 3_000_000},
    )
    plan = await treasurer.post(
        f"/api/estates/{estate_id}/funding-plans", {"resident_band": ["0.20", "1.00"]}
    )
    await treasurer.post(f"/api/funding-plans/{plan['id']}/approve")
    await treasurer.post(
        f"/api/funding-plans/{plan['id']}/ledger",
        {
            "household_id": first,
            "amount_fen": 150_000,
            "channel": "cash",
            "receipt_no": "GS-1",
            "paid_on": "2026-11-02",
        },
    )
    figures = await play_disclosure(committee, estate_id, owner=people["owner"])
    assert figures["collected_fen"] == 150_000
    assert figures["due_fen"] == plan["residents_total_fen"]
    assert figures["owner_lines"] == 1 and figures["refunds_due_fen"] is None
    again = await play_disclosure(committee, estate_id)
    assert again["token"] == figures["token"] and again["owner_lines"] is None
