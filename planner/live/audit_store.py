"""SQL of the audit: the event streams' heads and their events with the stored hashes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import msgspec

from planner.events import Event


class StreamHead(msgspec.Struct, frozen=True, kw_only=True):
    estate_id: int
    last_seq: int
    last_hash: bytes


class ChainLink(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event with the hash of the one before it and its own."""

    event: Event
    prev_hash: bytes
    hash: bytes


async def stream_heads(conn: asyncpg.Connection) -> list[StreamHead]:
    rows = await conn.fetch("SELECT estate_id, last_seq, last_hash FROM event_streams ORDER BY 1")
    return [
        StreamHead(
            estate_id=r["estate_id"], last_seq=r["last_seq"], last_hash=bytes(r["last_hash"])
        )
        for r in rows
    ]


async def chain(conn: asyncpg.Connection, estate_id: int) -> AsyncIterator[ChainLink]:
    """The estate's events in seq order, read by a cursor (call inside a transaction)."""
    cursor = conn.cursor(
        """SELECT estate_id, seq, type, data, actor_id, at, audience, supplier_id,
                  prev_hash, hash FROM events WHERE estate_id = $1 ORDER BY seq""",
        estate_id,
    )
    async for row in cursor:
        yield ChainLink(
            event=Event(
                estate_id=row["estate_id"],
                seq=row["seq"],
                type=row["type"],
                data=row["data"],
                actor_id=row["actor_id"],
                at=row["at"],
                audience=row["audience"],
                supplier_id=row["supplier_id"],
            ),
            prev_hash=bytes(row["prev_hash"]),
            hash=bytes(row["hash"]),
        )


async def hash_at(conn: asyncpg.Connection, estate_id: int, seq: int) -> bytes | None:
    """The stored hash of one event (None when the estate has no such seq)."""
    found = await conn.fetchval(
        "SELECT hash FROM events WHERE estate_id = $1 AND seq = $2", estate_id, seq
    )
    return bytes(found) if found is not None else None


async def find_hash(conn: asyncpg.Connection, digest: bytes) -> list[tuple[int, int]]:
    """(estate, seq) of the events whose chained hash is ``digest``."""
    rows = await conn.fetch("SELECT estate_id, seq FROM events WHERE hash = $1", digest)
    return [(r["estate_id"], r["seq"]) for r in rows]
