"""The residents' amount of each work, split over households, exactly.

Proportional split first (largest remainder over the benefit weights). If no hardship
cap is exceeded that is the answer. Otherwise the capped households' shortfall is
spread by two LPs over household classes × works (planner.funding.fairness), class
amounts are rounded to fen (capped classes never above their caps) and split inside
each class in closed form: by scale with the largest remainder, or evenly with the odd
fen handed round for capped classes.

Every split works on kinds (households alike but for their id) and hands the leftover
fen to the largest remainders, equal remainders to the smallest household id first, so
the result does not depend on the order of the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from planner.funding.engine._arrays import (
    LIMIT,
    Index,
    Ints,
    bound,
    exact,
    ints,
    ranges,
    segment_sums,
    times,
)
from planner.funding.engine._classes import Prepared
from planner.funding.engine._fairness import class_amounts
from planner.funding.engine._kinds import Kinds
from planner.funding.engine._lp import SolverClock


@dataclass
class Shares:
    """One split of the residents' amounts over households, kind by kind.

    Every member of a kind gets ``base`` on each of its kind entries, one fen more on the
    ``all_members`` entries, and the households ``positions`` one fen more on the kind
    entries ``entries`` (each pair at most once). The ``held`` households (members of
    capped classes, when the caps bind) get instead ``held_amounts``, their entries in
    order from ``held_start``, of which ``held_floors`` is what every member of their class
    gets. Nothing here is per household entry, so a split of a million households stays
    a few arrays over kinds plus the few households that differ from their kind.
    """

    base: Ints  # per kind entry
    all_members: NDArray[np.bool_]  # per kind entry
    positions: Index
    entries: Index
    held: Index = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    held_start: Index = field(default_factory=lambda: np.zeros(1, dtype=np.intp))
    held_amounts: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    held_floors: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass
class HouseholdSplit:
    """The proportional split and the one households pay (the same object when no cap binds).

    ``proportional_totals``: what each household's proportional share comes to in all, when
    the split had to work it out (to check the caps); None otherwise.
    """

    proportional: Shares
    amounts: Shares
    caps_bind: bool
    proportional_totals: Ints | None = None


@dataclass
class _Extras:
    """The fen a split gives beyond each kind entry's floor."""

    all_members: NDArray[np.bool_]  # per kind entry: every member gets one more fen
    positions: Index  # and these households get one more on these kind entries
    entries: Index


def split_households(
    prepared: Prepared, residents: list[int], clock: SolverClock
) -> HouseholdSplit:
    kinds = prepared.kinds
    households = prepared.households
    totals = ints(residents)
    weights = kinds.entry_weight[kinds.by_work]
    counts = kinds.count[kinds.entry_kind[kinds.by_work]]
    sums = segment_sums(times(weights, counts), kinds.work_start)
    base, extras = _split(totals, kinds.work_start, kinds.by_work, weights, sums, kinds)
    proportional = Shares(base, extras.all_members, extras.positions, extras.entries)
    split = HouseholdSplit(proportional=proportional, amounts=proportional, caps_bind=False)
    capped = households.cap >= 0
    if not capped.any():
        return split
    paid = household_totals(prepared, proportional)
    split.proportional_totals = paid
    if bool(np.all(paid[capped] <= households.cap[capped])):
        return split
    rounded, caps_bind = class_amounts(prepared, residents, clock)
    split.amounts = _members(prepared, rounded)
    split.caps_bind = caps_bind
    return split


def household_totals(prepared: Prepared, shares: Shares) -> Ints:
    """What each household pays in all (households in id order)."""
    kinds = prepared.kinds
    kind = prepared.households.kind
    given = shares.base + shares.all_members.astype(shares.base.dtype)
    per_kind = segment_sums(given, kinds.entry_start)
    extra = np.bincount(shares.positions, minlength=len(kind))
    totals: Ints = per_kind[kind] + extra.astype(per_kind.dtype)
    if shares.held.size:
        held = segment_sums(shares.held_amounts, shares.held_start)
        totals = exact(totals, bound(held))
        totals[shares.held] = held
    return totals


