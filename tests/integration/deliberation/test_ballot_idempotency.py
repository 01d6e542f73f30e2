"""A cast with an idempotency key is recorded once however often it is retried (issue 16:
an owner's phone queues the ballot while offline and sends it again when it is back)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.access.model import Principal
from planner.db.pool import Database, connect_raw
from planner.deliberation.ballot_box import BallotBox
from tests.conftest import bearer
from tests.integration.deliberation.helpers import Voting, event_rows, open_motion, setup_voting

MakeEstate = Callable[..., Awaitable[int]]

ROWS = [
    ("1栋", "101", "80.00", "A"),
    ("1栋", "102", "90.00", "A"),
    ("1栋", "201", "100.00", "B"),
    ("2栋", "101", "95.00", "C"),
]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def cast(
    client: httpx.AsyncClient, token: str, motion_id: int, choice: str, key: str | None, **more: Any
) -> httpx.Response:
    body: dict[str, Any] = {"choice": choice, **more}
    if key is not None:
        body["idempotency_key"] = key
    return await client.post(f"/api/motions/{motion_id}/ballots", json=body, headers=bearer(token))


async def ballot_rows(database_url: str, motion_id: int) -> list[dict[str, Any]]:
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            "SELECT id, household_id, choice, cast_by, receipt, idempotency_key FROM ballots"
            " WHERE motion_id = $1 ORDER BY id",
            motion_id,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def cast_events(database_url: str, estate_id: int) -> int:
    return sum(r["type"] == "ballot.cast" for r in await event_rows(database_url, estate_id))


async def test_a_retry_with_the_same_key_answers_the_first_receipts_and_records_nothing(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    token = voting.owners["A"][1]
    first = await cast(client, token, motion_id, "yes", "k-0123456789abcdef")
    assert first.status_code == 201, first.text
    assert first.json()["replayed"] is False
    assert len(first.json()["ballots"]) == 2  # A holds two units
    events = await cast_events(database_url, voting.estate_id)
    again = await cast(client, token, motion_id, "yes", "k-0123456789abcdef")
    assert again.status_code == 201, again.text
    assert again.json()["replayed"] is True
    assert again.json()["ballots"] == first.json()["ballots"]
    rows = await ballot_rows(database_url, motion_id)
    assert len(rows) == 2
    assert {r["idempotency_key"] for r in rows} == {"k-0123456789abcdef"}
    assert await cast_events(database_url, voting.estate_id) == events  # no new ballot.cast
    tally = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    assert tally["yes_owners"] == 1 and tally["participating_owners"] == 1
    # the retry still answers once the motion is closed: the ballot was recorded before
    closed = await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    assert closed.status_code == 200, closed.text
    late = await cast(client, token, motion_id, "yes", "k-0123456789abcdef")
    assert late.status_code == 201, late.text
    assert late.json()["ballots"] == first.json()["ballots"]
    fresh = await cast(client, token, motion_id, "yes", "k-another-key-123")
    assert fresh.status_code == 409 and fresh.json()["code"] == "motion_closed"


async def test_concurrent_duplicates_are_recorded_once(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    token = voting.owners["A"][1]
    answers = await asyncio.gather(
        *(cast(client, token, motion_id, "no", "dup-key-000000001") for _ in range(8))
    )
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert sum(not a.json()["replayed"] for a in answers) == 1
    receipts = {tuple(b["receipt"] for b in a.json()["ballots"]) for a in answers}
    assert len(receipts) == 1
    assert len(await ballot_rows(database_url, motion_id)) == 2
    assert await cast_events(database_url, voting.estate_id) == 1


async def test_the_same_key_with_another_choice_or_units_is_refused(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    token = voting.owners["A"][1]
    unit = voting.households["1栋/101"]
    assert (
        await cast(client, token, motion_id, "yes", "reuse-key-1", household_ids=[unit])
    ).status_code == 201
    other_choice = await cast(client, token, motion_id, "no", "reuse-key-1", household_ids=[unit])
    assert other_choice.status_code == 409, other_choice.text
    assert other_choice.json()["code"] == "idempotency_key_reused"
    other_units = await cast(
        client, token, motion_id, "yes", "reuse-key-1", household_ids=[voting.households["1栋/102"]]
    )
    assert other_units.status_code == 409
    assert other_units.json()["code"] == "idempotency_key_reused"
    # racing in one batch: the second of the pair is refused, nothing extra recorded
    pair = await asyncio.gather(
        cast(client, token, motion_id, "yes", "reuse-key-2"),
        cast(client, token, motion_id, "abstain", "reuse-key-2"),
    )
    assert sorted(p.status_code for p in pair) == [201, 409], [p.text for p in pair]
    assert len(await ballot_rows(database_url, motion_id)) == 3
    bad = await cast(client, token, motion_id, "yes", "short")
    assert bad.status_code == 400


async def test_keys_belong_to_their_member(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    a = await cast(client, voting.owners["A"][1], motion_id, "yes", "shared-key-0001")
    b = await cast(client, voting.owners["B"][1], motion_id, "no", "shared-key-0001")
    assert a.status_code == 201 and b.status_code == 201, b.text
    assert b.json()["replayed"] is False
    assert b.json()["ballots"][0]["choice"] == "no"
    rows = await ballot_rows(database_url, motion_id)
    assert len(rows) == 3
    assert {r["cast_by"] for r in rows} == {voting.owners["A"][0], voting.owners["B"][0]}
    # a cast without a key is never deduplicated
    for _ in range(2):
        assert (
            await cast(client, voting.owners["C"][1], motion_id, "yes", None)
        ).status_code == 201
    assert len(await ballot_rows(database_url, motion_id)) == 5


async def test_duplicates_through_two_writers_are_recorded_once(
    db: Database, client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    """Two ballot boxes on one database stand for two service processes: each has its own
    writer, so duplicates race in two transactions; the check after the owners' row locks
    makes the second one a replay."""
    _, motion_id = await open_motion(client, voting)
    member_id, _ = voting.owners["A"]
    owner = Principal(
        member_id=member_id,
        estate_id=voting.estate_id,
        role="owner",
        display_name="A",
        household_ids=(voting.households["1栋/101"], voting.households["1栋/102"]),
    )
    boxes = [BallotBox(db), BallotBox(db)]
    try:
        for n in range(5):
            key = f"two-writers-{n:04d}"
            results = await asyncio.gather(
                *(box.cast(owner, motion_id, "yes", None, key) for box in boxes)
            )
            assert sorted(r.replayed for r in results) == [False, True]
            assert results[0].ballots == results[1].ballots
    finally:
        for box in boxes:
            await box.stop()
    assert len(await ballot_rows(database_url, motion_id)) == 10  # 5 casts of 2 units
    assert await cast_events(database_url, voting.estate_id) == 5


async def test_one_key_naming_other_units_in_two_writers_is_recorded_once(
    db: Database, client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    """The same key for two different units at once: no row lock is shared, so only the lock
    on the key keeps the second from passing the check too; it gets 409."""
    _, motion_id = await open_motion(client, voting)
    member_id, _ = voting.owners["A"]
    # units of two owners (persons), so the casts share no person's row lock
    units = [voting.households["1栋/101"], voting.households["1栋/201"]]
    owner = Principal(
        member_id=member_id,
        estate_id=voting.estate_id,
        role="owner",
        display_name="A",
        household_ids=tuple(units),
    )
    boxes = [BallotBox(db), BallotBox(db)]
    try:
        for n in range(5):
            key = f"split-units-{n:04d}"
            results = await asyncio.gather(
                *(
                    box.cast(owner, motion_id, "yes", [unit], key)
                    for box, unit in zip(boxes, units, strict=True)
                ),
                return_exceptions=True,
            )
            codes = sorted(getattr(r, "code", "ok") for r in results)
            assert codes == ["idempotency_key_reused", "ok"], results
    finally:
        for box in boxes:
            await box.stop()
    assert len(await ballot_rows(database_url, motion_id)) == 5


async def test_the_openapi_documents_the_key(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    cast_op = schema["paths"]["/api/motions/{motion_id}/ballots"]["post"]
    assert "idempotency_key_reused" in cast_op["description"]
    field = schema["components"]["schemas"]["NewBallot"]["properties"]["idempotency_key"]
    assert field["maxLength"] == 64 and "replayed" in field["description"]
    assert "replayed" in schema["components"]["schemas"]["CastResult"]["properties"]
