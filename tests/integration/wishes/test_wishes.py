"""Small wishes (微心愿) over HTTP: the status path, who may do what, what a partner unit sees,
the per-partner summary and the events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
from wish_helpers import WishWorld, wish_world

from planner.db.pool import Database
from planner.testing.api import bearer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def world(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> WishWorld:
    return await wish_world(client, admin_token, await make_estate())


async def _post(client: httpx.AsyncClient, w: WishWorld, token: str, **body: object) -> int:
    response = await client.post(
        f"/api/estates/{w.estate_id}/wishes", json=body, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "open"
    wish_id: int = response.json()["id"]
    return wish_id


async def _do(
    client: httpx.AsyncClient, wish_id: int, action: str, token: str, body: object = None
) -> httpx.Response:
    return await client.post(f"/api/wishes/{wish_id}/{action}", json=body, headers=bearer(token))


async def test_status_path_and_who_may_move_it(client: httpx.AsyncClient, world: WishWorld) -> None:
    w = world
    wish = await _post(client, w, w.owner, text="家里老人需要一副助行器", category="health")
    # only a partner claims; an owner or the committee may not
    assert (await _do(client, wish, "claim", w.owner)).status_code == 403
    assert (await _do(client, wish, "claim", w.committee)).status_code == 403
    # fulfil before a claim: illegal move
    assert (await _do(client, wish, "fulfil", w.bank, {})).status_code == 409
    claimed = await _do(client, wish, "claim", w.bank)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "claimed"
    assert claimed.json()["claimed_by_name"] == "建设银行芙蓉支行"
    # another partner: the wish is no longer open (409); it may not fulfil or release it (403)
    assert (await _do(client, wish, "claim", w.school)).status_code == 409
    taken = await _do(client, wish, "fulfil", w.school, {})
    assert taken.status_code == 403 and taken.json()["code"] == "not_your_claim"
    assert (await _do(client, wish, "release", w.school)).status_code == 403
    # confirm before fulfilment: 409
    assert (await _do(client, wish, "confirm", w.owner)).status_code == 409
    # release and claim again
    released = await _do(client, wish, "release", w.bank)
    assert released.json()["status"] == "open" and released.json()["claimed_by"] is None
    assert (await _do(client, wish, "claim", w.school)).status_code == 200
    done = await _do(client, wish, "fulfil", w.school, {"note": "已送达助行器一副"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "fulfilled"
    assert done.json()["fulfil_note"] == "已送达助行器一副"
    assert (await _do(client, wish, "cancel", w.owner)).status_code == 409
    # another owner may not confirm; the treasurer neither; the owner of the unit may
    other = await _do(client, wish, "confirm", w.other_owner)
    assert other.status_code == 403 and other.json()["code"] == "not_your_wish"
    assert (await _do(client, wish, "confirm", w.treasurer)).status_code == 403
    confirmed = await _do(client, wish, "confirm", w.owner)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert (await _do(client, wish, "confirm", w.committee)).status_code == 409


async def test_fulfil_without_a_body(client: httpx.AsyncClient, world: WishWorld) -> None:
    w = world
    wish = await _post(client, w, w.owner, text="想学习智能手机使用")
    await _do(client, wish, "claim", w.bank)
    response = await client.post(f"/api/wishes/{wish}/fulfil", headers=bearer(w.bank))
    assert response.status_code == 200, response.text
    assert response.json()["fulfil_note"] is None


async def test_posting_rules(client: httpx.AsyncClient, world: WishWorld) -> None:
    w = world
    # an owner: their first unit by default, another of theirs when named, never another's
    first = await _post(client, w, w.owner, text="楼道需要扶手")
    mine = await client.get(f"/api/wishes/{first}", headers=bearer(w.owner))
    assert mine.json()["household_id"] == w.households[0]
    second = await _post(client, w, w.owner, text="需要轮椅", household_id=w.households[1])
    assert second
    refused = await client.post(
        f"/api/estates/{w.estate_id}/wishes",
        json={"text": "x", "household_id": w.households[3]},
        headers=bearer(w.owner),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_wish"
    # the committee on a resident's behalf: household_id required and of the estate
    missing = await client.post(
        f"/api/estates/{w.estate_id}/wishes", json={"text": "x"}, headers=bearer(w.committee)
    )
    assert missing.status_code == 400 and missing.json()["code"] == "required"
    outside = await client.post(
        f"/api/estates/{w.estate_id}/wishes",
        json={"text": "x", "household_id": 9_000_000_001},
        headers=bearer(w.committee),
    )
    assert outside.status_code == 400
    await _post(
        client, w, w.committee, text="代老人登记：需要上门体检", household_id=w.households[3]
    )
    # partners, treasurers may not post; bad category 400; unknown field 400
    for token in (w.bank, w.treasurer):
        response = await client.post(
            f"/api/estates/{w.estate_id}/wishes", json={"text": "x"}, headers=bearer(token)
        )
        assert response.status_code == 403
    for body in ({"text": "x", "category": "nope"}, {"text": "x", "colour": 1}, {"text": " "}):
        response = await client.post(
            f"/api/estates/{w.estate_id}/wishes", json=body, headers=bearer(w.owner)
        )
        assert response.status_code == 400, body
    # cancel: the owner of the unit before fulfilment; then it is cancelled
    cancelled = await _do(client, first, "cancel", w.owner)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await _do(client, first, "claim", w.bank)).status_code == 409


async def test_what_a_partner_sees(client: httpx.AsyncClient, world: WishWorld) -> None:
    w = world
    wish = await _post(client, w, w.owner, text="孩子需要数学辅导", category="education")
    listed = await client.get(f"/api/estates/{w.estate_id}/wishes", headers=bearer(w.bank))
    assert listed.status_code == 200
    (item,) = listed.json()
    text = json.dumps(listed.json(), ensure_ascii=False)
    for secret in ("业主甲", "80.00", "area", "owner"):
        assert secret not in text
    assert item["unit"] is None and item["household_id"] is None
    assert item["building"] == "1栋" and item["category"] == "education"
    assert item["actions"] == ["claim"]
    # after claiming, the partner sees the unit to deliver to; the other partner does not
    claimed = (await _do(client, wish, "claim", w.bank)).json()
    assert claimed["unit"] == "1栋 101"
    assert "业主甲" not in json.dumps(claimed, ensure_ascii=False)
    assert claimed["actions"] == ["release", "fulfil"]
    school_view = (await client.get(f"/api/wishes/{wish}", headers=bearer(w.school))).json()
    assert school_view["unit"] is None and school_view["actions"] == []
    # mine: the partner's claimed ones; the owner's units; status filter
    mine = await client.get(
        f"/api/estates/{w.estate_id}/wishes", params={"mine": "true"}, headers=bearer(w.school)
    )
    assert mine.json() == []
    mine = await client.get(
        f"/api/estates/{w.estate_id}/wishes", params={"mine": "true"}, headers=bearer(w.bank)
    )
    assert [x["id"] for x in mine.json()] == [wish]
    owner_view = await client.get(
        f"/api/estates/{w.estate_id}/wishes", params={"mine": "true"}, headers=bearer(w.owner)
    )
    assert owner_view.json()[0]["unit"] == "1栋 101"
    other_view = await client.get(
        f"/api/estates/{w.estate_id}/wishes", params={"mine": "true"}, headers=bearer(w.other_owner)
    )
    assert other_view.json() == []
    open_only = await client.get(
        f"/api/estates/{w.estate_id}/wishes", params={"status": "open"}, headers=bearer(w.owner)
    )
    assert open_only.json() == []
    # a partner may read neither households nor members nor meetings
    for path in ("households", "members", "meetings", "funding-sources"):
        response = await client.get(f"/api/estates/{w.estate_id}/{path}", headers=bearer(w.bank))
        assert response.status_code == 403, path


async def test_summary_counts(client: httpx.AsyncClient, world: WishWorld) -> None:
    w = world
    ids = [await _post(client, w, w.owner, text=f"心愿{i}") for i in range(5)]
    await _do(client, ids[0], "claim", w.bank)
    await _do(client, ids[1], "claim", w.bank)
    await _do(client, ids[1], "fulfil", w.bank, {})
    await _do(client, ids[2], "claim", w.school)
    await _do(client, ids[2], "fulfil", w.school, {})
    await _do(client, ids[2], "confirm", w.committee)
    await _do(client, ids[3], "cancel", w.committee)
    for token in (w.bank, w.owner, w.committee, w.treasurer):
        response = await client.get(
            f"/api/estates/{w.estate_id}/wishes/summary", headers=bearer(token)
        )
        assert response.status_code == 200
    summary = response.json()
    assert summary["total"] == 5
    assert summary["by_status"] == {
        "open": 1,
        "claimed": 1,
        "fulfilled": 1,
        "confirmed": 1,
        "cancelled": 1,
    }
    partners = {p["display_name"]: p for p in summary["partners"]}
    assert partners["建设银行芙蓉支行"] == {
        "member_id": w.bank_id,
        "display_name": "建设银行芙蓉支行",
        "partner_kind": "bank",
        "claimed": 2,
        "fulfilled": 1,
        "confirmed": 0,
    }
    assert partners["长郡双语实验学校"]["confirmed"] == 1


async def test_events_name_no_owner(
    client: httpx.AsyncClient, world: WishWorld, db: Database
) -> None:
    w = world
    wish = await _post(client, w, w.owner, text="需要法律咨询", category="policy")
    await _do(client, wish, "claim", w.bank)
    await _do(client, wish, "fulfil", w.bank, {"note": "律师上门解答"})
    await _do(client, wish, "confirm", w.owner)
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT type, audience, data::text AS data FROM events WHERE estate_id = $1 "
            "AND type LIKE 'wish.%' ORDER BY seq",
            w.estate_id,
        )
    assert [r["type"] for r in rows] == [
        "wish.posted",
        "wish.claimed",
        "wish.fulfilled",
        "wish.confirmed",
    ]
    assert {r["audience"] for r in rows} == {"wishes"}
    for row in rows:
        assert "业主" not in row["data"] and "101" not in row["data"]


async def test_two_partners_racing_for_one_wish(
    client: httpx.AsyncClient, world: WishWorld
) -> None:
    """Of two claims at once exactly one wins; the other is told the wish is taken (409)."""
    w = world
    for round_ in range(3):
        wish = await _post(client, w, w.owner, text=f"需要一台轮椅 {round_}")
        answers = await asyncio.gather(
            _do(client, wish, "claim", w.bank), _do(client, wish, "claim", w.school)
        )
        assert sorted(a.status_code for a in answers) == [200, 409]
        winner = next(a for a in answers if a.status_code == 200).json()
        read = (await client.get(f"/api/wishes/{wish}", headers=bearer(w.committee))).json()
        assert read["claimed_by"] == winner["claimed_by"]


async def test_empty_query_values_are_no_filter(
    client: httpx.AsyncClient, world: WishWorld
) -> None:
    w = world
    await _post(client, w, w.owner, text="需要一台轮椅")
    path = f"/api/estates/{w.estate_id}/wishes"
    assert len((await client.get(f"{path}?status=&mine=", headers=bearer(w.bank))).json()) == 1
    bad = await client.get(f"{path}?status=bogus", headers=bearer(w.bank))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
