"""Verifying the event hash chain (``planner audit verify``).

Three checks, in order: the chain itself (every event's hash over its content and the one
before it; the stream head at the last event), the votes recounted from the chain against the
ballots table and the recorded tallies (``ballot_audit``), and, with ``--expect-head``, that a
head printed earlier (in the minutes, on the receipts) is still in the chain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import asyncpg

from planner.events import Event, event_digest
from planner.live import audit_store
from planner.live.ballot_audit import ChainFacts, EstateVotes, recount_estate
from planner.settings import Settings


class BrokenLink(Exception):
    def __init__(self, estate_id: int, seq: int, reason: str) -> None:
        super().__init__(f"estate {estate_id}, seq {seq}: {reason}")
        self.estate_id = estate_id
        self.seq = seq
        self.reason = reason


async def verify_chain(
    conn: asyncpg.Connection, observe: Callable[[int], Callable[[Event], None]] | None = None
) -> int:
    """Check every estate's chain; return the number of events checked.

    ``observe(estate_id)`` gives a callback that sees each of the estate's events in order.
    Raises ``BrokenLink`` at the first row whose content, previous hash or position is wrong.
    """
    checked = 0
    for stream in await audit_store.stream_heads(conn):
        seen = observe(stream.estate_id) if observe is not None else None
        estate_id = stream.estate_id
        prev = b""
        expected_seq = 1
        async with conn.transaction():
            async for link in audit_store.chain(conn, estate_id):
                seq = link.event.seq
                if seq != expected_seq:
                    raise BrokenLink(estate_id, expected_seq, "event missing")
                if link.prev_hash != prev:
                    raise BrokenLink(estate_id, seq, "previous hash does not match")
                digest = event_digest(prev, link.event)
                if digest != link.hash:
                    raise BrokenLink(estate_id, seq, "content does not match its hash")
                prev = digest
                if seen is not None:
                    seen(link.event)
                expected_seq += 1
                checked += 1
        if expected_seq - 1 != stream.last_seq or prev != stream.last_hash:
            raise BrokenLink(estate_id, expected_seq, "stream head does not match the last event")
    return checked


async def verify_all(conn: asyncpg.Connection, expect_heads: Sequence[str] = ()) -> list[str]:
    """The whole audit as lines to print; the last says whether it passed (``audit: OK``).

    Raises ``BrokenLink`` as ``verify_chain`` does.
    """
    facts: dict[int, ChainFacts] = {}

    def observe(estate_id: int) -> Callable[[Event], None]:
        return facts.setdefault(estate_id, ChainFacts()).observe

    checked = await verify_chain(conn, observe)
    lines = [f"audit: chain intact, {checked} events checked"]
    votes = [await recount_estate(conn, e, f) for e, f in sorted(facts.items())]
    total = EstateVotes(
        motions=sum(v.motions for v in votes),
        ballots=sum(v.ballots for v in votes),
        legacy=sum(v.legacy for v in votes),
        problems=[p for v in votes for p in v.problems],
    )
    lines += [f"audit: MISMATCH {p}" for p in total.problems]
    if not total.problems:
        lines.append(
            f"audit: votes recounted from the chain: {total.motions} motions, {total.ballots} "
            "ballots agree with the ballots table and the recorded tallies"
        )
    if total.legacy:
        lines.append(
            f"audit: {total.legacy} motions were opened before ballot commitments (migration "
            "0010); their ballots are not covered by the chain"
        )
    failed = bool(total.problems)
    for expected in expect_heads:
        line, ok = await _expected_head(conn, expected)
        lines.append(line)
        failed = failed or not ok
    lines.append("audit: FAILED" if failed else "audit: OK")
    return lines


async def _expected_head(conn: asyncpg.Connection, expected: str) -> tuple[str, bool]:
    """Whether a printed head is an event of the (verified) chain, as a line and a verdict."""
    text = expected.strip().lower()
    try:
        digest = bytes.fromhex(text)
    except ValueError:
        digest = b""
    if len(digest) != 32:
        return f"audit: MISSING head {expected!r}: not a SHA-256 in hex (64 characters)", False
    found = await audit_store.find_hash(conn, digest)
    if not found:
        return (
            f"audit: MISSING head {text}: it is not in the chain (the chain was truncated "
            "before it, or rewritten, since it was printed)",
            False,
        )
    estate_id, seq = found[0]
    return f"audit: head {text} found: estate {estate_id}, seq {seq}", True


def verify_command(settings: Settings, expect_heads: Sequence[str] = ()) -> int:
    """``planner audit verify``: 0 when everything agrees, 1 otherwise (the lines say why)."""
    from planner.db.pool import connect_raw
    from planner.runtime import with_database

    result = {"code": 0}

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            lines = await verify_all(conn, expect_heads)
            print("\n".join(lines))
            if lines[-1] != "audit: OK":
                result["code"] = 1
        except BrokenLink as broken:
            print(f"audit: BROKEN at {broken}")
            result["code"] = 1
        finally:
            await conn.close()

    with_database(settings, work)
    return result["code"]


def run_verify(url: str) -> int:
    from planner.db.pool import connect_raw

    async def work() -> int:
        conn = await connect_raw(url)
        try:
            return await verify_chain(conn)
        finally:
            await conn.close()

    return asyncio.run(work())
