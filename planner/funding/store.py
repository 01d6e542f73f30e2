"""SQL for funding sources and plan versions: one function per query, returning Structs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from planner.funding.engine import (
    FundingPlanResult,
    FundingProblem,
    HouseholdInput,
    Problem,
    WorkInput,
)
from planner.funding.model import (
    NewSource,
    PlanInForce,
    PlanRecord,
    PlanSummary,
    SourceFields,
    SourceOut,
)
from planner.funding.rules import HouseholdChanges
from planner.works.rules import WorkBenefit

_SOURCE_SQL = """
    SELECT s.id, s.estate_id, s.name, s.kind, s.budget_fen, s.max_share, s.created_at,
           coalesce(array_agg(sw.work_id ORDER BY sw.work_id)
                    FILTER (WHERE sw.work_id IS NOT NULL), '{}') AS work_ids,
           coalesce(array_agg(sw.pledge_fen ORDER BY sw.work_id)
                    FILTER (WHERE sw.work_id IS NOT NULL), '{}') AS pledges
    FROM funding_sources s
    LEFT JOIN funding_source_works sw ON sw.source_id = s.id
"""


def _source(row: asyncpg.Record) -> SourceOut:
    max_share: Decimal | None = row["max_share"]
    return SourceOut(
        id=row["id"],
        estate_id=row["estate_id"],
        name=row["name"],
        kind=row["kind"],
        budget_fen=row["budget_fen"],
        max_share=None if max_share is None else str(max_share),
        eligible_work_ids=list(row["work_ids"]),
        pledges={
            w: p for w, p in zip(row["work_ids"], row["pledges"], strict=True) if p is not None
        },
        created_at=row["created_at"],
    )


async def insert_source(
    conn: asyncpg.Connection, estate_id: int, source: NewSource, created_by: int
) -> SourceOut:
    source_id = await conn.fetchval(
        """INSERT INTO funding_sources (estate_id, name, kind, budget_fen, max_share, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        estate_id,
        source.name,
        source.kind,
        source.budget_fen,
        source.max_share,
        created_by,
    )
    work_ids = sorted(set(source.eligible_work_ids))
    await conn.executemany(
        "INSERT INTO funding_source_works (source_id, work_id, pledge_fen) VALUES ($1, $2, $3)",
        [(source_id, w, source.pledges.get(w)) for w in work_ids],
    )
    created = await get_source(conn, source_id)
    assert created is not None
    return created


async def update_source(
    conn: asyncpg.Connection, source_id: int, fields: SourceFields
) -> SourceOut:
    """Overwrite a source's fields and its eligible works and pledges."""
    await conn.execute(
        """UPDATE funding_sources SET name = $2, kind = $3, budget_fen = $4, max_share = $5,
                                      updated_at = now()
           WHERE id = $1""",
        source_id,
        fields.name,
        fields.kind,
        fields.budget_fen,
        fields.max_share,
    )
    await conn.execute("DELETE FROM funding_source_works WHERE source_id = $1", source_id)
    await conn.executemany(
        "INSERT INTO funding_source_works (source_id, work_id, pledge_fen) VALUES ($1, $2, $3)",
        [(source_id, w, fields.pledges.get(w)) for w in sorted(set(fields.eligible_work_ids))],
    )
    updated = await get_source(conn, source_id)
    assert updated is not None
    return updated


async def lock_source(conn: asyncpg.Connection, source_id: int) -> SourceOut | None:
    await conn.execute("SELECT 1 FROM funding_sources WHERE id = $1 FOR UPDATE", source_id)
    return await get_source(conn, source_id)


async def get_source(conn: asyncpg.Connection, source_id: int) -> SourceOut | None:
    row = await conn.fetchrow(_SOURCE_SQL + " WHERE s.id = $1 GROUP BY s.id", source_id)
    return _source(row) if row else None


async def list_sources(conn: asyncpg.Connection, estate_id: int) -> list[SourceOut]:
    rows = await conn.fetch(
        _SOURCE_SQL + " WHERE s.estate_id = $1 GROUP BY s.id ORDER BY s.id", estate_id
    )
    return [_source(r) for r in rows]


async def works_for_funding(
    conn: asyncpg.Connection, estate_id: int, work_ids: list[int] | None
) -> list[WorkInput]:
    """Works with a cost (awarded total, else estimate); by default every one not rejected
    and not a mere candidate."""
    rows = await conn.fetch(
        """SELECT id, title, coalesce(awarded_total_fen, estimate_fen) AS cost_fen,
                  benefit_rule, scope_building_ids, floor_factors
           FROM works
           WHERE estate_id = $1
             AND coalesce(awarded_total_fen, estimate_fen) IS NOT NULL
             AND ($2::bigint[] IS NULL AND status NOT IN ('rejected', 'candidate')
                  OR id = ANY($2::bigint[]))
           ORDER BY id""",
        estate_id,
        work_ids,
    )
    return [
        WorkInput(work_id=r["id"], cost_fen=r["cost_fen"], title=r["title"], benefit=_benefit(r))
        for r in rows
    ]


