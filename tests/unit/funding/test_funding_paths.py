"""The optimiser's slower exact paths give the same plans as its fast ones.

Households are handled as numpy arrays with a few fast paths (hashing to group kinds
into classes, (class, scale, odd fen) to share works lists, class amounts rounded for
every work at once, int64 arithmetic). Each has
an exact fallback for inputs it cannot take; these tests force the fallbacks and check
the plans are byte-identical, and that amounts far beyond int64 stay exact.
"""

from __future__ import annotations

import random
from decimal import Decimal as D

import msgspec
import pytest
from funding_checks import check_plan

from planner.funding.engine import (
    FundingProblem,
    HouseholdInput,
    InvalidProblem,
    SourceInput,
    WorkInput,
    solve,
)
from planner.funding.engine import _arrays as arrays
from planner.funding.engine import _classes as classes
from planner.funding.engine import _plans as plans
from planner.funding.engine import _rounding as rounding
from planner.works.rules import WorkBenefit

LIFT = {1: D("0"), 2: D("0.6"), 4: D("1"), 7: D("1.2")}


def estate(seed: int, households: int = 300, cap_rate: float = 0.1) -> FundingProblem:
    """A random estate with every benefit rule, scopes, caps and two sources."""
    rng = random.Random(seed)
    buildings = rng.sample(range(1, 10_000), 6)
    areas = [D(a) for a in ("58.60", "72.35", "86.50", "102.40", "118.75", "60")]
    units = tuple(
        HouseholdInput(
            household_id=hid,
            area_m2=rng.choice(areas),
            building_id=rng.choice(buildings),
            floor=rng.randint(1, 12),
            cap_fen=rng.choice((0, 20_000, 80_000)) if rng.random() < cap_rate else None,
        )
        for hid in rng.sample(range(1, 10**6), households)
    )
    works = (
        WorkInput(work_id=11, cost_fen=rng.randrange(10**7, 10**8)),
        WorkInput(
            work_id=12,
            cost_fen=rng.randrange(10**6, 10**7),
            benefit=WorkBenefit(benefit_rule="building", scope_building_ids=tuple(buildings[:2])),
        ),
        WorkInput(
            work_id=13,
            cost_fen=rng.randrange(10**6, 10**7),
            benefit=WorkBenefit(
                benefit_rule="area_floor_factor",
                scope_building_ids=tuple(buildings[2:]),
                floor_factors=LIFT,
            ),
        ),
        WorkInput(
            work_id=14,
            cost_fen=rng.randrange(10**5, 10**6),
            benefit=WorkBenefit(benefit_rule="equal", scope_building_ids=(buildings[5],)),
        ),
    )
    total = sum(w.cost_fen for w in works)
    return FundingProblem(
        works=works,
        sources=(
            SourceInput(
                source_id=1,
                budget_fen=total,
                eligible_work_ids=(11, 12, 13, 14),
                max_share=D("0.75"),
            ),
            SourceInput(source_id=2, budget_fen=total // 20, eligible_work_ids=(12,)),
        ),
        households=units,
        resident_band=(D("0.2"), D("0.6")),
    )


def encoded(problem: FundingProblem) -> bytes:
    return msgspec.json.encode(solve(problem))


@pytest.mark.parametrize("seed", range(6))
def test_fallbacks_give_byte_identical_plans(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = estate(seed, cap_rate=0.3 if seed % 2 else 0.05)
    fast = encoded(problem)
    check_plan(problem, solve(problem))
    monkeypatch.setattr(
        classes,
        "_group_patterns",
        lambda kinds_, unit, active, lengths, cap, scale: classes._group_exactly(
            kinds_, unit, active, cap, scale
        ),
    )
    monkeypatch.setattr(
        plans, "_variants", lambda prepared, split: plans._variants_exactly(prepared, split)
    )
    monkeypatch.setattr(rounding, "_round_at_once", lambda *args: None)
    monkeypatch.setattr(arrays, "_bytes", lambda values: None)
    assert encoded(problem) == fast


def test_household_fields_read_alike_whatever_their_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lists of ints 0..255 (floors, area codes, caps) are read as bytes; others are not."""
    rng = random.Random(11)
    floors = (-2, 0, 1, 7, 255, 256, 300)
    caps = (None, None, None, 0, 1, 255, 256, 20_000, 10**12)
    units = [
        HouseholdInput(
            household_id=i,
            area_m2=D(rng.choice(("58.6", "58.60", "72.35", "0", "1E+2"))),
            building_id=rng.choice((0, 1, 255)) if i < 150 else 256,
            floor=rng.choice(floors),
            cap_fen=rng.choice(caps),
        )
        for i in range(1, 160)
    ]
    problem = FundingProblem(
        works=(
            WorkInput(work_id=1, cost_fen=50_000_000),
            WorkInput(
                work_id=2,
                cost_fen=7_000_001,
                benefit=WorkBenefit(benefit_rule="equal", scope_building_ids=(1, 256)),
            ),
        ),
        sources=(SourceInput(source_id=1, budget_fen=30_000_000, eligible_work_ids=(1, 2)),),
        households=tuple(units),
        resident_band=(D("0.2"), D("0.9")),
    )
    fast = encoded(problem)
    check_plan(problem, solve(problem))
    rng.shuffle(units)
    shuffled = msgspec.structs.replace(problem, households=tuple(units))
    assert encoded(shuffled) == fast
    monkeypatch.setattr(arrays, "_bytes", lambda values: None)
    assert encoded(problem) == fast


def test_amounts_beyond_int64_stay_exact() -> None:
    """Areas so large that weights × amounts overflow int64 (object arrays)."""
    rng = random.Random(5)
    units = tuple(
        HouseholdInput(
            household_id=i,
            area_m2=D(rng.choice(("123456789012.34", "98765432109.87", "5.5"))),
            building_id=rng.choice((1, 2)),
            floor=rng.randint(1, 9),
            cap_fen=10**10 if i % 7 == 0 else None,
        )
        for i in range(1, 60)
    )
    works = (
        WorkInput(work_id=1, cost_fen=9 * 10**12 + 12_345),
        WorkInput(
            work_id=2,
            cost_fen=3 * 10**12 + 1,
            benefit=WorkBenefit(
                benefit_rule="area_floor_factor", scope_building_ids=(2,), floor_factors=LIFT
            ),
        ),
    )
    problem = FundingProblem(
        works=works,
        sources=(SourceInput(source_id=1, budget_fen=10**13, eligible_work_ids=(1, 2)),),
        households=units,
    )
    plan = solve(problem)
    check_plan(problem, plan)
    shuffled = FundingProblem(
        works=works[::-1],
        sources=problem.sources,
        households=units[::-1],
    )
    assert msgspec.json.encode(solve(shuffled)) == msgspec.json.encode(plan)


def test_first_invalid_household_by_id_is_named() -> None:
    works = (WorkInput(work_id=1, cost_fen=100),)
    units = (
        HouseholdInput(household_id=9, area_m2=D("-1"), building_id=1),
        HouseholdInput(household_id=4, area_m2=D("50"), building_id=1, cap_fen=-1),
        HouseholdInput(household_id=7, area_m2=D("sNaN"), building_id=1),
    )
    with pytest.raises(InvalidProblem) as error:
        solve(FundingProblem(works=works, households=units))
    assert error.value.field == "households.4.cap_fen"
    with pytest.raises(InvalidProblem) as error:
        solve(FundingProblem(works=works, households=units[::2]))
    assert error.value.field == "households.7.area_m2"


def test_households_nobody_charges_are_listed_with_nothing_to_pay() -> None:
    works = (
        WorkInput(
            work_id=1,
            cost_fen=1_000_000,
            benefit=WorkBenefit(benefit_rule="building", scope_building_ids=(1,)),
        ),
    )
    units = tuple(
        HouseholdInput(household_id=i, area_m2=D("80"), building_id=1 + i % 2) for i in range(6)
    )
    plan = solve(
        FundingProblem(
            works=works,
            sources=(SourceInput(source_id=1, budget_fen=800_000, eligible_work_ids=(1,)),),
            households=units,
        )
    )
    assert [h.household_id for h in plan.households] == list(range(6))
    assert [h.amount_fen for h in plan.households if h.household_id % 2] == [0, 0, 0]
    assert [h.works for h in plan.households if h.household_id % 2] == [[], [], []]
    assert sum(h.amount_fen for h in plan.households) == plan.residents_total_fen
