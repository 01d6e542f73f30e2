from __future__ import annotations

from planner.funding.model import FundingProblem, SourceInput, WorkInput
from planner.funding.rules import staleness

SOLVED = FundingProblem(
    works=(WorkInput(work_id=1, cost_fen=360_000_000), WorkInput(work_id=2, cost_fen=100)),
    sources=(SourceInput(source_id=7, budget_fen=1000, eligible_work_ids=(1,)),),
)


def test_nothing_changed() -> None:
    assert staleness(SOLVED, {1: 360_000_000, 2: 100}, list(SOLVED.sources)) == []


def test_award_budget_and_new_source_are_reported() -> None:
    sources = [
        SourceInput(source_id=7, budget_fen=2000, eligible_work_ids=(1,)),
        SourceInput(source_id=8, budget_fen=1, eligible_work_ids=(2,)),
    ]
    reasons = staleness(SOLVED, {1: 170_000_000, 2: None}, sources)
    assert reasons == [
        "work #1 cost changed from ¥3,600,000.00 to ¥1,700,000.00",
        "work #2 no longer has a cost or was rejected",
        "source #8 was added",
        "source #7 budget changed from ¥10.00 to ¥20.00",
    ]
