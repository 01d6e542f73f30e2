"""Negotiation arithmetic and rules, pure and exact.

Rounding, documented once:
- A line total is quantity × unit price in fen, computed exactly in integers (the quantity
  has at most three decimal places, so it is an integer number of thousandths) and rounded
  half-up to whole fen (0.5 fen → 1 fen; totals are never negative).
- A quote total is the sum of its line totals, so the lines always add up to it exactly.
- A percentage change is 100 × (new − old) / old, computed exactly in integers and rounded
  to one decimal place half away from zero (Decimal's ROUND_HALF_UP): −52.777… → "-52.8",
  −0.05 → "-0.1", and a result that rounds to zero is "0.0", never "-0.0".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from planner.negotiation.model import (
    Comparison,
    ComparisonCell,
    ComparisonQuote,
    ComparisonRow,
    LineInput,
    LineTarget,
    PricedLine,
    PricedRound,
    QuoteForComparison,
    ReferenceLine,
    RoundHistory,
    RoundRecord,
)

QUANTITY_PLACES: Final = 3
MAX_LINES: Final = 1000
MAX_QUANTITY: Final = Decimal(1_000_000_000)
MAX_UNIT_PRICE_FEN: Final = 10**13  # 100 billion yuan
MAX_QUOTE_TOTAL_FEN: Final = 10**15  # far inside bigint, far above any estate work
MAX_TEXT: Final = 500


class InvalidQuote(Exception):
    """Input the rules refuse (the API answers 400 on `field`)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class NegotiationConflict(Exception):
    """A request that contradicts the quote's state (the API answers 409)."""


# ---------------------------------------------------------------- lines and totals


def quantity_thousandths(quantity: Decimal, field: str = "quantity") -> int:
    """The quantity as an exact integer number of thousandths; refuses anything else."""
    if not quantity.is_finite():
        raise InvalidQuote(field, "must be a finite number")
    if quantity <= 0:
        raise InvalidQuote(field, "must be greater than 0")
    if quantity > MAX_QUANTITY:
        raise InvalidQuote(field, f"must be at most {MAX_QUANTITY}")
    scaled = quantity.scaleb(QUANTITY_PLACES)
    if scaled != scaled.to_integral_value():
        raise InvalidQuote(field, f"at most {QUANTITY_PLACES} decimal places")
    return int(scaled)


def format_quantity(quantity: Decimal) -> str:
    """Plain notation without exponent, trailing zeros beyond three places dropped."""
    if quantity.as_tuple().exponent < -QUANTITY_PLACES:  # type: ignore[operator]
        quantity = quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))
    return format(quantity, "f")


def line_total_fen(quantity: Decimal, unit_price_fen: int) -> int:
    """quantity × unit price, rounded half-up to whole fen (both are ≥ 0)."""
    product = quantity_thousandths(quantity) * unit_price_fen
    return (product + 500) // 1000


def _text(value: str, field: str, *, required: bool = True) -> str:
    stripped = value.strip()
    if required and not stripped:
        raise InvalidQuote(field, "must not be empty")
    if len(stripped) > MAX_TEXT:
        raise InvalidQuote(field, f"at most {MAX_TEXT} characters")
    return stripped


def price_lines(lines: Sequence[LineInput]) -> PricedRound:
    """Validate the supplier's lines and derive every line total and the quote total.

    Raises InvalidQuote with the path of the first bad field (e.g. ``lines[2].quantity``).
    """
    if not lines:
        raise InvalidQuote("lines", "a quote needs at least one line")
    if len(lines) > MAX_LINES:
        raise InvalidQuote("lines", f"at most {MAX_LINES} lines")
    priced: list[PricedLine] = []
    keys: set[str] = set()
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        description = _text(line.description, f"{path}.description")
        unit = _text(line.unit, f"{path}.unit")
        if isinstance(line.unit_price_fen, bool) or not isinstance(line.unit_price_fen, int):
            raise InvalidQuote(f"{path}.unit_price_fen", "must be a whole number of fen")
        if line.unit_price_fen < 0:
            raise InvalidQuote(f"{path}.unit_price_fen", "must not be negative")
        if line.unit_price_fen > MAX_UNIT_PRICE_FEN:
            raise InvalidQuote(f"{path}.unit_price_fen", f"at most {MAX_UNIT_PRICE_FEN}")
        thousandths = quantity_thousandths(line.quantity, f"{path}.quantity")
        line_key = None
        if line.line_key is not None:
            line_key = _text(line.line_key, f"{path}.line_key")
            if line_key in keys:
                raise InvalidQuote(f"{path}.line_key", "the same line key appears twice")
            keys.add(line_key)
        priced.append(
            PricedLine(
                line_no=index + 1,
                description=description,
                unit=unit,
                quantity=format_quantity(line.quantity),
                unit_price_fen=line.unit_price_fen,
                total_fen=(thousandths * line.unit_price_fen + 500) // 1000,
                line_key=line_key,
            )
        )
    total = sum(line.total_fen for line in priced)
    if total > MAX_QUOTE_TOTAL_FEN:
        raise InvalidQuote("lines", f"the quote total must be at most {MAX_QUOTE_TOTAL_FEN} fen")
    return PricedRound(lines=tuple(priced), total_fen=total)


