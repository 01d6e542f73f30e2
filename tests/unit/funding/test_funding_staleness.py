from __future__ import annotations

from decimal import Decimal

from planner.funding.engine import FundingProblem, HouseholdInput, SourceInput, WorkInput
from planner.funding.rules import HouseholdChanges, staleness
from planner.works.rules import WorkBenefit

SOLVED = FundingProblem(
    works=(WorkInput(work_id=1, cost_fen=360_000_000), WorkInput(work_id=2, cost_fen=100)),
    sources=(SourceInput(source_id=7, budget_fen=1000, eligible_work_ids=(1,)),),
    households=(
        HouseholdInput(household_id=1, area_m2=Decimal("80.50"), building_id=3, floor=2),
        HouseholdInput(household_id=2, area_m2=Decimal("92.00"), building_id=3, cap_fen=0),
    ),
)


def test_nothing_changed() -> None:
    assert staleness(SOLVED, {1: 360_000_000, 2: 100}, list(SOLVED.sources)) == []


def test_award_budget_and_new_source_are_reported() -> None:
    sources = [
        SourceInput(source_id=7, budget_fen=2000, eligible_work_ids=(1,)),
        SourceInput(source_id=8, budget_fen=1, eligible_work_ids=(2,)),
    ]
    reasons = staleness(SOLVED, {1: 170_000_000, 2: None}, sources)
    assert [r.zh for r in reasons] == [
        "工程 #1 费用由 ¥3,600,000.00 变为 ¥1,700,000.00",
        "工程 #2 已无费用或已否决",
        "新增了资金来源 #8",
        "资金来源 #7 预算由 ¥10.00 变为 ¥20.00",
    ]
    assert [(r.kind, r.subject_id) for r in reasons] == [
        ("cost", 1),
        ("no_cost", 2),
        ("source_added", 8),
        ("budget", 7),
    ]
    assert [r.en for r in reasons] == [
        "work #1 cost changed from ¥3,600,000.00 to ¥1,700,000.00",
        "work #2 no longer has a cost or was rejected",
        "source #8 was added",
        "source #7 budget changed from ¥10.00 to ¥20.00",
    ]


def test_beneficiaries_and_households_are_compared_when_given() -> None:
    costs = {1: 360_000_000, 2: 100}
    same = staleness(
        SOLVED,
        costs,
        list(SOLVED.sources),
        benefits_now={1: WorkBenefit(), 2: WorkBenefit()},
        households_changed=HouseholdChanges(),
    )
    assert same == []
    reasons = staleness(
        SOLVED,
        costs,
        list(SOLVED.sources),
        benefits_now={1: WorkBenefit(benefit_rule="equal")},
        households_changed=HouseholdChanges(added=1, changed=1),
    )
    assert [r.zh for r in reasons] == [
        "工程 #1 的受益范围已变（受益规则、楼栋或楼层系数）",
        "方案计算后住户有变：新增 1 户、变更 1 户（面积、楼栋、楼层或困难户上限）",
    ]
    assert [r.en for r in reasons] == [
        "work #1 beneficiaries changed (benefit rule, buildings or floor factors)",
        "households changed since the plan was solved: 1 added, 1 changed "
        "(area, building, floor or hardship cap)",
    ]
