"""Funding's rules, pure: who may do what, which inputs make sense, how a stored version
reads to its viewer, and when a stored plan no longer matches the estate (the "re-solve"
prompt)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import msgspec

from planner.access.guards import PLAN_APPROVERS
from planner.access.model import Principal
from planner.errors import BadRequest, Conflict
from planner.funding.engine import FundingProblem, Outcome, SourceInput
from planner.funding.model import (
    NewSource,
    PlanInForce,
    PlanOut,
    PlanRecord,
    SolveRequest,
    SourceFields,
    SourceOut,
    SourceUpdate,
    StaleReason,
)
from planner.money import format_money
from planner.works.rules import WorkBenefit

MANAGE = ("admin", "committee", "treasurer")
APPROVE = PLAN_APPROVERS
READ = ("admin", "committee", "treasurer", "observer", "owner")

# how a stored version names the solver's answer
SOLVER_STATUS = {
    "ok": "optimal",
    "infeasible": "infeasible",
    "timeout": "timeout",
    "error": "error",
}


def check_approval(
    status: str, version: int, replaces_plan_id: int | None, in_force: PlanInForce | None
) -> None:
    """Whether a version may be approved now (its status path: draft → approved → superseded).

    Only a draft (else 409 ``plan_not_draft``), and only while the plan in force is the one
    that was in force when the draft was solved (``replaces_plan_id``; None: there was none).
    Otherwise another approval came in between: 409 ``plan_in_force_changed``, so of two
    drafts solved over the same plan the first approval wins and the other is refused,
    whether the two requests race or follow each other (solve again to replace the new one).
    """
    if status != "draft":
        raise Conflict(
            f"only a draft can be approved; this plan is {status}",
            "plan_not_draft",
            {"status": status},
        )
    current = None if in_force is None else in_force.id
    if current != replaces_plan_id:
        assert in_force is not None  # a plan in force is only ever replaced, never removed
        raise Conflict(
            f"version {in_force.version} was approved after version {version} was solved; "
            "solve again to replace it",
            "plan_in_force_changed",
            {"version": in_force.version, "draft": version},
        )


def owner_may_see_notice(status: str, any_in_force: bool) -> bool:
    """Owners see the notice of the plan in force only; before any approval, a draft's
    (watermarked). A superseded plan's notice, or a draft's once a plan is in force, is
    answered 404 to an owner (staff get it, marked void or draft)."""
    if status == "approved":
        return True
    return status == "draft" and not any_in_force


def check_share(value: Decimal | None, field: str) -> None:
    """A share is a finite decimal between 0 and 1 (None: not given)."""
    if value is not None and not (value.is_finite() and 0 <= value <= 1):
        raise BadRequest(field, 'must be a share between 0 and 1, e.g. "0.30"', "not_a_share")


def check_new_source(data: NewSource) -> None:
    """A new source's share limit and pledges, before the estate is read."""
    check_share(data.max_share, "max_share")
    if data.max_share is not None and data.max_share != data.max_share.quantize(Decimal("0.0001")):
        raise BadRequest("max_share", "at most four decimal places", "too_precise", {"places": 4})
    check_pledges(data.pledges, data.eligible_work_ids)


def check_pledges(pledges: dict[int, int], eligible: list[int]) -> None:
    for work_id in pledges:
        if work_id not in eligible:
            raise BadRequest(
                f"pledges.{work_id}", "a pledged work must be eligible", "pledge_not_eligible"
            )


def updated_source(current: SourceOut, data: SourceUpdate) -> SourceFields:
    """The source after ``data``: fields not given stay as they are, and without new
    pledges those on works that stay eligible are kept. 400 for a share out of range or a
    pledge on a work that is not eligible."""
    unset = msgspec.UnsetType
    max_share = (
        (None if current.max_share is None else Decimal(current.max_share))
        if isinstance(data.max_share, unset)
        else data.max_share
    )
    check_share(max_share, "max_share")
    eligible = (
        current.eligible_work_ids
        if isinstance(data.eligible_work_ids, unset)
        else data.eligible_work_ids
    )
    if isinstance(data.pledges, unset):
        pledges = {w: p for w, p in current.pledges.items() if w in eligible}
    else:
        pledges = dict(data.pledges)
    check_pledges(pledges, eligible)
    return SourceFields(
        name=current.name if isinstance(data.name, unset) else data.name,
        kind=current.kind if isinstance(data.kind, unset) else data.kind,
        budget_fen=current.budget_fen if isinstance(data.budget_fen, unset) else data.budget_fen,
        max_share=max_share,
        pledges=pledges,
        eligible_work_ids=list(eligible),
    )


def check_solve_request(data: SolveRequest) -> None:
    """The band and the target of a solve request, before the estate is read."""
    low, high = data.resident_band
    check_share(low, "resident_band[0]")
    check_share(high, "resident_band[1]")
    if low > high:
        raise BadRequest("resident_band", "the lower bound is above the upper bound", "bad_range")
    check_share(data.target_share, "target_share")
    if data.policy == "target" and data.target_share is None:
        raise BadRequest("target_share", "the target policy needs a target share", "required")


def source_inputs(sources: list[SourceOut]) -> list[SourceInput]:
    """The estate's sources as the engine reads them."""
    return [
        SourceInput(
            source_id=s.id,
            budget_fen=s.budget_fen,
            eligible_work_ids=tuple(s.eligible_work_ids),
            max_share=None if s.max_share is None else Decimal(s.max_share),
            pledges=dict(s.pledges),
            name=s.name,
            kind=s.kind,  # type: ignore[arg-type]
        )
        for s in sources
    ]


