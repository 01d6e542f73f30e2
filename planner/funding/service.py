"""Funding's use cases: sources, solving a version, reading it with its staleness, approval.

Each change runs in one transaction with the event it records. A solve reads one
consistent snapshot, solves in the process pool (never on the event loop), then stores
the version; a failed solve (infeasible, timed out) is stored as a "failed" version and
answered 422 with the reasons. A preview solves the same way and stores nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound, Unprocessable
from planner.estates.store import estate_exists
from planner.events import append_event
from planner.funding import choices_store, store
from planner.funding.choices import preview_out, work_choices
from planner.funding.engine import FundingProblem, Outcome, solve_off_loop
from planner.funding.model import (
    NewSource,
    PlanOut,
    PlanPreview,
    PlanRecord,
    PlanSummary,
    SolveRequest,
    SourceOut,
    SourceUpdate,
    WorkChoices,
)
from planner.funding.rules import (
    APPROVE,
    MANAGE,
    READ,
    SOLVER_STATUS,
    check_approval,
    check_new_source,
    check_solve_request,
    failure_reason,
    plan_out,
    source_inputs,
    staleness,
    updated_source,
)
from planner.ops.metrics import observe_solve
from planner.payments.store import carry_payments
from planner.works.store import works_outside_estate

# a failed solve's code, by the solver's answer
_FAILED_CODE = {
    "infeasible": "plan_infeasible",
    "timeout": "solve_timeout",
    "error": "solve_failed",
}


async def _check_estate_works(
    conn: asyncpg.Connection, estate_id: int, work_ids: Sequence[int], field: str
) -> None:
    """400 naming the first of ``work_ids`` that is not a work of the estate."""
    outside = set(await works_outside_estate(conn, estate_id, work_ids))
    for i, work_id in enumerate(work_ids):
        if work_id in outside:
            raise BadRequest(
                f"{field}[{i}]",
                f"no work {work_id} in this estate",
                "not_in_estate",
                {"what": "work", "id": work_id},
            )


async def _source_changed(
    conn: asyncpg.Connection, estate_id: int, source: SourceOut, type: str, member_id: int
) -> None:
    await append_event(
        conn,
        estate_id=estate_id,
        type=type,
        data={"source_id": source.id, "name": source.name, "budget_fen": source.budget_fen},
        actor_id=member_id,
        audience="members",
    )


async def add_source(db: Database, estate_id: int, data: NewSource, member_id: int) -> SourceOut:
    """A public source; its eligible works must belong to the estate."""
    check_new_source(data)
    async with db.transaction() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        await _check_estate_works(conn, estate_id, data.eligible_work_ids, "eligible_work_ids")
        source = await store.insert_source(conn, estate_id, data, member_id)
        await _source_changed(conn, estate_id, source, "funding_source.added", member_id)
    return source


async def list_sources(db: Database, estate_id: int) -> list[SourceOut]:
    async with db.connection() as conn:
        return await store.list_sources(conn, estate_id)


async def update_source(
    db: Database, source_id: int, data: SourceUpdate, principal: Principal
) -> SourceOut:
    """Change the fields given; pledges on works that stay eligible are kept unless replaced."""
    async with db.transaction() as conn:
        current = await store.lock_source(conn, source_id)
        if current is None:
            raise NotFound("funding source")
        authorize(principal, current.estate_id, MANAGE, what="funding source")
        fields = updated_source(current, data)
        await _check_estate_works(
            conn, current.estate_id, fields.eligible_work_ids, "eligible_work_ids"
        )
        source = await store.update_source(conn, source_id, fields)
        await _source_changed(
            conn, current.estate_id, source, "funding_source.updated", principal.member_id
        )
    return source


async def _problem(
    db: Database, estate_id: int, data: SolveRequest, service_limit: float
) -> FundingProblem:
    """The request checked and the estate read in one consistent snapshot."""
    check_solve_request(data)
    async with (
        db.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        if data.work_ids is not None:
            await _check_estate_works(conn, estate_id, data.work_ids, "work_ids")
            missing = await store.works_without_cost(conn, estate_id, data.work_ids)
            if missing:
                raise BadRequest(
                    "work_ids",
                    f"works without a cost: {missing}",
                    "works_without_cost",
                    {"ids": missing},
                )
        works = await store.works_for_funding(conn, estate_id, data.work_ids)
        sources = source_inputs(await store.list_sources(conn, estate_id))
        households = await store.households_for_funding(conn, estate_id)
    limit = service_limit if data.time_limit_s is None else min(service_limit, data.time_limit_s)
    return FundingProblem(
        works=tuple(works),
        sources=tuple(sources),
        households=tuple(households),
        policy=data.policy,
        resident_band=data.resident_band,
        target_share=data.target_share,
        time_limit_s=limit,
    )


async def _store_version(
    db: Database,
    estate_id: int,
    problem: FundingProblem,
    outcome: Outcome,
    wall_seconds: float,
    member_id: int,
) -> int:
    """Store the solve's version (draft, or failed with its reasons) and its event."""
    timings: dict[str, float] = {"wall_seconds": round(wall_seconds, 4)}
    if outcome.stats is not None:
        stats = msgspec.to_builtins(outcome.stats)
        timings.update({k: round(float(v), 4) for k, v in stats.items()})
    failure: dict[str, Any] | None = None
    if outcome.kind != "ok":
        failure = {
            "reason": failure_reason(outcome),
            "problems": msgspec.to_builtins(outcome.problems),
        }
    async with db.transaction() as conn:
        plan_id, version = await store.insert_plan(
            conn,
            estate_id=estate_id,
            status="draft" if outcome.kind == "ok" else "failed",
            policy=problem.policy,
            inputs_json=msgspec.json.encode(problem),
            result=outcome.result,
            solver_status=SOLVER_STATUS[outcome.kind],
            failure=failure,
            timings=timings,
            created_by=member_id,
        )
        data: dict[str, Any] = {"plan_id": plan_id, "version": version, "status": outcome.kind}
        if outcome.result is not None:
            data["total_cost_fen"] = outcome.result.total_cost_fen
            data["residents_total_fen"] = outcome.result.residents_total_fen
        await append_event(
            conn,
            estate_id=estate_id,
            type="plan.solved" if outcome.kind == "ok" else "plan.failed",
            data=data,
            actor_id=member_id,
            audience="members" if outcome.kind == "ok" else "staff",
        )
    return plan_id


