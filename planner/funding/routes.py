"""Funding sources and plan versions over HTTP.

Who may do what:
- treasurer, committee, admin: add sources and solve (each solve stores a new version);
- treasurer and admin: approve a draft (409 if it is not a draft); approved plans are frozen;
- observers: read everything;
- owners: read sources and plans, but a plan's ``households`` lists only their own units;
- suppliers: 403 on everything here.
The solve runs in a process pool, never on the event loop; a failed solve (infeasible,
timed out) is stored as a "failed" version and answered 422 with the reasons.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Litestar, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.errors import BadRequest, Conflict, NotFound, Unprocessable
from planner.events import append_event
from planner.funding import store
from planner.funding.model import (
    FundingProblem,
    NewSource,
    Outcome,
    PlanOut,
    PlanSummary,
    SolveRequest,
    SourceOut,
    SourceUpdate,
    StaleReason,
)
from planner.funding.rules import staleness
from planner.funding.store import PlanRecord
from planner.funding.worker import shutdown_pool, solve_off_loop

MANAGE = ("admin", "committee", "treasurer")
APPROVE = ("admin", "treasurer")
READ = ("admin", "committee", "treasurer", "observer", "owner")


def _check_share(value: Decimal | None, field: str) -> None:
    if value is not None and not (value.is_finite() and 0 <= value <= 1):
        raise BadRequest(field, 'must be a share between 0 and 1, e.g. "0.30"')


class FundingSourceController(Controller):
    tags = ("funding",)

    @post("/api/estates/{estate_id:int}/funding-sources", status_code=HTTP_201_CREATED)
    async def add_source(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewSource],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SourceOut:
        """A public source; its eligible works must belong to the estate."""
        authorize(principal, estate_id, MANAGE)
        _check_share(data.max_share, "max_share")
        if data.max_share is not None and data.max_share != data.max_share.quantize(
            Decimal("0.0001")
        ):
            raise BadRequest("max_share", "at most four decimal places")
        for work_id in data.pledges:
            if work_id not in data.eligible_work_ids:
                raise BadRequest(f"pledges.{work_id}", "a pledged work must be eligible")
        async with db.transaction() as conn:
            if not await store.estate_exists(conn, estate_id):
                raise NotFound("estate")
            known = await store.estate_work_ids(conn, estate_id)
            for i, work_id in enumerate(data.eligible_work_ids):
                if work_id not in known:
                    raise BadRequest(f"eligible_work_ids[{i}]", f"no work {work_id} in this estate")
            source = await store.insert_source(conn, estate_id, data, principal.member_id)
            await append_event(
                conn,
                estate_id=estate_id,
                type="funding_source.added",
                data={"source_id": source.id, "name": source.name, "budget_fen": source.budget_fen},
                actor_id=principal.member_id,
                audience="members",
            )
        return source

    @get("/api/estates/{estate_id:int}/funding-sources")
    async def list_sources(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[SourceOut]:
        authorize(principal, estate_id, READ)
        async with db.connection() as conn:
            return await store.list_sources(conn, estate_id)

    @patch("/api/funding-sources/{source_id:int}")
    async def update_source(
        self,
        source_id: FromPath[int],
        data: JSONBody[SourceUpdate],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SourceOut:
        """Change a budget, share limit, eligible works or pledges (a new budget → re-solve)."""
        async with db.transaction() as conn:
            current = await store.lock_source(conn, source_id)
            if current is None:
                raise NotFound("funding source")
            authorize(principal, current.estate_id, MANAGE)
            max_share = (
                (None if current.max_share is None else Decimal(current.max_share))
                if isinstance(data.max_share, msgspec.UnsetType)
                else data.max_share
            )
            _check_share(max_share, "max_share")
            eligible = (
                current.eligible_work_ids
                if isinstance(data.eligible_work_ids, msgspec.UnsetType)
                else data.eligible_work_ids
            )
            if isinstance(data.pledges, msgspec.UnsetType):
                # keep the pledges on works that stay eligible
                pledges = {w: p for w, p in current.pledges.items() if w in eligible}
            else:
                pledges = dict(data.pledges)
            for work_id in pledges:
                if work_id not in eligible:
                    raise BadRequest(f"pledges.{work_id}", "a pledged work must be eligible")
            known = await store.estate_work_ids(conn, current.estate_id)
            for i, work_id in enumerate(eligible):
                if work_id not in known:
                    raise BadRequest(f"eligible_work_ids[{i}]", f"no work {work_id} in this estate")
            source = await store.update_source(
                conn,
                source_id,
                name=current.name if isinstance(data.name, msgspec.UnsetType) else data.name,
                kind=current.kind if isinstance(data.kind, msgspec.UnsetType) else data.kind,
                budget_fen=current.budget_fen
                if isinstance(data.budget_fen, msgspec.UnsetType)
                else data.budget_fen,
                max_share=max_share,
                pledges=pledges,
                eligible_work_ids=list(eligible),
            )
            await append_event(
                conn,
                estate_id=current.estate_id,
                type="funding_source.updated",
                data={"source_id": source.id, "name": source.name, "budget_fen": source.budget_fen},
                actor_id=principal.member_id,
                audience="members",
            )
        return source


class FundingPlanController(Controller):
    tags = ("funding",)

    @post("/api/estates/{estate_id:int}/funding-plans", status_code=HTTP_201_CREATED)
    async def solve_plan(
        self,
        estate_id: FromPath[int],
        data: JSONBody[SolveRequest],
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> PlanOut:
        """Solve with the current costs, sources and households; store the new version.

        422 (with ``details.problems``: which constraint binds and by how much) when no
        plan exists or the solver runs out of time; that attempt is stored as "failed".
        """
        authorize(principal, estate_id, MANAGE)
        problem = await _problem(db, estate_id, data, settings.solver_time_limit_s)
        started = time.perf_counter()
        outcome = await solve_off_loop(problem)
        wall = time.perf_counter() - started
        if outcome.kind == "invalid":
            raise BadRequest(outcome.field, outcome.reason)
        plan_id = await _store(db, estate_id, problem, outcome, wall, principal.member_id)
        async with db.connection() as conn:
            record = await store.get_plan(conn, plan_id)
        assert record is not None
        plan = _plan_out(record, principal)
        if outcome.kind != "ok":
            raise Unprocessable(
                plan.failure_reason or "no plan",
                details={
                    "plan_id": plan.id,
                    "version": plan.version,
                    "solver_status": plan.solver_status,
                    "problems": msgspec.to_builtins(plan.problems),
                },
            )
        return plan

    @get("/api/estates/{estate_id:int}/funding-plans")
    async def list_plans(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[PlanSummary]:
        """Every version, newest first."""
        authorize(principal, estate_id, READ)
        async with db.connection() as conn:
            return await store.list_plans(conn, estate_id)

    @get("/api/funding-plans/{plan_id:int}")
    async def get_plan(self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> PlanOut:
        """One version; ``stale_reasons`` says what changed since it was solved."""
        async with db.connection() as conn:
            record = await store.get_plan(conn, plan_id)
            if record is None:
                raise NotFound("funding plan")
            authorize(principal, record.estate_id, READ)
            solved = msgspec.convert(record.inputs, FundingProblem, strict=False)
            costs, benefits = await store.works_now(conn, [w.work_id for w in solved.works])
            sources = store.source_inputs(await store.list_sources(conn, record.estate_id))
            households = await store.household_changes(conn, record.id, record.estate_id)
        reasons = staleness(
            solved, costs, sources, benefits_now=benefits, households_changed=households
        )
        return _plan_out(record, principal, reasons)

    @post("/api/funding-plans/{plan_id:int}/approve", status_code=HTTP_200_OK)
    async def approve(self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> PlanOut:
        """Freeze a draft. 409 when it is already approved or failed."""
        async with db.transaction() as conn:
            found = await store.plan_estate(conn, plan_id)
            if found is None:
                raise NotFound("funding plan")
            estate_id, status = found
            authorize(principal, estate_id, APPROVE)
            if not await store.approve_plan(conn, plan_id, principal.member_id):
                raise Conflict(f"only a draft can be approved; this plan is {status}")
            record = await store.get_plan(conn, plan_id)
            assert record is not None and record.result is not None
            await append_event(
                conn,
                estate_id=estate_id,
                type="plan.approved",
                data={
                    "plan_id": plan_id,
                    "version": record.version,
                    "residents_total_fen": record.result.residents_total_fen,
                },
                actor_id=principal.member_id,
                audience="members",
            )
        return _plan_out(record, principal)


async def _problem(
    db: DbDep, estate_id: int, data: SolveRequest, service_limit: float
) -> FundingProblem:
    low, high = data.resident_band
    _check_share(low, "resident_band[0]")
    _check_share(high, "resident_band[1]")
    if low > high:
        raise BadRequest("resident_band", "the lower bound is above the upper bound")
    _check_share(data.target_share, "target_share")
    if data.policy == "target" and data.target_share is None:
        raise BadRequest("target_share", "the target policy needs a target share")
    # one consistent snapshot of costs, sources and households
    async with (
        db.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        if not await store.estate_exists(conn, estate_id):
            raise NotFound("estate")
        if data.work_ids is not None:
            known = await store.estate_work_ids(conn, estate_id)
            for i, work_id in enumerate(data.work_ids):
                if work_id not in known:
                    raise BadRequest(f"work_ids[{i}]", f"no work {work_id} in this estate")
            missing = await store.works_without_cost(conn, estate_id, data.work_ids)
            if missing:
                raise BadRequest("work_ids", f"works without a cost: {missing}")
        works = await store.works_for_funding(conn, estate_id, data.work_ids)
        sources = store.source_inputs(await store.list_sources(conn, estate_id))
        households = await store.households_for_funding(conn, estate_id)
    limit = service_limit if data.time_limit_s is None else min(service_limit, data.time_limit_s)
    return FundingProblem(
        works=tuple(works),
        sources=tuple(sources),
        households=tuple(households),
        policy=data.policy,
        resident_band=(low, high),
        target_share=data.target_share,
        time_limit_s=limit,
    )


_SOLVER_STATUS = {
    "ok": "optimal",
    "infeasible": "infeasible",
    "timeout": "timeout",
    "error": "error",
}


async def _store(
    db: DbDep,
    estate_id: int,
    problem: FundingProblem,
    outcome: Outcome,
    wall_seconds: float,
    member_id: int,
) -> int:
    timings: dict[str, float] = {"wall_seconds": round(wall_seconds, 4)}
    if outcome.stats is not None:
        stats = msgspec.to_builtins(outcome.stats)
        timings.update({k: round(float(v), 4) for k, v in stats.items()})
    failure: dict[str, Any] | None = None
    if outcome.kind != "ok":
        failure = {
            "reason": _failure_reason(outcome),
            "problems": msgspec.to_builtins(outcome.problems),
        }
    async with db.transaction() as conn:
        plan_id = await store.insert_plan(
            conn,
            estate_id=estate_id,
            status="draft" if outcome.kind == "ok" else "failed",
            policy=problem.policy,
            inputs_json=msgspec.json.encode(problem),
            result=outcome.result,
            solver_status=_SOLVER_STATUS[outcome.kind],
            failure=failure,
            timings=timings,
            created_by=member_id,
        )
        version = await conn.fetchval("SELECT version FROM funding_plans WHERE id = $1", plan_id)
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


def _failure_reason(outcome: Outcome) -> str:
    if outcome.kind == "infeasible":
        return (
            "；".join(p.zh for p in outcome.problems)
            + " / "
            + "; ".join(p.en for p in outcome.problems)
        )
    if outcome.kind == "timeout":
        return "求解超时 / the solver ran out of time; try again or reduce the problem"
    return f"求解失败 / the solver failed: {outcome.reason}"


def _plan_out(
    record: PlanRecord, principal: Principal, stale: list[StaleReason] | None = None
) -> PlanOut:
    result = record.result
    households = [] if result is None else result.households
    if principal.role == "owner":
        mine = set(principal.household_ids)
        households = [h for h in households if h.household_id in mine]
    band = record.inputs.get("resident_band") or []
    target = record.inputs.get("target_share")
    return PlanOut(
        id=record.id,
        estate_id=record.estate_id,
        version=record.version,
        status=record.status,
        policy=record.policy,
        resident_band=[str(b) for b in band],
        target_share=None if target is None else str(target),
        solver_status=record.solver_status,
        total_cost_fen=None if result is None else result.total_cost_fen,
        residents_total_fen=None if result is None else result.residents_total_fen,
        residents_share=None if result is None else result.residents_share,
        works=[] if result is None else result.works,
        sources=[] if result is None else result.sources,
        households=households,
        explanation=None if result is None else result.explanation,
        failure_reason=record.failure_reason,
        problems=record.problems,
        timings=record.timings,
        stale_reasons=[reason.en for reason in stale or []],
        stale=stale or [],
        created_at=record.created_at,
        created_by=record.created_by,
        approved_at=record.approved_at,
        approved_by=record.approved_by,
    )


route_handlers = [FundingSourceController, FundingPlanController]


async def on_shutdown(app: Litestar) -> None:
    """Stop the solver processes with the service (none are left holding its pipes)."""
    await asyncio.to_thread(shutdown_pool)
