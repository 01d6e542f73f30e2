"""The demo's small wishes chapter plays through the API: 13 partner units, 136 wishes (117
fulfilled) with the fixed outcomes, a pledge that became a funding source, and sign-in tokens
that work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.wishes_chapter import (
    FULFILLED_COUNT,
    OUTCOMES,
    PARTNERS,
    TOUR_PARTNER,
    WISH_COUNT,
    play_wishes,
)
from planner.testing.api import bearer

pytestmark = pytest.mark.timeout(120)


async def test_the_chapter_plays(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    chair = await admin.post(
        f"/api/estates/{estate_id}/members", {"role": "committee", "display_name": "王主任"}
    )
    committee = Caller(client, chair["token"], chair["member_id"])
    households = sorted(h["id"] for h in await admin.get(f"/api/estates/{estate_id}/households"))
    owner = await admin.post(
        f"/api/estates/{estate_id}/members",
        {"role": "owner", "display_name": "业主甲", "household_ids": households[:1]},
    )
    resident = Caller(client, owner["token"], owner["member_id"])
    work = await committee.post(
        f"/api/estates/{estate_id}/works",
        {"title": "加装电梯", "category": "other", "estimate_fen": 60_000_000},
    )
    partners = await play_wishes(
        client,
        admin,
        estate_id,
        committee=committee,
        residents={households[0]: resident},
        pledge_work_id=work["id"],
    )
    assert len(partners) == len(PARTNERS) + 1 == 14
    tour = partners["partner"]
    assert tour is partners[TOUR_PARTNER]
    me = (await client.get("/api/me", headers=bearer(tour.token))).json()
    assert me["role"] == "partner" and "wishes.fulfil" in me["capabilities"]
    summary = await tour.get(f"/api/estates/{estate_id}/wishes/summary")
    assert summary["total"] == WISH_COUNT == 136
    assert FULFILLED_COUNT == 117
    assert summary["by_status"] == OUTCOMES
    kinds = sorted(p["partner_kind"] for p in summary["partners"])
    assert kinds.count("bank") == 6 and kinds.count("school") == 3
    assert kinds.count("hospital") == 3 and kinds.count("law_firm") == 1
    assert sum(p["confirmed"] for p in summary["partners"]) == OUTCOMES["confirmed"]
    mine = await resident.get(f"/api/estates/{estate_id}/wishes?mine=true")
    assert all(w["unit"] for w in mine)
    (pledge,) = await tour.get(f"/api/estates/{estate_id}/pledges")
    assert pledge["work_id"] == work["id"] and pledge["amount_fen"] == 5_000_000
    # the same seed, the same story: a second estate gets the same outcomes
    again = await make_estate("银杏里")
    chair_b = await admin.post(
        f"/api/estates/{again}/members", {"role": "committee", "display_name": "李主任"}
    )
    await play_wishes(client, admin, again, committee=Caller(client, chair_b["token"]))
    texts_a = [w["text"] for w in await committee.get(f"/api/estates/{estate_id}/wishes")]
    texts_b = [
        w["text"]
        for w in await Caller(client, chair_b["token"]).get(f"/api/estates/{again}/wishes")
    ]
    assert texts_a == texts_b
