"""SQL for the solve form: the works a plan may cover and the plan in force to compare with."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from planner.funding.model import PlanInForceSummary


async def plan_in_force_summary(
    conn: asyncpg.Connection, estate_id: int
) -> PlanInForceSummary | None:
    """The approved version's totals, band and works (None when no plan is in force)."""
    row = await conn.fetchrow(
        """SELECT id, version, total_cost_fen, residents_total_fen,
                  result->>'residents_share' AS residents_share,
                  coalesce(ARRAY(SELECT b #>> '{}'
                                 FROM jsonb_array_elements(inputs->'resident_band') b),
                           '{}') AS band,
                  coalesce(ARRAY(SELECT (w->>'work_id')::bigint
                                 FROM jsonb_array_elements(result->'works') w
                                 ORDER BY 1), '{}') AS work_ids
           FROM funding_plans WHERE estate_id = $1 AND status = 'approved'""",
        estate_id,
    )
    if row is None:
        return None
    return PlanInForceSummary(
        id=row["id"],
        version=row["version"],
        total_cost_fen=row["total_cost_fen"],
        residents_total_fen=row["residents_total_fen"],
        residents_share=row["residents_share"],
        resident_band=[str(Decimal(b)) for b in row["band"]],
        work_ids=list(row["work_ids"]),
    )


async def estate_works_with_costs(
    conn: asyncpg.Connection, estate_id: int
) -> list[tuple[int, str, str, int | None, int | None]]:
    """Every work of the estate that is not rejected (nor a mere candidate), in id order:
    (id, title, status, estimate_fen, awarded_total_fen)."""
    rows = await conn.fetch(
        """SELECT id, title, status, estimate_fen, awarded_total_fen FROM works
           WHERE estate_id = $1 AND status NOT IN ('rejected', 'candidate') ORDER BY id""",
        estate_id,
    )
    return [
        (r["id"], r["title"], r["status"], r["estimate_fen"], r["awarded_total_fen"]) for r in rows
    ]
