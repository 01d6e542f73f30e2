"""SQL for bank statements and their lines."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from planner.payments.bank_model import BankLine

_LINE = """l.id, l.statement_id, l.estate_id, s.plan_id, l.line_no, l.tx_date, l.amount_fen,
           l.memo, l.bank_tx_id, l.status, l.household_id, l.entry_id, l.candidates"""


async def insert_statement(
    conn: asyncpg.Connection, estate_id: int, plan_id: int, member_id: int
) -> tuple[int, datetime]:
    row = await conn.fetchrow(
        """INSERT INTO bank_statements (estate_id, plan_id, imported_by) VALUES ($1, $2, $3)
           RETURNING id, imported_at""",
        estate_id,
        plan_id,
        member_id,
    )
    assert row is not None
    return row["id"], row["imported_at"]


async def bank_ids_in_ledger(conn: asyncpg.Connection, estate_id: int, ids: list[str]) -> set[str]:
    rows = await conn.fetch(
        """SELECT bank_tx_id FROM ledger_entries
           WHERE estate_id = $1 AND bank_tx_id = ANY($2::text[])
           UNION
           SELECT receipt_no FROM ledger_entries
           WHERE estate_id = $1 AND receipt_no = ANY($2::text[])""",
        estate_id,
        ids,
    )
    return {r[0] for r in rows}


async def insert_entries(conn: asyncpg.Connection, rows: list[tuple[object, ...]]) -> list[int]:
    """Append bank entries (estate, plan, household, amount, receipt/bank id, date, member)
    in one statement; returns their ids in order."""
    if not rows:
        return []
    cols = list(zip(*rows, strict=True))
    found = await conn.fetch(
        """INSERT INTO ledger_entries (estate_id, plan_id, household_id, kind, amount_fen,
                                       channel, receipt_no, bank_tx_id, paid_on, note,
                                       recorded_by)
           SELECT e, p, h, 'payment', a, 'bank_transfer', t, t, d, m, r
           FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
                       $6::date[], $7::text[], $8::bigint[])
                WITH ORDINALITY AS x(e, p, h, a, t, d, m, r, n)
           ORDER BY n
           RETURNING id""",
        *[list(c) for c in cols],
    )
    return [r["id"] for r in found]


async def insert_lines(conn: asyncpg.Connection, rows: list[tuple[object, ...]]) -> None:
    """(statement, estate, line_no, date, amount, memo, bank id, status, household, entry,
    candidates) per line, by COPY."""
    await conn.copy_records_to_table(
        "bank_lines",
        records=rows,
        columns=[
            "statement_id",
            "estate_id",
            "line_no",
            "tx_date",
            "amount_fen",
            "memo",
            "bank_tx_id",
            "status",
            "household_id",
            "entry_id",
            "candidates",
        ],
    )


async def statement_meta(conn: asyncpg.Connection, statement_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, estate_id, plan_id, imported_at FROM bank_statements WHERE id = $1",
        statement_id,
    )


async def lines(conn: asyncpg.Connection, statement_id: int) -> list[BankLine]:
    rows = await conn.fetch(
        f"""SELECT {_LINE} FROM bank_lines l JOIN bank_statements s ON s.id = l.statement_id
            WHERE l.statement_id = $1 ORDER BY l.line_no""",
        statement_id,
    )
    return [msgspec.convert(dict(r), BankLine) for r in rows]


async def get_line(
    conn: asyncpg.Connection, line_id: int, *, lock: bool = False
) -> BankLine | None:
    row = await conn.fetchrow(
        f"""SELECT {_LINE} FROM bank_lines l JOIN bank_statements s ON s.id = l.statement_id
            WHERE l.id = $1 {"FOR UPDATE OF l" if lock else ""}""",
        line_id,
    )
    return msgspec.convert(dict(row), BankLine) if row else None


async def set_line(
    conn: asyncpg.Connection, line_id: int, status: str, household_id: int, entry_id: int | None
) -> None:
    await conn.execute(
        "UPDATE bank_lines SET status = $2, household_id = $3, entry_id = $4 WHERE id = $1",
        line_id,
        status,
        household_id,
        entry_id,
    )


async def lock_ledger(conn: asyncpg.Connection, estate_id: int) -> None:
    """Serialise bank imports and assignments of one estate (until the transaction ends)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ledger_bank'), $1::int)", estate_id)
