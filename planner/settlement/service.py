"""Settlement's use cases: variations (propose, approve with the owners' decision above the
estate's threshold, reject) and final accounts (run through the optimiser, approve, read).

Each change runs in one transaction with the event it records. Final accounts read the
approved plan's stored problem (policy, band, sources, households), replace the works'
costs with their final costs, solve off the event loop, and store a new draft version.
"""

from __future__ import annotations

import time

import asyncpg

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.deliberation.store import get_motion
from planner.errors import BadRequest, Conflict, NotFound, Unprocessable
from planner.estates.store import (
    estate_exists,
    variation_threshold,
)
from planner.events import append_event
from planner.funding import store as funding_store
from planner.funding.engine import solve_off_loop
from planner.funding.rules import failure_reason, with_costs
from planner.payments.store import paid_by_household
from planner.settlement import rules, store
from planner.settlement.model import (
    ApproveVariation,
    FinalAccountsOut,
    FinalAccountsSummary,
    NewFinalAccounts,
    NewVariation,
    RejectVariation,
    VariationCreated,
    VariationOut,
    WorkVariations,
)
from planner.works.service import work_for
from planner.works.store import get_work


async def paid_so_far(conn: asyncpg.Connection, plan_id: int) -> dict[int, int]:
    """What each household of the plan has paid (fen): the ledger's entries on this and the
    estate's earlier plan versions (the one place final accounts read payments)."""
    return await paid_by_household(conn, plan_id)


def _variation_event(v: VariationOut) -> dict[str, object]:
    return {
        "variation_id": v.id,
        "work_id": v.work_id,
        "amount_fen": v.amount_fen,
        "status": v.status,
        "needs_decision": v.needs_decision,
        "motion_id": v.motion_id,
    }


async def propose_variation(
    db: Database, work_id: int, data: NewVariation, principal: Principal
) -> VariationCreated:
    """A change order against an awarded work (awarded or later, else 409
    ``work_not_awarded``); ``needs_decision`` per :func:`rules.needs_decision`."""
    rules.check_amount(data.amount_fen)
    rules.check_lines(data.lines)
    async with db.transaction() as conn:
        work = await work_for(conn, work_id, principal, rules.DECIDE_VARIATIONS, lock=True)
        rules.check_work_awarded(work.status)
        threshold = await variation_threshold(conn, work.estate_id)
        approved = await store.approved_variations_fen(conn, work_id)
        needs = rules.needs_decision(data.amount_fen, approved, threshold)
        variation = await store.insert_variation(
            conn, work.estate_id, work_id, data, needs, threshold, principal.member_id
        )
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="variation.proposed",
            data=_variation_event(variation),
            actor_id=principal.member_id,
            audience="members",
        )
    return VariationCreated(
        id=variation.id, status=variation.status, needs_decision=variation.needs_decision
    )


async def _check_motion(conn: asyncpg.Connection, estate_id: int, motion_id: int) -> None:
    """The motion is of the estate (else 400 ``not_in_estate``) and passed: closed with a
    tally of record that passed (else 409 ``motion_not_passed``)."""
    motion = await get_motion(conn, motion_id)
    if motion is None or motion.estate_id != estate_id:
        raise BadRequest(
            "motion_id",
            f"no motion {motion_id} in this estate",
            "not_in_estate",
            {"what": "motion"},
        )
    tally = motion.final_tally if isinstance(motion.final_tally, dict) else {}
    if motion.status != "closed" or tally.get("passed") is not True:
        raise Conflict(
            f"motion {motion_id} has not passed", "motion_not_passed", {"motion_id": motion_id}
        )


