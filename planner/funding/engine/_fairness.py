"""What each household class pays on each work when hardship caps bind, in fen.

Each class's proportional (benefit-weighted) share of each work's residents' amount is
exact: ``residents × class weight / the work's total weight``. If every capped class's
shares fit its caps, those shares are rounded. Otherwise two LPs over classes × works
decide: minimise the largest ratio of a class's payment to its proportional share (what
capped households cannot pay is spread evenly, water-filling), then stay as close to
the proportional split as that allows. Class amounts are rounded to fen with capped
classes never above their caps.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from planner.funding.engine._arrays import Ints, bound, group_order, ints, starts_of, times
from planner.funding.engine._classes import Prepared
from planner.funding.engine._lp import INF, Floats, LinearProgram, SolverClock
from planner.funding.engine._rounding import round_classes

YUAN = 100.0
_FLOAT_EXACT = 2**53


def class_amounts(
    prepared: Prepared, residents: list[int], clock: SolverClock
) -> tuple[Ints, bool]:
    """Rounded fen per class entry, and whether the caps changed the proportional split."""
    classes = prepared.classes
    entry_class = classes.entry_class
    works = len(prepared.works)
    total = ints(residents)
    weight = times(classes.entry_unit, classes.scale_total[entry_class])
    by_work = group_order(classes.entry_work, works)
    work_weight = np.zeros(works, dtype=weight.dtype)
    starts = starts_of(classes.entry_work[by_work], works)
    cumulative = np.concatenate([np.zeros(1, dtype=weight.dtype), np.cumsum(weight[by_work])])
    work_weight = cumulative[starts[1:]] - cumulative[starts[:-1]]
    numerator = times(total[classes.entry_work], weight)
    denominator = work_weight[classes.entry_work]
    shares = _quotients(numerator, denominator)
    over = _caps_exceeded(prepared, shares, numerator, denominator)
    if over:
        values = _fair_shares(prepared, total, numerator, denominator, shares, clock)
        rounded = round_classes(prepared, residents, by_work, starts, values, None)
    else:
        exact_shares = (numerator, work_weight)
        rounded = round_classes(prepared, residents, by_work, starts, None, exact_shares)
    return rounded, over


def _quotients(numerator: Ints, denominator: Ints) -> Floats:
    """``numerator / denominator`` correctly rounded, as ``float(Fraction(n, d))`` is."""
    if (
        numerator.dtype != object
        and bound(numerator) < _FLOAT_EXACT
        and bound(denominator) < _FLOAT_EXACT
    ):
        result: Floats = numerator.astype(np.float64) / np.maximum(denominator, 1)
        return result
    pairs = zip(numerator.tolist(), denominator.tolist(), strict=True)
    return np.array([n / d if d else 0.0 for n, d in pairs], dtype=np.float64)


def _class_sums(prepared: Prepared, shares: Floats, numerator: Ints, denominator: Ints) -> Floats:
    """Each class's proportional share summed over its works, correctly rounded to a float."""
    starts = prepared.classes.entry_start[:-1]
    lengths = np.diff(prepared.classes.entry_start)
    sums: Floats = shares[starts].copy()
    several = np.flatnonzero(lengths > 1)
    if not several.size:
        return sums
    # exact sums of fractions in Python ints, one work at a time across the classes
    first = starts[several]
    top = numerator[first].astype(object)
    bottom = denominator[first].astype(object)
    for j in range(1, int(lengths.max())):
        more = lengths[several] > j
        entry = first[more] + j
        part, whole = numerator[entry].astype(object), denominator[entry].astype(object)
        top[more] = top[more] * whole + part * bottom[more]
        bottom[more] = bottom[more] * whole
    sums[several] = (top / bottom).astype(np.float64)
    return sums


