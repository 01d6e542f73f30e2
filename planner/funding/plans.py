"""Each household's plan: its amount, its proportional share, why they differ, its works.

The plans are the bulk of a result (one per household), so they are built from arrays
with as few Python objects as the result's shape allows: one HouseholdWorkAmount per
distinct (work, amount), and one works list per distinct list of them, shared by every
household with those same amounts (plans are frozen; treat their lists as read-only).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from planner.funding.arrays import Index, Ints, ints, ranges, segment_sums
from planner.funding.classes import Prepared
from planner.funding.households import HouseholdSplit
from planner.funding.model import HouseholdPlan, HouseholdWorkAmount

_REASONS = np.array(["cap", "proportional", "covers_caps", "rounding"], dtype=object)
_CAP, _PROPORTIONAL, _COVERS_CAPS, _ROUNDING = range(4)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def household_plans(
    prepared: Prepared, split: HouseholdSplit
) -> tuple[list[HouseholdPlan], int, int]:
    """The plans in household id order, how many households are held at their caps, and
    what those households are spared in all (fen)."""
    starts = split.entry_start
    amount = segment_sums(split.amounts, starts)
    proportional = segment_sums(split.proportional, starts)
    cap = prepared.households.cap
    capped = (cap >= 0) & (proportional > cap)
    shortfall = int((proportional[capped] - amount[capped]).sum())
    reason = np.full(len(amount), _ROUNDING, dtype=np.intp)
    if split.caps_bind:
        reason[amount > proportional + 2 * np.diff(starts)] = _COVERS_CAPS
    reason[amount == proportional] = _PROPORTIONAL
    reason[capped] = _CAP
    work_ids = ints([w.work_id for w in prepared.works])
    lists, variant = _works_lists(work_ids, split)
    plans = [
        HouseholdPlan(
            household_id=household_id,
            amount_fen=paid,
            proportional_fen=share,
            capped=held,
            reason=why,
            works=lists[v],
        )
        for household_id, paid, share, held, why, v in zip(
            prepared.households.ids.tolist(),
            amount.tolist(),
            proportional.tolist(),
            capped.tolist(),
            _REASONS[reason].tolist(),
            variant.tolist(),
            strict=True,
        )
    ]
    return plans, int(capped.sum()), shortfall


def _works_lists(
    work_ids: Ints, split: HouseholdSplit
) -> tuple[list[list[HouseholdWorkAmount]], Index]:
    """The distinct works lists and each household's one.

    Households are told apart by a hash of their (work, amount) entries, then checked
    entry by entry against the first household with the same hash; a collision falls
    back to comparing the entries themselves.
    """
    starts = split.entry_start
    lengths = np.diff(starts)
    variant = _variants_by_hash(split) if split.amounts.dtype != object else None
    if variant is None:
        variant = _variants_exactly(split)
    first = _firsts(variant)
    entries = ranges(starts[first], lengths[first])
    works = work_ids[split.entry_work[entries]].tolist()
    amounts = split.amounts[entries].tolist()
    made: dict[tuple[int, int], HouseholdWorkAmount] = {}
    for key in zip(works, amounts, strict=True):
        if key not in made:
            made[key] = HouseholdWorkAmount(work_id=key[0], amount_fen=key[1])
    items = [made[key] for key in zip(works, amounts, strict=True)]
    ends = np.cumsum(lengths[first]).tolist()
    lists = [items[end - n : end] for end, n in zip(ends, lengths[first].tolist(), strict=True)]
    return lists, variant


def _firsts(variant: Index) -> Index:
    """The first household of each variant."""
    first = np.zeros(int(variant.max()) + 1 if variant.size else 0, dtype=np.intp)
    first[variant[::-1]] = np.arange(len(variant) - 1, -1, -1, dtype=np.intp)
    return first


def _mix(values: Ints) -> Ints:
    """splitmix64's finaliser: a well-spread 64-bit hash of each value (wrapping)."""
    x = values.astype(np.uint64) + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: Ints = x ^ (x >> np.uint64(31))
    return mixed


def _variants_by_hash(split: HouseholdSplit) -> Index | None:
    starts = split.entry_start
    lengths = np.diff(starts)
    if not lengths.size:
        return np.zeros(0, dtype=np.intp)
    width = np.uint64(int(split.entry_work.max()) + 1 if split.entry_work.size else 1)
    entry_hash = _mix(split.amounts.astype(np.uint64) * width + split.entry_work.astype(np.uint64))
    running = np.zeros(len(entry_hash) + 1, dtype=np.uint64)
    np.cumsum(entry_hash, out=running[1:])
    digest = _mix((running[starts[1:]] - running[starts[:-1]]) ^ lengths.astype(np.uint64))
    _, variant = np.unique(digest, return_inverse=True)
    variant = variant.reshape(-1).astype(np.intp)
    same = _firsts(variant)[variant]
    if not np.array_equal(lengths[same], lengths):
        return None
    mine = ranges(starts[:-1], lengths)
    theirs = ranges(starts[same], lengths)
    if np.array_equal(split.amounts[mine], split.amounts[theirs]) and np.array_equal(
        split.entry_work[mine], split.entry_work[theirs]
    ):
        return variant
    return None


def _variants_exactly(split: HouseholdSplit) -> Index:
    starts = split.entry_start.tolist()
    works = split.entry_work.tolist()
    amounts = split.amounts.tolist()
    seen: dict[tuple[tuple[int, int], ...], int] = {}
    variant: list[int] = []
    for start, end in pairwise(starts):
        key = tuple(zip(works[start:end], amounts[start:end], strict=True))
        variant.append(seen.setdefault(key, len(seen)))
    return np.asarray(variant, dtype=np.intp)
