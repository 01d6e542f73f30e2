"""SQL for suppliers, invitations, quotes, rounds and counter-offers.

Round lines are stored as jsonb and read back as text, decoded straight into Structs by
msgspec (the comparison and the history read thousands of lines per call).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from planner.errors import Conflict
from planner.negotiation.model import (
    LineTarget,
    PricedLine,
    PricedRound,
    QuoteForComparison,
    ReferenceLine,
    RoundRecord,
)

_LINES = msgspec.json.Decoder(tuple[PricedLine, ...])
_TARGETS = msgspec.json.Decoder(tuple[LineTarget, ...])


class SupplierRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    estate_id: int
    name: str


class QuoteRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    estate_id: int
    work_id: int
    supplier_id: int
    supplier_name: str
    status: str
    latest_round: int
    created_at: datetime


class CounterOfferRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    quote_id: int
    round: int
    target_total_fen: int | None
    line_targets: tuple[LineTarget, ...]
    note: str
    by: int | None
    at: datetime


# ---------------------------------------------------------------- suppliers and invitations


async def insert_supplier(
    conn: asyncpg.Connection, estate_id: int, name: str
) -> SupplierRow | None:
    """None when the estate already has a supplier of that name."""
    row = await conn.fetchrow(
        """INSERT INTO suppliers (estate_id, name) VALUES ($1, $2)
           ON CONFLICT (estate_id, name) DO NOTHING RETURNING id, estate_id, name""",
        estate_id,
        name,
    )
    return SupplierRow(**dict(row)) if row else None


async def list_suppliers(
    conn: asyncpg.Connection, estate_id: int, only: int | None = None
) -> list[SupplierRow]:
    rows = await conn.fetch(
        """SELECT id, estate_id, name FROM suppliers
           WHERE estate_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id""",
        estate_id,
        only,
    )
    return [SupplierRow(**dict(r)) for r in rows]


async def get_supplier(conn: asyncpg.Connection, supplier_id: int) -> SupplierRow | None:
    row = await conn.fetchrow(
        "SELECT id, estate_id, name FROM suppliers WHERE id = $1", supplier_id
    )
    return SupplierRow(**dict(row)) if row else None


async def insert_invitation(
    conn: asyncpg.Connection, work_id: int, supplier_id: int, invited_by: int
) -> datetime | None:
    """The invitation time, or None when the supplier was already invited."""
    at: datetime | None = await conn.fetchval(
        """INSERT INTO invitations (work_id, supplier_id, invited_by) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING invited_at""",
        work_id,
        supplier_id,
        invited_by,
    )
    return at


async def list_invitations(
    conn: asyncpg.Connection, work_id: int, only: int | None = None
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT i.supplier_id, s.name AS supplier_name, i.invited_at
           FROM invitations i JOIN suppliers s ON s.id = i.supplier_id
           WHERE i.work_id = $1 AND ($2::bigint IS NULL OR i.supplier_id = $2)
           ORDER BY i.supplier_id""",
        work_id,
        only,
    )
    return [dict(r) for r in rows]


# ---------------------------------------------------------------- quotes and rounds

_QUOTE = """
    SELECT q.id, q.estate_id, q.work_id, q.supplier_id, s.name AS supplier_name, q.status,
           q.latest_round, q.created_at
    FROM quotes q JOIN suppliers s ON s.id = q.supplier_id
"""


async def insert_quote(
    conn: asyncpg.Connection, estate_id: int, work_id: int, supplier_id: int
) -> int | None:
    """The new quote's id, or None when this supplier already quoted for the work."""
    quote_id: int | None = await conn.fetchval(
        """INSERT INTO quotes (estate_id, work_id, supplier_id) VALUES ($1, $2, $3)
           ON CONFLICT (work_id, supplier_id) DO NOTHING RETURNING id""",
        estate_id,
        work_id,
        supplier_id,
    )
    return quote_id


