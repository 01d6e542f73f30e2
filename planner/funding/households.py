"""The residents' amount of each work, split over households, exactly.

Proportional split first (largest remainder over the benefit weights). If no hardship
cap is exceeded that is the answer. Otherwise the capped households' shortfall is
spread by two LPs over household classes × works: minimise the largest ratio of a
class's payment to its proportional share (what each capped household cannot pay is
spread evenly, water-filling), then stay as close to the proportional split as that
allows. Class amounts are rounded to fen (capped classes never above their caps) and
split inside each class in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import floor

from planner.funding.classes import Prepared
from planner.funding.lp import INF, LinearProgram, SolverClock
from planner.money import split_largest_remainder

YUAN = 100.0
Number = Fraction | float


@dataclass
class HouseholdSplit:
    amounts: list[dict[int, int]]  # per household: work position -> fen
    proportional: list[dict[int, int]]
    caps_bind: bool


def split_households(
    prepared: Prepared, residents: list[int], clock: SolverClock
) -> HouseholdSplit:
    households = prepared.households
    ids = [h.household_id for h in households]
    proportional: list[dict[int, int]] = [{} for _ in households]
    for w, members in enumerate(prepared.beneficiaries):
        if not members:
            continue
        parts = split_largest_remainder(
            residents[w], prepared.weights[w], [ids[p] for p in members]
        )
        for p, part in zip(members, parts, strict=True):
            proportional[p][w] = part
    within_caps = all(
        h.cap_fen is None or sum(proportional[p].values()) <= h.cap_fen
        for p, h in enumerate(households)
    )
    if within_caps:
        return HouseholdSplit(amounts=proportional, proportional=proportional, caps_bind=False)
    class_amounts, caps_bind = _class_amounts(prepared, residents, clock)
    amounts = _members(prepared, class_amounts)
    return HouseholdSplit(amounts=amounts, proportional=proportional, caps_bind=caps_bind)


def _exact_shares(prepared: Prepared, residents: list[int]) -> list[dict[int, Fraction]]:
    """Each class's proportional share of each work's residents' amount, exactly (fen)."""
    totals = [0] * len(prepared.works)
    for klass in prepared.classes:
        for w, _unit in klass.pattern:
            totals[w] += klass.class_weight(w)
    shares: list[dict[int, Fraction]] = []
    for klass in prepared.classes:
        shares.append(
            {
                w: Fraction(residents[w] * klass.class_weight(w), totals[w])
                for w, _unit in klass.pattern
            }
        )
    return shares


def _class_amounts(
    prepared: Prepared, residents: list[int], clock: SolverClock
) -> tuple[list[dict[int, int]], bool]:
    shares = _exact_shares(prepared, residents)
    over = any(
        k.cap_fen is not None and sum(shares[c].values()) > k.size * k.cap_fen
        for c, k in enumerate(prepared.classes)
    )
    values: list[dict[int, Number]] = (
        _fair_shares(prepared, residents, shares, clock) if over else list(shares)  # type: ignore[arg-type]
    )
    return _round_classes(prepared, residents, values), over


