"""SQL for works: one function per query, returning Structs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from planner.db.store import ids_outside_estate
from planner.works.model import NewWork, WorkOut
from planner.works.rules import WorkBenefit

_COLUMNS = """
    w.id, w.estate_id, w.title, w.category, w.description, w.urgency, w.difficulty,
    w.scope_building_ids, w.benefit_rule, w.floor_factors, w.estimate_fen,
    w.awarded_total_fen, w.awarded_quote_id, w.awarded_round, w.status, w.sealed_until,
    w.opened_at, w.requires_motion, w.created_at,
    (SELECT q.supplier_id FROM quotes q WHERE q.id = w.awarded_quote_id) AS awarded_supplier_id
"""


def work_from_row(row: asyncpg.Record, now: datetime | None = None) -> WorkOut:
    now = now or datetime.now(UTC)
    factors: dict[str, Any] = row["floor_factors"] or {}
    awarded = row["awarded_total_fen"]
    sealed_until = row["sealed_until"]
    return WorkOut(
        id=row["id"],
        estate_id=row["estate_id"],
        title=row["title"],
        category=row["category"],
        description=row["description"],
        urgency=row["urgency"],
        difficulty=row["difficulty"],
        scope_building_ids=list(row["scope_building_ids"]),
        benefit_rule=row["benefit_rule"],
        floor_factors={int(k): Decimal(str(v)) for k, v in factors.items()},
        estimate_fen=row["estimate_fen"],
        awarded_total_fen=awarded,
        awarded_quote_id=row["awarded_quote_id"],
        awarded_round=row["awarded_round"],
        awarded_supplier_id=row["awarded_supplier_id"],
        cost_fen=awarded if awarded is not None else row["estimate_fen"],
        status=row["status"],
        sealed_until=sealed_until,
        sealed=sealed_until is not None and now < sealed_until,
        opened_at=row["opened_at"],
        requires_motion=row["requires_motion"],
        created_at=row["created_at"],
    )


async def insert_work(
    conn: asyncpg.Connection, estate_id: int, work: NewWork, created_by: int
) -> WorkOut:
    row = await conn.fetchrow(
        """INSERT INTO works (estate_id, title, category, description, urgency, difficulty,
                              scope_building_ids, benefit_rule, floor_factors, estimate_fen,
                              sealed_until, requires_motion, created_by, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            RETURNING id""",
        estate_id,
        work.title,
        work.category,
        work.description,
        work.urgency,
        work.difficulty,
        work.scope_building_ids,
        work.benefit_rule,
        {str(k): str(v) for k, v in sorted(work.floor_factors.items())},
        work.estimate_fen,
        work.sealed_until,
        work.requires_motion,
        created_by,
        work.status,
    )
    created = await get_work(conn, row["id"])
    assert created is not None
    return created


async def get_work(conn: asyncpg.Connection, work_id: int, *, lock: bool = False) -> WorkOut | None:
    """One work; with ``lock`` the row stays locked until the transaction ends."""
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM works w WHERE w.id = $1{suffix}", work_id)
    return work_from_row(row) if row else None


async def list_works(
    conn: asyncpg.Connection, estate_id: int, supplier_id: int | None
) -> list[WorkOut]:
    """The estate's works; for a supplier only those they are invited to."""
    if supplier_id is None:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM works w WHERE w.estate_id = $1 ORDER BY w.id", estate_id
        )
    else:
        rows = await conn.fetch(
            f"""SELECT {_COLUMNS} FROM works w
                JOIN invitations i ON i.work_id = w.id AND i.supplier_id = $2
                WHERE w.estate_id = $1 ORDER BY w.id""",
            estate_id,
            supplier_id,
        )
    now = datetime.now(UTC)
    return [work_from_row(r, now) for r in rows]


