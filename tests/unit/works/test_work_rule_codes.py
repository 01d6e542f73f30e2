"""The works rules' refusals carry a code of the one table (planner.errors.CODES)."""

from decimal import Decimal

import pytest

from planner.errors import CODES
from planner.works.rules import (
    IllegalTransition,
    InvalidBenefit,
    WorkBenefit,
    next_status,
    validate_benefit,
)


def test_an_illegal_transition_names_both_ends_and_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status("quoting", "proposed")
    assert caught.value.code == "illegal_transition" and caught.value.code in CODES
    assert caught.value.params == {
        "what": "work",
        "from": "quoting",
        "to": "proposed",
        "allowed": ["awarded", "rejected"],
    }


@pytest.mark.parametrize(
    ("benefit", "field", "code"),
    [
        (WorkBenefit(scope_building_ids=(1, 1)), "scope_building_ids", "duplicate_in_request"),
        (WorkBenefit(benefit_rule="building"), "scope_building_ids", "too_few"),
        (WorkBenefit(benefit_rule="area_floor_factor"), "floor_factors", "required"),
        (
            WorkBenefit(benefit_rule="area_floor_factor", floor_factors={1: Decimal("0.00001")}),
            "floor_factors.1",
            "too_precise",
        ),
        (WorkBenefit(floor_factors={1: Decimal(1)}), "floor_factors", "only_with_rule"),
    ],
)
def test_a_bad_benefit_rule_carries_its_code(benefit: WorkBenefit, field: str, code: str) -> None:
    with pytest.raises(InvalidBenefit) as caught:
        validate_benefit(benefit)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert code in CODES