async def solve_plan(
    db: Database, estate_id: int, data: SolveRequest, principal: Principal, service_limit: float
) -> PlanOut:
    """Solve with the current costs, sources and households and store the new version.

    422 (with ``details.problems``) when no plan exists or the solver runs out of time;
    that attempt is stored as "failed".
    """
    problem = await _problem(db, estate_id, data, service_limit)
    started = time.perf_counter()
    outcome = await solve_off_loop(problem)
    wall = time.perf_counter() - started
    observe_solve(wall, outcome.kind)
    if outcome.kind == "invalid":
        raise BadRequest(outcome.field, outcome.reason, "invalid")
    plan_id = await _store_version(db, estate_id, problem, outcome, wall, principal.member_id)
    async with db.connection() as conn:
        record = await store.get_plan(conn, plan_id)
    assert record is not None
    plan = plan_out(record, principal)
    if outcome.kind != "ok":
        raise Unprocessable(
            plan.failure_reason or "no plan",
            details={
                "plan_id": plan.id,
                "version": plan.version,
                "solver_status": plan.solver_status,
                "problems": msgspec.to_builtins(plan.problems),
            },
            code=_FAILED_CODE[outcome.kind],
            params={"version": plan.version},
        )
    return plan


async def preview_plan(
    db: Database, estate_id: int, data: SolveRequest, service_limit: float
) -> PlanPreview:
    """Solve exactly as :func:`solve_plan` would, but store nothing (no version, no event):
    the answer is the plan's figures or why there is none, beside the plan in force."""
    problem = await _problem(db, estate_id, data, service_limit)
    started = time.perf_counter()
    outcome = await solve_off_loop(problem)
    observe_solve(time.perf_counter() - started, outcome.kind)
    if outcome.kind == "invalid":
        raise BadRequest(outcome.field, outcome.reason, "invalid")
    async with db.connection() as conn:
        in_force = await choices_store.plan_in_force_summary(conn, estate_id)
    return preview_out(problem, outcome, in_force)


