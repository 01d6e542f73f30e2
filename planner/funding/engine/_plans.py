"""Each household's plan: its amount, its proportional share, why they differ, its works.

The plans are the bulk of a result (one per household), so they are built from arrays
with as few Python objects as the result's shape allows: one HouseholdWorkAmount per
distinct (work, amount), and one works list per distinct list of them, shared by every
household with those same amounts (plans are frozen; treat their lists as read-only).
Nothing is made per household entry: a household's amounts are its kind's (see
:class:`~planner.funding.engine._households.Shares`) but for a few fen, so its works
list is told apart by which entries got one fen more.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from planner.funding.engine._arrays import (
    LIMIT,
    Index,
    Ints,
    dense_codes,
    ints,
    segment_sums,
)
from planner.funding.engine._classes import Prepared
from planner.funding.engine._households import (
    HouseholdSplit,
    Shares,
    entry_amounts,
    household_totals,
)
from planner.funding.engine._model import HouseholdPlan, HouseholdWorkAmount

_REASONS = np.array(["cap", "proportional", "covers_caps", "rounding"], dtype=object)
_CAP, _PROPORTIONAL, _COVERS_CAPS, _ROUNDING = range(4)
_SLICE = 2**16


def household_plans(
    prepared: Prepared, split: HouseholdSplit
) -> tuple[list[HouseholdPlan], int, int]:
    """The plans in household id order, how many households are held at their caps, and
    what those households are spared in all (fen)."""
    same = split.amounts is split.proportional
    proportional = split.proportional_totals
    if proportional is None:
        proportional = household_totals(prepared, split.proportional)
    amount = proportional if same else household_totals(prepared, split.amounts)
    cap = prepared.households.cap
    capped = (cap >= 0) & (proportional > cap)
    shortfall = int((proportional[capped] - amount[capped]).sum())
    reason = np.full(len(amount), _ROUNDING, dtype=np.int8)
    if split.caps_bind:
        lengths = np.diff(prepared.kinds.entry_start)[prepared.households.kind]
        reason[amount > proportional + 2 * lengths] = _COVERS_CAPS
    reason[amount == proportional] = _PROPORTIONAL
    reason[capped] = _CAP
    work_ids = ints([w.work_id for w in prepared.works])
    lists, variant = _works_lists(work_ids, prepared, split)
    shared = np.empty(len(lists), dtype=object)
    for v, works in enumerate(lists):
        shared[v] = works
    ids = prepared.households.ids
    plans: list[HouseholdPlan] = []
    # a slice of households at a time: only the plans and their numbers stay, not six
    # lists and two object arrays over every household besides them
    for first in range(0, len(amount), _SLICE):
        part = slice(first, first + _SLICE)
        amounts = amount[part].tolist()
        # positional, through map: no Python frame and no keyword parsing per household (a
        # million of them at a district's scale)
        plans += map(
            HouseholdPlan,
            ids[part].tolist(),
            amounts,
            amounts if same else proportional[part].tolist(),
            capped[part].tolist(),
            _REASONS[reason[part]].tolist(),
            shared[variant[part]].tolist(),
        )
    return plans, int(capped.sum()), shortfall


def _works_lists(
    work_ids: Ints, prepared: Prepared, split: HouseholdSplit
) -> tuple[list[list[HouseholdWorkAmount]], Index]:
    """The distinct works lists and each household's one."""
    variant = _variants(prepared, split)
    starts, entry_work, entry_amount, _ = entry_amounts(prepared, split.amounts, _firsts(variant))
    # one HouseholdWorkAmount per distinct (work, amount), shared by the lists
    pair, count = _dense_pairs(entry_work, entry_amount)
    first = _firsts(pair)
    made = np.fromiter(
        (
            HouseholdWorkAmount(work_id=work_id, amount_fen=amount_fen)
            for work_id, amount_fen in zip(
                work_ids[entry_work[first]].tolist(), entry_amount[first].tolist(), strict=True
            )
        ),
        dtype=object,
        count=count,
    )
    items = made[pair].tolist()
    lists = [items[start:end] for start, end in pairwise(starts.tolist())]
    return lists, variant


def _firsts(codes: Index) -> Index:
    """The first position of each code (codes 0..n-1, each present)."""
    first = np.zeros(int(codes.max()) + 1 if codes.size else 0, dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.intp)
    return first


def _variants(prepared: Prepared, split: HouseholdSplit) -> Index:
    """Number the distinct works lists 0, 1, ... and give each household its number.

    Households whose kinds have the same class and scale have the same weights, so the
    same floors on every entry, and get 0 or 1 fen more on each: (class and scale, which
    entries got one more) tells their lists apart exactly.
    """
    kinds = prepared.kinds
    kind = prepared.households.kind
    kind_lengths = np.diff(kinds.entry_start)
    widest = int(kind_lengths.max()) if kind_lengths.size else 0
    classes = prepared.classes
    alike, count = _dense_pairs(classes.of_kind + 1, classes.kind_scale)
    if not kind.size or widest > 62 or (count + 1) << widest >= LIMIT:
        return _variants_exactly(prepared, split)
    mask = _extra_masks(prepared, split.amounts)
    group = alike[kind].astype(np.int64, copy=False)
    variant, _ = dense_codes((group << widest) | mask)
    return variant


def _extra_masks(prepared: Prepared, shares: Shares) -> Ints:
    """Per household, bit j set when its j-th entry got one fen more than the floor."""
    kinds = prepared.kinds
    kind = prepared.households.kind
    kind_lengths = np.diff(kinds.entry_start)
    position = np.arange(len(kinds.entry_work), dtype=np.int64) - np.repeat(
        kinds.entry_start[:-1], kind_lengths
    )
    bits = shares.all_members.astype(np.int64) << position
    mask: Ints = segment_sums(bits, kinds.entry_start)[kind]
    if shares.positions.size:
        offset = shares.entries - kinds.entry_start[kind[shares.positions]]
        np.add.at(mask, shares.positions, np.int64(1) << offset.astype(np.int64))
    if shares.held.size:
        held_lengths = np.diff(shares.held_start)
        extra = (shares.held_amounts - shares.held_floors).astype(np.int64, copy=False)
        shift = np.arange(len(extra), dtype=np.int64) - np.repeat(
            shares.held_start[:-1], held_lengths
        )
        mask[shares.held] = segment_sums(extra << shift, shares.held_start)
    return mask


def _dense_pairs(first: Ints, second: Ints) -> tuple[Index, int]:
    """Codes 0..n-1 for the distinct (first, second) pairs, and n."""
    a, n = dense_codes(first)
    b, m = dense_codes(second)
    if n * m < LIMIT:
        return dense_codes(a.astype(np.int64, copy=False) * m + b)
    pairs = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)[1]
    return dense_codes(pairs.reshape(-1))


def _variants_exactly(prepared: Prepared, split: HouseholdSplit) -> Index:
    everyone = np.arange(len(prepared.households.kind), dtype=np.intp)
    starts, entry_work, entry_amount, _ = entry_amounts(prepared, split.amounts, everyone)
    works = entry_work.tolist()
    amounts = entry_amount.tolist()
    seen: dict[tuple[tuple[int, int], ...], int] = {}
    variant: list[int] = []
    for start, end in pairwise(starts.tolist()):
        key = tuple(zip(works[start:end], amounts[start:end], strict=True))
        variant.append(seen.setdefault(key, len(seen)))
    return np.asarray(variant, dtype=np.intp)
