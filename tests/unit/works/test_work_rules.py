import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from planner.works.rules import (
    TRANSITIONS,
    WORK_STATUSES,
    IllegalTransition,
    InvalidBenefit,
    WorkBenefit,
    benefit_weight,
    can_quote,
    next_status,
    validate_benefit,
)

HAPPY_PATH = ["proposed", "approved", "quoting", "awarded", "funded", "in_progress", "done"]


def test_the_whole_path_is_legal() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        assert next_status(current, target) == target


@pytest.mark.parametrize("current", ["proposed", "approved", "quoting"])
def test_rejected_until_awarded(current: str) -> None:
    assert next_status(current, "rejected") == "rejected"


@pytest.mark.parametrize("current", ["awarded", "funded", "in_progress", "done", "rejected"])
def test_no_rejection_after_award(current: str) -> None:
    with pytest.raises(IllegalTransition):
        next_status(current, "rejected")


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("proposed", "quoting"),
        ("proposed", "done"),
        ("approved", "awarded"),
        ("quoting", "funded"),
        ("done", "proposed"),
        ("rejected", "approved"),
        ("funded", "awarded"),
        ("approved", "approved"),
        ("proposed", "cancelled"),
    ],
)
def test_illegal_transitions_are_refused(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status(current, target)
    assert current in str(caught.value) and target in str(caught.value)


def test_every_status_has_a_rule() -> None:
    assert set(TRANSITIONS) == set(WORK_STATUSES)
    assert all(targets <= set(WORK_STATUSES) for targets in TRANSITIONS.values())


def test_quoting_only_while_approved_or_quoting() -> None:
    assert [s for s in WORK_STATUSES if can_quote(s)] == ["approved", "quoting"]


def test_area_weight_is_exact() -> None:
    benefit = WorkBenefit()
    assert benefit_weight(benefit, area_m2=Decimal("86.55"), floor=3, building_id=1) == Fraction(
        8655, 100
    )


def test_equal_weight() -> None:
    benefit = WorkBenefit(benefit_rule="equal")
    assert benefit_weight(benefit, area_m2=Decimal("120.00"), floor=9, building_id=4) == 1


def test_scope_excludes_other_buildings() -> None:
    benefit = validate_benefit(WorkBenefit(benefit_rule="building", scope_building_ids=(2, 3)))
    assert benefit_weight(benefit, area_m2=Decimal("80.00"), floor=1, building_id=2) == 80
    assert benefit_weight(benefit, area_m2=Decimal("80.00"), floor=1, building_id=1) == 0
    area_in_scope = WorkBenefit(scope_building_ids=(5,))
    assert benefit_weight(area_in_scope, area_m2=Decimal("80.00"), floor=1, building_id=1) == 0


def test_floor_factor_table_is_a_step_function() -> None:
    benefit = validate_benefit(
        WorkBenefit(
            benefit_rule="area_floor_factor",
            floor_factors={2: Decimal("0.5"), 4: Decimal("1.0"), 10: Decimal("1.25")},
        )
    )
    area = Decimal("100.00")
    weights = [
        benefit_weight(benefit, area_m2=area, floor=f, building_id=1) for f in (1, 2, 3, 9, 12)
    ]
    assert weights == [0, 50, 50, 100, 125]


def test_floor_factors_decode_from_json_keys() -> None:
    import msgspec

    benefit = msgspec.json.decode(
        b'{"benefit_rule":"area_floor_factor","floor_factors":{"1":"0","3":"1.2"}}',
        type=WorkBenefit,
    )
    assert benefit.floor_factors == {1: Decimal("0"), 3: Decimal("1.2")}


@pytest.mark.parametrize(
    ("benefit", "field"),
    [
        (WorkBenefit(benefit_rule="building"), "scope_building_ids"),
        (WorkBenefit(benefit_rule="area_floor_factor"), "floor_factors"),
        (WorkBenefit(benefit_rule="area", floor_factors={1: Decimal(1)}), "floor_factors"),
        (
            WorkBenefit(benefit_rule="area_floor_factor", floor_factors={1: Decimal("-1")}),
            "floor_factors.1",
        ),
        (WorkBenefit(scope_building_ids=(1, 1)), "scope_building_ids"),
    ],
)
def test_unusable_benefit_rules_are_refused(benefit: WorkBenefit, field: str) -> None:
    with pytest.raises(InvalidBenefit) as caught:
        validate_benefit(benefit)
    assert caught.value.field == field
