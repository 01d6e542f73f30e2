"""Funding's pure rules: the checks on requests (with their codes), how a change leaves a
source, and the engine's cheap import."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from planner.errors import BadRequest
from planner.funding.model import NewSource, SolveRequest, SourceOut, SourceUpdate
from planner.funding.rules import check_new_source, check_solve_request, updated_source

CURRENT = SourceOut(
    id=7,
    estate_id=1,
    name="区财政补贴",
    kind="subsidy",
    budget_fen=100_000,
    max_share="0.5000",
    eligible_work_ids=[11, 12],
    pledges={11: 5_000, 12: 6_000},
    created_at=datetime(2024, 9, 1, tzinfo=UTC),
)


def refusal(check: object, *args: object) -> tuple[str, str, dict[str, object]]:
    with pytest.raises(BadRequest) as caught:
        check(*args)  # type: ignore[operator]
    (entry,) = caught.value.errors
    return entry["field"], entry["code"], entry["params"]


def test_new_source_checks_name_field_and_code() -> None:
    def new(**fields: object) -> NewSource:
        return NewSource(name="x", budget_fen=1, **fields)  # type: ignore[arg-type]

    assert refusal(check_new_source, new(max_share=Decimal("1.5")))[:2] == (
        "max_share",
        "not_a_share",
    )
    assert refusal(check_new_source, new(max_share=Decimal("0.12345"))) == (
        "max_share",
        "too_precise",
        {"places": 4},
    )
    assert refusal(check_new_source, new(pledges={12: 5}, eligible_work_ids=[11]))[:2] == (
        "pledges.12",
        "pledge_not_eligible",
    )
    check_new_source(new(max_share=Decimal("0.3"), pledges={11: 5}, eligible_work_ids=[11]))


def test_solve_request_checks_band_and_target() -> None:
    low_above_high = SolveRequest(resident_band=(Decimal("0.3"), Decimal("0.2")))
    assert refusal(check_solve_request, low_above_high)[:2] == ("resident_band", "bad_range")
    no_target = SolveRequest(policy="target")
    assert refusal(check_solve_request, no_target)[:2] == ("target_share", "required")
    outside = SolveRequest(resident_band=(Decimal("0.2"), Decimal("2")))
    assert refusal(check_solve_request, outside)[:2] == ("resident_band[1]", "not_a_share")


def test_a_change_keeps_what_it_does_not_name() -> None:
    fields = updated_source(CURRENT, SourceUpdate(budget_fen=200_000))
    assert fields.budget_fen == 200_000
    assert (fields.name, fields.kind, fields.max_share) == ("区财政补贴", "subsidy", Decimal("0.5"))
    assert fields.eligible_work_ids == [11, 12] and fields.pledges == {11: 5_000, 12: 6_000}


def test_narrowing_the_eligible_works_drops_their_pledges() -> None:
    fields = updated_source(CURRENT, SourceUpdate(eligible_work_ids=[12], max_share=None))
    assert fields.pledges == {12: 6_000} and fields.max_share is None
    cleared = updated_source(CURRENT, SourceUpdate(pledges={}))
    assert cleared.pledges == {} and cleared.eligible_work_ids == [11, 12]
    assert refusal(updated_source, CURRENT, SourceUpdate(pledges={13: 1}))[:2] == (
        "pledges.13",
        "pledge_not_eligible",
    )


def test_importing_the_engine_loads_neither_numpy_nor_scipy() -> None:
    """The service imports the engine at start-up; numpy and scipy load with the first solve."""
    code = (
        "import sys, planner.funding.engine, planner.funding.routes; "
        "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
