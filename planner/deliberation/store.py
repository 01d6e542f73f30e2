"""SQL for meetings and motions: one function per query, taking a connection and returning Structs.

Ballots, running counts and receipts are in ``ballot_store``; delegations in ``delegation_store``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from planner.deliberation.model import (
    AgendaItemOut,
    MeetingKindOut,
    MeetingOut,
    MotionRow,
    NewMeeting,
    NewMotion,
)
from planner.deliberation.rules import UnitInScope, rule_for

_MEETING_COLUMNS = """id, estate_id, title, kind, scope_building_ids, scheduled_at, status,
                      created_at, opened_at, closed_at"""
# A motion with its meeting's status and scope (``ballot_store`` reads it inside a larger query).
MOTION_SQL = """
    SELECT mo.id, mo.meeting_id, mo.estate_id, mo.title, mo.text, mo.matter, mo.work_id,
           mo.hide_results, mo.status, mo.opened_at, mo.closed_at, mo.final_tally,
           mo.rule_set, mo.paper_prevails, me.status AS meeting_status, me.scope_building_ids
    FROM motions mo JOIN meetings me ON me.id = mo.meeting_id
"""


def _meeting(row: asyncpg.Record) -> MeetingOut:
    return MeetingOut(**{**dict(row), "scope_building_ids": list(row["scope_building_ids"])})


def motion_row(values: Mapping[str, Any]) -> MotionRow:
    """A ``MotionRow`` from the columns of ``MOTION_SQL`` (its rule follows from the matter)."""
    return MotionRow(
        **{
            **values,
            "rule": rule_for(values["matter"], values["rule_set"]),
            "scope_building_ids": list(values["scope_building_ids"]),
        }
    )


async def insert_meeting(
    conn: asyncpg.Connection,
    estate_id: int,
    data: NewMeeting,
    agenda: Sequence[tuple[str, int | None]],
    created_by: int,
    kind: MeetingKindOut | None = None,
) -> int:
    """A meeting of ``data``'s kind, or of ``kind`` (a written consultation's)."""
    meeting_id: int = await conn.fetchval(
        """INSERT INTO meetings (estate_id, title, kind, scope_building_ids, scheduled_at,
                                 created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        estate_id,
        data.title,
        kind or data.kind,
        sorted(set(data.scope_building_ids)),
        data.scheduled_at,
        created_by,
    )
    if agenda:
        await conn.executemany(
            "INSERT INTO agenda_items (meeting_id, position, text, work_id) VALUES ($1,$2,$3,$4)",
            [(meeting_id, i, text, work) for i, (text, work) in enumerate(agenda, start=1)],
        )
    return meeting_id


async def get_meeting(conn: asyncpg.Connection, meeting_id: int) -> MeetingOut | None:
    row = await conn.fetchrow(f"SELECT {_MEETING_COLUMNS} FROM meetings WHERE id = $1", meeting_id)
    if row is None:
        return None
    agenda = await conn.fetch(
        "SELECT position, text, work_id FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        meeting_id,
    )
    motions = await list_motions(conn, meeting_id)
    meeting = _meeting(row)
    meeting.agenda = [AgendaItemOut(**dict(a)) for a in agenda]
    meeting.motions = [m.out() for m in motions]
    return meeting


async def list_meetings(conn: asyncpg.Connection, estate_id: int) -> list[MeetingOut]:
    rows = await conn.fetch(
        f"""SELECT {_MEETING_COLUMNS} FROM meetings
            WHERE estate_id = $1 AND kind <> 'written_consultation' ORDER BY id DESC""",
        estate_id,
    )
    return [_meeting(r) for r in rows]


async def lock_meeting(conn: asyncpg.Connection, meeting_id: int) -> MeetingOut | None:
    row = await conn.fetchrow(
        f"SELECT {_MEETING_COLUMNS} FROM meetings WHERE id = $1 FOR UPDATE", meeting_id
    )
    return _meeting(row) if row else None


async def set_meeting_status(conn: asyncpg.Connection, meeting_id: int, status: str) -> None:
    column = "opened_at" if status == "open" else "closed_at"
    await conn.execute(
        f"UPDATE meetings SET status = $2, {column} = now() WHERE id = $1", meeting_id, status
    )


async def insert_motion(
    conn: asyncpg.Connection, meeting_id: int, estate_id: int, data: NewMotion, created_by: int
) -> int:
    motion_id: int = await conn.fetchval(
        """INSERT INTO motions (meeting_id, estate_id, title, text, matter, work_id,
                                hide_results, created_by, rule_set, paper_prevails)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                   coalesce((SELECT rule_set FROM consultations WHERE id = $1),
                            (SELECT rule_set FROM estates WHERE id = $2)),
                   coalesce((SELECT both_channels = 'paper' FROM consultations WHERE id = $1),
                            false))
           RETURNING id""",
        meeting_id,
        estate_id,
        data.title,
        data.text,
        data.matter,
        data.work_id,
        data.hide_results,
        created_by,
    )
    return motion_id


