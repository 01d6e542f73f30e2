"""Class amounts to fen: what each class pays on each work, exact, within the caps."""

from __future__ import annotations

from math import floor

import numpy as np

from planner.funding.engine._arrays import Index, Ints, ints, segment_sums, times
from planner.funding.engine._classes import Prepared
from planner.funding.engine._lp import Floats


def round_classes(
    prepared: Prepared,
    residents: list[int],
    by_work: Index,
    starts: Index,
    values: Floats | None,
    exact_shares: tuple[Ints, Ints] | None,
) -> Ints:
    """Round class amounts per work to fen; capped classes stay within their caps.

    ``by_work`` lists the class entries work by work (classes in order), ``starts`` where
    each work's run begins. ``values`` are the LP's amounts per class entry, or
    ``exact_shares`` the exact ones as numerators per class entry over each work's total
    weight. Work by work (works only capped classes may pay first, while their room is
    intact), each class gets the floor, a capped class no more than its room left; then
    the leftover fen go to uncapped classes before capped ones, largest fractional part
    first, ties to the lower class.
    """
    classes = prepared.classes
    entry_class = classes.entry_class
    weights: list[int] = []
    behind_of: Ints
    if exact_shares is not None:
        numerator, work_weight = exact_shares
        whole = work_weight[classes.entry_work]
        floors = numerator // np.maximum(whole, 1)
        # (floor - exact) × weight: the same order as the fractional parts, exactly
        behind_of = floors * whole - numerator
        weights = whole.tolist()
    else:
        assert values is not None
        floors_f = np.maximum(np.floor(values + 1e-6), 0.0)
        if floors_f.size and float(floors_f.max()) >= 2**53:
            floors = ints([max(floor(v + 1e-6), 0) for v in values.tolist()])
        else:
            floors = floors_f.astype(np.int64)
        behind_of = -(values - floors_f)
    at_once = _round_at_once(prepared, residents, by_work, starts, floors, behind_of)
    if at_once is not None:
        return at_once
    entry_of = by_work.tolist()
    members_of = entry_class[by_work].tolist()
    base_of = floors[by_work].tolist()
    behind_all = behind_of[by_work].tolist()
    held_of = (classes.cap >= 0)[entry_class[by_work]].tolist()
    bounds = starts.tolist()
    headroom: list[int] = times(classes.size, np.maximum(classes.cap, 0)).tolist()
    rounded = [0] * len(entry_of)
    # Works only capped classes may pay are rounded first, while their room is intact.
    order = sorted(range(len(prepared.works)), key=lambda w: (prepared.has_uncapped[w], w))
    for w in order:
        first, last = bounds[w], bounds[w + 1]
        if first == last:
            continue
        entries = entry_of[first:last]
        members = members_of[first:last]
        held = held_of[first:last]
        base = base_of[first:last]
        behind = behind_all[first:last]
        for i, c in enumerate(members):
            if held[i] and base[i] > headroom[c]:
                room = headroom[c]
                if exact_shares is not None:
                    behind[i] += (room - base[i]) * weights[entries[i]]
                else:
                    behind[i] = -(values[entries[i]] - room)  # type: ignore[index]
                base[i] = room
        keys = zip(held, behind, members, range(len(members)), strict=True)
        ranked = [i for _, _, _, i in sorted(keys)]
        leftover = residents[w] - sum(base)
        while leftover != 0:
            moved = False
            for i in ranked if leftover > 0 else reversed(ranked):
                if leftover > 0 and (not held[i] or base[i] < headroom[members[i]]):
                    base[i] += 1
                    leftover -= 1
                    moved = True
                elif leftover < 0 and base[i] > 0:
                    base[i] -= 1
                    leftover += 1
                    moved = True
            if not moved:
                raise RuntimeError("hardship caps leave an amount no one may pay")
        for i, e in enumerate(entries):
            rounded[e] = base[i]
            if held[i]:
                headroom[members[i]] -= base[i]
    return ints(rounded)


def _round_at_once(
    prepared: Prepared,
    residents: list[int],
    by_work: Index,
    starts: Index,
    floors: Ints,
    behind_of: Ints,
) -> Ints | None:
    """The rounding above for every work at once, when no cap gets in its way.

    Each work's leftover fen go to its first entries in the same ranking (uncapped classes
    first, largest fractional part first, ties to the lower class). That is what the work
    by work rounding gives whenever every work's leftover is between 0 and its number of
    entries and every capped class stays within its room in all: then no capped class
    was ever short of room, whatever the works' order. Otherwise None (round work by work).
    """
    classes = prepared.classes
    if floors.dtype == object or behind_of.dtype == object or not by_work.size:
        return None
    lengths = np.diff(starts)
    work = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)
    base = floors[by_work]
    leftover = ints(residents) - segment_sums(base, starts)
    if leftover.dtype == object or bool(np.any((leftover < 0) | (leftover > lengths))):
        return None
    members = classes.entry_class[by_work]
    held = classes.cap[members] >= 0
    within = np.arange(len(by_work), dtype=np.intp) - starts[work]
    ranked = np.lexsort((within, members, behind_of[by_work], held, work))
    rank = np.empty(len(ranked), dtype=np.intp)
    rank[ranked] = within
    rounded = np.empty(len(by_work), dtype=base.dtype)
    rounded[by_work] = base + (rank < leftover[work])
    capped = np.flatnonzero(classes.cap >= 0)
    if capped.size:
        room = times(classes.size[capped], classes.cap[capped])
        paid = segment_sums(rounded, classes.entry_start)[capped]
        if bool(np.any(paid > room)):
            return None
    return rounded
