"""The per-estate event stream: audit trail and live feed in one table.

``append_event`` must be called inside the transaction that makes the change. It locks the
estate's stream row until that transaction ends, so an event with a higher ``seq`` is never
visible before a lower one: readers that fetch ``seq > n`` in order never skip a row.
Each row carries the SHA-256 of its content chained to the previous row's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import msgspec

Audience = Literal["all", "members", "staff", "supplier", "bidder", "wishes", "auction"]
NOTIFY_CHANNEL = "planner_events"

# The clock events are dated by: the wall clock, except while ``planner demo`` plays its
# history in-process (``planner.demo.loader`` sets its story clock here), when each event is
# dated at its story time, in the same row and hash as ever. No request can set it.
event_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("event_clock", default=None)


def event_now() -> datetime:
    """The time a step is recorded at: the demo's story clock while it plays, else now."""
    clock = event_clock.get()
    return clock() if clock is not None else datetime.now(UTC)


class Event(msgspec.Struct, kw_only=True):
    estate_id: int
    seq: int
    type: str
    data: Any
    actor_id: int | None
    at: datetime
    audience: str
    supplier_id: int | None = None


class EventOut(msgspec.Struct, kw_only=True):
    """What clients receive: ``{seq, type, at, data}``."""

    seq: int
    type: str
    at: datetime
    data: Any


def event_digest(prev_hash: bytes, event: Event) -> bytes:
    """The chained hash of one event (content canonicalised with sorted keys)."""
    content = {
        "estate_id": event.estate_id,
        "seq": event.seq,
        "type": event.type,
        "data": event.data,
        "actor_id": event.actor_id,
        "at": event.at.astimezone(UTC).isoformat(),
        "audience": event.audience,
        "supplier_id": event.supplier_id,
    }
    return hashlib.sha256(prev_hash + msgspec.json.encode(content, order="sorted")).digest()


class NewEvent(msgspec.Struct, kw_only=True, frozen=True):
    """One event for ``append_events``: the arguments of ``append_event``."""

    type: str
    data: Any
    actor_id: int | None
    audience: Audience = "members"
    supplier_id: int | None = None


async def append_event(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    type: str,
    data: Any,
    actor_id: int | None,
    audience: Audience = "members",
    supplier_id: int | None = None,
) -> int:
    """Record one event in the caller's transaction and ring the doorbell at commit.

    Returns the estate's new ``seq``.
    """
    new = NewEvent(
        type=type, data=data, actor_id=actor_id, audience=audience, supplier_id=supplier_id
    )
    return await append_events(conn, estate_id=estate_id, events=[new])


#: Appends the events (arrays in seq order), moves the stream's head and rings the doorbell
#: once per event, in ONE statement: every data-modifying CTE runs to completion whatever
#: the outer query reads, and the notifications are sent at commit as ``NOTIFY`` would.
_APPEND_SQL = f"""WITH e AS (
        INSERT INTO events (estate_id, seq, type, data, actor_id, at, audience, supplier_id,
                            prev_hash, hash)
        SELECT $1, t.seq, t.type, t.data, t.actor_id, t.at, t.audience, t.supplier_id,
               t.prev_hash, t.hash
        FROM unnest($2::bigint[], $3::text[], $4::jsonb[], $5::bigint[], $6::timestamptz[],
                    $7::text[], $8::bigint[], $9::bytea[], $10::bytea[])
             AS t(seq, type, data, actor_id, at, audience, supplier_id, prev_hash, hash)
        ORDER BY t.seq),
    s AS (
        UPDATE event_streams SET last_seq = $11, last_hash = $12 WHERE estate_id = $1)
    SELECT pg_notify('{NOTIFY_CHANNEL}', $1::text || ':' || n::text)
    FROM unnest($2::bigint[]) AS n ORDER BY n"""


async def append_events(conn: asyncpg.Connection, *, estate_id: int, events: list[NewEvent]) -> int:
    """Record events in order in the caller's transaction (one lock of the estate's stream,
    one write) and ring the doorbell for each at commit, exactly as ``append_event`` called
    once per event would. Returns the estate's new ``seq``."""
    if not conn.is_in_transaction():
        raise RuntimeError("append_event must run inside the change's transaction")
    row = await conn.fetchrow(
        "SELECT last_seq, last_hash FROM event_streams WHERE estate_id = $1 FOR UPDATE",
        estate_id,
    )
    if row is None:
        await conn.execute(
            "INSERT INTO event_streams (estate_id) VALUES ($1) ON CONFLICT DO NOTHING", estate_id
        )
        row = await conn.fetchrow(
            "SELECT last_seq, last_hash FROM event_streams WHERE estate_id = $1 FOR UPDATE",
            estate_id,
        )
    assert row is not None
    clock = event_clock.get()
    seq = row["last_seq"]
    digest = bytes(row["last_hash"])
    made: list[tuple[Event, bytes, bytes]] = []
    for new in events:
        seq += 1
        event = Event(
            estate_id=estate_id,
            seq=seq,
            type=new.type,
            data=msgspec.to_builtins(new.data),
            actor_id=new.actor_id,
            at=clock() if clock is not None else datetime.now(UTC),
            audience=new.audience,
            supplier_id=new.supplier_id,
        )
        prev_hash = digest
        digest = event_digest(prev_hash, event)
        made.append((event, prev_hash, digest))
    if not made:
        return int(seq)
    await conn.fetch(
        _APPEND_SQL,
        estate_id,
        [e.seq for e, _, _ in made],
        [e.type for e, _, _ in made],
        [e.data for e, _, _ in made],
        [e.actor_id for e, _, _ in made],
        [e.at for e, _, _ in made],
        [e.audience for e, _, _ in made],
        [e.supplier_id for e, _, _ in made],
        [p for _, p, _ in made],
        [d for _, _, d in made],
        seq,
        digest,
    )
    return int(seq)


async def events_after(
    conn: asyncpg.Connection, estate_id: int, after: int, limit: int = 1000
) -> list[Event]:
    """Events of one estate with ``seq > after``, in order (no visibility filter)."""
    rows = await conn.fetch(
        """SELECT estate_id, seq, type, data, actor_id, at, audience, supplier_id
           FROM events WHERE estate_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
        estate_id,
        after,
        limit,
    )
    return [Event(**dict(r)) for r in rows]


async def stream_head(conn: asyncpg.Connection, estate_id: int) -> tuple[int, bytes]:
    """The estate's last ``seq`` and its chained hash (``(0, b"")`` for an empty stream).

    Right after ``append_event`` in the same transaction, this is the head that event made.
    """
    row = await conn.fetchrow(
        "SELECT last_seq, last_hash FROM event_streams WHERE estate_id = $1", estate_id
    )
    if row is None:
        return 0, b""
    return row["last_seq"], bytes(row["last_hash"])
