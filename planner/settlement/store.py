"""SQL for variations and final accounts: one function per query, returning Structs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from planner.settlement.model import (
    FinalAccountsOut,
    FinalAccountsSummary,
    NewVariation,
    Settlement,
    VariationOut,
)

_VARIATION = """id, estate_id, work_id, amount_fen, reason, lines::text AS lines, status,
                needs_decision, threshold_fen, motion_id, decision_note, created_by,
                created_at, decided_by, decided_at"""


def _variation(row: asyncpg.Record) -> VariationOut:
    values = dict(row)
    values["lines"] = msgspec.json.decode(values["lines"])
    return msgspec.convert(values, VariationOut, from_attributes=False, strict=False)


async def insert_variation(
    conn: asyncpg.Connection,
    estate_id: int,
    work_id: int,
    data: NewVariation,
    needs_decision: bool,
    threshold_fen: int,
    member_id: int,
) -> VariationOut:
    row = await conn.fetchrow(
        f"""INSERT INTO variations (estate_id, work_id, amount_fen, reason, lines,
                                    needs_decision, threshold_fen, created_by)
            VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8)
            RETURNING {_VARIATION}""",
        estate_id,
        work_id,
        data.amount_fen,
        data.reason,
        msgspec.json.encode(data.lines).decode(),
        needs_decision,
        threshold_fen,
        member_id,
    )
    return _variation(row)


async def get_variation(
    conn: asyncpg.Connection, variation_id: int, *, lock: bool = False
) -> VariationOut | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(
        f"SELECT {_VARIATION} FROM variations WHERE id = $1{suffix}", variation_id
    )
    return _variation(row) if row else None


async def list_variations(conn: asyncpg.Connection, work_id: int) -> list[VariationOut]:
    rows = await conn.fetch(
        f"SELECT {_VARIATION} FROM variations WHERE work_id = $1 ORDER BY id", work_id
    )
    return [_variation(r) for r in rows]


async def approved_variations_fen(conn: asyncpg.Connection, work_id: int) -> int:
    """The signed sum of the work's approved variations (0 without any)."""
    total = await conn.fetchval(
        """SELECT coalesce(sum(amount_fen), 0) FROM variations
           WHERE work_id = $1 AND status = 'approved'""",
        work_id,
    )
    return int(total)


async def decide_variation(
    conn: asyncpg.Connection,
    variation_id: int,
    status: str,
    motion_id: int | None,
    note: str | None,
    member_id: int,
) -> VariationOut:
    row = await conn.fetchrow(
        f"""UPDATE variations SET status = $2, motion_id = $3, decision_note = $4,
                                  decided_by = $5, decided_at = now()
            WHERE id = $1 RETURNING {_VARIATION}""",
        variation_id,
        status,
        motion_id,
        note,
        member_id,
    )
    return _variation(row)


async def final_cost_by_work(
    conn: asyncpg.Connection, work_ids: Sequence[int]
) -> dict[int, int | None]:
    """Each work's final cost: its awarded total plus its approved variations (None: the
    work has no award). Works that do not exist are absent."""
    rows = await conn.fetch(
        """SELECT w.id, w.awarded_total_fen + coalesce(
                      (SELECT sum(v.amount_fen) FROM variations v
                       WHERE v.work_id = w.id AND v.status = 'approved'), 0) AS final_fen
           FROM works w WHERE w.id = ANY($1::bigint[])""",
        list(work_ids),
    )
    return {r["id"]: None if r["final_fen"] is None else int(r["final_fen"]) for r in rows}


async def lock_estate_final_accounts(conn: asyncpg.Connection, estate_id: int) -> None:
    """Serialise runs and approvals of one estate's final accounts (versions, freezing)."""
    await conn.execute("SELECT pg_advisory_xact_lock(1931, $1::int)", estate_id)