async def approve_variation(
    db: Database, variation_id: int, data: ApproveVariation, principal: Principal
) -> VariationOut:
    """Approve a proposed variation (committee, admin). Whether it needs the owners'
    decision is decided again now (the threshold and the approved sum may have changed):
    then 409 ``variation_needs_decision`` without ``motion_id``; a motion given must be of
    the estate (400) and passed (409 ``motion_not_passed``). Event ``variation.approved``."""
    async with db.transaction() as conn:
        current = await store.get_variation(conn, variation_id, lock=True)
        if current is None:
            raise NotFound("variation")
        authorize(principal, current.estate_id, rules.DECIDE_VARIATIONS, what="variation")
        rules.check_proposed(current.status)
        await get_work(conn, current.work_id, lock=True)
        threshold = await variation_threshold(conn, current.estate_id)
        approved = await store.approved_variations_fen(conn, current.work_id)
        if data.motion_id is not None:
            await _check_motion(conn, current.estate_id, data.motion_id)
        elif rules.needs_decision(current.amount_fen, approved, threshold):
            raise Conflict(
                f"the variation of {current.amount_fen} fen is above the estate's threshold "
                f"of {threshold} fen; link a passed motion",
                "variation_needs_decision",
                {"amount_fen": current.amount_fen, "threshold_fen": threshold},
            )
        variation = await store.decide_variation(
            conn, variation_id, "approved", data.motion_id, data.note, principal.member_id
        )
        await append_event(
            conn,
            estate_id=current.estate_id,
            type="variation.approved",
            data=_variation_event(variation),
            actor_id=principal.member_id,
            audience="members",
        )
    return variation


async def reject_variation(
    db: Database, variation_id: int, data: RejectVariation, principal: Principal
) -> VariationOut:
    """Reject a proposed variation with a reason (committee, admin)."""
    async with db.transaction() as conn:
        current = await store.get_variation(conn, variation_id, lock=True)
        if current is None:
            raise NotFound("variation")
        authorize(principal, current.estate_id, rules.DECIDE_VARIATIONS, what="variation")
        rules.check_proposed(current.status)
        variation = await store.decide_variation(
            conn, variation_id, "rejected", None, data.reason, principal.member_id
        )
        await append_event(
            conn,
            estate_id=current.estate_id,
            type="variation.rejected",
            data={**_variation_event(variation), "reason": data.reason},
            actor_id=principal.member_id,
            audience="members",
        )
    return variation


async def read_variation(db: Database, variation_id: int, principal: Principal) -> VariationOut:
    async with db.connection() as conn:
        variation = await store.get_variation(conn, variation_id)
    if variation is None:
        raise NotFound("variation")
    authorize(principal, variation.estate_id, rules.READ_VARIATIONS, what="variation")
    return variation


async def work_variations(db: Database, work_id: int, principal: Principal) -> WorkVariations:
    """The work's variations with its final cost (awarded total + approved variations)."""
    async with db.connection() as conn:
        work = await work_for(conn, work_id, principal, rules.READ_VARIATIONS)
        items = await store.list_variations(conn, work_id)
        threshold = await variation_threshold(conn, work.estate_id)
        final = (await store.final_cost_by_work(conn, [work_id])).get(work_id)
    approved = sum(v.amount_fen for v in items if v.status == "approved")
    return WorkVariations(
        work_id=work_id,
        awarded_total_fen=work.awarded_total_fen,
        approved_fen=approved,
        final_cost_fen=final,
        threshold_fen=threshold,
        items=items,
    )