async def get_quote(
    conn: asyncpg.Connection, quote_id: int, *, lock: bool = False
) -> QuoteRow | None:
    """One quote; with ``lock`` its row stays locked until the transaction ends."""
    suffix = " FOR UPDATE OF q" if lock else ""
    row = await conn.fetchrow(_QUOTE + " WHERE q.id = $1" + suffix, quote_id)
    return QuoteRow(**dict(row)) if row else None


async def list_quotes(
    conn: asyncpg.Connection, work_id: int, only_supplier: int | None = None
) -> list[QuoteRow]:
    rows = await conn.fetch(
        _QUOTE + " WHERE q.work_id = $1 AND ($2::bigint IS NULL OR q.supplier_id = $2)"
        " ORDER BY q.id",
        work_id,
        only_supplier,
    )
    return [QuoteRow(**dict(r)) for r in rows]


async def insert_round(
    conn: asyncpg.Connection,
    *,
    quote_id: int,
    round_no: int,
    priced: PricedRound,
    valid_until: date | None,
    is_final: bool,
    by: int | None,
    reply_note: str = "",
) -> datetime:
    """Write one immutable round (with the supplier's reply note) and make it the quote's
    latest; returns its time."""
    at: datetime = await conn.fetchval(
        """INSERT INTO rounds (quote_id, round, lines, line_count, total_fen, valid_until,
                               is_final, by_member_id, reply_note)
           VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, $7, $8, $9) RETURNING at""",
        quote_id,
        round_no,
        msgspec.json.encode(priced.lines).decode(),
        len(priced.lines),
        priced.total_fen,
        valid_until,
        is_final,
        by,
        reply_note,
    )
    await conn.execute("UPDATE quotes SET latest_round = $2 WHERE id = $1", quote_id, round_no)
    return at


def _round(row: asyncpg.Record) -> RoundRecord:
    return RoundRecord(
        round=row["round"],
        total_fen=row["total_fen"],
        lines=_LINES.decode(row["lines"]),
        by=row["by_member_id"],
        at=row["at"],
        is_final=row["is_final"],
        valid_until=row["valid_until"],
        reply_note=row["reply_note"],
    )


async def list_rounds(conn: asyncpg.Connection, quote_id: int) -> list[RoundRecord]:
    rows = await conn.fetch(
        """SELECT round, total_fen, lines::text AS lines, by_member_id, at, is_final,
                  valid_until, reply_note
           FROM rounds WHERE quote_id = $1 ORDER BY round""",
        quote_id,
    )
    return [_round(r) for r in rows]


async def get_round(conn: asyncpg.Connection, quote_id: int, round_no: int) -> RoundRecord | None:
    row = await conn.fetchrow(
        """SELECT round, total_fen, lines::text AS lines, by_member_id, at, is_final,
                  valid_until, reply_note
           FROM rounds WHERE quote_id = $1 AND round = $2""",
        quote_id,
        round_no,
    )
    return _round(row) if row else None


async def current_rounds(
    conn: asyncpg.Connection, work_id: int, only_supplier: int | None = None
) -> list[QuoteForComparison]:
    """Each quote of the work at its latest round, in quote order (the comparison's input)."""
    rows = await conn.fetch(
        """SELECT q.id, q.supplier_id, s.name, q.status, r.round, r.total_fen,
                  r.lines::text AS lines
           FROM quotes q
           JOIN suppliers s ON s.id = q.supplier_id
           JOIN rounds r ON r.quote_id = q.id AND r.round = q.latest_round
           WHERE q.work_id = $1 AND ($2::bigint IS NULL OR q.supplier_id = $2)
           ORDER BY q.id""",
        work_id,
        only_supplier,
    )
    return [
        QuoteForComparison(
            quote_id=r["id"],
            supplier_id=r["supplier_id"],
            supplier_name=r["name"],
            round=r["round"],
            total_fen=r["total_fen"],
            lines=_LINES.decode(r["lines"]),
            status=r["status"],
        )
        for r in rows
    ]


