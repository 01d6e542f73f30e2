"""Class amounts to fen: what each class pays on each work, exact, within the caps."""

from __future__ import annotations

from math import floor

import numpy as np

from planner.funding.arrays import Ints, ints
from planner.funding.classes import Prepared
from planner.funding.lp import Floats


def round_classes(
    prepared: Prepared,
    residents: list[int],
    work_entries: list[list[int]],
    values: Floats | None,
    exact_shares: tuple[Ints, Ints] | None,
) -> list[int]:
    """Round class amounts per work to fen; capped classes stay within their caps.

    ``values`` are the LP's amounts per class entry, or ``exact_shares`` the exact ones as
    numerators per class entry over each work's total weight. Work by work (works only
    capped classes may pay first, while their room is intact), each class gets the floor,
    a capped class no more than its room left; then the leftover fen go to uncapped
    classes before capped ones, largest fractional part first, ties to the lower class.
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
    base_all = floors.tolist()
    behind_all = behind_of.tolist()
    capped = (classes.cap >= 0).tolist()
    headroom: list[int | None] = [
        size * cap if held else None
        for size, cap, held in zip(classes.size.tolist(), classes.cap.tolist(), capped, strict=True)
    ]
    classes_of = entry_class.tolist()
    rounded = [0] * len(classes_of)
    # Works only capped classes may pay are rounded first, while their room is intact.
    order = sorted(range(len(prepared.works)), key=lambda w: (prepared.has_uncapped[w], w))
    for w in order:
        entries = work_entries[w]
        if not entries:
            continue
        members = [classes_of[e] for e in entries]
        base = [base_all[e] for e in entries]
        behind = [behind_all[e] for e in entries]
        for i, c in enumerate(members):
            room = headroom[c]
            if room is not None and base[i] > room:
                if exact_shares is not None:
                    behind[i] += (room - base[i]) * weights[entries[i]]
                else:
                    behind[i] = -(values[entries[i]] - room)  # type: ignore[index]
                base[i] = room
        ranked = [
            i
            for _, _, _, i in sorted(
                zip([capped[c] for c in members], behind, members, range(len(members)), strict=True)
            )
        ]
        leftover = residents[w] - sum(base)
        while leftover != 0:
            moved = False
            for i in ranked if leftover > 0 else reversed(ranked):
                room = headroom[members[i]]
                if leftover > 0 and (room is None or base[i] < room):
                    base[i] += 1
                    leftover -= 1
                    moved = True
                elif leftover < 0 and base[i] > 0:
                    base[i] -= 1
                    leftover += 1
                    moved = True
            if not moved:
                raise RuntimeError("hardship caps leave an amount no one may pay")
        for i, c in enumerate(members):
            rounded[entries[i]] = base[i]
            room = headroom[c]
            if room is not None:
                headroom[c] = room - base[i]
    return rounded
