"""The live reverse auction's rules, pure and exact: the schedule, the turn order, the step,
which bid is accepted, the places, and the lines of the result round.

The schedule (the server is the clock; every time follows from the settings):
- n bidders, R rounds, turns of T seconds, a pause of P seconds between rounds;
- round r (1-based) starts at ``starts_at + (r-1)·(n·T + P)``; its turn k (0-based) runs from
  ``round_start(r) + k·T`` for T seconds, half-open ``[start, end)``; the auction ends at
  ``round_start(R) + n·T`` (no pause after the last round);
- the turn order of a round is fixed at its start: highest price first, ties by number;
- the boundaries announced (``steps``): each turn's start, each round's end, then the finish.

Prices: a bidder's price is its start price (its quote's latest total after the opening)
until it bids; each bid lowers it by at least the step; an idle turn keeps it. The step is a
fixed amount, or a percentage of the current lowest price rounded up to the fen (at least
1 fen). Places: 1 is the lowest price; equal prices rank by who reached the price first,
then by number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Final, Literal

from planner.money import split_largest_remainder
from planner.negotiation.model import PricedLine
from planner.negotiation.rules import quantity_thousandths

MAX_ROUNDS: Final = 10
SlotKind = Literal["before", "turn", "pause", "after"]
StepKind = Literal["turn", "round_ended", "finished"]


class AuctionRefusal(Exception):
    """A bid or a change the rules refuse: ``status`` 400 (the amount) or 409 (the time)."""

    def __init__(self, status: int, code: str, message: str, params: dict[str, object]) -> None:
        self.status = status
        self.code = code
        self.params = params
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Schedule:
    starts_at: datetime
    rounds: int
    bidders: int
    turn_seconds: int
    pause_seconds: int

    @property
    def round_length(self) -> timedelta:
        return timedelta(seconds=self.bidders * self.turn_seconds)

    def round_start(self, round_no: int) -> datetime:
        stride = self.bidders * self.turn_seconds + self.pause_seconds
        return self.starts_at + timedelta(seconds=(round_no - 1) * stride)

    def round_end(self, round_no: int) -> datetime:
        return self.round_start(round_no) + self.round_length

    def turn(self, round_no: int, index: int) -> tuple[datetime, datetime]:
        """The turn's window ``[start, end)``."""
        start = self.round_start(round_no) + timedelta(seconds=index * self.turn_seconds)
        return start, start + timedelta(seconds=self.turn_seconds)

    @property
    def ends_at(self) -> datetime:
        return self.round_end(self.rounds)

    @property
    def step_count(self) -> int:
        """Boundaries to announce: n turns and one round end per round, then the finish."""
        return self.rounds * (self.bidders + 1) + 1

    def step(self, index: int) -> tuple[StepKind, int, int | None, datetime]:
        """The ``index``-th boundary (0-based): (kind, round, turn index or None, due time)."""
        if index >= self.rounds * (self.bidders + 1):
            return "finished", self.rounds, None, self.ends_at
        round_no, offset = divmod(index, self.bidders + 1)
        round_no += 1
        if offset == self.bidders:
            return "round_ended", round_no, None, self.round_end(round_no)
        return "turn", round_no, offset, self.turn(round_no, offset)[0]

    def next_step_at(self, steps_done: int) -> datetime | None:
        return None if steps_done >= self.step_count else self.step(steps_done)[3]


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a moment falls: before the start, in round ``round``'s turn ``index``, in the
    pause after round ``round``, or after the end."""

    kind: SlotKind
    round: int
    index: int | None = None


def slot_at(schedule: Schedule, now: datetime) -> Slot:
    if now < schedule.starts_at:
        return Slot("before", 0)
    if now >= schedule.ends_at:
        return Slot("after", schedule.rounds)
    stride = schedule.bidders * schedule.turn_seconds + schedule.pause_seconds
    elapsed = (now - schedule.starts_at) // timedelta(microseconds=1)  # exact integers
    round_no = min(elapsed // (stride * 1_000_000), schedule.rounds - 1) + 1
    into_round = elapsed - (round_no - 1) * stride * 1_000_000
    index = into_round // (schedule.turn_seconds * 1_000_000)
    if index < schedule.bidders:
        return Slot("turn", round_no, index)
    return Slot("pause", round_no)


# ---------------------------------------------------------------- prices, order, places


@dataclass(frozen=True, slots=True)
class Bid:
    round: int
    number: int
    total_fen: int
    at: datetime


def prices(
    start: Mapping[int, int], bids: Iterable[Bid], before_round: int | None = None
) -> dict[int, int]:
    """Each bidder's price: the start price, replaced by each of its bids in order (only
    bids of rounds before ``before_round`` when given)."""
    current = dict(start)
    for bid in bids:
        if before_round is None or bid.round < before_round:
            current[bid.number] = bid.total_fen
    return current


def round_order(start: Mapping[int, int], bids: Sequence[Bid], round_no: int) -> list[int]:
    """The turn order of ``round_no``, fixed at its start: highest price first, ties by
    number (lowest number first)."""
    at_start = prices(start, bids, before_round=round_no)
    return sorted(at_start, key=lambda number: (-at_start[number], number))


def places(start: Mapping[int, int], bids: Sequence[Bid]) -> dict[int, int]:
    """1 = lowest price; equal prices rank by who reached the price first, then number."""
    current = prices(start, bids)
    reached = dict.fromkeys(start, 0)  # the position of the bid that set the price
    for position, bid in enumerate(bids, start=1):
        reached[bid.number] = position
    ranked = sorted(current, key=lambda n: (current[n], reached[n], n))
    return {number: place for place, number in enumerate(ranked, start=1)}


def step_fen(lowest_fen: int, min_step_pct: Decimal | None, min_step_fen: int | None) -> int:
    """The minimum decrease of the next bid: the fixed amount, or the percentage of the
    current lowest price rounded up to the fen; never less than 1 fen."""
    if min_step_fen is not None:
        return max(1, min_step_fen)
    assert min_step_pct is not None
    exact = Decimal(lowest_fen) * min_step_pct / Decimal(100)
    return max(1, int(exact.to_integral_value(rounding=ROUND_CEILING)))


def max_bid_fen(own_fen: int, step: int) -> int | None:
    """The highest total the bidder may bid now (own price − step), None if none is left."""
    highest = own_fen - step
    return highest if highest >= 1 else None


# ---------------------------------------------------------------- accepting a bid


def judge_turn(
    schedule: Schedule, order_of: Callable[[int], list[int]], now: datetime, number: int
) -> tuple[int, int, datetime]:
    """Whether bidder ``number`` may bid at ``now``: (round, turn index, the turn's end),
    or AuctionRefusal 409: ``auction_turn_over`` when the turn that ended last was its own,
    ``auction_not_your_turn`` in another's turn, ``auction_not_running`` before the start,
    in a pause or after the end."""
    slot = slot_at(schedule, now)
    previous = _previous_turn(schedule, slot)
    own_previous = previous is not None and order_of(previous[0])[previous[1]] == number
    own_now = slot.kind == "turn" and order_of(slot.round)[slot.index or 0] == number
    if own_previous and not own_now:
        assert previous is not None
        raise AuctionRefusal(409, "auction_turn_over", "your turn is over", {"round": previous[0]})
    if slot.kind != "turn":
        raise AuctionRefusal(
            409,
            "auction_not_running",
            "the auction takes no bids now",
            {"status": {"before": "scheduled", "after": "finished"}.get(slot.kind, slot.kind)},
        )
    assert slot.index is not None
    holder = order_of(slot.round)[slot.index]
    if holder != number:
        raise AuctionRefusal(
            409, "auction_not_your_turn", f"it is bidder {holder}'s turn", {"label": holder}
        )
    return slot.round, slot.index, schedule.turn(slot.round, slot.index)[1]


def _previous_turn(schedule: Schedule, slot: Slot) -> tuple[int, int] | None:
    """The turn that ended last before ``slot`` (round, index), if any."""
    if slot.kind == "before":
        return None
    if slot.kind in ("pause", "after"):
        return slot.round, schedule.bidders - 1
    assert slot.index is not None
    if slot.index > 0:
        return slot.round, slot.index - 1
    if slot.round > 1:
        return slot.round - 1, schedule.bidders - 1
    return None


def check_amount(total_fen: int, own_fen: int, step: int) -> None:
    """A bid lowers the bidder's own price by at least the step (400 otherwise)."""
    highest = own_fen - step
    if total_fen > highest:
        raise AuctionRefusal(
            400,
            "auction_step_too_small",
            f"a bid must be at most {highest} fen (your price minus the step of {step} fen)",
            {"max_fen": highest, "step_fen": step},
        )


# ---------------------------------------------------------------- the result round


def scale_lines(lines: Sequence[PricedLine], new_total_fen: int) -> tuple[PricedLine, ...]:
    """The quote's lines scaled proportionally to ``new_total_fen``, exactly.

    Line totals are the largest-remainder split of the new total in proportion to the old
    line totals (ties to the lower line number), so they add up to the new total to the fen;
    each unit price is the new line total divided by the quantity, rounded half-up to the
    fen (the line total, not unit price × quantity, is what the quote sums). An old total of
    0 (nothing to scale by) spreads the new total in proportion to the quantities.
    """
    if not lines:
        raise ValueError("a round has at least one line")
    old = [line.total_fen for line in lines]
    weights = old if sum(old) > 0 else [quantity_thousandths(Decimal(ln.quantity)) for ln in lines]
    parts = split_largest_remainder(new_total_fen, weights, [ln.line_no for ln in lines])
    scaled = []
    for line, part in zip(lines, parts, strict=True):
        thousandths = quantity_thousandths(Decimal(line.quantity))
        unit = (part * 1000 * 2 + thousandths) // (2 * thousandths)
        scaled.append(
            PricedLine(
                line_no=line.line_no,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price_fen=unit,
                total_fen=part,
                line_key=line.line_key,
            )
        )
    return tuple(scaled)
