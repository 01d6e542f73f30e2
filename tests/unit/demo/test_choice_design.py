"""The demo's equal-shares design: exactly the required works by equal shares, others by votes."""

from __future__ import annotations

import pytest

from planner.choice.rules import CandidateWork, choose
from planner.demo.choice_chapter import design_approvals, suggest_budget

WORKS = {
    "roof": (1, 30_000_000),
    "pipes": (2, 20_000_000),
    "lift": (3, 45_000_000),
    "lamps": (4, 8_000_000),
    "gym": (5, 5_000_000),
}


@pytest.mark.parametrize(
    ("required", "owners"), [({"roof", "pipes"}, 40), ({"roof", "pipes", "gym"}, 200)]
)
def test_the_design_funds_exactly_the_required_works_and_votes_differ(
    required: set[str], owners: int
) -> None:
    budget = suggest_budget(WORKS, required, owners)
    assert budget is not None
    sets = design_approvals(WORKS, required, owners, budget)
    assert len(sets) == owners
    assert design_approvals(WORKS, required, owners, budget) == sets  # fixed seed
    outcome = choose(
        [CandidateWork(i, c) for i, c in WORKS.values()],
        budget,
        [{WORKS[k][0] for k in s} for s in sets],
    )
    wanted = sorted(WORKS[k][0] for k in required)
    assert outcome.funded_work_ids == wanted and outcome.greedy_work_ids != wanted


def test_numbers_that_allow_no_design_are_refused() -> None:
    with pytest.raises(ValueError, match="no design"):
        design_approvals(WORKS, {"roof", "pipes"}, 40, 60_000_000)
    with pytest.raises(ValueError, match="not in the round"):
        design_approvals(WORKS, {"pool"}, 40, 60_000_000)
