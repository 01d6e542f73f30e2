from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from planner.negotiation.model import (
    LineInput,
    LineTarget,
    PricedLine,
    QuoteForComparison,
    ReferenceLine,
    RoundRecord,
)
from planner.negotiation.rules import (
    InvalidQuote,
    NegotiationConflict,
    can_see_prices,
    check_award,
    check_counter_offer,
    check_revision,
    compare,
    history,
    line_total_fen,
    normalise_description,
    percent_change,
    price_lines,
)


def line(
    description: str = "YJV cable 4x185",
    quantity: str = "1",
    price: int = 100,
    unit: str = "m",
    key: str | None = None,
) -> LineInput:
    return LineInput(
        description=description,
        unit=unit,
        quantity=Decimal(quantity),
        unit_price_fen=price,
        line_key=key,
    )


# ------------------------------------------------------------------ line totals


@pytest.mark.parametrize(
    ("quantity", "price", "total"),
    [
        ("1", 360_000_000, 360_000_000),
        ("2.5", 3, 8),  # 7.5 fen → 8, half up
        ("0.001", 499, 0),  # 0.499 fen → 0
        ("0.001", 500, 1),  # 0.5 fen → 1
        ("1.005", 100, 101),  # 100.5 → 101
        ("12.345", 6789, 83_810),  # 83 810.205 → 83 810
        ("1000000", 12, 12_000_000),
        ("1.5000", 3, 5),  # trailing zeros beyond three places are harmless
    ],
)
def test_line_total_rounds_half_up_to_fen(quantity: str, price: int, total: int) -> None:
    assert line_total_fen(Decimal(quantity), price) == total


def test_quote_total_is_the_sum_of_line_totals() -> None:
    priced = price_lines([line(quantity="2.5", price=3), line("labour", "1.005", 100, "day")])
    assert [p.total_fen for p in priced.lines] == [8, 101]
    assert priced.total_fen == 109
    assert [p.line_no for p in priced.lines] == [1, 2]
    assert priced.lines[1].quantity == "1.005"


def test_quantity_is_printed_plainly() -> None:
    priced = price_lines([line(quantity="1E+3"), line("b", quantity="2.50000")])
    assert [p.quantity for p in priced.lines] == ["1000", "2.500"]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([line(quantity="1.0001")], "lines[0].quantity"),
        ([line(quantity="0")], "lines[0].quantity"),
        ([line(quantity="-1")], "lines[0].quantity"),
        ([line(quantity="NaN")], "lines[0].quantity"),
        ([line(quantity="Infinity")], "lines[0].quantity"),
        ([line(), line(price=-1)], "lines[1].unit_price_fen"),
        ([line(description="   ")], "lines[0].description"),
        ([line(unit="")], "lines[0].unit"),
        ([line(key="a"), line("b", key="a")], "lines[1].line_key"),
        ([line(price=10**14)], "lines[0].unit_price_fen"),
    ],
)
def test_bad_lines_name_the_field(lines: list[LineInput], field: str) -> None:
    with pytest.raises(InvalidQuote) as caught:
        price_lines(lines)
    assert caught.value.field == field


# ------------------------------------------------------------------ percentages and history


@pytest.mark.parametrize(
    ("old", "new", "pct"),
    [
        (360_000_000, 170_000_000, "-52.8"),
        (360_000_000, 250_000_000, "-30.6"),
        (250_000_000, 170_000_000, "-32.0"),
        (100, 100, "0.0"),
        (1000, 1001, "0.1"),
        (2000, 2001, "0.1"),  # 0.05 → 0.1, half away from zero
        (2000, 1999, "-0.1"),  # −0.05 → −0.1
        (10000, 9999, "0.0"),  # −0.01 → 0.0, never "-0.0"
        (100, 250, "150.0"),
        (3, 1, "-66.7"),
        (0, 100, None),
    ],
)
def test_percent_change(old: int, new: int, pct: str | None) -> None:
    assert percent_change(old, new) == pct


def rounds(*totals: int) -> list[RoundRecord]:
    return [
        RoundRecord(
            round=i + 1, total_fen=t, lines=(), by=7, at=datetime(2024, 9, i + 1, 10, tzinfo=UTC)
        )
        for i, t in enumerate(totals)
    ]


