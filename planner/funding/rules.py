"""When a stored plan no longer matches the estate: the "re-solve" prompt."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from planner.funding.model import FundingProblem, HouseholdInput, SourceInput
from planner.money import format_money
from planner.works.rules import WorkBenefit


def staleness(
    solved: FundingProblem,
    costs_now: dict[int, int | None],
    sources_now: list[SourceInput],
    *,
    benefits_now: dict[int, WorkBenefit] | None = None,
    households_changed: HouseholdChanges | None = None,
) -> list[str]:
    """Why a plan solved on ``solved`` is out of date (empty when it is not).

    ``costs_now`` maps each of the plan's works to its current cost (None when the work
    lost its cost or was rejected); ``sources_now`` are the estate's sources today;
    ``benefits_now`` (when given) who benefits from each work today; ``households_changed``
    (when given) how the estate's households differ from the solved ones. Sentences are
    English with the figures; the UI shows them under a re-solve button.
    """
    reasons: list[str] = []
    for work in sorted(solved.works, key=lambda w: w.work_id):
        now = costs_now.get(work.work_id)
        if now is None:
            reasons.append(f"work #{work.work_id} no longer has a cost or was rejected")
        elif now != work.cost_fen:
            reasons.append(
                f"work #{work.work_id} cost changed from {format_money(work.cost_fen)} "
                f"to {format_money(now)}"
            )
        benefit = None if benefits_now is None else benefits_now.get(work.work_id)
        if benefit is not None and benefit != work.benefit:
            reasons.append(
                f"work #{work.work_id} beneficiaries changed (benefit rule, buildings or "
                "floor factors)"
            )
    if households_changed is not None and households_changed.any:
        reasons.append(households_changed.sentence())
    before = {s.source_id: s for s in solved.sources}
    after = {s.source_id: s for s in sources_now}
    for source_id in sorted(after.keys() - before.keys()):
        reasons.append(f"source #{source_id} was added")
    for source_id in sorted(before.keys() - after.keys()):
        reasons.append(f"source #{source_id} was removed")
    for source_id in sorted(before.keys() & after.keys()):
        old, new = before[source_id], after[source_id]
        if old.budget_fen != new.budget_fen:
            reasons.append(
                f"source #{source_id} budget changed from {format_money(old.budget_fen)} "
                f"to {format_money(new.budget_fen)}"
            )
        if (
            sorted(old.eligible_work_ids) != sorted(new.eligible_work_ids)
            or old.max_share != new.max_share
            or old.pledges != new.pledges
        ):
            reasons.append(f"source #{source_id} rules changed")
    return reasons


class HouseholdChanges(msgspec.Struct, frozen=True, kw_only=True):
    """How the estate's households differ from a plan's: units added, removed, and changed
    in area, building, floor or hardship cap."""

    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def sentence(self) -> str:
        parts = [
            f"{n} {what}"
            for n, what in (
                (self.added, "added"),
                (self.removed, "removed"),
                (self.changed, "changed"),
            )
            if n
        ]
        return (
            "households changed since the plan was solved: "
            + ", ".join(parts)
            + " (area, building, floor or hardship cap)"
        )


def household_changes(
    before: Sequence[HouseholdInput], after: Sequence[HouseholdInput]
) -> HouseholdChanges:
    """The difference between two household lists, by id."""
    old = {h.household_id: h for h in before}
    new = {h.household_id: h for h in after}
    return HouseholdChanges(
        added=len(new.keys() - old.keys()),
        removed=len(old.keys() - new.keys()),
        changed=sum(1 for i in old.keys() & new.keys() if old[i] != new[i]),
    )