def entry_amounts(
    prepared: Prepared, shares: Shares, chosen: Index
) -> tuple[Index, Index, Ints, Ints]:
    """For the ``chosen`` households (positions), per household entry: offsets per chosen
    household (length chosen + 1), the work, the amount and the floor every household of
    the same kind (or capped class) gets."""
    kinds = prepared.kinds
    kind = prepared.households.kind[chosen]
    lengths = np.diff(kinds.entry_start)[kind]
    starts = np.zeros(len(chosen) + 1, dtype=np.intp)
    np.cumsum(lengths, out=starts[1:])
    kind_entries = ranges(kinds.entry_start[kind], lengths)
    floors = shares.base[kind_entries]
    amounts: Ints = floors + shares.all_members[kind_entries].astype(floors.dtype)
    slot = np.full(len(prepared.households.kind), -1, dtype=np.intp)
    slot[chosen] = np.arange(len(chosen), dtype=np.intp)
    if shares.positions.size:
        mine = slot[shares.positions]
        listed = mine >= 0
        row = mine[listed]
        offset = shares.entries[listed] - kinds.entry_start[kind[row]]
        amounts[starts[row] + offset] += 1
    if shares.held.size:
        mine = slot[shares.held]
        some = np.flatnonzero(mine >= 0)
        held_lengths = np.diff(shares.held_start)[some]
        source = ranges(shares.held_start[some], held_lengths)
        target = ranges(starts[mine[some]], held_lengths)
        floors = exact(floors, bound(shares.held_floors))
        amounts = exact(amounts, bound(shares.held_amounts))
        floors[target] = shares.held_floors[source]
        amounts[target] = shares.held_amounts[source]
    return starts, kinds.entry_work[kind_entries], amounts, floors


def _split(
    totals: Ints, starts: Index, entries: Index, weights: Ints, sums: Ints, kinds: Kinds
) -> tuple[Ints, _Extras]:
    """Split each group's total over the members of its kind entries by weight, exactly.

    Groups are runs ``entries[starts[g]:starts[g + 1]]`` of kind entries, ``weights`` their
    weight per member (same order) and ``sums`` each group's total weight. Each member
    gets the floor of its exact share; the leftover fen go to the largest remainders,
    equal remainders to the smallest household id first. Returns the floor per kind entry
    (indexed like ``kinds.entry_work``) and the extra fen.
    """
    entry_count = len(kinds.entry_work)
    group = np.repeat(np.arange(len(totals), dtype=np.intp), np.diff(starts))
    counts = kinds.count[kinds.entry_kind[entries]]
    divisor = sums[group]
    product = times(totals[group], weights)
    floor_part = product // np.where(divisor == 0, 1, divisor)
    remainder = product - floor_part * divisor
    leftover = totals - segment_sums(times(floor_part, counts), starts)
    base = np.zeros(entry_count, dtype=floor_part.dtype)
    base[entries] = floor_part
    all_members = np.zeros(entry_count, dtype=bool)
    none = np.zeros(0, dtype=np.intp)
    if not entries.size or not bool(np.any(leftover)):
        return base, _Extras(all_members, none, none)
    # remainders in descending order within each group
    widest = bound(sums) + 1
    if remainder.dtype != object and widest * (len(totals) + 1) < LIMIT:
        order = np.argsort(group * widest + (widest - 1 - remainder), kind="stable")
    else:
        order = np.lexsort((-remainder, group))
    ordered_group = group[order]
    ordered_remainder = remainder[order]
    new_tie = np.ones(len(order), dtype=bool)
    new_tie[1:] = (ordered_group[1:] != ordered_group[:-1]) | (
        ordered_remainder[1:] != ordered_remainder[:-1]
    )
    tie_starts = np.flatnonzero(new_tie)
    tie_of = np.cumsum(new_tie) - 1
    tie_count = np.add.reduceat(counts[order], tie_starts)
    tie_group = ordered_group[tie_starts]
    through = np.cumsum(tie_count)
    new_group = np.ones(len(tie_starts), dtype=bool)
    new_group[1:] = tie_group[1:] != tie_group[:-1]
    first_tie = np.maximum.accumulate(np.where(new_group, np.arange(len(tie_starts)), 0))
    before = through - tie_count - (through - tie_count)[first_tie]
    room = leftover[tie_group]
    full = before + tie_count <= room
    partial = (before < room) & ~full
    in_order = full[tie_of]
    all_members[entries[order]] = in_order
    if not partial.any():
        return base, _Extras(all_members, none, none)
    # the smallest ids of a partly served tie get its remaining fen
    chosen = np.flatnonzero(partial[tie_of])
    chosen_entries = entries[order[chosen]]
    chosen_kinds = kinds.entry_kind[chosen_entries]
    sizes = kinds.count[chosen_kinds]
    positions = kinds.members[ranges(kinds.start[chosen_kinds], sizes)]
    ties = np.repeat(tie_of[chosen], sizes)
    member_entries = np.repeat(chosen_entries, sizes)
    # runs of ascending positions (one per kind), so a stable (merging) sort is cheap
    by_tie = np.argsort(ties * (len(kinds.members) + 1) + positions, kind="stable")
    ties = ties[by_tie]
    first = np.ones(len(ties), dtype=bool)
    first[1:] = ties[1:] != ties[:-1]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(ties)), 0))
    rank = np.arange(len(ties)) - run_start
    served = rank < (room - before)[ties]
    return base, _Extras(all_members, positions[by_tie][served], member_entries[by_tie][served])