async def approved_version(conn: asyncpg.Connection, plan_id: int) -> int | None:
    version: int | None = await conn.fetchval(
        "SELECT version FROM final_accounts WHERE plan_id = $1 AND status = 'approved'",
        plan_id,
    )
    return version


async def insert_final_accounts(
    conn: asyncpg.Connection,
    estate_id: int,
    plan_id: int,
    settlement: Settlement,
    final_costs: dict[int, int],
    timings: dict[str, float],
    member_id: int,
) -> int:
    """A new draft version (the estate's next number); returns its id."""
    row_id: int = await conn.fetchval(
        """INSERT INTO final_accounts (estate_id, plan_id, version, total_cost_fen,
                                       residents_total_fen, households, sources, works,
                                       final_costs, timings, created_by)
           VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM final_accounts
                            WHERE estate_id = $1),
                   $3, $4, $5::text::jsonb, $6::text::jsonb, $7::text::jsonb,
                   $8::text::jsonb, $9::text::jsonb, $10)
           RETURNING id""",
        estate_id,
        plan_id,
        settlement.total_cost_fen,
        settlement.residents_total_fen,
        msgspec.json.encode(settlement.households).decode(),
        msgspec.json.encode(settlement.sources).decode(),
        msgspec.json.encode(settlement.works).decode(),
        msgspec.json.encode({str(k): v for k, v in final_costs.items()}).decode(),
        msgspec.json.encode(timings).decode(),
        member_id,
    )
    return row_id


_FINAL = """f.id, f.estate_id, f.plan_id, f.version, f.status, f.total_cost_fen,
            f.residents_total_fen, p.residents_total_fen AS planned_residents_total_fen,
            f.households::text AS households, f.sources::text AS sources,
            f.works::text AS works, f.created_at, f.created_by, f.approved_at, f.approved_by
            FROM final_accounts f JOIN funding_plans p ON p.id = f.plan_id"""


def _final(row: asyncpg.Record) -> FinalAccountsOut:
    values: dict[str, Any] = dict(row)
    for key in ("households", "sources", "works"):
        values[key] = msgspec.json.decode(values[key])
    households = values["households"]
    values["paid_total_fen"] = sum(h["paid_fen"] for h in households)
    values["refund_total_fen"] = sum(h["refund_fen"] for h in households)
    values["topup_total_fen"] = sum(h["topup_fen"] for h in households)
    return msgspec.convert(values, FinalAccountsOut, strict=False)


async def get_final_accounts(conn: asyncpg.Connection, final_id: int) -> FinalAccountsOut | None:
    row = await conn.fetchrow(f"SELECT {_FINAL} WHERE f.id = $1", final_id)
    return _final(row) if row else None


async def final_accounts_estate(conn: asyncpg.Connection, final_id: int) -> int | None:
    estate_id: int | None = await conn.fetchval(
        "SELECT estate_id FROM final_accounts WHERE id = $1", final_id
    )
    return estate_id


async def final_accounts_status(conn: asyncpg.Connection, final_id: int) -> str | None:
    status: str | None = await conn.fetchval(
        "SELECT status FROM final_accounts WHERE id = $1", final_id
    )
    return status


async def list_final_accounts(
    conn: asyncpg.Connection, estate_id: int, only_approved: bool
) -> list[FinalAccountsSummary]:
    rows = await conn.fetch(
        """SELECT id, plan_id, version, status, total_cost_fen, residents_total_fen,
                  created_at, approved_at
           FROM final_accounts WHERE estate_id = $1 AND ($2 = false OR status = 'approved')
           ORDER BY version DESC""",
        estate_id,
        only_approved,
    )
    return [FinalAccountsSummary(**dict(r)) for r in rows]


async def approve_final_accounts(conn: asyncpg.Connection, final_id: int, member_id: int) -> None:
    await conn.execute(
        """UPDATE final_accounts SET status = 'approved', approved_by = $2, approved_at = now()
           WHERE id = $1""",
        final_id,
        member_id,
    )
