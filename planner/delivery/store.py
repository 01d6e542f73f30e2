"""SQL for works delivery: one function per query, returning Structs."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from planner.delivery.model import (
    AcceptanceRow,
    DefectOut,
    MilestoneRow,
    NewDefect,
    ProgressOut,
    SignatureOut,
)

_MILESTONE = """SELECT id, estate_id, work_id, title, planned, planned_start, planned_end,
    responsible_unit, responsible_person, weight_pct, percent, done_at, created_at
    FROM milestones"""


def _milestone(row: asyncpg.Record) -> MilestoneRow:
    return MilestoneRow(**dict(row))


async def insert_milestone(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    work_id: int,
    title: str,
    planned: str,
    start: date,
    end: date,
    unit: str,
    person: str,
    weight_pct: int | None,
    created_by: int,
) -> int:
    milestone_id: int = await conn.fetchval(
        """INSERT INTO milestones (estate_id, work_id, title, planned, planned_start, planned_end,
               responsible_unit, responsible_person, weight_pct, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        estate_id,
        work_id,
        title,
        planned,
        start,
        end,
        unit,
        person,
        weight_pct,
        created_by,
    )
    return milestone_id


async def get_milestone(
    conn: asyncpg.Connection, milestone_id: int, *, lock: bool = False
) -> MilestoneRow | None:
    row = await conn.fetchrow(
        _MILESTONE + " WHERE id = $1" + (" FOR UPDATE" if lock else ""), milestone_id
    )
    return _milestone(row) if row else None


async def list_milestones(conn: asyncpg.Connection, work_id: int) -> list[MilestoneRow]:
    rows = await conn.fetch(_MILESTONE + " WHERE work_id = $1 ORDER BY planned_end, id", work_id)
    return [_milestone(r) for r in rows]


async def estate_milestones(conn: asyncpg.Connection, estate_id: int) -> list[MilestoneRow]:
    rows = await conn.fetch(
        _MILESTONE + " WHERE estate_id = $1 ORDER BY work_id, planned_end, id", estate_id
    )
    return [_milestone(r) for r in rows]


async def update_milestone(conn: asyncpg.Connection, m: MilestoneRow) -> None:
    await conn.execute(
        """UPDATE milestones SET title = $2, planned = $3, planned_start = $4, planned_end = $5,
               responsible_unit = $6, responsible_person = $7, weight_pct = $8
           WHERE id = $1""",
        m.id,
        m.title,
        m.planned,
        m.planned_start,
        m.planned_end,
        m.responsible_unit,
        m.responsible_person,
        m.weight_pct,
    )


async def set_percent(
    conn: asyncpg.Connection, milestone_id: int, percent: int, done_at: datetime | None
) -> None:
    await conn.execute(
        "UPDATE milestones SET percent = $2, done_at = $3 WHERE id = $1",
        milestone_id,
        percent,
        done_at,
    )


async def insert_progress(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    milestone_id: int,
    percent: int,
    note: str,
    photos: list[str],
    recorded_by: int,
    at: datetime,
) -> int:
    progress_id: int = await conn.fetchval(
        """INSERT INTO progress_updates (estate_id, milestone_id, percent, note, photo_sha256s,
               recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        estate_id,
        milestone_id,
        percent,
        note,
        photos,
        recorded_by,
        at,
    )
    return progress_id


async def progress_of_work(conn: asyncpg.Connection, work_id: int) -> list[ProgressOut]:
    rows = await conn.fetch(
        """SELECT p.id, p.milestone_id, p.percent, p.note, p.photo_sha256s, p.recorded_by,
                  p.recorded_at
           FROM progress_updates p JOIN milestones m ON m.id = p.milestone_id
           WHERE m.work_id = $1 ORDER BY p.id""",
        work_id,
    )
    return [ProgressOut(**{**dict(r), "photo_sha256s": list(r["photo_sha256s"])}) for r in rows]


async def work_has_progress(conn: asyncpg.Connection, work_id: int) -> bool:
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM progress_updates p JOIN milestones m ON m.id = p.milestone_id
               WHERE m.work_id = $1 LIMIT 1""",
            work_id,
        )
    )


async def building_ids_of_households(
    conn: asyncpg.Connection, estate_id: int, household_ids: list[int]
) -> list[int]:
    rows = await conn.fetch(
        "SELECT DISTINCT building_id FROM households WHERE estate_id = $1 AND id = ANY($2)",
        estate_id,
        household_ids,
    )
    return [r["building_id"] for r in rows]