async def update_details(
    conn: asyncpg.Connection,
    work_id: int,
    *,
    title: str,
    description: str,
    estimate_fen: int | None,
    benefit: WorkBenefit,
) -> None:
    """Overwrite the editable details (the caller merged the unchanged ones in)."""
    await conn.execute(
        """UPDATE works SET title = $2, description = $3, estimate_fen = $4, benefit_rule = $5,
                            scope_building_ids = $6, floor_factors = $7, updated_at = now()
           WHERE id = $1""",
        work_id,
        title,
        description,
        estimate_fen,
        benefit.benefit_rule,
        list(benefit.scope_building_ids),
        {str(k): str(v) for k, v in sorted(benefit.floor_factors.items())},
    )


async def set_status(conn: asyncpg.Connection, work_id: int, status: str) -> None:
    await conn.execute(
        "UPDATE works SET status = $2, updated_at = now() WHERE id = $1", work_id, status
    )


async def set_awarded(
    conn: asyncpg.Connection, work_id: int, quote_id: int, round_no: int, total_fen: int
) -> None:
    """The awarded round's total becomes the work's cost; the work becomes awarded."""
    await conn.execute(
        """UPDATE works SET status = 'awarded', awarded_quote_id = $2, awarded_round = $3,
                            awarded_total_fen = $4, updated_at = now()
           WHERE id = $1""",
        work_id,
        quote_id,
        round_no,
        total_fen,
    )


async def is_invited(conn: asyncpg.Connection, work_id: int, supplier_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM invitations WHERE work_id = $1 AND supplier_id = $2",
            work_id,
            supplier_id,
        )
    )


async def invited_work_ids(conn: asyncpg.Connection, supplier_id: int) -> list[int]:
    """The works a supplier is invited to."""
    rows = await conn.fetch("SELECT work_id FROM invitations WHERE supplier_id = $1", supplier_id)
    return [r["work_id"] for r in rows]


async def close_open_quotes(
    conn: asyncpg.Connection, work_id: int, except_quote: int | None = None
) -> list[tuple[int, int]]:
    """Close the work's open quotes (but ``except_quote``); returns (quote_id, supplier_id).

    The work's fate closes them (rejected, or another quote awarded), so the query lives with
    the work and negotiation calls it from here."""
    rows = await conn.fetch(
        """UPDATE quotes SET status = 'closed'
           WHERE work_id = $1 AND status = 'open' AND id IS DISTINCT FROM $2
           RETURNING id, supplier_id""",
        work_id,
        except_quote,
    )
    return sorted((r["id"], r["supplier_id"]) for r in rows)


async def cancel_live_auctions(conn: asyncpg.Connection, work_id: int) -> list[int]:
    """Cancel the work's scheduled or running reverse auction (the work was rejected: nothing
    is left to bid for); returns the cancelled auctions' ids. Like the quotes, the auction
    follows the work's fate, so the query lives with the work."""
    rows = await conn.fetch(
        """UPDATE auctions SET status = 'cancelled', next_step_at = NULL,
                  cancelled_at = clock_timestamp()
           WHERE work_id = $1 AND status IN ('scheduled', 'running')
           RETURNING id""",
        work_id,
    )
    return sorted(r["id"] for r in rows)


async def mark_opened(conn: asyncpg.Connection, work_id: int) -> bool:
    """Record the opening of sealed bids once; True only for the call that opened them."""
    row = await conn.fetchval(
        """UPDATE works SET opened_at = now()
           WHERE id = $1 AND opened_at IS NULL AND sealed_until IS NOT NULL
                 AND sealed_until <= now()
           RETURNING id""",
        work_id,
    )
    return row is not None


async def due_for_opening(conn: asyncpg.Connection, limit: int = 100) -> list[int]:
    """Works whose sealed bids have reached their opening time but were not opened yet."""
    rows = await conn.fetch(
        """SELECT id FROM works WHERE opened_at IS NULL AND sealed_until IS NOT NULL
           AND sealed_until <= now() ORDER BY sealed_until LIMIT $1""",
        limit,
    )
    return [r["id"] for r in rows]


async def works_outside_estate(
    conn: asyncpg.Connection, estate_id: int, work_ids: Sequence[int]
) -> list[int]:
    """The ids among ``work_ids`` that are not works of the estate, in given order."""
    return await ids_outside_estate(conn, "works", estate_id, work_ids)