def test_reference_case_history() -> None:
    shown = history(rounds(360_000_000, 250_000_000, 170_000_000))
    assert [r.change_vs_previous_fen for r in shown] == [None, -110_000_000, -80_000_000]
    assert [r.change_vs_previous_pct for r in shown] == [None, "-30.6", "-32.0"]
    assert [r.change_vs_first_fen for r in shown] == [0, -110_000_000, -190_000_000]
    assert [r.change_vs_first_pct for r in shown] == ["0.0", "-30.6", "-52.8"]
    assert all(r.by == 7 for r in shown)


def test_history_is_in_round_order_whatever_the_input_order() -> None:
    shown = history(list(reversed(rounds(300, 200, 100))))
    assert [r.round for r in shown] == [1, 2, 3]
    assert shown[2].change_vs_first_pct == "-66.7"


def test_sealed_history_hides_every_price() -> None:
    shown = history(rounds(300, 200), show_prices=False)
    assert [r.round for r in shown] == [1, 2]
    for r in shown:
        assert r.total_fen is None and r.lines is None
        assert r.change_vs_first_fen is None and r.change_vs_first_pct is None


# ------------------------------------------------------------------ state rules


def test_revision_needs_the_latest_round() -> None:
    assert (
        check_revision(status="open", latest_round=2, based_on_round=2, latest_is_final=False) == 3
    )
    with pytest.raises(NegotiationConflict, match="latest round is 3"):
        check_revision(status="open", latest_round=3, based_on_round=2, latest_is_final=False)


@pytest.mark.parametrize("status", ["awarded", "closed"])
def test_no_revision_of_an_awarded_or_closed_quote(status: str) -> None:
    with pytest.raises(NegotiationConflict):
        check_revision(status=status, latest_round=1, based_on_round=1, latest_is_final=False)


def test_no_revision_after_a_final_round() -> None:
    with pytest.raises(NegotiationConflict, match="final"):
        check_revision(status="open", latest_round=2, based_on_round=2, latest_is_final=True)


def test_award_only_the_latest_round() -> None:
    check_award(status="open", latest_round=3, requested_round=3)
    with pytest.raises(NegotiationConflict, match="superseded"):
        check_award(status="open", latest_round=3, requested_round=2)
    with pytest.raises(NegotiationConflict):
        check_award(status="open", latest_round=3, requested_round=4)
    with pytest.raises(NegotiationConflict):
        check_award(status="closed", latest_round=3, requested_round=3)


def test_counter_offer_needs_a_target() -> None:
    with pytest.raises(InvalidQuote):
        check_counter_offer(target_total_fen=None, line_targets=[], note="too high", round_lines=2)
    assert (
        check_counter_offer(
            target_total_fen=250_000_000, line_targets=[], note=" x ", round_lines=1
        )
        == "x"
    )
    with pytest.raises(InvalidQuote) as caught:
        check_counter_offer(
            target_total_fen=None,
            line_targets=[LineTarget(line_no=3, target_unit_price_fen=1)],
            note="n",
            round_lines=2,
        )
    assert caught.value.field == "line_targets[0].line_no"
    with pytest.raises(InvalidQuote):
        check_counter_offer(target_total_fen=-1, line_targets=[], note="n", round_lines=1)
    with pytest.raises(InvalidQuote):
        check_counter_offer(target_total_fen=1, line_targets=[], note="  ", round_lines=1)


def test_sealed_prices_are_for_the_bidder_only() -> None:
    now = datetime(2024, 9, 1, tzinfo=UTC)
    later = now + timedelta(days=1)
    assert can_see_prices(viewer_supplier_id=5, quote_supplier_id=5, sealed_until=later, now=now)
    assert not can_see_prices(viewer_supplier_id=6, quote_supplier_id=5, sealed_until=None, now=now)
    assert not can_see_prices(
        viewer_supplier_id=None, quote_supplier_id=5, sealed_until=later, now=now
    )
    assert can_see_prices(viewer_supplier_id=None, quote_supplier_id=5, sealed_until=now, now=now)
    assert can_see_prices(viewer_supplier_id=None, quote_supplier_id=5, sealed_until=None, now=now)


