"""Properties over random estates: hard constraints, exact sums, determinism, symmetry."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from funding_checks import check_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.funding.engine import (
    FundingInfeasible,
    FundingProblem,
    HouseholdInput,
    SourceInput,
    WorkInput,
    solve,
)
from planner.works.rules import WorkBenefit

BUILDINGS = (1, 2, 3)


@st.composite
def benefits(draw: st.DrawFn) -> WorkBenefit:
    rule = draw(st.sampled_from(["area", "area", "equal", "area_floor_factor", "building"]))
    scope = tuple(sorted(draw(st.sets(st.sampled_from(BUILDINGS), max_size=2))))
    if rule == "building" and not scope:
        scope = (1,)
    factors: dict[int, Decimal] = {}
    if rule == "area_floor_factor":
        factors = {
            1: Decimal("0"),
            2: Decimal(draw(st.sampled_from(["0.5", "0.8", "1"]))),
            4: Decimal("1.2"),
        }
    return WorkBenefit(benefit_rule=rule, scope_building_ids=scope, floor_factors=factors)


@st.composite
def problems(draw: st.DrawFn) -> FundingProblem:
    n_works = draw(st.integers(1, 4))
    works = tuple(
        WorkInput(
            work_id=10 + i,
            cost_fen=draw(st.integers(0, 5_000_000)),
            benefit=draw(benefits()),
            resident_band=draw(
                st.one_of(
                    st.none(),
                    st.sampled_from(
                        [(Decimal("0.1"), Decimal("0.5")), (Decimal("0"), Decimal("0.25"))]
                    ),
                )
            ),
        )
        for i in range(n_works)
    )
    work_ids = [w.work_id for w in works]
    sources = []
    for k in range(draw(st.integers(0, 3))):
        eligible = tuple(sorted(draw(st.sets(st.sampled_from(work_ids), min_size=1))))
        pledges = {}
        if draw(st.booleans()) and draw(st.booleans()):
            pledges = {eligible[0]: draw(st.integers(0, 200_000))}
        sources.append(
            SourceInput(
                source_id=100 + k,
                budget_fen=draw(st.integers(0, 8_000_000)),
                eligible_work_ids=eligible,
                max_share=draw(
                    st.one_of(st.none(), st.sampled_from([Decimal("0.5"), Decimal("0.8")]))
                ),
                pledges=pledges,
            )
        )
    n_households = draw(st.integers(1, 25))
    ids = draw(
        st.lists(st.integers(1, 10_000), min_size=n_households, max_size=n_households, unique=True)
    )
    households = tuple(
        HouseholdInput(
            household_id=hid,
            area_m2=Decimal(draw(st.sampled_from(["45.50", "78.20", "90.00", "90.00", "126.35"]))),
            building_id=draw(st.sampled_from(BUILDINGS)),
            floor=draw(st.integers(1, 6)),
            cap_fen=draw(
                st.one_of(st.none(), st.none(), st.none(), st.just(0), st.integers(0, 300_000))
            ),
        )
        for hid in ids
    )
    low = draw(st.sampled_from(["0", "0.1", "0.2"]))
    high = draw(st.sampled_from(["0.3", "0.5", "1"]))
    policy = draw(st.sampled_from(["minimum", "minimum", "target"]))
    return FundingProblem(
        works=works,
        sources=tuple(sources),
        households=households,
        policy=policy,
        resident_band=(Decimal(low), Decimal(high)),
        target_share=Decimal("0.25") if policy == "target" else None,
    )


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problem=problems(), data=st.data())
def test_random_estates(problem: FundingProblem, data: st.DataObject) -> None:
    try:
        plan = solve(problem)
    except FundingInfeasible as infeasible:
        assert infeasible.problems
        assert all(p.amount_fen is None or p.amount_fen > 0 for p in infeasible.problems)
        assert all(p.zh and p.en for p in infeasible.problems)
        return
    check_plan(problem, plan)
    # same input → byte-identical output
    assert msgspec.json.encode(solve(problem)) == msgspec.json.encode(plan)
    # permuting households (and sources, works) changes nobody's amount
    shuffled = FundingProblem(
        works=tuple(data.draw(st.permutations(problem.works))),
        sources=tuple(data.draw(st.permutations(problem.sources))),
        households=tuple(data.draw(st.permutations(problem.households))),
        policy=problem.policy,
        resident_band=problem.resident_band,
        target_share=problem.target_share,
    )
    assert msgspec.json.encode(solve(shuffled)) == msgspec.json.encode(plan)
