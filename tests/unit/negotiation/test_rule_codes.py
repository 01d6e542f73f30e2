"""The rules' refusals carry a code of the one table (planner.errors.CODES) and its params."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from planner.errors import CODES
from planner.negotiation.model import LineInput, LineTarget
from planner.negotiation.rules import (
    InvalidQuote,
    NegotiationConflict,
    check_award,
    check_counter_offer,
    check_countered_round,
    check_revision,
    check_valid_until,
    price_lines,
)


def line(quantity: str = "1", price: int = 100, key: str | None = None) -> LineInput:
    return LineInput(
        description="cable",
        unit="m",
        quantity=Decimal(quantity),
        unit_price_fen=price,
        line_key=key,
    )


@pytest.mark.parametrize(
    ("refuse", "code", "params"),
    [
        (
            lambda: check_revision(
                status="closed", latest_round=2, based_on_round=2, latest_is_final=False
            ),
            "wrong_status",
            {"what": "quote", "status": "closed", "needed": "open"},
        ),
        (
            lambda: check_revision(
                status="open", latest_round=2, based_on_round=2, latest_is_final=True
            ),
            "round_final",
            {"round": 2},
        ),
        (
            lambda: check_revision(
                status="open", latest_round=3, based_on_round=2, latest_is_final=False
            ),
            "stale_round",
            {"round": 2, "latest": 3},
        ),
        (
            lambda: check_award(status="open", latest_round=2, requested_round=5),
            "round_not_found",
            {"round": 5},
        ),
        (
            lambda: check_award(status="open", latest_round=2, requested_round=1),
            "stale_round",
            {"round": 1, "latest": 2},
        ),
        (
            lambda: check_award(
                status="open",
                latest_round=1,
                requested_round=1,
                valid_until=date(2024, 9, 27),
                today=date(2024, 9, 28),
            ),
            "round_expired",
            {"round": 1, "valid_until": "2024-09-27"},
        ),
        (
            lambda: check_countered_round(status="awarded", latest_round=1, requested_round=None),
            "wrong_status",
            {"what": "quote", "status": "awarded", "needed": "open"},
        ),
        (
            lambda: check_countered_round(status="open", latest_round=3, requested_round=1),
            "stale_round",
            {"round": 1, "latest": 3},
        ),
    ],
)
def test_state_conflicts_carry_codes(
    refuse: Callable[[], object], code: str, params: dict[str, object]
) -> None:
    with pytest.raises(NegotiationConflict) as caught:
        refuse()
    assert (caught.value.code, caught.value.params) == (code, params)
    assert code in CODES


@pytest.mark.parametrize(
    ("refuse", "field", "code"),
    [
        (lambda: price_lines([]), "lines", "too_few"),
        (lambda: price_lines([line("0")]), "lines[0].quantity", "not_positive"),
        (lambda: price_lines([line("1.0005")]), "lines[0].quantity", "too_precise"),
        (lambda: price_lines([line(price=-1)]), "lines[0].unit_price_fen", "too_small"),
        (
            lambda: price_lines([line(key="a"), line(key="a")]),
            "lines[1].line_key",
            "duplicate_in_request",
        ),
        (
            lambda: check_valid_until(date(2024, 9, 27), date(2024, 9, 28)),
            "valid_until",
            "in_the_past",
        ),
        (
            lambda: check_counter_offer(
                target_total_fen=None, line_targets=[], note="x", round_lines=1
            ),
            "target_total_fen",
            "counter_offer_empty",
        ),
        (
            lambda: check_counter_offer(
                target_total_fen=None,
                note="x",
                round_lines=1,
                line_targets=[LineTarget(line_no=2, target_unit_price_fen=1)],
            ),
            "line_targets[0].line_no",
            "no_such_line",
        ),
    ],
)
def test_bad_input_carries_codes(refuse: Callable[[], object], field: str, code: str) -> None:
    with pytest.raises(InvalidQuote) as caught:
        refuse()
    assert (caught.value.field, caught.value.code) == (field, code)
    assert code in CODES
