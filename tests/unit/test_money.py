from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.money import (
    capital_numerals,
    format_money,
    format_yuan,
    parse_yuan,
    split_capped,
    split_largest_remainder,
    wan,
    yuan_str,
)


def test_formatting() -> None:
    assert format_yuan(170_000_000) == "1,700,000.00"
    assert format_money(170_000_000) == "¥1,700,000.00"
    assert format_money(-1230) == "-¥12.30"
    assert format_money(5) == "¥0.05"
    assert yuan_str(170_000_000) == "1700000.00"
    assert yuan_str(-7) == "-0.07"


def test_parse_yuan_is_exact() -> None:
    assert parse_yuan("1700000.00") == 170_000_000
    assert parse_yuan("1,700,000.5") == 170_000_050
    assert parse_yuan("¥12") == 1200
    assert parse_yuan("-0.07") == -7
    assert parse_yuan("0.1") == 10
    for bad in ("1.005", "abc", "", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            parse_yuan(bad)


def test_wan() -> None:
    assert wan(170_000_000) == "170万元"
    assert wan(12_340_000) == "12.34万元"
    assert wan(15_000_000) == "15万元"
    assert wan(500_000) == "5000元"
    assert wan(1250) == "12.5元"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (170_000, "壹仟柒佰元整"),
        (360_000_000, "叁佰陆拾万元整"),
        (170_000_000, "壹佰柒拾万元整"),
        (1_000_500, "壹万零伍元整"),
        (1005, "壹拾元零伍分"),
        (140_950, "壹仟肆佰零玖元伍角"),
        (600_714, "陆仟零柒元壹角肆分"),
        (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
        (32_504, "叁佰贰拾伍元零肆分"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (10_125_000, "壹拾万壹仟贰佰伍拾元整"),
        (10_000_000_000, "壹亿元整"),
        (10_000_500_000, "壹亿零伍仟元整"),
        (1_001_000_000, "壹仟零壹万元整"),
        (100_500, "壹仟零伍元整"),
        (0, "零元整"),
        (5, "伍分"),
        (50, "伍角"),
        (15, "壹角伍分"),
        (-100, "负壹元整"),
    ],
)
def test_capital_numerals(fen: int, text: str) -> None:
    assert capital_numerals(fen) == text


def test_split_exact_examples() -> None:
    assert split_largest_remainder(100, [1, 1, 1], ["a", "b", "c"]) == [34, 33, 33]
    assert split_largest_remainder(100, [1, 1, 1], ["c", "b", "a"]) == [33, 33, 34]
    assert split_largest_remainder(-100, [1, 1, 1], [1, 2, 3]) == [-34, -33, -33]
    assert split_largest_remainder(
        10, [Decimal("86.50"), Decimal("0"), Fraction(1, 3)], [1, 2, 3]
    ) == [10, 0, 0]
    assert split_largest_remainder(0, [0, 0], [1, 2]) == [0, 0]
    with pytest.raises(ValueError):
        split_largest_remainder(1, [0, 0], [1, 2])
    with pytest.raises(ValueError):
        split_largest_remainder(1, [1, 1], [1, 1])


def test_split_capped_water_fills() -> None:
    # one household exempt, the others cover it evenly
    assert split_capped(300, [1, 1, 1], [0, None, None], [1, 2, 3]) == [0, 150, 150]
    assert split_capped(300, [1, 1, 1], [50, None, None], [1, 2, 3]) == [50, 125, 125]
    assert split_capped(300, [1, 2, 3], [None, None, None], [1, 2, 3]) == [50, 100, 150]
    assert split_capped(10, [1, 1], [5, 5], [1, 2]) == [5, 5]
    with pytest.raises(ValueError):
        split_capped(11, [1, 1], [5, 5], [1, 2])


weights_st = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=-(10**12), max_value=10**12), weights=weights_st, data=st.data())
def test_split_properties(total: int, weights: list[int], data: st.DataObject) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    keys = list(range(len(weights)))
    parts = split_largest_remainder(total, weights, keys)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        share = Fraction(total * w, sum(weights))
        assert part in (share.__floor__(), share.__ceil__())
    assert parts == split_largest_remainder(total, weights, keys)
    perm = data.draw(st.permutations(keys))
    permuted = split_largest_remainder(total, [weights[i] for i in perm], [keys[i] for i in perm])
    assert permuted == [parts[i] for i in perm]


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**9),
    rows=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**4),
            st.one_of(st.none(), st.integers(min_value=0, max_value=10**8)),
        ),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
def test_split_capped_properties(
    total: int, rows: list[tuple[int, int | None]], data: st.DataObject
) -> None:
    weights = [w for w, _ in rows]
    caps = [c for _, c in rows]
    keys = list(range(len(rows)))
    if all(c is not None for c in caps) and sum(c for c in caps if c is not None) < total:
        with pytest.raises(ValueError):
            split_capped(total, weights, caps, keys)
        return
    parts = split_capped(total, weights, caps, keys)
    assert sum(parts) == total
    assert all(c is None or p <= c for p, c in zip(parts, caps, strict=True))
    assert all(p >= 0 for p in parts)
    perm = data.draw(st.permutations(keys))
    permuted = split_capped(
        total, [weights[i] for i in perm], [caps[i] for i in perm], [keys[i] for i in perm]
    )
    assert permuted == [parts[i] for i in perm]


def _reference_split(total: int, weights: list[int], keys: list[int]) -> list[int]:
    shares = [Fraction(total * w, sum(weights)) for w in weights]
    parts = [s.__floor__() for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), keys[i]))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@settings(max_examples=100, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**11),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=64, max_size=300),
    data=st.data(),
)
def test_vectorised_split_matches_the_exact_reference(
    total: int, weights: list[int], data: st.DataObject
) -> None:
    weights[0] += 1
    keys = data.draw(
        st.lists(
            st.integers(min_value=-(10**9), max_value=10**9),
            min_size=len(weights),
            max_size=len(weights),
            unique=True,
        )
    )
    assert split_largest_remainder(total, weights, keys) == _reference_split(total, weights, keys)
