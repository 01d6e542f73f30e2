"""SQL for partners' pledges: one function per query, returning Structs."""

from __future__ import annotations

import asyncpg

from planner.wishes.model import PledgeOut

_PLEDGE_SQL = """
    SELECT p.id, p.work_id, wk.title AS work_title, p.partner_id,
           m.display_name AS partner_name, m.partner_kind, p.amount_fen, p.note,
           p.funding_source_id, p.status, p.created_at, p.withdrawn_at
    FROM pledges p
    JOIN works wk ON wk.id = p.work_id
    JOIN members m ON m.id = p.partner_id
"""


async def insert_pledge(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    work_id: int,
    partner_id: int,
    amount_fen: int,
    note: str | None,
    funding_source_id: int,
) -> int:
    pledge_id: int = await conn.fetchval(
        """INSERT INTO pledges (estate_id, work_id, partner_id, amount_fen, note,
                                funding_source_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        estate_id,
        work_id,
        partner_id,
        amount_fen,
        note,
        funding_source_id,
    )
    return pledge_id


async def pledge_estate(conn: asyncpg.Connection, pledge_id: int) -> int | None:
    estate_id: int | None = await conn.fetchval(
        "SELECT estate_id FROM pledges WHERE id = $1", pledge_id
    )
    return estate_id


async def get_pledge(
    conn: asyncpg.Connection, pledge_id: int, *, lock: bool = False
) -> PledgeOut | None:
    if lock:
        await conn.execute("SELECT 1 FROM pledges WHERE id = $1 FOR UPDATE", pledge_id)
    row = await conn.fetchrow(_PLEDGE_SQL + " WHERE p.id = $1", pledge_id)
    return PledgeOut(**dict(row)) if row else None


async def list_pledges(
    conn: asyncpg.Connection, estate_id: int, partner_id: int | None
) -> list[PledgeOut]:
    rows = await conn.fetch(
        _PLEDGE_SQL
        + """ WHERE p.estate_id = $1 AND ($2::bigint IS NULL OR p.partner_id = $2)
            ORDER BY p.id DESC""",
        estate_id,
        partner_id,
    )
    return [PledgeOut(**dict(r)) for r in rows]


async def mark_withdrawn(conn: asyncpg.Connection, pledge_id: int) -> None:
    await conn.execute(
        "UPDATE pledges SET status = 'withdrawn', withdrawn_at = now() WHERE id = $1", pledge_id
    )
