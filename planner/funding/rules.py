"""When a stored plan no longer matches the estate: the "re-solve" prompt."""

from __future__ import annotations

import msgspec

from planner.funding.model import FundingProblem, SourceInput, StaleReason
from planner.money import format_money
from planner.works.rules import WorkBenefit


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
