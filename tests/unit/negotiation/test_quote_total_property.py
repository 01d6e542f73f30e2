"""Property: however the lines look, their totals add up to the quote total exactly."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from planner.negotiation.model import LineInput
from planner.negotiation.rules import percent_change, price_lines

quantities = st.integers(min_value=1, max_value=10**9).map(lambda t: Decimal(t).scaleb(-3))
lines = st.builds(
    LineInput,
    # names: no controls or format characters (planner.model's text rules refuse them)
    description=st.text(
        st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Mn", "Me")),
        min_size=1,
        max_size=20,
    ).filter(lambda s: s.strip() != ""),
    unit=st.sampled_from(["m", "套", "day", "m²"]),
    quantity=quantities,
    unit_price_fen=st.integers(min_value=0, max_value=2 * 10**7),
)


@given(st.lists(lines, min_size=1, max_size=40))
def test_line_totals_sum_to_quote_total(items: list[LineInput]) -> None:
    priced = price_lines(items)
    assert sum(p.total_fen for p in priced.lines) == priced.total_fen
    for item, p in zip(items, priced.lines, strict=True):
        exact = Fraction(item.quantity) * item.unit_price_fen
        assert abs(Fraction(p.total_fen) - exact) <= Fraction(1, 2)
        assert Decimal(p.quantity) == item.quantity


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_percent_is_within_half_a_tenth(old: int, new: int) -> None:
    pct = percent_change(old, new)
    assert pct is not None and pct != "-0.0"
    exact = Fraction(100 * (new - old), old)
    assert abs(Fraction(Decimal(pct)) - exact) <= Fraction(1, 20)


descriptions = st.sampled_from(["cable", "Cable ", "transformer", "labour", "switchgear", "pipe"])
comparable_lines = st.builds(
    LineInput,
    description=descriptions,
    unit=st.just("m"),
    quantity=quantities,
    unit_price_fen=st.integers(min_value=0, max_value=10**6),
)


@given(st.lists(st.lists(comparable_lines, min_size=1, max_size=6), min_size=1, max_size=5))
def test_comparison_marks_exactly_the_lowest_prices(quotes: list[list[LineInput]]) -> None:
    from planner.negotiation.model import QuoteForComparison
    from planner.negotiation.rules import compare

    priced = [price_lines(lines) for lines in quotes]
    result = compare(
        [
            QuoteForComparison(
                quote_id=i + 1,
                supplier_id=i + 1,
                supplier_name=str(i),
                round=1,
                total_fen=p.total_fen,
                lines=p.lines,
            )
            for i, p in enumerate(priced)
        ]
    )
    # every line of every quote lands in exactly one cell
    placed = sum(cell is not None for row in result.rows for cell in row.cells)
    assert placed == sum(len(p.lines) for p in priced)
    for row in result.rows:
        cells = [cell for cell in row.cells if cell is not None]
        lowest = min(cell.unit_price_fen for cell in cells)
        contested = len(cells) > 1  # a line only one quote prices has no lowest
        assert [cell.lowest for cell in cells] == [
            contested and cell.unit_price_fen == lowest for cell in cells
        ]
    lowest_total = min(p.total_fen for p in priced)
    assert [q.lowest_total for q in result.quotes] == [
        len(priced) > 1 and p.total_fen == lowest_total for p in priced
    ]
