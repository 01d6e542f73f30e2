"""Settlement's rules, pure: who may do what, when a variation needs the owners' decision,
which final cost each work of a plan takes, and the final accounts' arithmetic (refund or
top-up = final share − paid, exact to the fen)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from planner.access.guards import MANAGERS, MEMBERS, PLAN_APPROVERS, STAFF
from planner.errors import BadRequest, Conflict
from planner.funding.engine import FundingPlanResult, WorkInput
from planner.settlement.model import (
    FinalCost,
    HouseholdSettlement,
    Settlement,
    SourceSettlement,
    VariationLine,
    WorkSettlement,
)

#: who proposes, approves and rejects variations
DECIDE_VARIATIONS = MANAGERS
#: who reads a work's variations (the owners too: 公示)
READ_VARIATIONS = MEMBERS
#: who runs final accounts, and who approves a version (like a plan)
RUN_FINAL = ("admin", "treasurer")
APPROVE_FINAL = PLAN_APPROVERS
#: staff read every household's line; owners only their own, of an approved version
READ_FINAL = (*STAFF, "owner")
#: a work may take variations once awarded
AWARDED_OR_LATER = ("awarded", "funded", "in_progress", "done")


def check_amount(amount_fen: int) -> None:
    if amount_fen == 0:
        raise BadRequest("amount_fen", "a variation changes the cost: not 0", "zero_amount")


def check_lines(lines: Sequence[VariationLine]) -> None:
    """Each line's quantity is a finite decimal of at most 3 places within ±10⁹ (400)."""
    for i, line in enumerate(lines):
        q = line.quantity
        if not q.is_finite() or abs(q) > 10**9 or q != q.quantize(Decimal("0.001")):
            raise BadRequest(
                f"lines[{i}].quantity",
                "a finite decimal with at most 3 places, within ±1,000,000,000",
                "invalid",
                {"reason": "quantity"},
            )


def needs_decision(amount_fen: int, approved_fen: int, threshold_fen: int) -> bool:
    """Whether a variation needs the owners' decision (a passed motion).

    Above the threshold in absolute value, counting this variation alone **or** with the
    work's variations approved so far (``approved_fen``, signed): a large change split into
    small ones still needs the decision once their sum passes the threshold.
    """
    return max(abs(amount_fen), abs(approved_fen + amount_fen)) > threshold_fen


def check_work_awarded(status: str) -> None:
    if status not in AWARDED_OR_LATER:
        raise Conflict(
            f"the work is {status}; a variation needs an awarded work",
            "work_not_awarded",
            {"status": status},
        )


def check_proposed(status: str) -> None:
    if status != "proposed":
        raise Conflict(
            f"variation is {status}; this needs proposed",
            "wrong_status",
            {"what": "variation", "status": status, "needed": "proposed"},
        )


def final_costs(
    works: Sequence[WorkInput],
    awarded: Mapping[int, int | None],
    given: Sequence[FinalCost],
) -> dict[int, int]:
    """The final cost of every work of the plan: ``awarded[work_id]`` (award + approved
    variations) for awarded works, else the one given. 400 for a work given twice, not in
    the plan, awarded (its cost is not given), or a plan work left without a cost."""
    in_plan = {w.work_id for w in works}
    costs: dict[int, int] = {}
    for i, item in enumerate(given):
        field = f"final_costs[{i}].work_id"
        if item.work_id not in in_plan:
            raise BadRequest(
                field,
                f"work {item.work_id} is not in the plan",
                "not_in_plan",
                {"work_id": item.work_id},
            )
        if awarded.get(item.work_id) is not None:
            raise BadRequest(
                field,
                f"work {item.work_id} is awarded; its final cost is the award plus approved "
                "variations",
                "final_cost_of_awarded_work",
                {"work_id": item.work_id},
            )
        if item.work_id in costs:
            raise BadRequest(field, "given twice", "duplicate_in_request")
        costs[item.work_id] = item.cost_fen
    for work in works:
        cost = awarded.get(work.work_id)
        if cost is not None:
            costs[work.work_id] = cost
        elif work.work_id not in costs:
            raise BadRequest(
                "final_costs",
                f"work {work.work_id} of the plan has no award; give its final cost",
                "final_cost_missing",
                {"work_id": work.work_id},
            )
    return costs


def household_line(household_id: int, final_fen: int, paid_fen: int) -> HouseholdSettlement:
    """refund or top-up = final share − paid; one of them is 0."""
    change = final_fen - paid_fen
    return HouseholdSettlement(
        household_id=household_id,
        final_fen=final_fen,
        paid_fen=paid_fen,
        refund_fen=max(-change, 0),
        topup_fen=max(change, 0),
    )


def settle(
    works: Sequence[WorkInput],
    planned: FundingPlanResult,
    final: FundingPlanResult,
    paid: Mapping[int, int],
    source_names: Mapping[int, str],
) -> Settlement:
    """The final accounts of ``planned`` (the approved plan) recomputed as ``final``.

    Identities (tested): Σ final_fen = final.residents_total_fen, and
    Σ final_fen − Σ paid_fen = Σ topup_fen − Σ refund_fen, each exact to the fen. Paid
    amounts of households not in the final split count as paid with a final share of 0
    (a refund). Sources: planned − final is returned to the source (unspent).
    """
    finals = {h.household_id: h.amount_fen for h in final.households}
    ids = sorted(set(finals) | {h for h, fen in paid.items() if fen})
    households = [household_line(h, finals.get(h, 0), paid.get(h, 0)) for h in ids]
    planned_sources = {s.source_id: s.used_fen for s in planned.sources}
    final_sources = {s.source_id: s.used_fen for s in final.sources}
    sources = [
        SourceSettlement(
            source_id=s,
            name=source_names.get(s, ""),
            planned_fen=planned_sources.get(s, 0),
            final_fen=final_sources.get(s, 0),
            unspent_fen=planned_sources.get(s, 0) - final_sources.get(s, 0),
        )
        for s in sorted(set(planned_sources) | set(final_sources))
    ]
    final_works = {w.work_id: w.cost_fen for w in final.works}
    work_lines = [
        WorkSettlement(
            work_id=w.work_id,
            title=w.title,
            planned_cost_fen=w.cost_fen,
            final_cost_fen=final_works.get(w.work_id, 0),
        )
        for w in works
    ]
    return Settlement(
        households=households,
        sources=sources,
        works=work_lines,
        residents_total_fen=final.residents_total_fen,
        planned_residents_total_fen=planned.residents_total_fen,
        total_cost_fen=final.total_cost_fen,
        paid_total_fen=sum(h.paid_fen for h in households),
        refund_total_fen=sum(h.refund_fen for h in households),
        topup_total_fen=sum(h.topup_fen for h in households),
    )


def check_may_run(approved_version: int | None) -> None:
    """Final accounts of a plan are frozen once a version is approved."""
    if approved_version is not None:
        raise Conflict(
            f"version {approved_version} of these final accounts is approved; they are frozen",
            "final_accounts_frozen",
            {"version": approved_version},
        )


def check_draft(status: str) -> None:
    if status != "draft":
        raise Conflict(
            f"final accounts is {status}; this needs draft",
            "wrong_status",
            {"what": "final accounts", "status": status, "needed": "draft"},
        )


#: who downloads the per-household exports and every household's notice (as plan exports)
EXPORT_FINAL = ("admin", "committee", "treasurer")
