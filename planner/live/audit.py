"""Verifying the event hash chain (``planner audit verify``)."""

from __future__ import annotations

import asyncio

import asyncpg

from planner.events import event_digest
from planner.live import audit_store
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
    for stream in await audit_store.stream_heads(conn):
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
                expected_seq += 1
                checked += 1
        if expected_seq - 1 != stream.last_seq or prev != stream.last_hash:
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
