"""Quotes side by side, matched line by line, with the committee's reference prices."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from planner.negotiation.model import (
    Comparison,
    ComparisonCell,
    ComparisonQuote,
    ComparisonRow,
    PricedLine,
    QuoteForComparison,
    ReferenceLine,
)
from planner.negotiation.rules.history import percent_change


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
    the lowest price are all marked. "Lowest" needs a rival: a line only one quote prices,
    and the total of a lone quote (one bidder, or a supplier's view of their own quote),
    are never marked. With a reference unit price, each cell carries its
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
        contested = len(by_position) > 1
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
                    lowest=contested and line.unit_price_fen == lowest,
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
                lowest_total=len(quotes) > 1 and q.total_fen == lowest_total,
                status=q.status,
            )
            for q in quotes
        ),
        rows=tuple(result_rows),
    )