def _benefit(row: asyncpg.Record) -> WorkBenefit:
    factors: dict[str, Any] = row["floor_factors"] or {}
    return WorkBenefit(
        benefit_rule=row["benefit_rule"],
        scope_building_ids=tuple(row["scope_building_ids"]),
        floor_factors={int(k): Decimal(str(v)) for k, v in factors.items()},
    )


async def works_without_cost(
    conn: asyncpg.Connection, estate_id: int, work_ids: list[int]
) -> list[int]:
    rows = await conn.fetch(
        """SELECT id FROM works WHERE estate_id = $1 AND id = ANY($2::bigint[])
             AND coalesce(awarded_total_fen, estimate_fen) IS NULL ORDER BY id""",
        estate_id,
        work_ids,
    )
    return [r["id"] for r in rows]


async def works_now(
    conn: asyncpg.Connection, work_ids: list[int]
) -> tuple[dict[int, int | None], dict[int, WorkBenefit]]:
    """Each work's cost now (awarded, else estimate; None for rejected works) and who
    benefits from it now, in one read."""
    rows = await conn.fetch(
        """SELECT id, CASE WHEN status = 'rejected' THEN NULL
                          ELSE coalesce(awarded_total_fen, estimate_fen) END AS cost_fen,
                  coalesce(awarded_total_fen, estimate_fen) IS NOT NULL AS has_cost,
                  benefit_rule, scope_building_ids, floor_factors
           FROM works WHERE id = ANY($1::bigint[])""",
        work_ids,
    )
    costs = {r["id"]: r["cost_fen"] for r in rows}
    return costs, {r["id"]: _benefit(r) for r in rows if r["has_cost"]}


async def households_for_funding(conn: asyncpg.Connection, estate_id: int) -> list[HouseholdInput]:
    rows = await conn.fetch(
        """SELECT id, area_m2, building_id, floor, hardship_cap_fen
           FROM households WHERE estate_id = $1 ORDER BY id""",
        estate_id,
    )
    return [
        HouseholdInput(
            household_id=r["id"],
            area_m2=r["area_m2"],
            building_id=r["building_id"],
            floor=r["floor"],
            cap_fen=r["hardship_cap_fen"],
        )
        for r in rows
    ]


async def household_changes(
    conn: asyncpg.Connection, plan_id: int, estate_id: int
) -> HouseholdChanges:
    """How the estate's households differ from those in a plan's inputs snapshot (compared
    in the database: a large estate's snapshot never comes to Python for this)."""
    row = await conn.fetchrow(
        """WITH snap AS (
               SELECT (h->>'household_id')::bigint AS id, (h->>'area_m2')::numeric AS area,
                      (h->>'building_id')::bigint AS building,
                      coalesce((h->>'floor')::integer, 1) AS floor,
                      (h->>'cap_fen')::bigint AS cap
               FROM funding_plans p, jsonb_array_elements(p.inputs->'households') h
               WHERE p.id = $1),
           cur AS (
               SELECT id, area_m2 AS area, building_id AS building, floor,
                      hardship_cap_fen AS cap
               FROM households WHERE estate_id = $2)
           SELECT count(*) FILTER (WHERE snap.id IS NULL) AS added,
                  count(*) FILTER (WHERE cur.id IS NULL) AS removed,
                  count(*) FILTER (
                      WHERE snap.id IS NOT NULL AND cur.id IS NOT NULL
                        AND (snap.area, snap.building, snap.floor, snap.cap)
                            IS DISTINCT FROM (cur.area, cur.building, cur.floor, cur.cap)
                  ) AS changed
           FROM snap FULL JOIN cur ON snap.id = cur.id""",
        plan_id,
        estate_id,
    )
    assert row is not None
    return HouseholdChanges(added=row["added"], removed=row["removed"], changed=row["changed"])


async def lock_estate_plans(conn: asyncpg.Connection, estate_id: int) -> None:
    """Serialise, until the transaction ends, what numbers versions and what changes the plan
    in force in one estate (every instance shares the database, so this holds across them)."""
    await conn.execute("SELECT pg_advisory_xact_lock(4004, $1::int)", estate_id % 2**31)


async def insert_plan(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    status: str,
    policy: str,
    inputs_json: bytes,
    result: FundingPlanResult | None,
    solver_status: str,
    failure: dict[str, Any] | None,
    timings: dict[str, float],
    created_by: int,
) -> tuple[int, int]:
    """Store a new version (numbered per estate under the estate's plan lock); returns its
    id and version. It records the plan in force now as the one it would replace."""
    await lock_estate_plans(conn, estate_id)
    version: int = await conn.fetchval(
        "SELECT coalesce(max(version), 0) + 1 FROM funding_plans WHERE estate_id = $1", estate_id
    )
    plan_id: int = await conn.fetchval(
        """INSERT INTO funding_plans (estate_id, version, status, policy, inputs, result,
                                      total_cost_fen, residents_total_fen, solver_status,
                                      failure, timings, created_by, replaces_plan_id)
           VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, $9, $10, $11, $12,
                   (SELECT id FROM funding_plans WHERE estate_id = $1 AND status = 'approved'))
           RETURNING id""",
        estate_id,
        version,
        status,
        policy,
        inputs_json.decode(),
        None if result is None else msgspec.json.encode(result).decode(),
        None if result is None else result.total_cost_fen,
        None if result is None else result.residents_total_fen,
        solver_status,
        failure,
        timings,
        created_by,
    )
    return plan_id, version