# ------------------------------------------------------------------ comparison


def quote(quote_id: int, *lines: LineInput) -> QuoteForComparison:
    priced = price_lines(list(lines))
    return QuoteForComparison(
        quote_id=quote_id,
        supplier_id=quote_id * 10,
        supplier_name=f"S{quote_id}",
        round=1,
        total_fen=priced.total_fen,
        lines=priced.lines,
    )


def test_normalised_description() -> None:
    assert normalise_description("  YJV\u3000Cable  ４x185 ") == "yjv cable 4x185"


def test_comparison_matches_lines_and_marks_lowest() -> None:
    a = quote(1, line("Cable YJV", "10", 500), line("Transformer", "1", 9_000, "set"))
    b = quote(2, line("transformer ", "1", 8_000, "set"), line(" cable  yjv", "10", 500))
    c = quote(3, line("Labour", "5", 100, "day"))
    result = compare([a, b, c], [ReferenceLine(description="TRANSFORMER", unit_price_fen=8_500)])
    assert [row.description for row in result.rows] == ["Cable YJV", "Transformer", "Labour"]
    cable, transformer, labour = result.rows
    assert [cell.lowest if cell else None for cell in cable.cells] == [True, True, None]
    assert [cell.lowest if cell else None for cell in transformer.cells] == [False, True, None]
    assert transformer.reference_unit_price_fen == 8_500
    assert [cell.deviation_fen if cell else None for cell in transformer.cells] == [500, -500, None]
    assert [cell.deviation_pct if cell else None for cell in transformer.cells] == [
        "5.9",
        "-5.9",
        None,
    ]
    assert cable.cells[0] is not None and cable.cells[0].deviation_fen is None
    assert labour.cells[0] is None and labour.cells[2] is not None
    assert not labour.cells[2].lowest, "a line only one bidder prices has no lowest"
    assert [q.lowest_total for q in result.quotes] == [False, False, True]


def test_comparison_prefers_line_keys_and_pairs_repeated_descriptions() -> None:
    a = quote(1, line("Item", "1", 10, key="A1"), line("Labour", "1", 5), line("Labour", "1", 7))
    b = quote(2, line("Different words", "1", 9, key="A1"), line("labour", "1", 6))
    rows = compare([a, b]).rows
    assert [r.match_key for r in rows] == ["key:A1", "desc:labour", "desc:labour#2"]
    assert rows[0].cells[1] is not None and rows[0].cells[1].lowest
    assert rows[2].cells[1] is None


def test_one_bidder_marks_nothing_lowest() -> None:
    """With one bidder (or a supplier's view of their own quote) nothing is "lowest"."""
    alone = compare([quote(1, line("Cable YJV", "10", 500), line("Transformer", "1", 9_000))])
    assert [cell.lowest for row in alone.rows for cell in row.cells if cell] == [False, False]
    assert [q.lowest_total for q in alone.quotes] == [False]


def test_empty_comparison() -> None:
    result = compare([])
    assert result.quotes == () and result.rows == ()


def test_priced_line_roundtrip_keeps_quantity_exact() -> None:
    import msgspec

    priced = price_lines([line(quantity="0.125", price=8)]).lines[0]
    again = msgspec.json.decode(msgspec.json.encode(priced), type=PricedLine)
    assert again == priced and again.total_fen == 1


def test_an_expired_round_cannot_be_awarded() -> None:
    from datetime import date

    from planner.negotiation.rules import check_valid_until

    today = date(2024, 9, 28)
    check_award(status="open", latest_round=1, requested_round=1, valid_until=today, today=today)
    with pytest.raises(NegotiationConflict, match="valid until 2024-09-27"):
        check_award(
            status="open",
            latest_round=1,
            requested_round=1,
            valid_until=date(2024, 9, 27),
            today=today,
        )
    check_valid_until(None, today)
    with pytest.raises(InvalidQuote) as caught:
        check_valid_until(date(2024, 9, 27), today)
    assert caught.value.field == "valid_until"