async def set_quote_status(conn: asyncpg.Connection, quote_id: int, status: str) -> None:
    await conn.execute("UPDATE quotes SET status = $2 WHERE id = $1", quote_id, status)


# ---------------------------------------------------------------- counter-offers


async def insert_counter_offer(
    conn: asyncpg.Connection,
    *,
    quote_id: int,
    round_no: int,
    target_total_fen: int | None,
    line_targets: list[LineTarget],
    note: str,
    by: int,
) -> CounterOfferRow:
    row = await conn.fetchrow(
        """INSERT INTO counter_offers (quote_id, round, target_total_fen, line_targets, note,
                                       by_member_id)
           VALUES ($1, $2, $3, $4::text::jsonb, $5, $6)
           RETURNING id, quote_id, round, target_total_fen, line_targets::text AS line_targets,
                     note, by_member_id, at""",
        quote_id,
        round_no,
        target_total_fen,
        msgspec.json.encode(line_targets).decode(),
        note,
        by,
    )
    return _counter_offer(row)


def _counter_offer(row: asyncpg.Record) -> CounterOfferRow:
    return CounterOfferRow(
        id=row["id"],
        quote_id=row["quote_id"],
        round=row["round"],
        target_total_fen=row["target_total_fen"],
        line_targets=_TARGETS.decode(row["line_targets"]),
        note=row["note"],
        by=row["by_member_id"],
        at=row["at"],
    )


async def list_counter_offers(conn: asyncpg.Connection, quote_id: int) -> list[CounterOfferRow]:
    rows = await conn.fetch(
        """SELECT id, quote_id, round, target_total_fen, line_targets::text AS line_targets,
                  note, by_member_id, at
           FROM counter_offers WHERE quote_id = $1 ORDER BY id""",
        quote_id,
    )
    return [_counter_offer(r) for r in rows]


# ---------------------------------------------------------------- reference prices


async def replace_reference_lines(
    conn: asyncpg.Connection, work_id: int, lines: list[ReferenceLine]
) -> None:
    await conn.execute("DELETE FROM reference_lines WHERE work_id = $1", work_id)
    await conn.executemany(
        """INSERT INTO reference_lines (work_id, line_no, line_key, description, unit_price_fen)
           VALUES ($1, $2, $3, $4, $5)""",
        [
            (work_id, i + 1, line.line_key, line.description, line.unit_price_fen)
            for i, line in enumerate(lines)
        ],
    )


async def list_reference_lines(conn: asyncpg.Connection, work_id: int) -> list[ReferenceLine]:
    rows = await conn.fetch(
        """SELECT line_key, description, unit_price_fen FROM reference_lines
           WHERE work_id = $1 ORDER BY line_no""",
        work_id,
    )
    return [ReferenceLine(**dict(r)) for r in rows]


# ---------------------------------------------------------------- the auction hook


async def auction_under_way(conn: asyncpg.Connection, work_id: int) -> bool:
    """Whether the work has a scheduled or running live auction (``planner.auction``): its
    quotes take no revision, counter-offer or award until it finishes or is cancelled."""
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM auctions
                              WHERE work_id = $1 AND status IN ('scheduled', 'running'))""",
            work_id,
        )
    )


def auction_conflict() -> Conflict:
    return Conflict("an auction is under way for this work", "auction_under_way")


# ---------------------------------------------------------------- the motion hook


async def passed_motion_for_work(conn: asyncpg.Connection, work_id: int) -> bool:
    """Whether a motion linked to the work was closed as passed (deliberation's ``motions``:
    status 'closed' with the tally of record ``final_tally.passed`` true).

    Without the deliberation migration there is no motion, so nothing has passed.
    """
    if await conn.fetchval("SELECT to_regclass('motions')") is None:
        return False
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM motions
                              WHERE work_id = $1 AND status = 'closed'
                                AND (final_tally ->> 'passed')::boolean IS TRUE)""",
            work_id,
        )
    )