async def run_final_accounts(
    db: Database, estate_id: int, data: NewFinalAccounts, principal: Principal
) -> FinalAccountsOut:
    """Recompute the approved plan's split on final costs and store a new draft version.

    400 for a plan not of the estate or costs that do not fit the plan's works
    (:func:`rules.final_costs`); 409 ``plan_not_approved`` for a plan not in force, 409
    ``final_accounts_frozen`` once a version of the plan's final accounts is approved;
    422 ``final_accounts_infeasible`` (the optimiser's words) when no split exists.
    """
    authorize(principal, estate_id, rules.RUN_FINAL, what="estate")
    async with db.connection() as conn, conn.transaction(isolation="repeatable_read"):
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        plan = await funding_store.get_plan(conn, data.plan_id)
        if plan is None or plan.estate_id != estate_id:
            raise BadRequest(
                "plan_id",
                f"no plan {data.plan_id} in this estate",
                "not_in_estate",
                {"what": "funding plan"},
            )
        if plan.status != "approved" or plan.result is None:
            raise Conflict(
                "final accounts are made of the approved plan",
                "plan_not_approved",
                {"status": plan.status},
            )
        problem = await funding_store.plan_problem(conn, plan.id)
        assert problem is not None
        rules.check_may_run(await store.approved_version(conn, plan.id))
        awarded = await store.final_cost_by_work(conn, [w.work_id for w in problem.works])
        costs = rules.final_costs(problem.works, awarded, data.final_costs)
        paid = await paid_so_far(conn, plan.id)
    started = time.perf_counter()
    outcome = await solve_off_loop(with_costs(problem, costs))
    wall = time.perf_counter() - started
    if outcome.kind != "ok" or outcome.result is None:
        raise Unprocessable(
            failure_reason(outcome),
            details={"problems": [p.en for p in outcome.problems]},
            code="final_accounts_infeasible",
            params={"reason": failure_reason(outcome)},
        )
    names = {s.source_id: s.name for s in problem.sources}
    settlement = rules.settle(problem.works, plan.result, outcome.result, paid, names)
    async with db.transaction() as conn:
        await store.lock_estate_final_accounts(conn, estate_id)
        rules.check_may_run(await store.approved_version(conn, plan.id))
        final_id = await store.insert_final_accounts(
            conn,
            estate_id,
            plan.id,
            settlement,
            costs,
            {"wall_seconds": round(wall, 4)},
            principal.member_id,
        )
        saved = await store.get_final_accounts(conn, final_id)
        assert saved is not None
        await append_event(
            conn,
            estate_id=estate_id,
            type="final_accounts.solved",
            data={
                "final_accounts_id": final_id,
                "plan_id": plan.id,
                "version": saved.version,
                "total_cost_fen": settlement.total_cost_fen,
                "residents_total_fen": settlement.residents_total_fen,
                "refund_total_fen": settlement.refund_total_fen,
                "topup_total_fen": settlement.topup_total_fen,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return saved


def _as_seen_by(final: FinalAccountsOut, principal: Principal, mine_only: bool) -> FinalAccountsOut:
    """Staff see every household's line; owners (and ``/mine``) only their own."""
    if not mine_only and principal.role != "owner":
        return final
    mine = set(principal.household_ids)
    final.households = [h for h in final.households if h.household_id in mine]
    return final


async def read_final_accounts(
    db: Database, final_id: int, principal: Principal, *, mine_only: bool = False
) -> FinalAccountsOut:
    """A version: staff see all lines; an owner only her own, of an approved version (a
    draft is 404 to her)."""
    async with db.connection() as conn:
        final = await store.get_final_accounts(conn, final_id)
    if final is None:
        raise NotFound("final accounts")
    authorize(principal, final.estate_id, rules.READ_FINAL, what="final accounts")
    if principal.role == "owner" and final.status != "approved":
        raise NotFound("final accounts")
    return _as_seen_by(final, principal, mine_only)


async def list_final_accounts(
    db: Database, estate_id: int, principal: Principal
) -> list[FinalAccountsSummary]:
    """The estate's versions, newest first (owners: approved ones only)."""
    authorize(principal, estate_id, rules.READ_FINAL, what="estate")
    async with db.connection() as conn:
        return await store.list_final_accounts(conn, estate_id, principal.role == "owner")


async def approve_final_accounts(
    db: Database, final_id: int, principal: Principal
) -> FinalAccountsOut:
    """Approve a draft version (treasurer, admin): it is frozen, and no later version of the
    same plan can be run or approved (409 ``final_accounts_frozen``). Events:
    ``final_accounts.approved`` for staff (with amounts) and ``final_accounts.published``
    for members (without household amounts: owners read their own lines)."""
    async with db.transaction() as conn:
        estate_id = await store.final_accounts_estate(conn, final_id)
        if estate_id is None:
            raise NotFound("final accounts")
        authorize(principal, estate_id, rules.APPROVE_FINAL, what="final accounts")
        await store.lock_estate_final_accounts(conn, estate_id)
        current = await store.get_final_accounts(conn, final_id)
        assert current is not None
        rules.check_draft(current.status)
        rules.check_may_run(await store.approved_version(conn, current.plan_id))
        await store.approve_final_accounts(conn, final_id, principal.member_id)
        final = await store.get_final_accounts(conn, final_id)
        assert final is not None
        common = {"final_accounts_id": final_id, "plan_id": final.plan_id, "version": final.version}
        await append_event(
            conn,
            estate_id=estate_id,
            type="final_accounts.approved",
            data={
                **common,
                "total_cost_fen": final.total_cost_fen,
                "residents_total_fen": final.residents_total_fen,
                "refund_total_fen": final.refund_total_fen,
                "topup_total_fen": final.topup_total_fen,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="final_accounts.published",
            data=common,
            actor_id=principal.member_id,
            audience="members",
        )
    return final