async def get_motion(
    conn: asyncpg.Connection, motion_id: int, lock: bool = False
) -> MotionRow | None:
    # NO KEY UPDATE, not UPDATE: casts hold KEY SHARE on the motion row (their ballots' foreign
    # key) and keep joining it, so a FOR UPDATE waiter could starve behind a stream of casts.
    sql = MOTION_SQL + " WHERE mo.id = $1" + (" FOR NO KEY UPDATE OF mo" if lock else "")
    row = await conn.fetchrow(sql, motion_id)
    return motion_row(dict(row)) if row else None


async def list_motions(conn: asyncpg.Connection, meeting_id: int) -> list[MotionRow]:
    rows = await conn.fetch(MOTION_SQL + " WHERE mo.meeting_id = $1 ORDER BY mo.id", meeting_id)
    return [motion_row(dict(r)) for r in rows]


async def scope_units(
    conn: asyncpg.Connection, estate_id: int, building_ids: Sequence[int]
) -> list[UnitInScope]:
    """The estate's households in the given buildings (all buildings when empty)."""
    rows = await conn.fetch(
        """SELECT id, owner_key, area_m2 FROM households
           WHERE estate_id = $1 AND (cardinality($2::bigint[]) = 0 OR building_id = ANY($2))
           ORDER BY id""",
        estate_id,
        list(building_ids),
    )
    return [
        UnitInScope(household_id=r["id"], owner_key=r["owner_key"], area_m2=r["area_m2"])
        for r in rows
    ]


async def open_motion(
    conn: asyncpg.Connection,
    motion_id: int,
    estate_id: int,
    building_ids: Sequence[int],
    ballot_secret: bytes,
) -> None:
    """Freeze the roll (units in scope, one row per person), keep the ballot commitments'
    secret and start the running counts."""
    await conn.execute(
        """INSERT INTO motion_units (motion_id, household_id, person_key, area)
           SELECT $1, id, owner_key, (area_m2 * 100)::bigint FROM households
           WHERE estate_id = $2 AND (cardinality($3::bigint[]) = 0 OR building_id = ANY($3))""",
        motion_id,
        estate_id,
        list(building_ids),
    )
    await conn.execute(
        """INSERT INTO motion_persons (motion_id, person_key)
           SELECT DISTINCT $1::bigint, person_key FROM motion_units WHERE motion_id = $1""",
        motion_id,
    )
    await conn.execute(
        """UPDATE motions SET status = 'open', opened_at = now(), ballot_secret = $2,
               total_area = t.area, total_units = t.units, total_owners = t.owners
           FROM (SELECT coalesce(sum(area), 0) AS area, count(*) AS units,
                        count(DISTINCT person_key) AS owners
                 FROM motion_units WHERE motion_id = $1) AS t
           WHERE id = $1""",
        motion_id,
        ballot_secret,
    )


async def close_motion(conn: asyncpg.Connection, motion_id: int, final_tally: Any) -> None:
    """``closed_at`` is the moment of the close under the row's lock (``clock_timestamp()``),
    not its transaction's start: a ballot that committed while the close waited for the lock
    is counted, and its ``cast_at`` must not come after the close."""
    await conn.execute(
        "UPDATE motions SET status = 'closed', closed_at = clock_timestamp(), final_tally = $2 "
        "WHERE id = $1",
        motion_id,
        msgspec.to_builtins(final_tally),
    )


async def set_close_head(
    conn: asyncpg.Connection, what: str, row_id: int, seq: int, head: bytes
) -> None:
    """Keep the event-stream head recorded with a motion's or a meeting's close."""
    table = {"motion": "motions", "meeting": "meetings"}[what]
    await conn.execute(
        f"UPDATE {table} SET close_head_seq = $2, close_head_hash = $3 WHERE id = $1",
        row_id,
        seq,
        head,
    )


async def close_head(conn: asyncpg.Connection, what: str, row_id: int) -> tuple[int, bytes] | None:
    """The event-stream head recorded with a motion's or a meeting's close (None before)."""
    table = {"motion": "motions", "meeting": "meetings"}[what]
    row = await conn.fetchrow(
        f"SELECT close_head_seq, close_head_hash FROM {table} WHERE id = $1", row_id
    )
    if row is None or row["close_head_hash"] is None:
        return None
    return row["close_head_seq"], bytes(row["close_head_hash"])


async def building_names(conn: asyncpg.Connection, building_ids: Sequence[int]) -> list[str]:
    rows = await conn.fetch(
        "SELECT name FROM buildings WHERE id = ANY($1::bigint[]) ORDER BY name", list(building_ids)
    )
    return [r["name"] for r in rows]