_PLAN_SQL = """
    SELECT p.id, p.estate_id, p.version, p.status, p.policy, p.inputs::text AS inputs,
           p.result::text AS result, p.solver_status, p.failure, p.timings, p.created_at,
           p.created_by, p.approved_at, p.approved_by, p.replaces_plan_id, p.superseded_by,
           s.version AS superseded_by_version, p.superseded_at
    FROM funding_plans p
    LEFT JOIN funding_plans s ON s.id = p.superseded_by
"""


def _plan(row: asyncpg.Record) -> PlanRecord:
    failure: dict[str, Any] = row["failure"] or {}
    inputs = msgspec.json.decode(row["inputs"])
    # households are not needed to render a plan; drop them early for large estates
    inputs.pop("households", None)
    return PlanRecord(
        id=row["id"],
        estate_id=row["estate_id"],
        version=row["version"],
        status=row["status"],
        policy=row["policy"],
        inputs=inputs,
        result=None
        if row["result"] is None
        else msgspec.json.decode(row["result"], type=FundingPlanResult),
        solver_status=row["solver_status"],
        failure_reason=failure.get("reason"),
        problems=msgspec.convert(failure.get("problems", []), list[Problem]),
        timings=row["timings"] or {},
        created_at=row["created_at"],
        created_by=row["created_by"],
        approved_at=row["approved_at"],
        approved_by=row["approved_by"],
        replaces_plan_id=row["replaces_plan_id"],
        superseded_by=row["superseded_by"],
        superseded_by_version=row["superseded_by_version"],
        superseded_at=row["superseded_at"],
    )


async def get_plan(conn: asyncpg.Connection, plan_id: int) -> PlanRecord | None:
    row = await conn.fetchrow(_PLAN_SQL + " WHERE p.id = $1", plan_id)
    return _plan(row) if row else None


async def plan_estate(conn: asyncpg.Connection, plan_id: int) -> tuple[int, str] | None:
    row = await conn.fetchrow("SELECT estate_id, status FROM funding_plans WHERE id = $1", plan_id)
    return (row["estate_id"], row["status"]) if row else None


async def list_plans(conn: asyncpg.Connection, estate_id: int) -> list[PlanSummary]:
    rows = await conn.fetch(
        """SELECT id, estate_id, version, status, policy, solver_status, total_cost_fen,
                  residents_total_fen, created_at, created_by, approved_at, approved_by,
                  superseded_by, superseded_at
           FROM funding_plans WHERE estate_id = $1 ORDER BY version DESC""",
        estate_id,
    )
    return [PlanSummary(**dict(r)) for r in rows]


async def plan_in_force(conn: asyncpg.Connection, estate_id: int) -> PlanInForce | None:
    """The estate's approved version (at most one: a unique index holds it)."""
    row = await conn.fetchrow(
        "SELECT id, version FROM funding_plans WHERE estate_id = $1 AND status = 'approved'",
        estate_id,
    )
    return PlanInForce(id=row["id"], version=row["version"]) if row else None


async def approval_basis(conn: asyncpg.Connection, plan_id: int) -> tuple[str, int, int | None]:
    """A version's status, number and the plan it would replace (read under the plan lock)."""
    row = await conn.fetchrow(
        "SELECT status, version, replaces_plan_id FROM funding_plans WHERE id = $1", plan_id
    )
    assert row is not None
    return row["status"], row["version"], row["replaces_plan_id"]


async def supersede_plan(conn: asyncpg.Connection, plan_id: int, by_plan_id: int) -> None:
    """Approved → superseded by ``by_plan_id`` (the database refuses any other move)."""
    await conn.execute(
        """UPDATE funding_plans SET status = 'superseded', superseded_by = $2,
                                    superseded_at = now()
           WHERE id = $1 AND status = 'approved'""",
        plan_id,
        by_plan_id,
    )


async def approve_plan(conn: asyncpg.Connection, plan_id: int, member_id: int) -> None:
    """Draft → approved."""
    await conn.execute(
        """UPDATE funding_plans SET status = 'approved', approved_at = now(), approved_by = $2
           WHERE id = $1 AND status = 'draft'""",
        plan_id,
        member_id,
    )


async def plan_problem(conn: asyncpg.Connection, plan_id: int) -> FundingProblem | None:
    """The FundingProblem a version was solved from, households included (its works, costs,
    sources, policy and band): what final accounts re-solve on final costs."""
    raw = await conn.fetchval("SELECT inputs::text FROM funding_plans WHERE id = $1", plan_id)
    return None if raw is None else msgspec.json.decode(raw, type=FundingProblem)
