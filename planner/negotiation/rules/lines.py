"""A quote's lines and totals in exact integer fen; checks on new rounds and counter-offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from planner.negotiation.model import (
    LineInput,
    LineTarget,
    PricedLine,
    PricedRound,
)

QUANTITY_PLACES: Final = 3
MAX_LINES: Final = 1000
MAX_QUANTITY: Final = Decimal(1_000_000_000)
MAX_UNIT_PRICE_FEN: Final = 10**13  # 100 billion yuan
MAX_QUOTE_TOTAL_FEN: Final = 10**15  # far inside bigint, far above any estate work
MAX_TEXT: Final = 500


class InvalidQuote(Exception):
    """Input the rules refuse (the API answers 400 on `field`, with `code` and `params`)."""

    def __init__(
        self,
        field: str,
        reason: str,
        code: str = "invalid",
        params: dict[str, object] | None = None,
    ) -> None:
        self.field = field
        self.reason = reason
        self.code = code
        self.params = params or {}
        super().__init__(f"{field}: {reason}")


def quantity_thousandths(quantity: Decimal, field: str = "quantity") -> int:
    """The quantity as an exact integer number of thousandths; refuses anything else."""
    if not quantity.is_finite():
        raise InvalidQuote(
            field,
            "must be a finite number",
            "wrong_type",
            {"expected": "number", "got": str(quantity)},
        )
    if quantity <= 0:
        raise InvalidQuote(field, "must be greater than 0", "not_positive")
    if quantity > MAX_QUANTITY:
        raise InvalidQuote(
            field, f"must be at most {MAX_QUANTITY}", "too_large", {"max": str(MAX_QUANTITY)}
        )
    scaled = quantity.scaleb(QUANTITY_PLACES)
    if scaled != scaled.to_integral_value():
        raise InvalidQuote(
            field,
            f"at most {QUANTITY_PLACES} decimal places",
            "too_precise",
            {"places": QUANTITY_PLACES},
        )
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
        raise InvalidQuote(field, "must not be empty", "blank")
    if len(stripped) > MAX_TEXT:
        raise InvalidQuote(field, f"at most {MAX_TEXT} characters", "too_long", {"max": MAX_TEXT})
    return stripped


def price_lines(lines: Sequence[LineInput]) -> PricedRound:
    """Validate the supplier's lines and derive every line total and the quote total.

    Raises InvalidQuote with the path of the first bad field (e.g. ``lines[2].quantity``).
    """
    if not lines:
        raise InvalidQuote("lines", "a quote needs at least one line", "too_few", {"min": 1})
    if len(lines) > MAX_LINES:
        raise InvalidQuote("lines", f"at most {MAX_LINES} lines", "too_many", {"max": MAX_LINES})
    priced: list[PricedLine] = []
    keys: set[str] = set()
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        description = _text(line.description, f"{path}.description")
        unit = _text(line.unit, f"{path}.unit")
        if isinstance(line.unit_price_fen, bool) or not isinstance(line.unit_price_fen, int):
            raise InvalidQuote(
                f"{path}.unit_price_fen",
                "must be a whole number of fen",
                "wrong_type",
                {"expected": "int", "got": type(line.unit_price_fen).__name__},
            )
        if line.unit_price_fen < 0:
            raise InvalidQuote(
                f"{path}.unit_price_fen", "must not be negative", "too_small", {"min": 0}
            )
        if line.unit_price_fen > MAX_UNIT_PRICE_FEN:
            raise InvalidQuote(
                f"{path}.unit_price_fen",
                f"at most {MAX_UNIT_PRICE_FEN}",
                "too_large",
                {"max": MAX_UNIT_PRICE_FEN},
            )
        thousandths = quantity_thousandths(line.quantity, f"{path}.quantity")
        line_key = None
        if line.line_key is not None:
            line_key = _text(line.line_key, f"{path}.line_key")
            if line_key in keys:
                raise InvalidQuote(
                    f"{path}.line_key", "the same line key appears twice", "duplicate_in_request"
                )
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
        raise InvalidQuote(
            "lines",
            f"the quote total must be at most {MAX_QUOTE_TOTAL_FEN} fen",
            "too_large",
            {"max": MAX_QUOTE_TOTAL_FEN},
        )
    return PricedRound(lines=tuple(priced), total_fen=total)


def check_valid_until(valid_until: date | None, today: date) -> None:
    """A new round cannot already have expired."""
    if valid_until is not None and valid_until < today:
        raise InvalidQuote(
            "valid_until",
            f"must not be before today ({today})",
            "in_the_past",
            {"today": today.isoformat()},
        )


def check_counter_offer(
    *,
    target_total_fen: int | None,
    line_targets: Sequence[LineTarget],
    note: str,
    round_lines: int,
) -> str:
    """Validate a counter-offer against the round it answers; return the cleaned note."""
    if target_total_fen is None and not line_targets:
        raise InvalidQuote(
            "target_total_fen", "give a target total, line targets or both", "counter_offer_empty"
        )
    if target_total_fen is not None and target_total_fen < 0:
        raise InvalidQuote("target_total_fen", "must not be negative", "too_small", {"min": 0})
    seen: set[int] = set()
    for index, target in enumerate(line_targets):
        path = f"line_targets[{index}]"
        if target.line_no < 1 or target.line_no > round_lines:
            raise InvalidQuote(
                f"{path}.line_no",
                f"the round has lines 1..{round_lines}",
                "no_such_line",
                {"lines": round_lines},
            )
        if target.line_no in seen:
            raise InvalidQuote(
                f"{path}.line_no", "the same line appears twice", "duplicate_in_request"
            )
        seen.add(target.line_no)
        if target.target_unit_price_fen < 0:
            raise InvalidQuote(
                f"{path}.target_unit_price_fen", "must not be negative", "too_small", {"min": 0}
            )
    return _text(note, "note")
