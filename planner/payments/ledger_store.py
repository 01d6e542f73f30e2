"""SQL for the collection ledger: one function per query, returning Structs.

Paid on a plan version = the sum of the household's entries recorded against any version of
the same estate up to it (``_LINEAGE``): entries carry over to later versions with no copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from planner.payments.ledger_model import HouseholdLabel, LedgerEntry

_LINEAGE = """JOIN funding_plans lp ON lp.id = e.plan_id
              JOIN funding_plans this ON this.id = $1
                   AND lp.estate_id = this.estate_id AND lp.version <= this.version"""

_ENTRY = """e.id, e.estate_id, e.plan_id, lp.version AS plan_version, e.household_id,
            h.building_id, b.name AS building, h.unit, e.kind, e.amount_fen, e.channel,
            e.receipt_no, e.paid_on, e.note, e.reverses_entry_id,
            (SELECT r.id FROM ledger_entries r WHERE r.reverses_entry_id = e.id)
              AS reversed_by_entry_id,
            e.reason, e.bank_tx_id, e.recorded_by, e.recorded_at"""

_JOIN = """JOIN households h ON h.id = e.household_id JOIN buildings b ON b.id = h.building_id"""


async def paid_in_lineage(
    conn: asyncpg.Connection, plan_id: int, household_ids: list[int] | None = None
) -> dict[int, int]:
    """Fen paid per household on the plan (its entries on this and earlier versions);
    households with no entry are absent."""
    estate_id, plans = await lineage(conn, plan_id)
    rows = await conn.fetch(
        """SELECT household_id, sum(amount_fen)::bigint AS paid
           FROM ledger_entries
           WHERE estate_id = $1 AND plan_id = ANY($2::bigint[])
             AND ($3::bigint[] IS NULL OR household_id = ANY($3::bigint[]))
           GROUP BY household_id""",
        estate_id,
        plans,
        household_ids,
    )
    return {r["household_id"]: r["paid"] for r in rows}


async def insert_entry(conn: asyncpg.Connection, **values: Any) -> int | None:
    """Append one entry; None when its receipt number, bank transaction id or reversed
    entry is taken already (a unique index: nothing is written)."""
    columns = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
    entry_id: int | None = await conn.fetchval(
        f"""INSERT INTO ledger_entries ({", ".join(columns)}) VALUES ({placeholders})
            ON CONFLICT DO NOTHING RETURNING id""",
        *values.values(),
    )
    return entry_id


async def receipt_taken(conn: asyncpg.Connection, estate_id: int, receipt_no: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM ledger_entries WHERE estate_id = $1 AND receipt_no = $2",
            estate_id,
            receipt_no,
        )
    )


async def get_entry(conn: asyncpg.Connection, entry_id: int) -> LedgerEntry | None:
    row = await conn.fetchrow(
        f"""SELECT {_ENTRY} FROM ledger_entries e
            JOIN funding_plans lp ON lp.id = e.plan_id {_JOIN}
            WHERE e.id = $1""",
        entry_id,
    )
    return msgspec.convert(dict(row), LedgerEntry) if row else None


async def lineage(conn: asyncpg.Connection, plan_id: int) -> tuple[int, list[int]]:
    """The plan's estate and the ids of its versions up to it (whose entries count on it)."""
    rows = await conn.fetch(
        """SELECT p.id, p.estate_id FROM funding_plans this
           JOIN funding_plans p ON p.estate_id = this.estate_id AND p.version <= this.version
           WHERE this.id = $1""",
        plan_id,
    )
    return (rows[0]["estate_id"] if rows else 0), [r["id"] for r in rows]


async def entries(
    conn: asyncpg.Connection,
    plan_id: int,
    household_ids: list[int] | None,
    after: int,
    limit: int,
    before: int | None = None,
) -> list[LedgerEntry]:
    """The plan's entries (this and earlier versions of the estate) in id order after
    ``after`` (optionally only ``household_ids``'), at most ``limit``; with ``before``: the
    newest ones below that id, newest first."""
    estate_id, plans = await lineage(conn, plan_id)
    order = "ASC" if before is None else "DESC"
    rows = await conn.fetch(
        f"""WITH page AS (
              SELECT e.id FROM ledger_entries e
              WHERE e.estate_id = $1 AND e.plan_id = ANY($2::bigint[]) AND e.id > $3
                AND ($4::bigint[] IS NULL OR e.household_id = ANY($4::bigint[]))
                AND ($6::bigint IS NULL OR e.id < $6)
              ORDER BY e.id {order} LIMIT $5)
            SELECT {_ENTRY} FROM page JOIN ledger_entries e ON e.id = page.id
            JOIN funding_plans lp ON lp.id = e.plan_id {_JOIN}
            ORDER BY e.id {order}""",
        estate_id,
        plans,
        after,
        household_ids,
        limit,
        before,
    )
    return [msgspec.convert(dict(r), LedgerEntry) for r in rows]


