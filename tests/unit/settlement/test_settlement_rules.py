"""Settlement's pure rules: the final accounts' parts add up to the whole for any payments,
the threshold rule, and which final cost each work takes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import BadRequest
from planner.funding.engine import (
    Explanation,
    FundingPlanResult,
    HouseholdPlan,
    SourceUse,
    WorkInput,
    WorkPlan,
)
from planner.settlement.model import FinalCost
from planner.settlement.rules import final_costs, needs_decision, settle


def _result(amounts: dict[int, int], sources: dict[int, int], cost: int) -> FundingPlanResult:
    return FundingPlanResult(
        total_cost_fen=cost,
        residents_total_fen=sum(amounts.values()),
        residents_share="0",
        works=[
            WorkPlan(
                work_id=1,
                cost_fen=cost,
                residents_fen=sum(amounts.values()),
                residents_share="0",
                sources=[],
                binding=[],
            )
        ],
        sources=[SourceUse(source_id=s, used_fen=f, budget_fen=f) for s, f in sources.items()],
        households=[
            HouseholdPlan(
                household_id=h, amount_fen=a, proportional_fen=a, capped=False, reason="", works=[]
            )
            for h, a in amounts.items()
        ],
        explanation=Explanation(zh="", en="", notes=[]),
    )


fen = st.integers(min_value=0, max_value=10**9)


@given(
    finals=st.dictionaries(st.integers(1, 60), fen, max_size=40),
    paid=st.dictionaries(st.integers(1, 80), fen, max_size=40),
    planned_source=fen,
    final_source=fen,
)
def test_refunds_and_topups_add_up_to_the_change(
    finals: dict[int, int], paid: dict[int, int], planned_source: int, final_source: int
) -> None:
    planned = _result({h: 1 for h in finals}, {7: planned_source}, 100)
    final = _result(finals, {7: final_source}, 100)
    works = [WorkInput(work_id=1, cost_fen=100)]
    s = settle(works, planned, final, paid, {7: "补贴"})
    assert sum(h.final_fen for h in s.households) == s.residents_total_fen
    assert sum(h.paid_fen for h in s.households) == sum(paid.values()) == s.paid_total_fen
    assert s.residents_total_fen - s.paid_total_fen == s.topup_total_fen - s.refund_total_fen
    for h in s.households:
        assert min(h.refund_fen, h.topup_fen) == 0
        assert h.topup_fen - h.refund_fen == h.final_fen - h.paid_fen
    (source,) = s.sources
    assert source.unspent_fen == planned_source - final_source
    assert source.name == "补贴"


@given(amount=st.integers(-(10**9), 10**9).filter(bool), approved=st.integers(-(10**9), 10**9))
def test_needs_decision_when_alone_or_with_the_approved_ones_above(
    amount: int, approved: int
) -> None:
    threshold = 5_000_000
    got = needs_decision(amount, approved, threshold)
    assert got == (abs(amount) > threshold or abs(approved + amount) > threshold)
    assert needs_decision(amount, 0, threshold) == (abs(amount) > threshold)


def test_threshold_is_inclusive_for_the_committee() -> None:
    assert not needs_decision(5_000_000, 0, 5_000_000)
    assert needs_decision(5_000_001, 0, 5_000_000)
    assert needs_decision(-5_000_001, 0, 5_000_000)


def test_final_costs_awarded_from_the_award_others_given() -> None:
    works = [WorkInput(work_id=1, cost_fen=10), WorkInput(work_id=2, cost_fen=20)]
    awarded: dict[int, int | None] = {1: 15, 2: None}
    assert final_costs(works, awarded, [FinalCost(work_id=2, cost_fen=18)]) == {1: 15, 2: 18}
    for given_costs, code in (
        ([], "final_cost_missing"),
        ([FinalCost(work_id=1, cost_fen=1)], "final_cost_of_awarded_work"),
        ([FinalCost(work_id=3, cost_fen=1)], "not_in_plan"),
        (
            [FinalCost(work_id=2, cost_fen=1), FinalCost(work_id=2, cost_fen=2)],
            "duplicate_in_request",
        ),
    ):
        with pytest.raises(BadRequest) as refused:
            final_costs(works, awarded, given_costs)
        assert refused.value.code == code