async def list_work_choices(db: Database, estate_id: int) -> WorkChoices:
    """The works a plan may cover, with the solve form's default selection."""
    async with (
        db.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        in_force = await choices_store.plan_in_force_summary(conn, estate_id)
        works = await choices_store.estate_works_with_costs(conn, estate_id)
    return work_choices(works, in_force)


async def list_plans(db: Database, estate_id: int) -> list[PlanSummary]:
    async with db.connection() as conn:
        return await store.list_plans(conn, estate_id)


async def read_plan(db: Database, plan_id: int, principal: Principal) -> PlanOut:
    """One version with what changed in the estate since it was solved."""
    async with db.connection() as conn:
        record = await store.get_plan(conn, plan_id)
        if record is None:
            raise NotFound("funding plan")
        authorize(principal, record.estate_id, READ, what="funding plan")
        solved = msgspec.convert(record.inputs, FundingProblem, strict=False)
        costs, benefits = await store.works_now(conn, [w.work_id for w in solved.works])
        sources = source_inputs(await store.list_sources(conn, record.estate_id))
        households = await store.household_changes(conn, record.id, record.estate_id)
    reasons = staleness(
        solved, costs, sources, benefits_now=benefits, households_changed=households
    )
    return plan_out(record, principal, reasons)


async def solved_plan(
    conn: asyncpg.Connection, plan_id: int, principal: Principal, roles: Sequence[str]
) -> PlanRecord:
    """A solved version for those of ``roles`` in its estate: 404 when there is no such
    plan or it is another estate's, 403 for other roles, 409 when that version failed."""
    record = await store.get_plan(conn, plan_id)
    if record is None:
        raise NotFound("funding plan")
    authorize(principal, record.estate_id, roles, what="funding plan")
    if record.result is None:
        raise Conflict(
            f"plan version {record.version} failed; it has nothing to export",
            "plan_failed",
            {"version": record.version},
        )
    return record


async def approve_plan(db: Database, plan_id: int, principal: Principal) -> PlanOut:
    """Approve a draft: it becomes the plan in force and the one in force before it is
    superseded (kept, readable, its notices void), in one transaction.

    409 ``plan_not_draft`` when it is not a draft; 409 ``plan_in_force_changed`` when another
    version was approved since this draft was solved (of two racing approvals, on any
    instances, exactly one wins). What households paid against the superseded plan is
    carried to the new one (households still in it). Events: ``plan.superseded`` (when a
    plan was in force), then ``plan.approved``.
    """
    async with db.transaction() as conn:
        found = await store.plan_estate(conn, plan_id)
        if found is None:
            raise NotFound("funding plan")
        estate_id, _ = found
        authorize(principal, estate_id, APPROVE, what="funding plan")
        await store.lock_estate_plans(conn, estate_id)
        status, version, replaces = await store.approval_basis(conn, plan_id)
        in_force = await store.plan_in_force(conn, estate_id)
        check_approval(status, version, replaces, in_force)
        if in_force is not None:
            await store.supersede_plan(conn, in_force.id, plan_id)
        await store.approve_plan(conn, plan_id, principal.member_id)
        record = await store.get_plan(conn, plan_id)
        assert record is not None and record.result is not None
        if in_force is not None:
            still_in = [h.household_id for h in record.result.households]
            carried, left = await carry_payments(conn, in_force.id, plan_id, still_in)
            await append_event(
                conn,
                estate_id=estate_id,
                type="plan.superseded",
                data={
                    "plan_id": in_force.id,
                    "version": in_force.version,
                    "superseded_by": plan_id,
                    "superseded_by_version": record.version,
                    "payments_carried": carried,
                    "payments_left": left,
                },
                actor_id=principal.member_id,
                audience="members",
            )
        await append_event(
            conn,
            estate_id=estate_id,
            type="plan.approved",
            data={
                "plan_id": plan_id,
                "version": record.version,
                "residents_total_fen": record.result.residents_total_fen,
                "supersedes": None if in_force is None else in_force.id,
                "supersedes_version": None if in_force is None else in_force.version,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return plan_out(record, principal)
