"""When a stored plan no longer matches the estate: the "re-solve" prompt."""

from __future__ import annotations

from planner.funding.model import FundingProblem, SourceInput
from planner.money import format_money


def staleness(
    solved: FundingProblem, costs_now: dict[int, int | None], sources_now: list[SourceInput]
) -> list[str]:
    """Why a plan solved on ``solved`` is out of date (empty when it is not).

    ``costs_now`` maps each of the plan's works to its current cost (None when the work
    lost its cost or was rejected); ``sources_now`` are the estate's sources today.
    Sentences are English with the figures; the UI shows them under a re-solve button.
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
