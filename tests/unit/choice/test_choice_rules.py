"""The equal-shares wrapper equals pabutools' own calls; invariants of the three methods."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.fractions import frac
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import lexico_tie_breaking

from planner.choice.equal_shares import CHEAPER_THEN_ID
from planner.choice.rules import (
    BUDGET_BOUND,
    BUDGET_STEP,
    CandidateWork,
    choose,
    project_name,
)


def pabutools_election(
    works: list[CandidateWork], budget: int, approvals: list[set[int]]
) -> tuple[Instance, ApprovalProfile, dict[int, Project]]:
    supported = set().union(*approvals) if approvals else set()
    projects = {
        w.work_id: Project(project_name(w.work_id), w.cost_fen)
        for w in works
        if w.work_id in supported
    }
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot(projects[w] for w in a) for a in approvals], instance=instance
    )
    return instance, profile, projects


def ids(allocation: object) -> list[int]:
    return sorted(int(p.name) for p in allocation)  # type: ignore[attr-defined]


def pabutools_results(
    works: list[CandidateWork], budget: int, approvals: list[set[int]]
) -> tuple[list[int], list[int], list[int]]:
    """MES, Add1 (exhaustion_by_budget_increase) + greedy fill, greedy: pabutools alone."""
    instance, profile, _projects = pabutools_election(works, budget, approvals)
    mes = method_of_equal_shares(
        instance, profile, sat_class=Cost_Sat, tie_breaking=lexico_tie_breaking
    )
    must_keep = set(mes)
    # an outcome that drops a work plain MES chose counts as infeasible: the raising stops
    too_dear = Project("z-never", budget + 1)

    def mes_keeping(inst: Instance, prof: ApprovalProfile, **params: object) -> object:
        outcome = method_of_equal_shares(inst, prof, **params)
        return outcome if must_keep <= set(outcome) else [too_dear]

    add1 = exhaustion_by_budget_increase(
        instance,
        profile,
        mes_keeping,
        {"sat_class": Cost_Sat, "tie_breaking": lexico_tie_breaking},
        budget_step=frac(budget * BUDGET_STEP.numerator, BUDGET_STEP.denominator),
        budget_bound=budget * BUDGET_BOUND,
    )
    funded = greedy_utilitarian_welfare(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=CHEAPER_THEN_ID,
        initial_budget_allocation=add1,
    )
    greedy = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, tie_breaking=CHEAPER_THEN_ID
    )
    return ids(mes), ids(funded), ids(greedy)


WORKS = [
    CandidateWork(11, 30_000),
    CandidateWork(12, 30_000),
    CandidateWork(13, 20_000),
    CandidateWork(14, 10_000),
    CandidateWork(15, 5_000),
]
# a majority block of four wants 11 and 12; smaller groups want 13, 14, 15
PROFILE = [{11, 12}, {11, 12}, {11, 12}, {11}, {13}, {13, 14}, {14}, {15}]


def test_a_fixed_profile_equals_pabutools_and_differs_from_greedy() -> None:
    outcome = choose(WORKS, 60_000, PROFILE)
    assert (outcome.mes_work_ids, outcome.funded_work_ids, outcome.greedy_work_ids) == (
        pabutools_results(WORKS, 60_000, PROFILE)
    )
    assert outcome.mes_work_ids == [11, 14, 15]
    assert outcome.greedy_work_ids == [11, 12]  # most votes: the majority takes it all
    assert outcome.equal_share == Fraction(60_000, 8)


def test_explanations_give_the_supporters_shares_against_the_cost() -> None:
    outcome = choose(WORKS, 60_000, PROFILE)
    by_id = {e.work_id: e for e in outcome.explanations}
    # 11: four owners hold 4 x 7,500 = 30,000 = its cost; bought first
    assert by_id[11].mes_round == 1 and by_id[11].supporters_shares == 30_000
    # 12: its three supporters paid 7,500 each for 11 already: 3 x 0 < 30,000... they hold 0
    assert by_id[12].mes_reason == "short_of_shares"
    assert by_id[12].supporters_shares is not None and by_id[12].supporters_shares < 30_000
    # 13: two owners hold 2 x 7,500 = 15,000 < 20,000 from the start
    assert by_id[13].supporters_shares == 15_000 and not by_id[13].mes
    assert by_id[14].approvals == 2 and by_id[14].mes and by_id[14].funded_by == "mes"
    assert by_id[12].greedy and not by_id[12].funded


def test_ties_mes_takes_the_lower_work_id() -> None:
    works = [CandidateWork(7, 100), CandidateWork(3, 100)]
    outcome = choose(works, 100, [{3, 7}, {3, 7}])
    assert outcome.mes_work_ids == [3]
    assert outcome.mes_work_ids == pabutools_results(works, 100, [{3, 7}, {3, 7}])[0]


def test_ties_greedy_takes_the_cheaper_then_the_lower_id() -> None:
    works = [CandidateWork(1, 100), CandidateWork(2, 60), CandidateWork(3, 60)]
    # each work has two approvals; budget fits one 100 or one 60 (not two)
    approvals = [{1, 2, 3}, {1, 2, 3}]
    outcome = choose(works, 100, approvals)
    assert outcome.greedy_work_ids == [2]
    assert outcome.greedy_work_ids == pabutools_results(works, 100, approvals)[2]


def test_add1_completion_spends_what_plain_mes_leaves() -> None:
    # plain MES: three owners, shares of 110 each; 1 costs 240 and its two supporters hold 220
    works = [CandidateWork(1, 240), CandidateWork(2, 90)]
    approvals = [{1}, {1}, {2}]
    outcome = choose(works, 330, approvals)
    assert outcome.mes_work_ids == [2]
    assert outcome.funded_work_ids == [1, 2]
    assert outcome.completion_share > outcome.equal_share
    by_id = {e.work_id: e for e in outcome.explanations}
    assert by_id[1].funded_by == "completion"
    assert (outcome.mes_work_ids, outcome.funded_work_ids, outcome.greedy_work_ids) == (
        pabutools_results(works, 330, approvals)
    )


def test_nobody_voted_funds_nothing_and_unapproved_works_stay_out() -> None:
    assert choose(WORKS, 60_000, []).funded_work_ids == []
    outcome = choose(WORKS, 10**9, [{11}, set()])
    assert outcome.funded_work_ids == [11] and outcome.greedy_work_ids == [11]
    assert outcome.voters == 2


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[CandidateWork], int, list[set[int]]]:
    n_works = draw(st.integers(1, 7))
    works = [CandidateWork(i + 1, draw(st.integers(1, 50)) * 100) for i in range(n_works)]
    budget = draw(st.integers(1, 200)) * 100
    approvals = draw(
        st.lists(st.sets(st.integers(1, n_works), max_size=n_works), min_size=0, max_size=9)
    )
    return works, budget, approvals


@settings(max_examples=100, deadline=None)
@given(rounds())
def test_invariants(case: tuple[list[CandidateWork], int, list[set[int]]]) -> None:
    works, budget, approvals = case
    cost = {w.work_id: w.cost_fen for w in works}
    outcome = choose(works, budget, approvals)
    for chosen in (outcome.mes_work_ids, outcome.funded_work_ids, outcome.greedy_work_ids):
        assert sum(cost[w] for w in chosen) <= budget
    assert set(outcome.mes_work_ids) <= set(outcome.funded_work_ids)
    assert choose(works, budget, list(reversed(approvals))) == outcome  # order-free
    mes, _funded, greedy = pabutools_results(works, budget, approvals)
    assert outcome.mes_work_ids == mes and outcome.greedy_work_ids == greedy
    for e in outcome.explanations:
        if e.mes:
            assert e.supporters_shares is not None and e.supporters_shares >= e.cost_fen
        elif e.approvals:
            assert e.supporters_shares is not None and e.supporters_shares < e.cost_fen


@settings(max_examples=100, deadline=None)
@given(rounds())
def test_funded_equals_pabutools_exhaustion_by_budget_increase(
    case: tuple[list[CandidateWork], int, list[set[int]]],
) -> None:
    works, budget, approvals = case
    outcome = choose(works, budget, approvals)
    assert outcome.funded_work_ids == pabutools_results(works, budget, approvals)[1]
