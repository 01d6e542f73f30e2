"""Households → kinds → classes of interchangeable households; the prepared problem.

A class groups households whose weight vectors over the works are proportional (the
same works, the same ratios between works), so one household's share of the class
amount on every work is its ``scale`` over the class's total scale. Households with a
hardship cap are grouped only with identical households (same weights, same cap), so
every member of a capped class pays the same. The optimiser's LPs have a variable per
class and work, never per household. Classes are built from kinds (``_kinds``:
households alike in every respect but their id), and everything per household, kind or
class is a numpy array.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import numpy as np

from planner.funding.engine._arrays import (
    Index,
    Ints,
    bound,
    exact,
    group_order,
    ranges,
    starts_of,
)
from planner.funding.engine._kinds import Households, Kinds, household_order, read_households, weigh
from planner.funding.engine._model import FundingProblem, InvalidProblem, WorkInput

_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x94D049BB133111EB)


@dataclass
class Classes:
    """Classes in the optimiser's order, each with its works and unit weights (entries)."""

    size: Index  # households per class
    cap: Ints  # per household, fen; -1 for no cap
    scale_total: Ints  # sum of the members' scales
    entry_start: Index  # offsets into the entries (length classes + 1)
    entry_work: Index  # class by class, works in order
    entry_unit: Ints  # weight per unit of scale
    of_kind: Index  # each kind's class; -1 when no work benefits it
    kind_scale: Ints  # each kind's scale: its weights are scale × the class's units
    entry_class: Index  # per entry, its class

    def __len__(self) -> int:
        return len(self.size)


@dataclass
class Prepared:
    """The problem in canonical order with exact weights and integer-tightened bounds."""

    problem: FundingProblem
    works: list[WorkInput]
    total_cost: int
    band_low: int  # ceil(low × total), fen
    band_high: int  # floor(high × total), fen
    work_low: list[int]
    work_high: list[int]
    households: Households
    kinds: Kinds
    classes: Classes
    beneficiaries: list[int]  # per work: how many households benefit
    work_classes: list[list[int]]  # class positions per work
    has_uncapped: list[bool]  # per work


def _check_band(band: tuple[Decimal, Decimal], name: str) -> tuple[Fraction, Fraction]:
    low, high = band
    if not (low.is_finite() and high.is_finite()) or not 0 <= low <= high <= 1:
        raise InvalidProblem(name, "must be two shares with 0 ≤ low ≤ high ≤ 1")
    return Fraction(low), Fraction(high)


def prepare(problem: FundingProblem) -> Prepared:
    """Validate, sort and weigh; raise InvalidProblem on inputs that make no sense."""
    works = sorted(problem.works, key=lambda w: w.work_id)
    if len({w.work_id for w in works}) != len(works):
        raise InvalidProblem("works", "a work is listed twice")
    ids, order = household_order(problem.households)
    if len({s.source_id for s in problem.sources}) != len(problem.sources):
        raise InvalidProblem("sources", "a source is listed twice")
    for w in works:
        if w.cost_fen < 0:
            raise InvalidProblem(f"works.{w.work_id}.cost_fen", "must not be negative")
    households, kinds, traits = read_households(problem.households, ids, order)
    for s in problem.sources:
        if s.budget_fen < 0:
            raise InvalidProblem(f"sources.{s.source_id}.budget_fen", "must not be negative")
        if s.max_share is not None and not (s.max_share.is_finite() and 0 <= s.max_share <= 1):
            raise InvalidProblem(f"sources.{s.source_id}.max_share", "must be between 0 and 1")
        if any(v < 0 for v in s.pledges.values()):
            raise InvalidProblem(f"sources.{s.source_id}.pledges", "must not be negative")
    low, high = _check_band(problem.resident_band, "resident_band")
    if problem.policy == "target":
        if problem.target_share is None:
            raise InvalidProblem("target_share", "the target policy needs a target share")
        if not (problem.target_share.is_finite() and 0 <= problem.target_share <= 1):
            raise InvalidProblem("target_share", "must be between 0 and 1")
    total = sum(w.cost_fen for w in works)
    work_low: list[int] = []
    work_high: list[int] = []
    for w in works:
        if w.resident_band is None:
            work_low.append(0)
            work_high.append(w.cost_fen)
        else:
            wl, wh = _check_band(w.resident_band, f"works.{w.work_id}.resident_band")
            work_low.append(ceil(wl * w.cost_fen))
            work_high.append(floor(wh * w.cost_fen))
    beneficiaries = weigh(works, kinds, traits)
    classes = group(kinds)
    work_classes, has_uncapped = _by_work(classes, len(works))
    return Prepared(
        problem=problem,
        works=works,
        total_cost=total,
        band_low=ceil(low * total),
        band_high=floor(high * total),
        work_low=work_low,
        work_high=work_high,
        households=households,
        kinds=kinds,
        classes=classes,
        beneficiaries=beneficiaries,
        work_classes=work_classes,
        has_uncapped=has_uncapped,
    )