# acceptance


async def insert_acceptance(
    conn: asyncpg.Connection, estate_id: int, work_id: int, opened_by: int, at: datetime
) -> int | None:
    """The new acceptance's id, or None when the work has one already."""
    acceptance_id: int | None = await conn.fetchval(
        """INSERT INTO acceptances (estate_id, work_id, opened_by, opened_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT (work_id) DO NOTHING RETURNING id""",
        estate_id,
        work_id,
        opened_by,
        at,
    )
    return acceptance_id


async def insert_defects(
    conn: asyncpg.Connection, estate_id: int, acceptance_id: int, defects: list[NewDefect]
) -> None:
    await conn.executemany(
        """INSERT INTO defects (estate_id, acceptance_id, description, photo_sha256)
           VALUES ($1, $2, $3, $4)""",
        [(estate_id, acceptance_id, d.description, d.photo_sha256) for d in defects],
    )


_ACCEPTANCE = "SELECT id, estate_id, work_id, opened_by, opened_at, accepted_at FROM acceptances"


async def get_acceptance(
    conn: asyncpg.Connection, acceptance_id: int, *, lock: bool = False
) -> AcceptanceRow | None:
    row = await conn.fetchrow(
        _ACCEPTANCE + " WHERE id = $1" + (" FOR UPDATE" if lock else ""), acceptance_id
    )
    return AcceptanceRow(**dict(row)) if row else None


async def acceptance_of_work(conn: asyncpg.Connection, work_id: int) -> AcceptanceRow | None:
    row = await conn.fetchrow(_ACCEPTANCE + " WHERE work_id = $1", work_id)
    return AcceptanceRow(**dict(row)) if row else None


async def accepted_work_ids(conn: asyncpg.Connection, estate_id: int) -> set[int]:
    rows = await conn.fetch(
        "SELECT work_id FROM acceptances WHERE estate_id = $1 AND accepted_at IS NOT NULL",
        estate_id,
    )
    return {r["work_id"] for r in rows}


async def defects(conn: asyncpg.Connection, acceptance_id: int) -> list[DefectOut]:
    rows = await conn.fetch(
        """SELECT id, acceptance_id, description, photo_sha256, fixed, recheck_note,
                  rechecked_by, rechecked_at
           FROM defects WHERE acceptance_id = $1 ORDER BY id""",
        acceptance_id,
    )
    return [DefectOut(**dict(r)) for r in rows]


async def get_defect(conn: asyncpg.Connection, defect_id: int) -> tuple[int, int] | None:
    """(estate_id, acceptance_id) of the defect."""
    row = await conn.fetchrow(
        "SELECT estate_id, acceptance_id FROM defects WHERE id = $1", defect_id
    )
    return (row["estate_id"], row["acceptance_id"]) if row else None


async def recheck_defect(
    conn: asyncpg.Connection, defect_id: int, fixed: bool, note: str, by: int, at: datetime
) -> None:
    await conn.execute(
        """UPDATE defects SET fixed = $2, recheck_note = $3, rechecked_by = $4, rechecked_at = $5
           WHERE id = $1""",
        defect_id,
        fixed,
        note,
        by,
        at,
    )


async def signatures(conn: asyncpg.Connection, acceptance_id: int) -> list[SignatureOut]:
    rows = await conn.fetch(
        """SELECT member_id, display_name, capacity, signed_at FROM acceptance_signatures
           WHERE acceptance_id = $1 ORDER BY signed_at, member_id""",
        acceptance_id,
    )
    return [SignatureOut(**dict(r)) for r in rows]


async def insert_signature(
    conn: asyncpg.Connection,
    acceptance_id: int,
    member_id: int,
    capacity: str,
    display_name: str,
    at: datetime,
) -> bool:
    """False when the member signed already."""
    status = await conn.execute(
        """INSERT INTO acceptance_signatures
               (acceptance_id, member_id, capacity, display_name, signed_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        acceptance_id,
        member_id,
        capacity,
        display_name,
        at,
    )
    return bool(status.endswith(" 1"))


async def set_accepted(conn: asyncpg.Connection, acceptance_id: int, at: datetime) -> None:
    await conn.execute("UPDATE acceptances SET accepted_at = $2 WHERE id = $1", acceptance_id, at)
