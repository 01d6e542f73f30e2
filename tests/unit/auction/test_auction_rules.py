"""The auction's pure rules: the schedule, the turn order, the step, which bid is accepted,
and the scaled lines of the result round (hypothesis: they add up to the total)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.auction.rules import (
    AuctionRefusal,
    Bid,
    Schedule,
    check_amount,
    judge_turn,
    max_bid_fen,
    places,
    prices,
    round_order,
    scale_lines,
    slot_at,
    step_fen,
)
from planner.negotiation.model import PricedLine
from planner.negotiation.rules import line_total_fen

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


SCHEDULE = Schedule(starts_at=T0, rounds=2, bidders=3, turn_seconds=10, pause_seconds=5)
START = {1: 1_000, 2: 1_200, 3: 1_100}


def test_the_schedule_is_deterministic() -> None:
    assert SCHEDULE.turn(1, 0) == (at(0), at(10))
    assert SCHEDULE.turn(1, 2) == (at(20), at(30))
    assert SCHEDULE.round_start(2) == at(35)
    assert SCHEDULE.turn(2, 1) == (at(45), at(55))
    assert SCHEDULE.ends_at == at(65)
    assert SCHEDULE.step_count == 2 * 4 + 1
    kinds = [SCHEDULE.step(i)[:3] for i in range(SCHEDULE.step_count)]
    assert kinds == [
        ("turn", 1, 0),
        ("turn", 1, 1),
        ("turn", 1, 2),
        ("round_ended", 1, None),
        ("turn", 2, 0),
        ("turn", 2, 1),
        ("turn", 2, 2),
        ("round_ended", 2, None),
        ("finished", 2, None),
    ]
    dues = [SCHEDULE.step(i)[3] for i in range(SCHEDULE.step_count)]
    assert dues == sorted(dues)
    assert SCHEDULE.next_step_at(SCHEDULE.step_count) is None


@pytest.mark.parametrize(
    ("seconds", "kind", "round_no", "index"),
    [
        (-1, "before", 0, None),
        (0, "turn", 1, 0),
        (9.999, "turn", 1, 0),
        (10, "turn", 1, 1),
        (30, "pause", 1, None),
        (34.9, "pause", 1, None),
        (35, "turn", 2, 0),
        (64.99, "turn", 2, 2),
        (65, "after", 2, None),
    ],
)
def test_slots(seconds: float, kind: str, round_no: int, index: int | None) -> None:
    slot = slot_at(SCHEDULE, at(seconds))
    assert (slot.kind, slot.round, slot.index) == (kind, round_no, index)


@given(st.integers(min_value=-5_000, max_value=80_000))
def test_every_moment_in_a_turn_lies_in_its_window(millis: int) -> None:
    now = at(millis / 1000)
    slot = slot_at(SCHEDULE, now)
    if slot.kind == "turn":
        assert slot.index is not None
        start, end = SCHEDULE.turn(slot.round, slot.index)
        assert start <= now < end


def test_the_order_is_highest_price_first_fixed_at_the_round_start() -> None:
    assert round_order(START, [], 1) == [2, 3, 1]
    bids = [Bid(round=1, number=2, total_fen=900, at=at(1))]
    assert round_order(START, bids, 1) == [2, 3, 1]  # a bid in round 1 does not reorder it
    assert round_order(START, bids, 2) == [3, 1, 2]
    assert round_order({1: 5, 2: 5}, [], 1) == [1, 2]  # ties by number


def test_places_rank_by_price_then_who_reached_it_first() -> None:
    bids = [Bid(round=1, number=2, total_fen=1_000, at=at(1))]
    assert prices(START, bids) == {1: 1_000, 2: 1_000, 3: 1_100}
    assert places(START, bids) == {1: 1, 2: 2, 3: 3}
    bids.append(Bid(round=1, number=3, total_fen=900, at=at(21)))
    assert places(START, bids) == {3: 1, 1: 2, 2: 3}


def test_the_step() -> None:
    assert step_fen(1_000_000, Decimal("0.5"), None) == 5_000
    assert step_fen(1_000_001, Decimal("0.5"), None) == 5_001  # rounded up
    assert step_fen(10, Decimal("0.5"), None) == 1  # never below a fen
    assert step_fen(1_000_000, None, 777) == 777
    assert max_bid_fen(1_000, 1) == 999
    assert max_bid_fen(1, 1) is None


def test_a_bid_must_lower_the_own_price_by_the_step() -> None:
    check_amount(995, 1_000, 5)
    with pytest.raises(AuctionRefusal) as refused:
        check_amount(996, 1_000, 5)
    assert refused.value.status == 400
    assert refused.value.params == {"max_fen": 995, "step_fen": 5}


def _judge(seconds: float, number: int) -> tuple[int, int, datetime] | str:
    try:
        return judge_turn(SCHEDULE, lambda r: round_order(START, [], r), at(seconds), number)
    except AuctionRefusal as refusal:
        return refusal.code


def test_who_may_bid_when() -> None:
    # round 1 order: 2, 3, 1
    assert _judge(-1, 2) == "auction_not_running"
    assert _judge(0, 2) == (1, 0, at(10))
    assert _judge(5, 3) == "auction_not_your_turn"
    assert _judge(10, 2) == "auction_turn_over"  # late: its turn ended
    assert _judge(10, 3) == (1, 1, at(20))
    assert _judge(25, 2) == "auction_not_your_turn"  # not the last turn: just another's
    assert _judge(31, 1) == "auction_turn_over"  # the last turn of round 1, in the pause
    assert _judge(31, 2) == "auction_not_running"
    assert _judge(65, 1) == "auction_turn_over"
    assert _judge(65, 2) == "auction_not_running"


def _line(no: int, quantity: str, unit_price: int) -> PricedLine:
    return PricedLine(
        line_no=no,
        description=f"项{no}",
        unit="m",
        quantity=quantity,
        unit_price_fen=unit_price,
        total_fen=line_total_fen(Decimal(quantity), unit_price),
    )


LINE = st.builds(
    lambda quantity, price: (quantity, price),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100_000), places=3),
    st.integers(min_value=0, max_value=10_000_000),
)


@given(st.lists(LINE, min_size=1, max_size=30), st.integers(min_value=0, max_value=10**12))
def test_scaled_lines_add_up_to_the_total(raw: list[tuple[Decimal, int]], new_total: int) -> None:
    lines = [_line(i + 1, str(q), p) for i, (q, p) in enumerate(raw)]
    scaled = scale_lines(lines, new_total)
    assert sum(line.total_fen for line in scaled) == new_total
    assert [ln.line_no for ln in scaled] == [ln.line_no for ln in lines]
    assert all(line.total_fen >= 0 and line.unit_price_fen >= 0 for line in scaled)
    old_total = sum(line.total_fen for line in lines)
    if old_total:
        for old, new in zip(lines, scaled, strict=True):
            exact = old.total_fen * new_total / old_total
            assert abs(new.total_fen - exact) < 1 + 1e-6 * exact  # floor or ceiling of its share


def test_scaling_keeps_quantities_and_sets_unit_prices_from_line_totals() -> None:
    lines = [_line(1, "100", 7_500), _line(2, "1", 250_000)]  # 750,000 + 250,000
    scaled = scale_lines(lines, 930_000)
    assert [ln.total_fen for ln in scaled] == [697_500, 232_500]
    assert [ln.unit_price_fen for ln in scaled] == [6_975, 232_500]
    assert [ln.quantity for ln in scaled] == ["100", "1"]
