"""SQL for exports: the labels of a plan's households, and the households of one building."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from planner.funding.exports.model import HouseholdLabel

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
