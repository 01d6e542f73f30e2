"""The audit chain covers the ballots (issue 15, item 6): ``planner audit verify`` as an
operator runs it, after a database superuser changed the votes behind the service's back.

A meeting is held through the API (a change of mind included), closed, and its minutes
printed. Then, with the append-only triggers off (``session_replication_role = replica``):
a flipped ballot (with the roll and the tally of record made to agree), a deleted ballot,
and a chain truncated back before the printed head are each caught and named; the untouched
meeting verifies.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import msgspec
import pytest

from planner.db.pool import connect_raw
from planner.deliberation.ballot_box import recount
from planner.deliberation.store import get_motion
from planner.testing import audit_verify
from tests.conftest import bearer
from tests.integration.deliberation.helpers import Voting, open_motion, setup_voting, vote

pytestmark = pytest.mark.timeout(180)

# Owner A holds two units; B, C, D one each.
ROWS = [
    ("1栋", "101", "80.00", "A"),
    ("1栋", "102", "90.00", "A"),
    ("1栋", "201", "85.00", "B"),
    ("2栋", "101", "95.00", "C"),
    ("2栋", "102", "60.50", "D"),
]


class Held(msgspec.Struct, kw_only=True):
    voting: Voting
    meeting_id: int
    motion_id: int
    head: str  # the chain head printed in the minutes
    head_seq: int


@pytest.fixture
async def held(client: httpx.AsyncClient, admin_token: str, make_estate) -> Held:  # type: ignore[no-untyped-def]
    """A closed meeting whose motion was voted on (B changed their mind) and minuted."""
    voting = await setup_voting(client, admin_token, make_estate, ROWS)
    meeting_id, motion_id = await open_motion(client, voting, hide_results=True)
    owners = voting.owners
    for key, choice in (("A", "yes"), ("B", "no"), ("C", "yes"), ("D", "abstain"), ("B", "yes")):
        cast = await vote(client, owners[key][1], motion_id, choice)
        assert cast.status_code == 201, cast.text
    h = bearer(voting.committee)
    assert (await client.post(f"/api/motions/{motion_id}/close", headers=h)).status_code == 200
    assert (await client.post(f"/api/meetings/{meeting_id}/close", headers=h)).status_code == 200
    minutes = await client.get(f"/api/meetings/{meeting_id}/minutes?lang=en", headers=h)
    assert minutes.status_code == 200, minutes.text
    printed = re.search(r"Audit chain head at close: event (\d+), `([0-9a-f]{64})`", minutes.text)
    return Held(
        voting=voting,
        meeting_id=meeting_id,
        motion_id=motion_id,
        head=printed.group(2) if printed else "",
        head_seq=int(printed.group(1)) if printed else 0,
    )


async def _tamper(database_url: str, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Change the tables directly in one transaction, with the append-only triggers off."""
    conn = await connect_raw(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for sql, args in statements:
                await conn.execute(sql, *args)
    finally:
        await conn.close()


async def _verify(database_url: str, tmp_path: Path, *options: str) -> tuple[int, str]:
    done = await asyncio.to_thread(audit_verify, database_url, tmp_path / "audit", *options)
    return done.returncode, done.stdout + done.stderr


async def _ballot_of(database_url: str, motion_id: int, household_id: int) -> tuple[int, str]:
    """The counted ballot of a unit: (id, choice)."""
    conn = await connect_raw(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT id, choice FROM ballots WHERE motion_id = $1 AND household_id = $2 "
            "ORDER BY id DESC LIMIT 1",
            motion_id,
            household_id,
        )
    finally:
        await conn.close()
    assert row is not None
    return row["id"], row["choice"]


async def test_an_untouched_meeting_verifies_with_its_printed_head(
    held: Held, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    assert held.head, "the minutes print the chain head at the meeting's close"
    code, out = await _verify(database_url, tmp_path, "--expect-head", held.head)
    assert code == 0, out
    assert "chain intact" in out
    assert "votes recounted from the chain: 1 motions, 6 ballots agree" in out, out
    assert f"head {held.head} found: estate {held.voting.estate_id}, seq {held.head_seq}" in out
    # the result notice (receipts) prints the head recorded with the motion's close
    receipts = await client.get(
        f"/api/motions/{held.motion_id}/receipts", headers=bearer(held.voting.committee)
    )
    head = receipts.json()["chain_head"]
    assert re.fullmatch(r"[0-9a-f]{64}", head["hash"]) and head["seq"] < held.head_seq
    code, out = await _verify(database_url, tmp_path, "--expect-head", head["hash"])
    assert code == 0, out
    html = await client.get(
        f"/api/meetings/{held.meeting_id}/minutes.html", headers=bearer(held.voting.committee)
    )
    assert held.head in html.text


async def test_a_flipped_ballot_is_named_even_when_the_roll_and_tally_agree(
    held: Held, database_url: str, tmp_path: Path
) -> None:
    unit = held.voting.households["2栋/101"]  # C voted yes
    ballot_id, choice = await _ballot_of(database_url, held.motion_id, unit)
    assert choice == "yes"
    await _tamper(
        database_url,
        ("UPDATE ballots SET choice = 'no' WHERE id = $1", (ballot_id,)),
        (
            "UPDATE motion_units SET choice = 'no' WHERE motion_id = $1 AND household_id = $2",
            (held.motion_id, unit),
        ),
    )
    # ... and the tally of record recounted from the edited table, as a careful forger would
    conn = await connect_raw(database_url)
    try:
        motion = await get_motion(conn, held.motion_id)
        assert motion is not None
        forged = await recount(conn, motion)
    finally:
        await conn.close()
    await _tamper(
        database_url,
        (
            "UPDATE motions SET final_tally = $2 WHERE id = $1",
            (held.motion_id, msgspec.to_builtins(forged)),
        ),
    )
    code, out = await _verify(database_url, tmp_path)
    assert code == 1, out
    where = f"estate {held.voting.estate_id}, motion {held.motion_id}, unit {unit}"
    assert (
        f"MISMATCH {where}: ballot {ballot_id} says 'no' in the ballots table but the chain" in out
    ), out
    assert "committed 'yes'" in out
    assert "the tally of record" in out and "differs from the recount from the chain" in out
    assert out.rstrip().endswith("audit: FAILED")


async def test_a_deleted_ballot_is_named_with_its_unit_and_choice(
    held: Held, database_url: str, tmp_path: Path
) -> None:
    unit = held.voting.households["2栋/102"]  # D abstained
    ballot_id, choice = await _ballot_of(database_url, held.motion_id, unit)
    assert choice == "abstain"
    await _tamper(
        database_url,
        ("DELETE FROM ballots WHERE id = $1", (ballot_id,)),
        (
            "UPDATE motion_units SET choice = NULL, last_ballot_id = NULL "
            "WHERE motion_id = $1 AND household_id = $2",
            (held.motion_id, unit),
        ),
    )
    code, out = await _verify(database_url, tmp_path)
    assert code == 1, out
    where = f"estate {held.voting.estate_id}, motion {held.motion_id}, unit {unit}"
    assert (
        f"MISMATCH {where}: ballot {ballot_id} ('abstain') committed in the chain" in out
        and "is missing from the ballots table" in out
    ), out


async def test_a_truncated_tail_is_caught_against_the_printed_head(
    held: Held, database_url: str, tmp_path: Path
) -> None:
    assert held.head, "the minutes print the chain head at the meeting's close"
    estate_id = held.voting.estate_id
    # A careful forger removes the meeting's close from the chain, moves the stream head back
    # to the event before it and reopens the meeting: the tables and the chain agree again.
    await _tamper(
        database_url,
        ("DELETE FROM events WHERE estate_id = $1 AND seq >= $2", (estate_id, held.head_seq)),
        (
            """UPDATE event_streams SET last_seq = e.seq, last_hash = e.hash
               FROM events e WHERE e.estate_id = $1 AND e.seq = $2
                 AND event_streams.estate_id = $1""",
            (estate_id, held.head_seq - 1),
        ),
        (
            """UPDATE meetings SET status = 'open', closed_at = NULL,
                   close_head_seq = NULL, close_head_hash = NULL WHERE id = $1""",
            (held.meeting_id,),
        ),
    )
    code, out = await _verify(database_url, tmp_path)
    assert code == 0, out  # nothing inside the database can tell
    code, out = await _verify(database_url, tmp_path, "--expect-head", held.head)
    assert code == 1, out
    assert f"MISSING head {held.head}: it is not in the chain" in out, out


async def test_ballot_events_cut_from_the_tail_are_caught(
    held: Held, database_url: str, tmp_path: Path
) -> None:
    """A forger who cuts the last events (B's change of mind onwards) and moves the head
    back, but leaves the tables, is caught without any printed head."""
    estate_id = held.voting.estate_id
    conn = await connect_raw(database_url)
    try:
        casts = await conn.fetch(
            "SELECT seq FROM events WHERE estate_id = $1 AND type = 'ballot.cast' ORDER BY seq",
            estate_id,
        )
    finally:
        await conn.close()
    cut = casts[-1]["seq"]  # B's change of mind
    await _tamper(
        database_url,
        ("DELETE FROM events WHERE estate_id = $1 AND seq >= $2", (estate_id, cut)),
        (
            """UPDATE event_streams SET last_seq = e.seq, last_hash = e.hash
               FROM events e WHERE e.estate_id = $1 AND e.seq = $2
                 AND event_streams.estate_id = $1""",
            (estate_id, cut - 1),
        ),
    )
    code, out = await _verify(database_url, tmp_path)
    assert code == 1, out
    unit = held.voting.households["1栋/201"]  # B's
    assert f"motion {held.motion_id}, unit {unit}: ballot" in out, out
    assert "is in the ballots table but not in the chain" in out
    assert "closed in the table but the chain has no motion.closed" in out
    assert "which the chain no longer has" in out
