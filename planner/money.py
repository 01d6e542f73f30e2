"""Money in integer fen (分): formatting, parsing and exact splitting.

Every amount in the planner is an ``int`` of fen (1/100 yuan). Nothing here uses
floats: shares are computed with integers or :class:`fractions.Fraction`, and every
split returns parts that add up exactly to the whole.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import lcm
from typing import Any

__all__ = [
    "capital_numerals",
    "format_money",
    "format_yuan",
    "parse_yuan",
    "split_capped",
    "split_largest_remainder",
    "wan",
    "yuan_str",
]

Weight = int | Fraction | Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿", "万亿")
_MAX_CAPITAL_YUAN = 10**16


def yuan_str(fen: int) -> str:
    """Plain yuan with two decimals and no grouping, for CSV: ``170000000`` → ``"1700000.00"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """Yuan with thousands separators: ``170000000`` → ``"1,700,000.00"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def format_money(fen: int) -> str:
    """Display form with the yuan sign: ``"¥1,700,000.00"``; negative as ``"-¥12.30"``."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{format_yuan(abs(fen))}"


def parse_yuan(text: str) -> int:
    """Parse a yuan amount (``"1700000.00"``, ``"1,700,000.5"``, ``"-3"``) into fen, exactly.

    Raises ``ValueError`` for anything that is not a finite decimal with at most two
    places (``"1.005"`` is rejected, never rounded).
    """
    cleaned = text.strip().replace(",", "").removeprefix("¥")
    if cleaned.startswith("-¥"):
        cleaned = "-" + cleaned[2:]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a yuan amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a yuan amount: {text!r}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"more than two decimal places: {text!r}")
    return int(fen)


def wan(fen: int) -> str:
    """Chinese short form: ``170000000`` → ``"170万元"``, ``12340000`` → ``"12.34万元"``.

    Amounts under 10,000 yuan are shown in 元 (``"5000元"``, ``"12.5元"``); the
    figures are exact (trailing zeros trimmed), never rounded.
    """
    sign = "-" if fen < 0 else ""
    magnitude = abs(fen)
    if magnitude >= 100 * 10_000:
        return f"{sign}{_trim(Fraction(magnitude, 1_000_000), 6)}万元"
    return f"{sign}{_trim(Fraction(magnitude, 100), 2)}元"


def _trim(value: Fraction, places: int) -> str:
    scaled = value * 10**places
    assert scaled.denominator == 1
    whole, frac = divmod(int(scaled), 10**places)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:0{places}d}".rstrip("0")


def _section_numerals(section: int) -> str:
    """Numerals for 1..9999 without leading 零; inner runs of zeros become one 零."""
    out: list[str] = []
    pending_zero = False
    for position in range(3, -1, -1):
        digit = section // 10**position % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[position])
    return "".join(out)


def _integer_numerals(yuan: int) -> str:
    sections: list[int] = []
    while yuan:
        yuan, section = divmod(yuan, 10_000)
        sections.append(section)
    out: list[str] = []
    gap = False  # a zero section or leading zeros lie between written parts
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or section < 1000):
            out.append("零")
        out.append(_section_numerals(section) + _SECTION_UNITS[index])
        gap = False
    return "".join(out)


def capital_numerals(fen: int) -> str:
    """人民币大写 by the People's Bank rules for payment documents.

    ``170000`` → ``"壹仟柒佰元整"``; ``1000500`` → ``"壹万零伍元整"``;
    ``1005`` → ``"壹拾元零伍分"``; ``140950`` → ``"壹仟肆佰零玖元伍角"``.
    A run of zeros inside the number is written as one 零 (also across 万/亿);
    "整" follows an amount that ends at 元; after 角 it is omitted; when 角 is zero
    and 分 is not, 零 follows 元. Zero is ``"零元整"``; negative amounts get ``"负"``.
    """
    if fen < 0:
        return "负" + capital_numerals(-fen)
    yuan, cents = divmod(fen, 100)
    if yuan >= _MAX_CAPITAL_YUAN:
        raise ValueError("amount too large for capital numerals")
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    out = _integer_numerals(yuan) + "元" if yuan else ""
    if cents == 0:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen_digit:
        out += _DIGITS[fen_digit] + "分"
    return out


def _integer_weights(weights: Sequence[Weight]) -> list[int]:
    """Scale exact weights to integers with the same ratios."""
    if all(type(w) is int for w in weights):
        ints = [int(w) for w in weights]
        if ints and min(ints) < 0:
            raise ValueError("weights must not be negative")
        return ints
    fractions = [w if isinstance(w, int) else Fraction(w) for w in weights]
    denominator = 1
    for f in fractions:
        if isinstance(f, Fraction):
            denominator = lcm(denominator, f.denominator)
    scaled = [int(f * denominator) for f in fractions]
    if any(w < 0 for w in scaled):
        raise ValueError("weights must not be negative")
    return scaled