def _caps_exceeded(prepared: Prepared, shares: Floats, numerator: Ints, denominator: Ints) -> bool:
    """Whether some capped class's proportional share is above what its members may pay."""
    classes = prepared.classes
    capped = np.flatnonzero(classes.cap >= 0)
    if not capped.size:
        return False
    approximate = np.add.reduceat(shares, classes.entry_start[:-1]) if len(shares) else shares
    limit = times(classes.size[capped], classes.cap[capped])
    limit_float = limit.astype(np.float64)
    near = np.abs(approximate[capped] - limit_float) <= 1e-9 * np.abs(limit_float) + 1e-6
    if bool(np.any((approximate[capped] > limit_float) & ~near)):
        return True
    starts = classes.entry_start
    for c, cap_total in zip(capped[near].tolist(), limit[near].tolist(), strict=True):
        entries = range(starts[c], starts[c + 1])
        exact = sum(
            (Fraction(int(numerator[e]), int(denominator[e])) for e in entries), Fraction(0)
        )
        if exact > cap_total:
            return True
    return False


def _fair_shares(
    prepared: Prepared,
    total: Ints,
    numerator: Ints,
    denominator: Ints,
    shares: Floats,
    clock: SolverClock,
) -> Floats:
    """Min-max of payment over proportional share per class, then L1 towards proportional."""
    classes = prepared.classes
    count = len(classes)
    entry_class = classes.entry_class
    entry_work = classes.entry_work
    active = np.flatnonzero(total[entry_work] != 0)
    active_class = entry_class[active]
    lp = LinearProgram()
    ratio = lp.var(cost=1.0)
    cols = lp.vars(np.zeros(len(active)), np.full(len(active), INF), np.zeros(len(active)))
    cols_of = cols + np.arange(len(active))
    has_cols = np.bincount(active_class, minlength=count) > 0
    capped = classes.cap >= 0
    per_class = has_cols.astype(np.intp) * (1 + capped.astype(np.intp))
    class_row = np.concatenate([[0], np.cumsum(per_class)]).astype(np.intp)
    ratio_row = class_row[:-1] + capped
    works_with = np.bincount(entry_work[active], minlength=len(prepared.works)) > 0
    work_row = class_row[-1] + np.concatenate([[0], np.cumsum(works_with)])[:-1]
    lower = np.full(int(class_row[-1]) + int(works_with.sum()), -INF)
    upper = np.zeros(len(lower))
    cap_rows = np.flatnonzero(has_cols & capped)
    limit = times(classes.size[cap_rows], classes.cap[cap_rows]).astype(np.float64)
    upper[class_row[cap_rows]] = limit / YUAN
    per_work = total[works_with].astype(np.float64) / YUAN
    lower[work_row[works_with]] = per_work
    upper[work_row[works_with]] = per_work
    lp.add_rows(lower, upper)
    proportional = _class_sums(prepared, shares, numerator, denominator) / YUAN
    with_cols = np.flatnonzero(has_cols)
    in_capped = capped[active_class]
    lp.entries(
        np.concatenate(
            [
                class_row[active_class[in_capped]],
                ratio_row[active_class],
                ratio_row[with_cols],
                work_row[entry_work[active]],
            ]
        ),
        np.concatenate([cols_of[in_capped], cols_of, np.full(len(with_cols), ratio), cols_of]),
        np.concatenate(
            [
                np.ones(int(in_capped.sum()) + len(active)),
                -proportional[with_cols],
                np.ones(len(active)),
            ]
        ),
    )
    first = lp.solve(clock)
    if first is None:
        raise RuntimeError("hardship caps leave an amount no one may pay")
    lp.set_upper(ratio, float(first[ratio]) * (1 + 1e-9) + 1e-12)
    pairs = 2 * len(active)
    slacks = lp.vars(np.zeros(pairs), np.full(pairs, INF), np.ones(pairs))
    target = shares[active] / YUAN
    rows = lp.add_rows(target, target) + np.arange(len(active))
    above = slacks + 2 * np.arange(len(active))
    lp.entries(
        np.concatenate([rows, rows, rows]),
        np.concatenate([cols_of, above, above + 1]),
        np.concatenate([np.ones(len(active)), -np.ones(len(active)), np.ones(len(active))]),
    )
    lp.set_cost_array(np.arange(slacks, slacks + pairs), np.ones(pairs))
    second = lp.solve(clock)
    solution = first if second is None else second
    values = np.zeros(len(entry_work))
    values[active] = solution[cols_of] * YUAN
    return values