def failure_reason(outcome: Outcome) -> str:
    """Why a solve failed, in Chinese / English, as a failed version stores it."""
    if outcome.kind == "infeasible":
        return (
            "；".join(p.zh for p in outcome.problems)
            + " / "
            + "; ".join(p.en for p in outcome.problems)
        )
    if outcome.kind == "timeout":
        return "求解超时 / the solver ran out of time; try again or reduce the problem"
    return f"求解失败 / the solver failed: {outcome.reason}"


def plan_out(
    record: PlanRecord, viewer: Principal, stale: list[StaleReason] | None = None
) -> PlanOut:
    """A stored version as ``viewer`` sees it: an owner's ``households`` lists only their own."""
    result = record.result
    households = [] if result is None else result.households
    if viewer.role == "owner":
        mine = set(viewer.household_ids)
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
        replaces_plan_id=record.replaces_plan_id,
        superseded_by=record.superseded_by,
        superseded_by_version=record.superseded_by_version,
        superseded_at=record.superseded_at,
    )


class HouseholdChanges(msgspec.Struct, frozen=True, kw_only=True):
    """How the estate's households differ from a plan's: units added, removed, and changed
    in area, building, floor or hardship cap."""

    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def reason(self) -> StaleReason:
        counts = [
            (self.added, "added", "新增"),
            (self.removed, "removed", "移除"),
            (self.changed, "changed", "变更"),
        ]
        en = ", ".join(f"{n} {word}" for n, word, _ in counts if n)
        zh = "、".join(f"{word} {n} 户" for n, _, word in counts if n)
        return StaleReason(
            kind="households",
            en=f"households changed since the plan was solved: {en} "
            "(area, building, floor or hardship cap)",
            zh=f"方案计算后住户有变：{zh}（面积、楼栋、楼层或困难户上限）",
        )


def staleness(
    solved: FundingProblem,
    costs_now: dict[int, int | None],
    sources_now: list[SourceInput],
    *,
    benefits_now: dict[int, WorkBenefit] | None = None,
    households_changed: HouseholdChanges | None = None,
) -> list[StaleReason]:
    """Why a plan solved on ``solved`` is out of date (empty when it is not).

    ``costs_now`` maps each of the plan's works to its current cost (None when the work
    lost its cost or was rejected); ``sources_now`` are the estate's sources today;
    ``benefits_now`` (when given) who benefits from each work today; ``households_changed``
    (when given) how the estate's households differ from the solved ones. The UI shows the
    sentences, with their figures, above a re-solve button.
    """
    reasons: list[StaleReason] = []
    for work in sorted(solved.works, key=lambda w: w.work_id):
        w = work.work_id
        now = costs_now.get(w)
        if now is None:
            reasons.append(
                StaleReason(
                    kind="no_cost",
                    subject_id=w,
                    en=f"work #{w} no longer has a cost or was rejected",
                    zh=f"工程 #{w} 已无费用或已否决",
                )
            )
        elif now != work.cost_fen:
            old, new = format_money(work.cost_fen), format_money(now)
            reasons.append(
                StaleReason(
                    kind="cost",
                    subject_id=w,
                    en=f"work #{w} cost changed from {old} to {new}",
                    zh=f"工程 #{w} 费用由 {old} 变为 {new}",
                )
            )
        benefit = None if benefits_now is None else benefits_now.get(w)
        if benefit is not None and benefit != work.benefit:
            reasons.append(
                StaleReason(
                    kind="beneficiaries",
                    subject_id=w,
                    en=f"work #{w} beneficiaries changed (benefit rule, buildings or floor "
                    "factors)",
                    zh=f"工程 #{w} 的受益范围已变（受益规则、楼栋或楼层系数）",
                )
            )
    if households_changed is not None and households_changed.any:
        reasons.append(households_changed.reason())
    before = {s.source_id: s for s in solved.sources}
    after = {s.source_id: s for s in sources_now}
    for s in sorted(after.keys() - before.keys()):
        reasons.append(
            StaleReason(
                kind="source_added",
                subject_id=s,
                en=f"source #{s} was added",
                zh=f"新增了资金来源 #{s}",
            )
        )
    for s in sorted(before.keys() - after.keys()):
        reasons.append(
            StaleReason(
                kind="source_removed",
                subject_id=s,
                en=f"source #{s} was removed",
                zh=f"资金来源 #{s} 已删除",
            )
        )
    for s in sorted(before.keys() & after.keys()):
        old_source, new_source = before[s], after[s]
        if old_source.budget_fen != new_source.budget_fen:
            old, new = format_money(old_source.budget_fen), format_money(new_source.budget_fen)
            reasons.append(
                StaleReason(
                    kind="budget",
                    subject_id=s,
                    en=f"source #{s} budget changed from {old} to {new}",
                    zh=f"资金来源 #{s} 预算由 {old} 变为 {new}",
                )
            )
        if (
            sorted(old_source.eligible_work_ids) != sorted(new_source.eligible_work_ids)
            or old_source.max_share != new_source.max_share
            or old_source.pledges != new_source.pledges
        ):
            reasons.append(
                StaleReason(
                    kind="source_rules",
                    subject_id=s,
                    en=f"source #{s} rules changed",
                    zh=f"资金来源 #{s} 的规则已变（可资助工程、单项占比或认捐）",
                )
            )
    return reasons


def with_costs(problem: FundingProblem, costs: Mapping[int, int]) -> FundingProblem:
    """The same problem (policy, band, target, sources, households, benefits) with the
    works' costs replaced by ``costs`` (work id → fen; works not named keep theirs): the
    final accounts re-solve an approved plan this way."""
    works = tuple(
        msgspec.structs.replace(w, cost_fen=costs.get(w.work_id, w.cost_fen)) for w in problem.works
    )
    return msgspec.structs.replace(problem, works=works)
