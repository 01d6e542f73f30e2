"""SQL of the live slice: reading the event stream and keeping meeting-room presence."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from planner.live.frames import LiveEvent, make_live_event
from planner.live.model import ExpiredPresence, PresentMember


async def events_after(
    conn: asyncpg.Connection, estate_id: int, after: int, limit: int = 500
) -> list[LiveEvent]:
    """Events of one estate with ``seq > after``, in seq order, frames encoded once."""
    rows = await conn.fetch(
        """SELECT seq, type, at, actor_id, audience, supplier_id, data::text AS data
           FROM events WHERE estate_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
        estate_id,
        after,
        limit,
    )
    return [
        make_live_event(
            estate_id=estate_id,
            seq=row["seq"],
            type=row["type"],
            at=row["at"],
            actor_id=row["actor_id"],
            audience=row["audience"],
            supplier_id=row["supplier_id"],
            data=row["data"],
        )
        for row in rows
    ]


async def stream_head(conn: asyncpg.Connection, estate_id: int) -> int:
    """The estate's last committed seq (0 before its first event)."""
    head = await conn.fetchval("SELECT last_seq FROM event_streams WHERE estate_id = $1", estate_id)
    return int(head or 0)


async def stream_heads(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> dict[int, int]:
    rows = await conn.fetch(
        "SELECT estate_id, last_seq FROM event_streams WHERE estate_id = ANY($1::bigint[])",
        list(estate_ids),
    )
    return {row["estate_id"]: row["last_seq"] for row in rows}


async def meeting_estate(conn: asyncpg.Connection, meeting_id: int) -> int | None:
    value = await conn.fetchval("SELECT estate_id FROM meetings WHERE id = $1", meeting_id)
    return int(value) if value is not None else None


async def member_present_elsewhere(
    conn: asyncpg.Connection, meeting_id: int, member_id: int, connection_id: str
) -> bool:
    """Whether the member is in the room through another socket (another tab or phone)."""
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM live_presence
               WHERE meeting_id = $1 AND member_id = $2 AND connection_id <> $3""",
            meeting_id,
            member_id,
            connection_id,
        )
    )


async def enter_room(
    conn: asyncpg.Connection,
    *,
    connection_id: str,
    instance_id: str,
    meeting_id: int,
    estate_id: int,
    member_id: int,
    display_name: str,
) -> bool:
    """Record the socket in the room; False when it was already there."""
    inserted = await conn.fetchval(
        """INSERT INTO live_presence
               (connection_id, meeting_id, estate_id, member_id, display_name, instance_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (connection_id, meeting_id) DO UPDATE SET last_seen = now()
           RETURNING (xmax = 0)""",
        connection_id,
        meeting_id,
        estate_id,
        member_id,
        display_name,
        instance_id,
    )
    return bool(inserted)


async def leave_room(conn: asyncpg.Connection, connection_id: str, meeting_id: int) -> bool:
    """Remove the socket from the room; False when it was not there."""
    status = await conn.execute(
        "DELETE FROM live_presence WHERE connection_id = $1 AND meeting_id = $2",
        connection_id,
        meeting_id,
    )
    return bool(status != "DELETE 0")


async def refresh_presence(conn: asyncpg.Connection, connection_ids: Sequence[str]) -> None:
    await conn.execute(
        "UPDATE live_presence SET last_seen = now() WHERE connection_id = ANY($1::text[])",
        list(connection_ids),
    )


async def delete_expired_presence(
    conn: asyncpg.Connection, window_s: float
) -> list[ExpiredPresence]:
    """Delete rows not refreshed within the window; one entry per member who left a room."""
    rows = await conn.fetch(
        """WITH gone AS (
               DELETE FROM live_presence
               WHERE last_seen < now() - make_interval(secs => $1)
               RETURNING estate_id, meeting_id, member_id, display_name)
           SELECT DISTINCT g.estate_id, g.meeting_id, g.member_id, g.display_name FROM gone g
           WHERE NOT EXISTS (
               -- the statement sees the table as it was before the DELETE: skip those rows
               SELECT 1 FROM live_presence p
               WHERE p.meeting_id = g.meeting_id AND p.member_id = g.member_id
                 AND p.last_seen >= now() - make_interval(secs => $1))""",
        window_s,
    )
    return [ExpiredPresence(**dict(row)) for row in rows]


async def present_members(
    conn: asyncpg.Connection, meeting_id: int, window_s: float
) -> list[PresentMember]:
    """Members in the room now: at least one socket refreshed within the window."""
    rows = await conn.fetch(
        """SELECT member_id, min(display_name) AS display_name, min(joined_at) AS since
           FROM live_presence
           WHERE meeting_id = $1 AND last_seen >= now() - make_interval(secs => $2)
           GROUP BY member_id ORDER BY min(joined_at), member_id""",
        meeting_id,
        window_s,
    )
    return [PresentMember(**dict(row)) for row in rows]
