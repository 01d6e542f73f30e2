"""Exact integer arrays for the optimiser: int64 while every value fits, Python ints beyond.

Money and weights are integers and every sum the optimiser forms must be exact. numpy's
int64 is exact below 2**63; these helpers keep values and products under ``LIMIT``
(2**62, so a sum of two still fits) and otherwise fall back to object arrays of Python
ints, which numpy handles exactly, only more slowly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

LIMIT = 2**62

Ints = NDArray[Any]  # int64, or object holding Python ints
Index = NDArray[np.intp]


def ints(values: Sequence[int]) -> Ints:
    """``values`` as int64, or as Python ints when one is at or beyond ``LIMIT``."""
    small = _bytes(values)
    if small is not None:
        return small.astype(np.int64)
    try:
        array = np.fromiter(values, dtype=np.int64, count=len(values))
    except OverflowError:
        return np.array(values, dtype=object)
    if array.size and (int(array.max()) >= LIMIT or int(array.min()) <= -LIMIT):
        return array.astype(object)
    return array


def bound(array: Ints) -> int:
    """The largest magnitude in ``array`` (0 when empty), as a Python int."""
    if not array.size:
        return 0
    return max(abs(int(array.max())), abs(int(array.min())))


def exact(array: Ints, magnitude: int) -> Ints:
    """``array`` in a dtype that holds ``magnitude`` (a bound on what it will be used for)."""
    if magnitude < LIMIT or array.dtype == object:
        return array
    return array.astype(object)


def times(a: Ints, b: Ints) -> Ints:
    """Elementwise product, exact."""
    magnitude = bound(a) * bound(b)
    return exact(a, magnitude) * exact(b, magnitude)


def index(values: Sequence[int]) -> Index:
    """Positions or codes (small non-negative ints) as an array."""
    small = _bytes(values)
    if small is not None:
        return small.astype(np.intp)
    # fromiter reads a list a quarter faster than asarray, which first looks for nesting
    return np.fromiter(values, dtype=np.intp, count=len(values))


def _bytes(values: Sequence[int]) -> NDArray[np.uint8] | None:
    """A list of ints that are all 0..255 as bytes, else None.

    ``bytearray`` reads such a list (codes, floors) five times faster than ``fromiter``, and
    gives up at the first value that does not fit, so trying costs little.
    """
    if type(values) is not list:
        return None
    try:
        return np.frombuffer(bytearray(values), dtype=np.uint8)
    except (TypeError, ValueError):
        return None


def segment_sums(values: Ints, starts: Index) -> Ints:
    """Sums of ``values[starts[i]:starts[i + 1]]`` (``starts`` ends with ``len(values)``), exact.

    Empty segments sum to 0 (unlike ``np.add.reduceat``).
    """
    if values.dtype != object and values.size and bound(values) * values.size >= LIMIT:
        values = values.astype(object)
    running = np.zeros(len(values) + 1, dtype=values.dtype)
    if values.size:
        np.cumsum(values, out=running[1:])
    return running[starts[1:]] - running[starts[:-1]]


def dense_codes(values: Ints) -> tuple[Index, int]:
    """Codes 0..n-1 in the order of the distinct ``values`` (equal values, equal codes), and n.

    The same codes as ``np.unique(values, return_inverse=True)``; without sorting when the
    values span a range not much larger than their count.
    """
    if values.dtype != object and values.size:
        low = int(values.min())
        span = int(values.max()) - low + 1
        if span <= 8 * values.size + 1024:
            offsets = (values - low).astype(np.intp, copy=False)
            present = np.zeros(span, dtype=bool)
            present[offsets] = True
            distinct = np.flatnonzero(present)
            code_of = np.empty(span, dtype=np.intp)
            code_of[distinct] = np.arange(len(distinct), dtype=np.intp)
            return code_of[offsets], len(distinct)
    distinct, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.intp, copy=False).reshape(-1), len(distinct)


def group_order(groups: Index, count: int) -> Index:
    """A stable order of positions sorted by group (``groups`` in 0..count-1)."""
    if count < 2**15:
        return np.argsort(groups.astype(np.int16), kind="stable")
    return np.argsort(groups, kind="stable")


def starts_of(groups_sorted: Index, count: int) -> Index:
    """Offsets (length count + 1) of each group in a group-sorted array (groups 0..count-1)."""
    starts = np.zeros(count + 1, dtype=np.intp)
    np.cumsum(np.bincount(groups_sorted, minlength=count), out=starts[1:])
    return starts


def ranges(starts: Index, lengths: Index) -> Index:
    """The concatenation of ``range(s, s + n)`` for each start and length."""
    total = int(lengths.sum()) if lengths.size else 0
    if not total:
        return np.zeros(0, dtype=np.intp)
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    result: Index = np.arange(total, dtype=np.intp) + shift
    return result
