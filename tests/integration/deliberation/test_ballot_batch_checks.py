"""Casts are checked in their motion's writer, a batch at a time (one ``ballot_contexts``
query): each cast of a batch is answered as it would be alone, a refused one holds up no
other, and a batch checks against the motion as it is then. The coalesced principal lookups
answer each credential as the single lookup does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.access import lookups, store
from planner.access.model import Principal
from planner.access.tokens import token_hash
from planner.db.pool import Database, connect_raw
from planner.deliberation.ballot_box import BallotBox
from planner.deliberation.model import CastResult
from planner.errors import PlannerError
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


def owner(v: Voting, key: str, *units: str) -> Principal:
    return Principal(
        member_id=v.owners[key][0],
        estate_id=v.estate_id,
        role="owner",
        display_name=key,
        household_ids=tuple(v.households[u] for u in units),
    )


def code(result: CastResult | BaseException) -> str:
    return result.code if isinstance(result, PlannerError) else type(result).__name__


async def ballot_count(database_url: str, motion_id: int) -> int:
    conn = await connect_raw(database_url)
    try:
        found: int = await conn.fetchval(
            "SELECT count(*) FROM ballots WHERE motion_id = $1", motion_id
        )
        return found
    finally:
        await conn.close()


async def test_one_batch_answers_each_cast_as_alone(
    db: Database, client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    a = owner(voting, "A", "1栋/101", "1栋/102")
    b = owner(voting, "B", "1栋/201")
    c = owner(voting, "C", "2栋/101")
    observer = Principal(
        member_id=a.member_id, estate_id=voting.estate_id, role="observer", display_name="o"
    )
    stranger = Principal(
        member_id=b.member_id, estate_id=voting.estate_id + 10_000, role="owner", display_name="s"
    )
    box = BallotBox(db)
    try:
        first = await box.cast(a, motion_id, "yes", None, "batch-key-000001")
        events_before = len(await event_rows(database_url, voting.estate_id))
        # queued before the writer runs: one batch
        results = await asyncio.gather(
            box.cast(a, motion_id, "yes", None, "batch-key-000001"),  # a retry: replayed
            box.cast(a, motion_id, "no", None, "batch-key-000001"),  # the key reused: 409
            box.cast(b, motion_id, "no", [voting.households["2栋/101"]]),  # not B's: 403
            box.cast(b, motion_id, "no", None),  # fine
            box.cast(observer, motion_id, "yes", None),  # role: 403
            box.cast(stranger, motion_id, "yes", None),  # another estate: 404
            box.cast(c, motion_id, "abstain", None),  # fine
            box.cast(c, motion_id + 10_000, "yes", None),  # no such motion: 404
            return_exceptions=True,
        )
    finally:
        await box.stop()
    codes = [code(r) for r in results]
    assert codes == [
        "CastResult",
        "idempotency_key_reused",
        "not_your_unit",
        "CastResult",
        "role_not_allowed",
        "motion_not_found",
        "CastResult",
        "motion_not_found",
    ], results
    replayed = results[0]
    assert isinstance(replayed, CastResult) and replayed.replayed
    assert replayed.ballots == first.ballots
    assert [len(r.ballots) for r in results if isinstance(r, CastResult)] == [2, 1, 1]
    assert await ballot_count(database_url, motion_id) == 4  # A's two, then B's and C's
    new = (await event_rows(database_url, voting.estate_id))[events_before:]
    casts = [e for e in new if e["type"] == "ballot.cast"]
    assert len(casts) == 1  # B's and C's casts in one batch, one event


async def test_a_batch_after_the_close_is_refused_but_a_retry_still_answers(
    db: Database, client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    a = owner(voting, "A", "1栋/101", "1栋/102")
    b = owner(voting, "B", "1栋/201")
    box = BallotBox(db)
    try:
        first = await box.cast(a, motion_id, "yes", None, "close-key-000001")
        closed = await client.post(
            f"/api/motions/{motion_id}/close", headers=bearer(voting.committee)
        )
        assert closed.status_code == 200, closed.text
        results = await asyncio.gather(
            box.cast(a, motion_id, "yes", None, "close-key-000001"),
            box.cast(b, motion_id, "no", None),
            return_exceptions=True,
        )
    finally:
        await box.stop()
    assert [code(r) for r in results] == ["CastResult", "motion_closed"], results
    assert isinstance(results[0], CastResult) and results[0].ballots == first.ballots
    assert await ballot_count(database_url, motion_id) == 2


async def test_coalesced_lookups_answer_as_the_single_one(db: Database, voting: Voting) -> None:
    tokens = [token for _, token in voting.owners.values()]
    hashes = [token_hash(t) for t in [*tokens, "not-a-token", tokens[0]]]
    many = await asyncio.gather(*(lookups.tokens(db).get(h) for h in hashes))
    async with db.connection() as conn:
        one = [await store.principal_by_token_hash(conn, h) for h in hashes]
    assert many == one
    assert many[len(tokens)] is None and many[0] is not None