def _fair_shares(
    prepared: Prepared,
    residents: list[int],
    shares: list[dict[int, Fraction]],
    clock: SolverClock,
) -> list[dict[int, Number]]:
    """Min-max of payment over proportional share per class, then L1 towards proportional."""
    lp = LinearProgram()
    ratio = lp.var(cost=1.0)
    cols: list[dict[int, int]] = []
    per_work: list[list[tuple[int, float]]] = [[] for _ in prepared.works]
    for c, klass in enumerate(prepared.classes):
        mine: dict[int, int] = {}
        for w, _unit in klass.pattern:
            if residents[w] == 0:
                continue
            col = lp.var()
            mine[w] = col
            per_work[w].append((col, 1.0))
        cols.append(mine)
        if not mine:
            continue
        terms = [(col, 1.0) for col in mine.values()]
        if klass.cap_fen is not None:
            lp.row(terms, -INF, klass.size * klass.cap_fen / YUAN)
        proportional = float(sum(shares[c].values())) / YUAN
        lp.row([*terms, (ratio, -proportional)], -INF, 0.0)
    for w, terms in enumerate(per_work):
        if terms:
            lp.row(terms, residents[w] / YUAN, residents[w] / YUAN)
    first = lp.solve(clock)
    if first is None:
        raise RuntimeError("hardship caps leave an amount no one may pay")
    lp.upper[ratio] = float(first[ratio]) * (1 + 1e-9) + 1e-12
    costs: dict[int, float] = {}
    for c, mine in enumerate(cols):
        for w, col in mine.items():
            target = float(shares[c][w]) / YUAN
            above = lp.var(cost=1.0)
            below = lp.var(cost=1.0)
            lp.row([(col, 1.0), (above, -1.0), (below, 1.0)], target, target)
            costs[above] = costs[below] = 1.0
    lp.set_costs(costs)
    second = lp.solve(clock)
    solution = first if second is None else second
    return [{w: float(solution[col]) * YUAN for w, col in mine.items()} for mine in cols]


def _round_classes(
    prepared: Prepared, residents: list[int], values: list[dict[int, Number]]
) -> list[dict[int, int]]:
    """Round class amounts per work to fen; capped classes stay within their caps."""
    classes = prepared.classes
    headroom = [None if k.cap_fen is None else k.size * k.cap_fen for k in classes]
    rounded: list[dict[int, int]] = [{} for _ in classes]
    # Works only capped classes may pay are rounded first, while their room is intact.
    order = sorted(range(len(prepared.works)), key=lambda w: (prepared.has_uncapped[w], w))
    for w in order:
        members = prepared.work_classes[w]
        if not members:
            continue
        value = {c: values[c].get(w, 0) for c in members}
        base = {c: max(_floor(value[c]), 0) for c in members}
        for c in members:
            room = headroom[c]
            if room is not None:
                base[c] = min(base[c], room)
        leftover = residents[w] - sum(base.values())
        ranked = sorted(
            members,
            key=lambda c: (headroom[c] is not None, -(value[c] - base[c]), c),
        )
        while leftover != 0:
            moved = False
            for c in ranked if leftover > 0 else reversed(ranked):
                room = headroom[c]
                if leftover > 0 and (room is None or base[c] < room):
                    base[c] += 1
                    leftover -= 1
                    moved = True
                elif leftover < 0 and base[c] > 0:
                    base[c] -= 1
                    leftover += 1
                    moved = True
            if not moved:
                raise RuntimeError("hardship caps leave an amount no one may pay")
        for c in members:
            rounded[c][w] = base[c]
            room = headroom[c]
            if room is not None:
                headroom[c] = room - base[c]
    return rounded


def _floor(value: Number) -> int:
    return floor(value) if isinstance(value, Fraction) else floor(value + 1e-6)


def _members(prepared: Prepared, class_amounts: list[dict[int, int]]) -> list[dict[int, int]]:
    """Split each class's amounts over its members: by scale, or evenly for capped classes."""
    households = prepared.households
    amounts: list[dict[int, int]] = [{} for _ in households]
    for c, klass in enumerate(prepared.classes):
        ids = [households[p].household_id for p in klass.members]
        if klass.cap_fen is None:
            for w, _unit in klass.pattern:
                total = class_amounts[c].get(w, 0)
                parts = split_largest_remainder(total, klass.scales, ids)
                for p, part in zip(klass.members, parts, strict=True):
                    amounts[p][w] = part
            continue
        # Identical members: hand out the odd fen round-robin across works, so member totals
        # differ by at most one fen and none exceeds the (integer) cap.
        size = klass.size
        pointer = 0
        for w, _unit in klass.pattern:
            total = class_amounts[c].get(w, 0)
            base, extra = divmod(total, size)
            for i, p in enumerate(klass.members):
                amounts[p][w] = base + (1 if (i - pointer) % size < extra else 0)
            pointer = (pointer + extra) % size
    return amounts