async def household_labels(
    conn: asyncpg.Connection, estate_id: int, household_ids: list[int] | None = None
) -> dict[int, HouseholdLabel]:
    """Building and unit of the estate's households (optionally only ``household_ids``)."""
    rows = await conn.fetch(
        """SELECT h.id AS household_id, h.building_id, b.name AS building, h.unit,
                  h.owner_name
           FROM households h JOIN buildings b ON b.id = h.building_id
           WHERE h.estate_id = $1 AND ($2::bigint[] IS NULL OR h.id = ANY($2::bigint[]))""",
        estate_id,
        household_ids,
    )
    return {r["household_id"]: HouseholdLabel(**dict(r)) for r in rows}


async def instalments(conn: asyncpg.Connection, plan_id: int) -> list[dict[str, Any]]:
    """The instalment schedule of the plan's payment instructions (its own, else the latest
    earlier version's; none: empty)."""
    raw = await conn.fetchval(
        """SELECT i.instalments::text
           FROM funding_plans this
           JOIN funding_plans p ON p.estate_id = this.estate_id AND p.version <= this.version
           JOIN payment_instructions i ON i.plan_id = p.id
           WHERE this.id = $1
           ORDER BY p.version DESC LIMIT 1""",
        plan_id,
    )
    return msgspec.json.decode(raw) if raw else []


async def set_instalments(
    conn: asyncpg.Connection, plan_id: int, schedule: list[dict[str, Any]]
) -> None:
    await conn.execute(
        "UPDATE payment_instructions SET instalments = $2::text::jsonb WHERE plan_id = $1",
        plan_id,
        msgspec.json.encode(schedule).decode(),
    )


class PlanHead(msgspec.Struct, frozen=True, kw_only=True):
    """A plan version without its figures (the ledger's reads need only these)."""

    id: int
    estate_id: int
    version: int
    status: str
    solved: bool
    created_at: datetime


async def plan_head(conn: asyncpg.Connection, plan_id: int) -> PlanHead | None:
    row = await conn.fetchrow(
        """SELECT id, estate_id, version, status, result IS NOT NULL AS solved, created_at
           FROM funding_plans WHERE id = $1""",
        plan_id,
    )
    return PlanHead(**dict(row)) if row else None


async def plan_amounts(conn: asyncpg.Connection, plan_id: int) -> dict[int, int]:
    """Each household's amount in the plan's result (a solved result never changes: the
    trigger of migration 0004 refuses it)."""
    rows = await conn.fetch(
        """SELECT (h->>'household_id')::bigint AS household_id,
                  (h->>'amount_fen')::bigint AS amount_fen
           FROM funding_plans p, jsonb_array_elements(p.result->'households') h
           WHERE p.id = $1""",
        plan_id,
    )
    return {r["household_id"]: r["amount_fen"] for r in rows}


async def building_households(
    conn: asyncpg.Connection, estate_id: int, building_id: int
) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM households WHERE estate_id = $1 AND building_id = $2",
        estate_id,
        building_id,
    )
    return [r["id"] for r in rows]


