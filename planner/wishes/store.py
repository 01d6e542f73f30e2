"""SQL for small wishes: one function per query, returning Structs."""

from __future__ import annotations

import asyncpg

from planner.wishes.model import PartnerCounts, WishRow

_WISH_SQL = """
    SELECT w.id, w.estate_id, w.household_id, w.text, w.category, w.status,
           h.building_id, b.name AS building, h.unit, w.posted_by, w.posted_at,
           w.claimed_by, m.display_name AS claimed_by_name, m.partner_kind, w.claimed_at,
           w.fulfilled_at, w.fulfil_note, w.confirmed_at, w.cancelled_at
    FROM wishes w
    JOIN households h ON h.id = w.household_id
    JOIN buildings b ON b.id = h.building_id
    LEFT JOIN members m ON m.id = w.claimed_by
"""


def _wish(row: asyncpg.Record) -> WishRow:
    return WishRow(**dict(row))


async def insert_wish(
    conn: asyncpg.Connection,
    estate_id: int,
    household_id: int,
    text: str,
    category: str,
    posted_by: int,
) -> int:
    wish_id: int = await conn.fetchval(
        """INSERT INTO wishes (estate_id, household_id, text, category, posted_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        estate_id,
        household_id,
        text,
        category,
        posted_by,
    )
    return wish_id


async def get_wish(conn: asyncpg.Connection, wish_id: int, *, lock: bool = False) -> WishRow | None:
    if lock:
        await conn.execute("SELECT 1 FROM wishes WHERE id = $1 FOR UPDATE", wish_id)
    row = await conn.fetchrow(_WISH_SQL + " WHERE w.id = $1", wish_id)
    return _wish(row) if row else None


async def list_wishes(
    conn: asyncpg.Connection,
    estate_id: int,
    *,
    status: str | None = None,
    claimed_by: int | None = None,
    household_ids: list[int] | None = None,
) -> list[WishRow]:
    """The estate's wishes, newest first; filters: status, the claiming partner, units."""
    rows = await conn.fetch(
        _WISH_SQL
        + """ WHERE w.estate_id = $1
              AND ($2::text IS NULL OR w.status = $2)
              AND ($3::bigint IS NULL OR w.claimed_by = $3)
              AND ($4::bigint[] IS NULL OR w.household_id = ANY($4))
            ORDER BY w.id DESC""",
        estate_id,
        status,
        claimed_by,
        household_ids,
    )
    return [_wish(r) for r in rows]


async def claim(conn: asyncpg.Connection, wish_id: int, partner_id: int) -> None:
    await conn.execute(
        """UPDATE wishes SET status = 'claimed', claimed_by = $2, claimed_at = now()
           WHERE id = $1""",
        wish_id,
        partner_id,
    )


async def release(conn: asyncpg.Connection, wish_id: int) -> None:
    await conn.execute(
        "UPDATE wishes SET status = 'open', claimed_by = NULL, claimed_at = NULL WHERE id = $1",
        wish_id,
    )


async def fulfil(conn: asyncpg.Connection, wish_id: int, note: str | None) -> None:
    await conn.execute(
        """UPDATE wishes SET status = 'fulfilled', fulfilled_at = now(), fulfil_note = $2
           WHERE id = $1""",
        wish_id,
        note,
    )


async def confirm(conn: asyncpg.Connection, wish_id: int, member_id: int) -> None:
    await conn.execute(
        """UPDATE wishes SET status = 'confirmed', confirmed_at = now(), confirmed_by = $2
           WHERE id = $1""",
        wish_id,
        member_id,
    )


async def cancel(conn: asyncpg.Connection, wish_id: int, member_id: int) -> None:
    await conn.execute(
        """UPDATE wishes SET status = 'cancelled', cancelled_at = now(), cancelled_by = $2
           WHERE id = $1""",
        wish_id,
        member_id,
    )


async def statuses(conn: asyncpg.Connection, estate_id: int) -> list[str]:
    rows = await conn.fetch("SELECT status FROM wishes WHERE estate_id = $1", estate_id)
    return [r["status"] for r in rows]


async def partner_counts(conn: asyncpg.Connection, estate_id: int) -> list[PartnerCounts]:
    """Every partner unit of the estate (revoked ones only when they claimed a wish)."""
    rows = await conn.fetch(
        """SELECT m.id AS member_id, m.display_name, m.partner_kind,
                  count(w.id) AS claimed,
                  count(w.id) FILTER (WHERE w.status IN ('fulfilled', 'confirmed')) AS fulfilled,
                  count(w.id) FILTER (WHERE w.status = 'confirmed') AS confirmed
           FROM members m
           LEFT JOIN wishes w ON w.claimed_by = m.id
                AND w.status IN ('claimed', 'fulfilled', 'confirmed')
           WHERE m.estate_id = $1 AND m.role = 'partner'
           GROUP BY m.id
           HAVING m.revoked_at IS NULL OR count(w.id) > 0
           ORDER BY count(w.id) FILTER (WHERE w.status IN ('fulfilled', 'confirmed')) DESC,
                    m.id""",
        estate_id,
    )
    return [PartnerCounts(**dict(r)) for r in rows]