# ---------------------------------------------------------------- percentages and history


def percent_change(old: int, new: int) -> str | None:
    """100 × (new − old) / old to one place, half away from zero; None when old is 0.

    Integer arithmetic only: tenths of a percent = 1000 × |new − old| / |old|, rounded half up
    on the magnitude, then signed (the comparison calls this thousands of times per request).
    """
    if old == 0:
        return None
    difference = new - old
    tenths, rest = divmod(1000 * abs(difference), abs(old))
    if 2 * rest >= abs(old):
        tenths += 1
    if tenths == 0:
        return "0.0"
    negative = (difference < 0) != (old < 0)
    return f"{'-' if negative else ''}{tenths // 10}.{tenths % 10}"


def history(rounds: Sequence[RoundRecord], *, show_prices: bool = True) -> list[RoundHistory]:
    """Every round in order with its change against the previous round and the first.

    With ``show_prices`` false (a sealed quote seen by anyone but its bidder) the rounds keep
    their number, author and time, and every price, total and change is withheld.
    """
    ordered = sorted(rounds, key=lambda r: r.round)
    if not show_prices:
        return [sealed_round(record) for record in ordered]
    result: list[RoundHistory] = []
    first = ordered[0].total_fen if ordered else 0
    previous: int | None = None
    for record in ordered:
        result.append(
            RoundHistory(
                round=record.round,
                total_fen=record.total_fen,
                lines=record.lines,
                change_vs_previous_fen=None if previous is None else record.total_fen - previous,
                change_vs_previous_pct=(
                    None if previous is None else percent_change(previous, record.total_fen)
                ),
                change_vs_first_fen=record.total_fen - first,
                change_vs_first_pct=percent_change(first, record.total_fen),
                by=record.by,
                at=record.at,
                is_final=record.is_final,
                valid_until=record.valid_until,
            )
        )
        previous = record.total_fen
    return result


def sealed_round(record: RoundRecord) -> RoundHistory:
    """A round with its prices withheld (sealed bids before opening)."""
    return RoundHistory(
        round=record.round,
        total_fen=None,
        lines=None,
        change_vs_previous_fen=None,
        change_vs_previous_pct=None,
        change_vs_first_fen=None,
        change_vs_first_pct=None,
        by=record.by,
        at=record.at,
        is_final=record.is_final,
        valid_until=record.valid_until,
    )


# ---------------------------------------------------------------- visibility and state


def is_sealed(sealed_until: datetime | None, now: datetime) -> bool:
    """A work's bids are sealed while now is before its opening time."""
    return sealed_until is not None and now < sealed_until


def can_see_prices(
    *,
    viewer_supplier_id: int | None,
    quote_supplier_id: int,
    sealed_until: datetime | None,
    now: datetime,
) -> bool:
    """Before opening only the bidder sees a quote's prices, not even the committee."""
    if viewer_supplier_id is not None:
        return viewer_supplier_id == quote_supplier_id
    return not is_sealed(sealed_until, now)


def check_revision(
    *, status: str, latest_round: int, based_on_round: int, latest_is_final: bool
) -> int:
    """Return the number of the new round, or raise NegotiationConflict (409)."""
    if status != "open":
        raise NegotiationConflict(f"the quote is {status} and can no longer be revised")
    if latest_is_final:
        raise NegotiationConflict(f"round {latest_round} was marked final")
    if based_on_round != latest_round:
        raise NegotiationConflict(
            f"based on round {based_on_round}, but the latest round is {latest_round}"
        )
    return latest_round + 1


def check_award(
    *,
    status: str,
    latest_round: int,
    requested_round: int,
    valid_until: date | None = None,
    today: date | None = None,
) -> None:
    """Only the latest, still valid round of an open quote may be awarded; else 409."""
    if status != "open":
        raise NegotiationConflict(f"the quote is {status}")
    if requested_round < 1 or requested_round > latest_round:
        raise NegotiationConflict(f"the quote has no round {requested_round}")
    if requested_round != latest_round:
        raise NegotiationConflict(f"round {requested_round} was superseded by round {latest_round}")
    if valid_until is not None and today is not None and valid_until < today:
        raise NegotiationConflict(f"round {requested_round} was valid until {valid_until}")