async def standing(
    conn: asyncpg.Connection,
    plan_id: int,
    household_ids: list[int] | None,
    building_id: int | None,
) -> tuple[dict[int, HouseholdLabel], dict[int, int]]:
    """In one query: the estate's households' labels (optionally only ``household_ids``,
    only ``building_id``'s) and what each has paid on the plan (its lineage)."""
    estate_id, plans = await lineage(conn, plan_id)
    rows = await conn.fetch(
        """SELECT h.id, h.building_id, b.name, h.unit, h.owner_name, coalesce(p.paid, 0) AS paid
           FROM households h JOIN buildings b ON b.id = h.building_id
           LEFT JOIN (SELECT household_id, sum(amount_fen)::bigint AS paid
                      FROM ledger_entries
                      WHERE estate_id = $1 AND plan_id = ANY($2::bigint[])
                        AND ($3::bigint[] IS NULL OR household_id = ANY($3::bigint[]))
                      GROUP BY household_id) p ON p.household_id = h.id
           WHERE h.estate_id = $1
             AND ($3::bigint[] IS NULL OR h.id = ANY($3::bigint[]))
             AND ($4::bigint IS NULL OR h.building_id = $4)""",
        estate_id,
        plans,
        household_ids,
        building_id,
    )
    labels = {
        r[0]: HouseholdLabel(household_id=r[0], building_id=r[1], building=r[2], unit=r[3],
                             owner_name=r[4])
        for r in rows
    }  # fmt: skip
    return labels, {r[0]: r[5] for r in rows}


async def lineage_mark(conn: asyncpg.Connection, plan_id: int) -> tuple[int, int]:
    """How many entries the plan's lineage holds and the highest id (the table is
    append-only: a new entry always changes the count)."""
    row = await conn.fetchrow(
        """SELECT count(*)::bigint, coalesce(max(e.id), 0)::bigint FROM ledger_entries e
           WHERE e.plan_id IN (SELECT p.id FROM funding_plans this
                               JOIN funding_plans p ON p.estate_id = this.estate_id
                                    AND p.version <= this.version
                               WHERE this.id = $1)""",
        plan_id,
    )
    return int(row[0]), int(row[1])


_LINEAGE_IDS = """SELECT p.id FROM funding_plans this
                  JOIN funding_plans p ON p.estate_id = this.estate_id
                       AND p.version <= this.version
                  WHERE this.id = $1"""


async def paid_since(
    conn: asyncpg.Connection, plan_id: int, after_id: int
) -> tuple[list[tuple[int, int, int]], int]:
    """(id, household, amount) of the lineage's entries with an id above ``after_id`` and,
    in the same statement (one snapshot), how many entries the lineage holds."""
    rows = await conn.fetch(
        f"""WITH lin AS ({_LINEAGE_IDS})
            SELECT e.id, e.household_id, e.amount_fen,
                   (SELECT count(*) FROM ledger_entries c
                    WHERE c.plan_id IN (SELECT id FROM lin))::bigint AS n
            FROM (SELECT 1) one
            LEFT JOIN ledger_entries e ON e.id > $2 AND e.plan_id IN (SELECT id FROM lin)""",
        plan_id,
        after_id,
    )
    count = int(rows[0]["n"]) if rows else 0
    return [(r[0], r[1], r[2]) for r in rows if r[0] is not None], count


async def paid_and_mark(
    conn: asyncpg.Connection, plan_id: int
) -> tuple[dict[int, int], tuple[int, int]]:
    """Fen paid per household on the plan (its lineage) and, from the same statement, the
    count and highest id of the entries summed."""
    rows = await conn.fetch(
        f"""SELECT household_id, sum(amount_fen)::bigint, count(*)::bigint, max(id)::bigint
            FROM ledger_entries WHERE plan_id IN ({_LINEAGE_IDS})
            GROUP BY household_id""",
        plan_id,
    )
    count = sum(int(r[2]) for r in rows)
    top = max((int(r[3]) for r in rows), default=0)
    return {r[0]: r[1] for r in rows}, (count, top)


async def register_mark(conn: asyncpg.Connection, estate_id: int) -> str:
    """A fingerprint of the estate's register as the ledger labels it (ids, buildings,
    units, owners' names): another value means something changed."""
    mark: str = await conn.fetchval(
        """SELECT count(*)::text || ':' || coalesce(sum(hashtextextended(
                      h.id::text || '|' || h.building_id::text || '|' || h.unit || '|'
                      || h.owner_name || '|' || b.name, 7)), 0)::text
           FROM households h JOIN buildings b ON b.id = h.building_id
           WHERE h.estate_id = $1""",
        estate_id,
    )
    return mark


async def building_ids(conn: asyncpg.Connection, estate_id: int, building_id: int) -> list[int]:
    """The building's households (ids, ascending)."""
    rows = await conn.fetch(
        "SELECT id FROM households WHERE estate_id = $1 AND building_id = $2 ORDER BY id",
        estate_id,
        building_id,
    )
    return [r[0] for r in rows]
