"""SQL for exports: a plan with its labels, and the households of one building."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from planner.funding import store as funding_store
from planner.funding.exports.model import ExportPlan, HouseholdLabel, SourceLabel, WorkLabel
from planner.funding.store import PlanRecord


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True):
    household_id: int
    paid_fen: int
    reference: str
    recorded_by: int | None
    recorded_at: datetime


# Area, floor and cap as the plan was solved with (the inputs snapshot); names and units
# as the estate's register has them now.
_HOUSEHOLDS_SQL = """
    SELECT (e->>'household_id')::bigint AS id, (e->>'area_m2')::numeric AS area_m2,
           (e->>'floor')::int AS floor, (e->>'cap_fen')::bigint AS cap_fen,
           h.unit, h.owner_name, b.id AS building_id, b.name AS building
    FROM funding_plans p
    CROSS JOIN LATERAL jsonb_array_elements(p.inputs->'households') AS e
    LEFT JOIN households h ON h.id = (e->>'household_id')::bigint
    LEFT JOIN buildings b ON b.id = h.building_id
    WHERE p.id = $1
"""


async def plan_record(conn: asyncpg.Connection, plan_id: int) -> PlanRecord | None:
    return await funding_store.get_plan(conn, plan_id)


async def estate_name(conn: asyncpg.Connection, estate_id: int) -> str:
    name: str | None = await conn.fetchval("SELECT name FROM estates WHERE id = $1", estate_id)
    return name or f"#{estate_id}"


async def household_labels(
    conn: asyncpg.Connection, plan_id: int, household_ids: list[int] | None = None
) -> dict[int, HouseholdLabel]:
    """Labels of the plan's households (only ``household_ids`` when given)."""
    if household_ids is None:
        rows = await conn.fetch(_HOUSEHOLDS_SQL, plan_id)
    else:
        rows = await conn.fetch(
            _HOUSEHOLDS_SQL + " AND (e->>'household_id')::bigint = ANY($2::bigint[])",
            plan_id,
            household_ids,
        )
    return {
        r["id"]: HouseholdLabel(
            household_id=r["id"],
            building_id=r["building_id"],
            building=r["building"] or "",
            unit=r["unit"] or f"#{r['id']}",
            floor=r["floor"] or 0,
            owner_name=r["owner_name"] or "",
            area_m2=r["area_m2"] or Decimal("0.00"),
            cap_fen=r["cap_fen"],
        )
        for r in rows
    }


async def building_household_ids(
    conn: asyncpg.Connection, estate_id: int, building_id: int
) -> list[int] | None:
    """Household ids of a building of the estate, in id order; None if no such building."""
    exists = await conn.fetchval(
        "SELECT 1 FROM buildings WHERE id = $1 AND estate_id = $2", building_id, estate_id
    )
    if not exists:
        return None
    rows = await conn.fetch(
        "SELECT id FROM households WHERE building_id = $1 ORDER BY id", building_id
    )
    return [r["id"] for r in rows]


async def payments(
    conn: asyncpg.Connection, plan_id: int, household_ids: list[int] | None = None
) -> dict[int, int]:
    """Fen paid so far per household of the plan (households with no record are absent)."""
    rows = await conn.fetch(
        """SELECT household_id, paid_fen FROM plan_payments
           WHERE plan_id = $1 AND ($2::bigint[] IS NULL OR household_id = ANY($2::bigint[]))""",
        plan_id,
        household_ids,
    )
    return {r["household_id"]: r["paid_fen"] for r in rows}


async def payment_records(conn: asyncpg.Connection, plan_id: int) -> list[PaymentRecord]:
    rows = await conn.fetch(
        """SELECT household_id, paid_fen, reference, recorded_by, recorded_at
           FROM plan_payments WHERE plan_id = $1 ORDER BY household_id""",
        plan_id,
    )
    return [PaymentRecord(**dict(r)) for r in rows]


async def record_payment(
    conn: asyncpg.Connection,
    plan_id: int,
    household_id: int,
    paid_fen: int,
    reference: str,
    member_id: int,
) -> PaymentRecord:
    """Set the amount a household has paid against the plan (replacing the last figure)."""
    row = await conn.fetchrow(
        """INSERT INTO plan_payments (plan_id, household_id, paid_fen, reference, recorded_by)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (plan_id, household_id) DO UPDATE
             SET paid_fen = EXCLUDED.paid_fen, reference = EXCLUDED.reference,
                 recorded_by = EXCLUDED.recorded_by, recorded_at = now()
           RETURNING household_id, paid_fen, reference, recorded_by, recorded_at""",
        plan_id,
        household_id,
        paid_fen,
        reference,
        member_id,
    )
    return PaymentRecord(**dict(row))


def _band(value: Any) -> tuple[Decimal, Decimal] | None:
    if not value or len(value) != 2:
        return None
    return Decimal(str(value[0])), Decimal(str(value[1]))


def export_plan(
    record: PlanRecord,
    estate: str,
    households: dict[int, HouseholdLabel],
    paid: dict[int, int] | None = None,
) -> ExportPlan:
    """The export view of a solved plan (``record.result`` must be set)."""
    assert record.result is not None
    inputs = record.inputs
    works = {
        int(w["work_id"]): WorkLabel(
            work_id=int(w["work_id"]),
            title=str(w.get("title") or ""),
            resident_band=_band(w.get("resident_band")),
        )
        for w in inputs.get("works", [])
    }
    sources = {
        int(s["source_id"]): SourceLabel(
            source_id=int(s["source_id"]),
            name=str(s.get("name") or ""),
            kind=str(s.get("kind") or "other"),
        )
        for s in inputs.get("sources", [])
    }
    band = _band(inputs.get("resident_band")) or (Decimal("0.20"), Decimal("0.30"))
    return ExportPlan(
        plan_id=record.id,
        estate_id=record.estate_id,
        estate_name=estate,
        version=record.version,
        status=record.status,
        policy=record.policy,
        resident_band=band,
        created_at=record.created_at,
        approved_at=record.approved_at,
        result=record.result,
        households=households,
        works=works,
        sources=sources,
        payments=paid or {},
    )