def check_valid_until(valid_until: date | None, today: date) -> None:
    """A new round cannot already have expired."""
    if valid_until is not None and valid_until < today:
        raise InvalidQuote("valid_until", f"must not be before today ({today})")


def check_counter_offer(
    *,
    target_total_fen: int | None,
    line_targets: Sequence[LineTarget],
    note: str,
    round_lines: int,
) -> str:
    """Validate a counter-offer against the round it answers; return the cleaned note."""
    if target_total_fen is None and not line_targets:
        raise InvalidQuote("target_total_fen", "give a target total, line targets or both")
    if target_total_fen is not None and target_total_fen < 0:
        raise InvalidQuote("target_total_fen", "must not be negative")
    seen: set[int] = set()
    for index, target in enumerate(line_targets):
        path = f"line_targets[{index}]"
        if target.line_no < 1 or target.line_no > round_lines:
            raise InvalidQuote(f"{path}.line_no", f"the round has lines 1..{round_lines}")
        if target.line_no in seen:
            raise InvalidQuote(f"{path}.line_no", "the same line appears twice")
        seen.add(target.line_no)
        if target.target_unit_price_fen < 0:
            raise InvalidQuote(f"{path}.target_unit_price_fen", "must not be negative")
    return _text(note, "note")


# ---------------------------------------------------------------- comparison


def normalise_description(description: str) -> str:
    """NFKC-folded, case-folded, whitespace collapsed: '  Cable　ＹＪＶ ' → 'cable yjv'."""
    return " ".join(unicodedata.normalize("NFKC", description).casefold().split())


def match_keys(lines: Iterable[PricedLine | ReferenceLine]) -> list[str]:
    """Each line's match key: 'key:<line_key>' or 'desc:<normalised description>'.

    A description used twice in one quote gets '#2', '#3' … so the n-th occurrence in one
    quote meets the n-th occurrence in another.
    """
    counts: dict[str, int] = {}
    keys: list[str] = []
    for line in lines:
        if line.line_key:
            base = f"key:{line.line_key}"
        else:
            base = f"desc:{normalise_description(line.description)}"
        counts[base] = counts.get(base, 0) + 1
        keys.append(base if counts[base] == 1 else f"{base}#{counts[base]}")
    return keys


def compare(
    quotes: Sequence[QuoteForComparison], references: Sequence[ReferenceLine] = ()
) -> Comparison:
    """Quotes side by side, matched line by line, lowest unit price per line marked.

    Rows follow the order in which lines first appear (quotes in the given order). Ties for
    the lowest price are all marked. With a reference unit price, each cell carries its
    deviation from it in fen and percent.
    """
    rows: dict[str, dict[int, PricedLine]] = {}
    heads: dict[str, PricedLine] = {}
    for position, quote in enumerate(quotes):
        for key, line in zip(match_keys(quote.lines), quote.lines, strict=True):
            rows.setdefault(key, {})[position] = line
            heads.setdefault(key, line)
    reference_prices = dict(zip(match_keys(references), references, strict=True))

    result_rows: list[ComparisonRow] = []
    for key, by_position in rows.items():
        lowest = min(cell.unit_price_fen for cell in by_position.values())
        reference = reference_prices.get(key)
        reference_price = reference.unit_price_fen if reference is not None else None
        cells: list[ComparisonCell | None] = []
        for position, quote in enumerate(quotes):
            found = by_position.get(position)
            if found is None:
                cells.append(None)
                continue
            line = found
            cells.append(
                ComparisonCell(
                    quote_id=quote.quote_id,
                    line_no=line.line_no,
                    quantity=line.quantity,
                    unit_price_fen=line.unit_price_fen,
                    total_fen=line.total_fen,
                    lowest=line.unit_price_fen == lowest,
                    deviation_fen=(
                        None if reference_price is None else line.unit_price_fen - reference_price
                    ),
                    deviation_pct=(
                        None
                        if reference_price is None
                        else percent_change(reference_price, line.unit_price_fen)
                    ),
                )
            )
        head = heads[key]
        result_rows.append(
            ComparisonRow(
                match_key=key,
                line_key=head.line_key,
                description=head.description,
                unit=head.unit,
                cells=tuple(cells),
                reference_unit_price_fen=reference_price,
            )
        )
    lowest_total = min((q.total_fen for q in quotes), default=0)
    return Comparison(
        quotes=tuple(
            ComparisonQuote(
                quote_id=q.quote_id,
                supplier_id=q.supplier_id,
                supplier_name=q.supplier_name,
                round=q.round,
                total_fen=q.total_fen,
                lowest_total=q.total_fen == lowest_total,
                status=q.status,
            )
            for q in quotes
        ),
        rows=tuple(result_rows),
    )
