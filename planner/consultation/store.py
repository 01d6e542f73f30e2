"""SQL for written consultations: one function per query, taking a connection.

The consultation's meeting (title, scope, motions, roll, ballots) is deliberation's; this
module reads and writes the ``consultations`` row and joins the meeting where an answer
needs it.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from planner.consultation.model import (
    ConsultationChange,
    ConsultationOut,
    ConsultationRow,
    ConsultationStatus,
)

_OUT_SQL = """
    SELECT c.id, c.estate_id, me.title, c.status, me.scope_building_ids, c.notice_days,
           c.opens_at, c.closes_at, c.both_channels, c.rule_set, c.open_ballot,
           c.published_at, c.opened_at, c.closed_at, c.closed_by, c.announced_at,
           me.created_at, c.public_token, c.record_digest
    FROM consultations c JOIN meetings me ON me.id = c.id
"""
_ROW_COLUMNS = """id, estate_id, status, notice_days, opens_at, closes_at, rule_set,
                  both_channels, open_ballot"""


def _out(row: asyncpg.Record) -> ConsultationOut:
    return ConsultationOut(**{**dict(row), "scope_building_ids": list(row["scope_building_ids"])})


async def estate_defaults(conn: asyncpg.Connection, estate_id: int) -> tuple[int, str] | None:
    """The estate's notice period (days) and rule set; None for a missing estate."""
    row = await conn.fetchrow("SELECT notice_days, rule_set FROM estates WHERE id = $1", estate_id)
    return None if row is None else (row["notice_days"], row["rule_set"])


async def insert_consultation(
    conn: asyncpg.Connection,
    meeting_id: int,
    estate_id: int,
    *,
    notice_days: int,
    opens_at: datetime,
    closes_at: datetime,
    both_channels: str,
    rule_set: str,
    open_ballot: bool,
    public_token: str,
) -> None:
    await conn.execute(
        """INSERT INTO consultations (id, estate_id, notice_days, opens_at, closes_at,
                                      both_channels, rule_set, open_ballot, public_token)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        meeting_id,
        estate_id,
        notice_days,
        opens_at,
        closes_at,
        both_channels,
        rule_set,
        open_ballot,
        public_token,
    )


async def get_out(conn: asyncpg.Connection, consultation_id: int) -> ConsultationOut | None:
    row = await conn.fetchrow(_OUT_SQL + " WHERE c.id = $1", consultation_id)
    return None if row is None else _out(row)


async def get_by_token(conn: asyncpg.Connection, token: str) -> ConsultationOut | None:
    row = await conn.fetchrow(_OUT_SQL + " WHERE c.public_token = $1", token)
    return None if row is None else _out(row)


async def list_for_estate(
    conn: asyncpg.Connection, estate_id: int, *, drafts: bool
) -> list[ConsultationOut]:
    rows = await conn.fetch(
        _OUT_SQL + " WHERE c.estate_id = $1 AND ($2 OR c.status <> 'draft') ORDER BY c.id DESC",
        estate_id,
        drafts,
    )
    return [_out(r) for r in rows]


async def lock(
    conn: asyncpg.Connection, consultation_id: int, *, skip_locked: bool = False
) -> ConsultationRow | None:
    """The consultation's row, locked until the transaction ends (``skip_locked``: None when
    another transaction holds it, as for a missing one)."""
    row = await conn.fetchrow(
        f"SELECT {_ROW_COLUMNS} FROM consultations WHERE id = $1 FOR UPDATE"
        + (" SKIP LOCKED" if skip_locked else ""),
        consultation_id,
    )
    return None if row is None else ConsultationRow(**dict(row))


async def update_draft(
    conn: asyncpg.Connection, consultation_id: int, change: ConsultationChange
) -> None:
    await conn.execute(
        """UPDATE consultations SET
               opens_at = coalesce($2, opens_at), closes_at = coalesce($3, closes_at),
               notice_days = coalesce($4, notice_days),
               both_channels = coalesce($5, both_channels), rule_set = coalesce($6, rule_set),
               open_ballot = coalesce($7, open_ballot)
           WHERE id = $1""",
        consultation_id,
        change.opens_at,
        change.closes_at,
        change.notice_days,
        change.both_channels,
        change.rule_set,
        change.open_ballot,
    )
    await conn.execute(
        """UPDATE meetings SET title = coalesce($2, title),
                               scope_building_ids = coalesce($3, scope_building_ids)
           WHERE id = $1""",
        consultation_id,
        change.title,
        sorted(set(change.scope_building_ids)) if change.scope_building_ids is not None else None,
    )


async def freeze_motion_rules(conn: asyncpg.Connection, consultation_id: int) -> None:
    """Give the consultation's motions its rule set and both-channels rule (at publication)."""
    await conn.execute(
        """UPDATE motions m SET rule_set = c.rule_set,
                                paper_prevails = (c.both_channels = 'paper'),
                                hide_results = NOT c.open_ballot
           FROM consultations c WHERE c.id = $1 AND m.meeting_id = c.id""",
        consultation_id,
    )


_STATUS_COLUMNS: dict[ConsultationStatus, tuple[str, str | None]] = {
    "noticed": ("published_at", "published_by"),
    "open": ("opened_at", None),
    "closed": ("closed_at", "closed_by"),
    "announced": ("announced_at", "announced_by"),
}


async def set_status(
    conn: asyncpg.Connection,
    consultation_id: int,
    status: ConsultationStatus,
    at: datetime | None,
    by: int | None,
) -> None:
    """Record a step; ``at`` None: the transaction's time."""
    when, who = _STATUS_COLUMNS[status]
    sets = f"status = $2, {when} = coalesce($3, now())" + (f", {who} = $4" if who else "")
    await conn.execute(
        f"UPDATE consultations SET {sets} WHERE id = $1",
        consultation_id,
        status,
        at,
        *((by,) if who else ()),
    )


async def due(conn: asyncpg.Connection, limit: int = 100) -> list[tuple[int, ConsultationStatus]]:
    """Consultations whose schedule has a step to take now: (id, current status), earliest
    first (noticed ones whose opening time has come, open ones whose closing time has)."""
    rows = await conn.fetch(
        """(SELECT id, status, opens_at AS at FROM consultations
            WHERE status = 'noticed' AND opens_at <= clock_timestamp())
           UNION ALL
           (SELECT id, status, closes_at AS at FROM consultations
            WHERE status = 'open' AND closes_at <= clock_timestamp())
           ORDER BY at, id LIMIT $1""",
        limit,
    )
    return [(r["id"], r["status"]) for r in rows]


async def seconds_to_next_step(conn: asyncpg.Connection) -> float | None:
    """Seconds until the earliest scheduled opening or closing (None: nothing scheduled)."""
    value = await conn.fetchval(
        """SELECT extract(epoch FROM least(
                      (SELECT min(opens_at) FROM consultations WHERE status = 'noticed'),
                      (SELECT min(closes_at) FROM consultations WHERE status = 'open'))
                  - clock_timestamp())::float8"""
    )
    return None if value is None else float(value)


async def everyone_voted(conn: asyncpg.Connection, consultation_id: int) -> bool:
    """Whether every owner in scope took part in every motion (the early close's condition)."""
    value: bool = await conn.fetchval(
        """SELECT bool_and(participating_units = total_units) FROM motions
           WHERE meeting_id = $1 AND status = 'open'""",
        consultation_id,
    )
    return bool(value)
