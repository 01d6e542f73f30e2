"""Verifying the event hash chain (``planner audit verify``)."""

from __future__ import annotations

import asyncio

import asyncpg

from planner.events import Event, event_digest
from planner.settings import Settings


class BrokenLink(Exception):
    def __init__(self, estate_id: int, seq: int, reason: str) -> None:
        super().__init__(f"estate {estate_id}, seq {seq}: {reason}")
        self.estate_id = estate_id
        self.seq = seq
        self.reason = reason


async def verify_chain(conn: asyncpg.Connection) -> int:
    """Check every estate's chain; return the number of events checked.

    Raises ``BrokenLink`` at the first row whose content, previous hash or position is wrong.
    """
    checked = 0
    estates = await conn.fetch(
        "SELECT estate_id, last_seq, last_hash FROM event_streams ORDER BY 1"
    )
    for stream in estates:
        estate_id = stream["estate_id"]
        prev = b""
        expected_seq = 1
        async with conn.transaction():
            cursor = conn.cursor(
                """SELECT estate_id, seq, type, data, actor_id, at, audience, supplier_id,
                          prev_hash, hash FROM events WHERE estate_id = $1 ORDER BY seq""",
                estate_id,
            )
            async for row in cursor:
                if row["seq"] != expected_seq:
                    raise BrokenLink(estate_id, expected_seq, "event missing")
                if bytes(row["prev_hash"]) != prev:
                    raise BrokenLink(estate_id, row["seq"], "previous hash does not match")
                event = Event(
                    **{
                        k: row[k]
                        for k in (
                            "estate_id",
                            "seq",
                            "type",
                            "data",
                            "actor_id",
                            "at",
                            "audience",
                            "supplier_id",
                        )
                    }
                )
                digest = event_digest(prev, event)
                if digest != bytes(row["hash"]):
                    raise BrokenLink(estate_id, row["seq"], "content does not match its hash")
                prev = digest
                expected_seq += 1
                checked += 1
        if expected_seq - 1 != stream["last_seq"] or prev != bytes(stream["last_hash"]):
            raise BrokenLink(estate_id, expected_seq, "stream head does not match the last event")
    return checked


def verify_command(settings: Settings) -> int:
    from planner.db.pool import connect_raw
    from planner.runtime import with_database

    result = {"code": 0}

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            checked = await verify_chain(conn)
            print(f"audit: chain intact, {checked} events checked")
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