def group(kinds: Kinds) -> Classes:
    """Group kinds into classes, ordered by (capped, cap, scale, pattern) as tuples sort.

    Uncapped kinds group by their pattern of (work, unit weight) alone; capped kinds also
    by cap and scale. Patterns are compared through a hash of each kind's entries, then
    checked entry by entry (a collision falls back to grouping by the patterns themselves).
    """
    lengths = np.diff(kinds.entry_start)
    active = np.flatnonzero(lengths > 0)
    scale = np.zeros(len(lengths), dtype=kinds.entry_weight.dtype)
    if active.size:
        scale[active] = np.gcd.reduceat(kinds.entry_weight, kinds.entry_start[active])
    unit = kinds.entry_weight // np.repeat(scale[active], lengths[active])
    capped = kinds.cap >= 0
    key_cap = np.where(capped, kinds.cap, 0)
    key_scale = np.where(capped, scale, 0)
    groups, reps = _group_patterns(kinds, unit, active, lengths, key_cap, key_scale)
    # classes in the order of their (capped, cap, scale, ((work, unit), ...)) keys
    widest = int(lengths[reps].max()) if reps.size else 0
    padded_work = np.full((len(reps), widest), -1, dtype=np.int64)
    padded_unit = np.full((len(reps), widest), -1, dtype=unit.dtype)
    rows = np.repeat(np.arange(len(reps)), lengths[reps])
    cols = ranges(np.zeros(len(reps), dtype=np.intp), lengths[reps])
    rep_entries = ranges(kinds.entry_start[reps], lengths[reps])
    padded_work[rows, cols] = kinds.entry_work[rep_entries]
    padded_unit[rows, cols] = unit[rep_entries]
    sort_keys: list[Ints] = []
    for j in range(widest - 1, -1, -1):
        sort_keys += [padded_unit[:, j], padded_work[:, j]]
    sort_keys += [key_scale[reps], key_cap[reps], capped[reps]]
    rank = np.lexsort(sort_keys) if reps.size else np.zeros(0, dtype=np.intp)
    position = np.empty(len(reps), dtype=np.intp)
    position[rank] = np.arange(len(reps), dtype=np.intp)
    reps = reps[rank]
    of_kind = np.full(len(lengths), -1, dtype=np.intp)
    of_kind[active] = position[groups]
    count = len(reps)
    size = np.bincount(of_kind[active], weights=kinds.count[active], minlength=count)
    contribution = exact(scale[active], bound(scale) * int(kinds.count.sum())) * kinds.count[active]
    scale_total = np.zeros(count, dtype=contribution.dtype)
    np.add.at(scale_total, of_kind[active], contribution)
    entries = ranges(kinds.entry_start[reps], lengths[reps])
    entry_start = np.concatenate([[0], np.cumsum(lengths[reps])]).astype(np.intp, copy=False)
    return Classes(
        size=size.astype(np.intp, copy=False),
        cap=kinds.cap[reps],
        scale_total=scale_total,
        entry_start=entry_start,
        entry_work=kinds.entry_work[entries],
        entry_unit=unit[entries],
        of_kind=of_kind,
        kind_scale=scale,
        entry_class=np.repeat(np.arange(count, dtype=np.intp), np.diff(entry_start)),
    )


def _group_patterns(
    kinds: Kinds, unit: Ints, active: Index, lengths: Index, key_cap: Ints, key_scale: Ints
) -> tuple[Index, Index]:
    """Each active kind's group (0..g-1, in ``active`` order) and each group's first kind."""
    if not active.size:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    low_bits = unit % (2**64) if unit.dtype == object else unit
    mixed = kinds.entry_work.astype(np.uint64) * np.uint64(_MIX[0])
    mixed += low_bits.astype(np.uint64) * np.uint64(_MIX[1])
    mixed ^= mixed >> np.uint64(31)
    mixed *= np.uint64(_MIX[2])
    mixed ^= mixed >> np.uint64(29)
    digest = np.add.reduceat(mixed, kinds.entry_start[active])
    capped = (kinds.cap >= 0)[active]
    columns = [lengths[active], digest, key_scale[active], key_cap[active], capped]
    order = np.lexsort(columns)
    changed = np.zeros(len(order), dtype=bool)
    changed[0] = True
    for column in columns:
        ordered = column[order]
        changed[1:] |= ordered[1:] != ordered[:-1]
    sorted_groups = np.cumsum(changed) - 1
    groups = np.empty(len(order), dtype=np.intp)
    groups[order] = sorted_groups
    reps = active[order[changed]]
    # every kind must match its group's first kind entry by entry
    mine = ranges(kinds.entry_start[active], lengths[active])
    theirs = ranges(kinds.entry_start[reps[groups]], lengths[active])
    if np.array_equal(kinds.entry_work[mine], kinds.entry_work[theirs]) and bool(
        np.all(unit[mine] == unit[theirs])
    ):
        return groups, reps
    return _group_exactly(kinds, unit, active, key_cap, key_scale)


def _group_exactly(
    kinds: Kinds, unit: Ints, active: Index, key_cap: Ints, key_scale: Ints
) -> tuple[Index, Index]:
    works = kinds.entry_work.tolist()
    units = unit.tolist()
    starts = kinds.entry_start.tolist()
    seen: dict[tuple[object, ...], int] = {}
    groups: list[int] = []
    reps: list[int] = []
    for k in active.tolist():
        mine = slice(starts[k], starts[k + 1])
        pattern = tuple(zip(works[mine], units[mine], strict=True))
        key = (int(key_cap[k]), key_scale[k], bool(kinds.cap[k] >= 0), pattern)
        if key not in seen:
            seen[key] = len(reps)
            reps.append(k)
        groups.append(seen[key])
    return np.asarray(groups, dtype=np.intp), np.asarray(reps, dtype=np.intp)


def _by_work(classes: Classes, works: int) -> tuple[list[list[int]], list[bool]]:
    entry_class = classes.entry_class
    order = group_order(classes.entry_work, works)
    starts = starts_of(classes.entry_work[order], works).tolist()
    in_order = entry_class[order].tolist()
    capped = (classes.cap >= 0).tolist()
    work_classes = [in_order[starts[w] : starts[w + 1]] for w in range(works)]
    has_uncapped = [any(not capped[c] for c in mine) for mine in work_classes]
    return work_classes, has_uncapped
