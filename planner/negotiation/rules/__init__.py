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

from planner.negotiation.rules.comparison import compare, match_keys, normalise_description
from planner.negotiation.rules.history import history, percent_change, sealed_round
from planner.negotiation.rules.lines import (
    MAX_LINES,
    MAX_QUANTITY,
    MAX_QUOTE_TOTAL_FEN,
    MAX_TEXT,
    MAX_UNIT_PRICE_FEN,
    QUANTITY_PLACES,
    InvalidQuote,
    check_counter_offer,
    check_valid_until,
    format_quantity,
    line_total_fen,
    price_lines,
    quantity_thousandths,
)
from planner.negotiation.rules.state import (
    NegotiationConflict,
    can_see_prices,
    check_award,
    check_countered_round,
    check_revision,
    is_sealed,
)

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_QUOTE_TOTAL_FEN",
    "MAX_TEXT",
    "MAX_UNIT_PRICE_FEN",
    "QUANTITY_PLACES",
    "InvalidQuote",
    "NegotiationConflict",
    "can_see_prices",
    "check_award",
    "check_counter_offer",
    "check_countered_round",
    "check_revision",
    "check_valid_until",
    "compare",
    "format_quantity",
    "history",
    "is_sealed",
    "line_total_fen",
    "match_keys",
    "normalise_description",
    "percent_change",
    "price_lines",
    "quantity_thousandths",
    "sealed_round",
]
