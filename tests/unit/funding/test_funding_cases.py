"""Hand-checkable funding cases: each figure below can be verified with a pencil."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from funding_checks import check_plan

from planner.funding.engine import (
    FundingInfeasible,
    FundingPlanResult,
    FundingProblem,
    HouseholdInput,
    InvalidProblem,
    SourceInput,
    WorkInput,
    solve,
)
from planner.works.rules import WorkBenefit


def households(n: int, area: str = "100.00", building: int = 1, start: int = 1, **kw: object):
    return tuple(
        HouseholdInput(household_id=start + i, area_m2=D(area), building_id=building, **kw)  # type: ignore[arg-type]
        for i in range(n)
    )


def run(problem: FundingProblem) -> FundingPlanResult:
    plan = solve(problem)
    check_plan(problem, plan)
    return plan


def amounts(plan: FundingPlanResult) -> dict[int, int]:
    return {h.household_id: h.amount_fen for h in plan.households}


def source_amounts(plan: FundingPlanResult, work_id: int) -> dict[int, int]:
    work = next(w for w in plan.works if w.work_id == work_id)
    return {s.source_id: s.amount_fen for s in work.sources}


def test_ample_subsidy_residents_pay_exactly_the_band_floor() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000),),
        sources=(SourceInput(source_id=1, budget_fen=5_000_000, eligible_work_ids=(1,)),),
        households=households(4),
    )
    plan = run(problem)
    assert plan.residents_total_fen == 200_000
    assert plan.residents_share == "0.2000"
    assert amounts(plan) == {1: 50_000, 2: 50_000, 3: 50_000, 4: 50_000}
    assert plan.works[0].binding == ["band_low"]
    assert all(h.reason == "proportional" for h in plan.households)


def test_small_budget_residents_pay_the_rest_up_to_the_band_ceiling() -> None:
    def plan_for(budget: int) -> FundingPlanResult:
        return run(
            FundingProblem(
                works=(WorkInput(work_id=1, cost_fen=1_000_000),),
                sources=(SourceInput(source_id=1, budget_fen=budget, eligible_work_ids=(1,)),),
                households=households(3),
            )
        )

    plan = plan_for(750_000)
    assert plan.residents_total_fen == 250_000
    assert "budget:1" in plan.works[0].binding
    plan = plan_for(700_000)  # exactly 30 % is still inside the band
    assert plan.residents_total_fen == 300_000
    assert sorted(amounts(plan).values()) == [100_000, 100_000, 100_000]


def test_band_ceiling_exceeded_is_explained_with_the_shortfall() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000),),
        sources=(SourceInput(source_id=1, budget_fen=658_000, eligible_work_ids=(1,)),),
        households=households(3),
    )
    with pytest.raises(FundingInfeasible) as caught:
        solve(problem)
    (problem_,) = caught.value.problems
    assert problem_.constraint == "resident_band_high"
    assert problem_.amount_fen == 42_000
    assert problem_.zh == "居民需承担 34.2% > 30%：缺口 ¥420.00；请增加补贴或放宽比例区间"
    assert problem_.en.startswith("residents would need 34.2% > 30%: ¥420.00 short")


def test_share_caps_and_eligibility() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000), WorkInput(work_id=2, cost_fen=2_000_000)),
        sources=(
            # A may pay at most 50 % of any work it funds, and only work 1
            SourceInput(
                source_id=10, budget_fen=10_000_000, eligible_work_ids=(1,), max_share=D("0.5")
            ),
            # B pays only for work 2
            SourceInput(source_id=20, budget_fen=1_500_000, eligible_work_ids=(2,)),
        ),
        households=households(2),
        resident_band=(D("0"), D("1")),
    )
    plan = run(problem)
    assert source_amounts(plan, 1) == {10: 500_000}
    assert source_amounts(plan, 2) == {20: 1_500_000}
    assert plan.residents_total_fen == 500_000 + 500_000
    assert plan.works[0].binding == ["max_share:10"]
    assert plan.works[1].binding == ["budget:20"]


def test_building_only_work_is_charged_only_to_that_building() -> None:
    problem = FundingProblem(
        works=(
            WorkInput(work_id=1, cost_fen=600_000),
            WorkInput(
                work_id=2,
                cost_fen=300_000,
                benefit=WorkBenefit(benefit_rule="building", scope_building_ids=(2,)),
            ),
        ),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1, 2)),),
        households=households(2, building=1, start=1) + households(3, building=2, start=11),
    )
    plan = run(problem)
    by_id = {h.household_id: h for h in plan.households}
    # 20 % of each work: 120,000 over 5 equal units, 60,000 over building 2's three units
    assert [x.work_id for x in by_id[1].works] == [1]
    assert by_id[1].amount_fen == 24_000
    assert by_id[11].amount_fen == 24_000 + 20_000
    assert {x.work_id: x.amount_fen for x in by_id[12].works} == {1: 24_000, 2: 20_000}


def test_lift_work_with_floor_factors() -> None:
    lift = WorkBenefit(
        benefit_rule="area_floor_factor",
        floor_factors={1: D("0"), 2: D("0.5"), 4: D("1")},
    )
    units = tuple(
        HouseholdInput(household_id=f, area_m2=D("100.00"), building_id=1, floor=f)
        for f in (1, 2, 3, 4, 5)
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_200_000, benefit=lift),),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1,)),),
        households=units,
    )
    plan = run(problem)
    # residents 240,000 over weights 0, 50, 50, 100, 100 (area × factor)
    assert amounts(plan) == {1: 0, 2: 40_000, 3: 40_000, 4: 80_000, 5: 80_000}
    assert next(h for h in plan.households if h.household_id == 1).works == []


def test_cap_of_zero_exempts_and_the_others_cover_evenly() -> None:
    units = (
        *households(3),
        HouseholdInput(household_id=9, area_m2=D("100.00"), building_id=1, cap_fen=0),
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=600_000),),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1,)),),
        households=units,
    )
    plan = run(problem)
    assert amounts(plan) == {1: 40_000, 2: 40_000, 3: 40_000, 9: 0}
    exempt = next(h for h in plan.households if h.household_id == 9)
    assert exempt.capped and exempt.reason == "cap" and exempt.proportional_fen == 30_000
    assert {h.reason for h in plan.households if h.household_id != 9} == {"covers_caps"}
    assert "1 户困难户按上限缴纳" in plan.explanation.zh


def test_partial_caps_spread_by_ratio_not_by_amount() -> None:
    # areas 50/100/150/100; the 100 m² unit is capped at 10,000 (proportional 60,000).
    units = (
        HouseholdInput(household_id=1, area_m2=D("50.00"), building_id=1),
        HouseholdInput(household_id=2, area_m2=D("100.00"), building_id=1),
        HouseholdInput(household_id=3, area_m2=D("150.00"), building_id=1),
        HouseholdInput(household_id=4, area_m2=D("100.00"), building_id=1, cap_fen=10_000),
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000),),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1,)),),
        households=units,
    )
    plan = run(problem)
    # 200,000 − 10,000 = 190,000 over 50:100:150 → 31,666.67 / 63,333.33 / 95,000
    assert amounts(plan) == {1: 31_667, 2: 63_333, 3: 95_000, 4: 10_000}


def test_caps_that_exactly_hold_the_band_floor() -> None:
    units = tuple(
        HouseholdInput(household_id=i, area_m2=D("90.00"), building_id=1, cap_fen=50_000)
        for i in range(1, 5)
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000, title="屋顶防水"),),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1,)),),
        households=units,
    )
    # 20 % of 10,000 yuan = 2,000 yuan = 4 × the 500-yuan cap: feasible at the boundary
    plan = run(problem)
    assert amounts(plan) == {1: 50_000, 2: 50_000, 3: 50_000, 4: 50_000}


def test_caps_short_of_the_band_floor() -> None:
    units = tuple(
        HouseholdInput(household_id=i, area_m2=D("90.00"), building_id=1, cap_fen=40_000)
        for i in range(1, 5)
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000, title="屋顶防水"),),
        sources=(SourceInput(source_id=1, budget_fen=10_000_000, eligible_work_ids=(1,)),),
        households=units,
    )
    with pytest.raises(FundingInfeasible) as caught:
        solve(problem)
    (found,) = caught.value.problems
    # residents can carry at most 4 × 400 = 1,600 yuan = 16 % < 20 %: 400 yuan below
    assert found.amount_fen == 40_000
    assert found.constraint in ("resident_band_low", "hardship_caps")


def test_unfunded_work_caps_leave_amount_no_one_may_pay() -> None:
    units = tuple(
        HouseholdInput(household_id=i, area_m2=D("90.00"), building_id=1, cap_fen=10_000)
        for i in range(1, 3)
    )
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=100_000, title="监控"),),
        households=units,
        resident_band=(D("0"), D("1")),
    )
    with pytest.raises(FundingInfeasible) as caught:
        solve(problem)
    (found,) = caught.value.problems
    assert found.constraint == "hardship_caps"
    assert found.amount_fen == 80_000
    assert found.zh == "困难户上限使工程「监控」有 ¥800.00 无人可付；请增加补贴或提高上限"


def test_work_nobody_benefits_from() -> None:
    problem = FundingProblem(
        works=(
            WorkInput(
                work_id=1,
                cost_fen=100_000,
                benefit=WorkBenefit(benefit_rule="building", scope_building_ids=(7,)),
            ),
        ),
        households=households(2),
        resident_band=(D("0.2"), D("0.3")),
    )
    with pytest.raises(FundingInfeasible) as caught:
        solve(problem)
    constraints = {p.constraint for p in caught.value.problems}
    assert constraints & {"no_beneficiaries", "resident_band_high"}


def test_pledges_are_fixed_and_checked() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000), WorkInput(work_id=2, cost_fen=1_000_000)),
        sources=(
            SourceInput(
                source_id=1, budget_fen=500_000, eligible_work_ids=(1, 2), pledges={2: 300_000}
            ),
            SourceInput(source_id=2, budget_fen=5_000_000, eligible_work_ids=(1, 2)),
        ),
        households=households(2),
    )
    plan = run(problem)
    assert source_amounts(plan, 2)[1] == 300_000
    assert "pledge:1" in plan.works[1].binding
    over = FundingProblem(
        works=problem.works,
        sources=(
            SourceInput(
                source_id=1,
                budget_fen=500_000,
                eligible_work_ids=(1, 2),
                pledges={1: 300_000, 2: 300_000},
                name="区财政补贴",
            ),
        ),
        households=households(2),
    )
    with pytest.raises(FundingInfeasible) as caught:
        solve(over)
    (found,) = caught.value.problems
    assert found.constraint == "budget" and found.amount_fen == 100_000
    assert "区财政补贴" in found.zh


def test_target_policy() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000),),
        sources=(SourceInput(source_id=1, budget_fen=5_000_000, eligible_work_ids=(1,)),),
        households=households(4),
        policy="target",
        target_share=D("0.25"),
    )
    plan = run(problem)
    assert plan.residents_total_fen == 250_000
    # a target outside the band lands on the nearest edge
    problem = FundingProblem(
        works=problem.works,
        sources=problem.sources,
        households=households(4),
        policy="target",
        target_share=D("0.5"),
    )
    assert run(problem).residents_total_fen == 300_000


def test_per_work_band_and_even_spread() -> None:
    problem = FundingProblem(
        works=(
            WorkInput(work_id=1, cost_fen=1_000_000, resident_band=(D("0.25"), D("0.40"))),
            WorkInput(work_id=2, cost_fen=1_000_000),
        ),
        sources=(SourceInput(source_id=1, budget_fen=5_000_000, eligible_work_ids=(1, 2)),),
        households=households(2),
    )
    plan = run(problem)
    assert plan.residents_total_fen == 400_000
    assert [w.residents_fen for w in plan.works] == [250_000, 150_000]
    assert "work_band_low" in plan.works[0].binding


def test_subsidy_spread_evenly_over_works() -> None:
    problem = FundingProblem(
        works=(WorkInput(work_id=1, cost_fen=1_000_000), WorkInput(work_id=2, cost_fen=3_000_000)),
        sources=(SourceInput(source_id=1, budget_fen=2_800_000, eligible_work_ids=(1, 2)),),
        households=households(2),
    )
    plan = run(problem)
    assert plan.residents_total_fen == 1_200_000  # 30 %
    assert [w.residents_fen for w in plan.works] == [300_000, 900_000]


def test_reference_case_demo_estate_lands_in_the_pilot_range() -> None:
    """Zhuzhou pilot: residents paid ¥150,000–200,000, 20–30 % of the public-part works."""
    works = (
        WorkInput(work_id=1, cost_fen=30_000_000, title="屋面防水"),
        WorkInput(work_id=2, cost_fen=25_000_000, title="污水管网"),
        WorkInput(
            work_id=3,
            cost_fen=8_000_000,
            title="监控",
            benefit=WorkBenefit(benefit_rule="equal"),
        ),
        WorkInput(work_id=4, cost_fen=15_000_000, title="地下车库"),
    )
    sources = (
        SourceInput(
            source_id=1,
            budget_fen=40_000_000,
            eligible_work_ids=(1, 2, 4),
            max_share=D("0.6"),
            kind="subsidy",
        ),
        SourceInput(
            source_id=2,
            budget_fen=15_000_000,
            eligible_work_ids=(1, 2, 3, 4),
            kind="maintenance_fund",
        ),
        SourceInput(source_id=3, budget_fen=3_000_000, eligible_work_ids=(3,), kind="donor"),
    )
    units = tuple(
        HouseholdInput(
            household_id=i,
            area_m2=D(("78.50", "89.20", "102.35", "126.80")[i % 4]),
            building_id=1 + i // 60,
            floor=1 + i % 6,
            cap_fen=0 if i % 50 == 0 else None,
        )
        for i in range(240)
    )
    plan = run(FundingProblem(works=works, sources=sources, households=units))
    assert 15_000_000 <= plan.residents_total_fen <= 20_000_000
    assert D("0.20") <= D(plan.residents_share) <= D("0.30")


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidProblem):
        solve(FundingProblem(works=(WorkInput(work_id=1, cost_fen=-1),)))
    with pytest.raises(InvalidProblem):
        solve(
            FundingProblem(
                works=(WorkInput(work_id=1, cost_fen=1),), resident_band=(D("0.3"), D("0.2"))
            )
        )
    with pytest.raises(InvalidProblem):
        solve(FundingProblem(works=(WorkInput(work_id=1, cost_fen=1),), policy="target"))


def test_empty_plan() -> None:
    plan = run(FundingProblem(works=(), households=households(2)))
    assert plan.residents_total_fen == 0
    assert [h.amount_fen for h in plan.households] == [0, 0]