def _members(prepared: Prepared, rounded: Ints) -> Shares:
    """Split each class's amounts over its members: by scale, or evenly for capped classes."""
    kinds = prepared.kinds
    classes = prepared.classes
    entry_kind = kinds.entry_kind
    of_kind = classes.of_kind[entry_kind]
    j = np.arange(len(entry_kind)) - kinds.entry_start[entry_kind]
    class_entry = classes.entry_start[np.maximum(of_kind, 0)] + j
    uncapped = (of_kind >= 0) & (classes.cap[np.maximum(of_kind, 0)] < 0)
    # uncapped classes: groups are class entries, members weighted by their kind's scale
    mine = np.flatnonzero(uncapped)
    order = mine[np.argsort(class_entry[mine], kind="stable")]
    group_sizes = np.bincount(class_entry[order], minlength=len(classes.entry_work))
    starts = np.zeros(len(classes.entry_work) + 1, dtype=np.intp)
    np.cumsum(group_sizes, out=starts[1:])
    weights = classes.kind_scale[entry_kind[order]]
    sums = classes.scale_total[classes.entry_class]
    totals = np.where(classes.cap[classes.entry_class] < 0, rounded, 0)
    base, extras = _split(totals, starts, order, weights, sums, kinds)
    shares = Shares(base, extras.all_members, extras.positions, extras.entries)
    _capped_members(prepared, rounded, shares)
    return shares


def _capped_members(prepared: Prepared, rounded: Ints, shares: Shares) -> None:
    """Identical members: hand out the odd fen round-robin across works, so member totals
    differ by at most one fen and none exceeds the (integer) cap."""
    classes = prepared.classes
    household_class = classes.of_kind[prepared.households.kind]
    capped = np.flatnonzero(
        (household_class >= 0) & (classes.cap[np.maximum(household_class, 0)] >= 0)
    )
    if not capped.size:
        return
    klass = household_class[capped]
    by_class = np.argsort(klass, kind="stable")
    capped, klass = capped[by_class], klass[by_class]
    first = np.ones(len(klass), dtype=bool)
    first[1:] = klass[1:] != klass[:-1]
    rank = np.arange(len(klass)) - np.maximum.accumulate(np.where(first, np.arange(len(klass)), 0))
    size = classes.size[classes.entry_class]
    share, extra = np.divmod(rounded, np.maximum(size, 1))
    # the pointer before each class entry: the class's earlier extras, modulo its size
    earlier = np.cumsum(extra) - extra
    pointer = (earlier - earlier[classes.entry_start[classes.entry_class]]) % np.maximum(size, 1)
    lengths = np.diff(classes.entry_start)[klass]
    class_entries = ranges(classes.entry_start[klass], lengths)
    member_rank = np.repeat(rank, lengths)
    n = size[class_entries]
    gets_one = (member_rank - pointer[class_entries]) % n < extra[class_entries]
    shares.held = capped
    shares.held_start = np.zeros(len(capped) + 1, dtype=np.intp)
    np.cumsum(lengths, out=shares.held_start[1:])
    shares.held_floors = share[class_entries]
    shares.held_amounts = shares.held_floors + gets_one