def _check_keys(tie_keys: Sequence[Hashable], count: int) -> None:
    if len(tie_keys) != count:
        raise ValueError("one tie key per weight")
    if len(set(tie_keys)) != count:
        raise ValueError("tie keys must be distinct")


def split_largest_remainder(
    total_fen: int, weights: Sequence[Weight], tie_keys: Sequence[Any]
) -> list[int]:
    """Split ``total_fen`` in proportion to ``weights``, exactly.

    Each part is the floor or the ceiling of its exact share and the parts add up to
    ``total_fen``. The leftover fen go to the largest fractional remainders; equal
    remainders go to the smallest ``tie_keys`` first (keys must be distinct and
    mutually comparable), so the result does not depend on the order of the input.
    A negative total is split as the negation of the split of its magnitude.
    """
    _check_keys(tie_keys, len(weights))
    if total_fen < 0:
        return [-part for part in split_largest_remainder(-total_fen, weights, tie_keys)]
    scaled = _integer_weights(weights)
    weight_sum = sum(scaled)
    if weight_sum == 0:
        if total_fen == 0:
            return [0] * len(scaled)
        raise ValueError("cannot split a non-zero amount over zero weights")
    if len(scaled) >= _VECTOR_MIN and _fits_int64(total_fen, scaled, weight_sum, tie_keys):
        return _split_vectorised(total_fen, scaled, weight_sum, tie_keys)
    parts: list[int] = []
    remainders: list[int] = []
    for w in scaled:
        part, remainder = divmod(total_fen * w, weight_sum)
        parts.append(part)
        remainders.append(remainder)
    leftover = total_fen - sum(parts)
    if leftover:
        order = sorted(range(len(parts)), key=lambda i: (-remainders[i], tie_keys[i]))
        for i in order[:leftover]:
            parts[i] += 1
    return parts


_VECTOR_MIN = 64
_INT64_SAFE = 2**62


def _fits_int64(total: int, weights: list[int], weight_sum: int, keys: Sequence[Any]) -> bool:
    return (
        total * max(weights) < _INT64_SAFE
        and weight_sum < _INT64_SAFE
        and all(type(k) is int and -_INT64_SAFE < k < _INT64_SAFE for k in keys)
    )


def _split_vectorised(
    total_fen: int, weights: list[int], weight_sum: int, tie_keys: Sequence[Any]
) -> list[int]:
    """The same split with numpy int64 (exact: every product is below 2**62)."""
    import numpy as np  # here, not at module level: money is imported by the service at start-up

    w = np.asarray(weights, dtype=np.int64)
    products = w * np.int64(total_fen)
    parts = products // np.int64(weight_sum)
    remainders = products % np.int64(weight_sum)
    leftover = total_fen - int(parts.sum())
    if leftover:
        keys = np.asarray(tie_keys, dtype=np.int64)
        order = np.lexsort((keys, -remainders))
        parts[order[:leftover]] += 1
    result: list[int] = parts.tolist()
    return result


def split_capped(
    total_fen: int,
    weights: Sequence[Weight],
    caps: Sequence[int | None],
    tie_keys: Sequence[Any],
) -> list[int]:
    """Split ``total_fen`` by weight with per-part caps ("water-filling"), exactly.

    Each part is ``min(cap, λ·weight)`` for the one λ that makes the exact shares add
    up to ``total_fen`` (``None`` means no cap, ``0`` exempts), then rounded by the
    largest remainder. A capped part's exact share is its (integer) cap, so rounding
    never pushes a part above its cap. Raises ``ValueError`` when the caps cannot
    hold the total.
    """
    _check_keys(tie_keys, len(weights))
    if total_fen < 0:
        raise ValueError("capped splits need a non-negative total")
    scaled = _integer_weights(weights)
    if len(caps) != len(scaled):
        raise ValueError("one cap per weight")
    if any(c is not None and c < 0 for c in caps):
        raise ValueError("caps must not be negative")
    room = [0 if w == 0 else c for w, c in zip(scaled, caps, strict=True)]
    if all(r is not None for r in room) and sum(r for r in room if r is not None) < total_fen:
        raise ValueError("the caps cannot hold the total")
    # Parts whose cap/weight ratio is below λ are capped; find λ by walking the ratios.
    capped_order = sorted(
        (i for i, r in enumerate(room) if r is not None and scaled[i] > 0),
        key=lambda i: Fraction(room[i] or 0, scaled[i]),
    )
    free_weight = sum(scaled)
    capped_sum = 0
    is_capped = [False] * len(scaled)
    level = Fraction(0)
    for i in capped_order:
        cap = room[i] or 0
        candidate = Fraction(total_fen - capped_sum, free_weight)
        if candidate * scaled[i] <= cap:
            break
        is_capped[i] = True
        capped_sum += cap
        free_weight -= scaled[i]
    if free_weight:
        level = Fraction(total_fen - capped_sum, free_weight)
    shares = [
        Fraction(room[i] or 0) if is_capped[i] else level * scaled[i] for i in range(len(scaled))
    ]
    return split_largest_remainder(total_fen, shares, tie_keys) if total_fen else [0] * len(shares)
