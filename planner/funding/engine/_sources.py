"""The source split over works: how much each source and the residents pay per work.

Two LPs over works × sources (× capped household classes, whose caps limit what
residents can pay): first the residents' total by the policy, then, with that total
fixed, the residents' amount spread over works as evenly (as a share of each work's
cost) as the rules allow. Then exact fen: the residents' amounts are rounded by the
largest remainder to the fixed total, and the sources' amounts come from a
transportation LP with integer data (its vertices are integral). Residents can pay a
work only through its beneficiaries, capped ones up to their caps (the capacity rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import floor

import numpy as np
from numpy.typing import NDArray

from planner.funding.engine._arrays import group_order, times
from planner.funding.engine._classes import Prepared
from planner.funding.engine._lp import INF, LinearProgram, SolverClock

YUAN = 100.0


@dataclass
class SourcePair:
    source: int  # position in sorted sources
    work: int  # position in sorted works
    lower: int  # fen (a pledge fixes lower == upper)
    upper: int
    pledged: bool


@dataclass
class SourceModel:
    lp: LinearProgram
    pairs: list[SourcePair]
    pair_cols: list[int]
    resident_cols: list[int]
    band_row: int
    slacks: dict[str, list[tuple[int, int]]]  # kind -> [(column, subject position)]


@dataclass
class SourceSplit:
    amounts: list[list[int]]  # [source][work] fen
    residents: list[int]  # per work, fen
    total: int


def source_pairs(prepared: Prepared) -> list[SourcePair]:
    """Each source's eligible works with the bounds on its amount, in source then work order.

    The optimiser computes them once per solve and hands them to every stage (read-only).
    """
    positions = {w.work_id: i for i, w in enumerate(prepared.works)}
    pairs: list[SourcePair] = []
    for k, source in enumerate(sorted(prepared.problem.sources, key=lambda s: s.source_id)):
        eligible = sorted({positions[w] for w in source.eligible_work_ids if w in positions})
        share = None if source.max_share is None else Fraction(source.max_share)
        for w in eligible:
            cost = prepared.works[w].cost_fen
            upper = cost if share is None else share.numerator * cost // share.denominator
            pledge = source.pledges.get(prepared.works[w].work_id)
            if pledge is not None:
                pairs.append(SourcePair(k, w, pledge, pledge, True))
            else:
                pairs.append(SourcePair(k, w, 0, upper, False))
    return pairs


def pairs_by(
    prepared: Prepared, pairs: list[SourcePair]
) -> tuple[list[list[int]], list[list[int]]]:
    """Pair positions per work and per source, in pair order."""
    on_work: list[list[int]] = [[] for _ in prepared.works]
    of_source: list[list[int]] = [[] for _ in prepared.problem.sources]
    for i, p in enumerate(pairs):
        on_work[p.work].append(i)
        of_source[p.source].append(i)
    return on_work, of_source


def build_model(prepared: Prepared, pairs: list[SourcePair], relaxed: bool) -> SourceModel:
    """The source-split LP; ``relaxed`` adds priced slacks on every soft-able constraint."""
    lp = LinearProgram()
    slacks: dict[str, list[tuple[int, int]]] = {
        "band_high": [],
        "band_low": [],
        "work_band_high": [],
        "work_band_low": [],
        "unpayable": [],
    }
    pair_work = np.array([p.work for p in pairs], dtype=np.intp)
    pair_source = np.array([p.source for p in pairs], dtype=np.intp)
    first = lp.vars(
        np.array([p.lower for p in pairs], dtype=np.float64) / YUAN,
        np.array([p.upper for p in pairs], dtype=np.float64) / YUAN,
        np.zeros(len(pairs)),
    )
    pair_cols = list(range(first, first + len(pairs)))
    resident_cols: list[int] = []
    if relaxed:
        for w, work in enumerate(prepared.works):
            col = lp.var(0.0, work.cost_fen / YUAN)
            if work.resident_band is not None:
                high = lp.var(cost=1.0)
                low = lp.var(cost=1.0)
                slacks["work_band_high"].append((high, w))
                slacks["work_band_low"].append((low, w))
                lp.row([(col, 1.0), (high, -1.0)], -INF, prepared.work_high[w] / YUAN)
                lp.row([(col, 1.0), (low, 1.0)], prepared.work_low[w] / YUAN, INF)
            resident_cols.append(col)
    else:
        start = lp.vars(
            np.array(prepared.work_low, dtype=np.float64) / YUAN,
            np.array(prepared.work_high, dtype=np.float64) / YUAN,
            np.zeros(len(prepared.works)),
        )
        resident_cols = list(range(start, start + len(prepared.works)))
    costs = np.array([w.cost_fen for w in prepared.works], dtype=np.float64) / YUAN
    work_rows = lp.add_rows(costs, costs)
    sources = sorted(prepared.problem.sources, key=lambda s: s.source_id)
    funding = np.bincount(pair_source, minlength=len(sources)) > 0
    budgets = np.array([s.budget_fen for s in sources], dtype=np.float64)[funding] / YUAN
    source_row = np.cumsum(funding) - 1 + lp.add_rows(np.full(len(budgets), -INF), budgets)
    pair_col = np.arange(first, first + len(pairs), dtype=np.intp)
    lp.entries(
        np.concatenate(
            [
                work_rows + pair_work,
                work_rows + np.arange(len(prepared.works), dtype=np.intp),
                source_row[pair_source],
            ]
        ),
        np.concatenate([pair_col, np.asarray(resident_cols, dtype=np.intp), pair_col]),
        np.ones(2 * len(pairs) + len(prepared.works)),
    )
    band_terms = [(c, 1.0) for c in resident_cols]
    if relaxed:
        high = lp.var(cost=1.0)
        low = lp.var(cost=1.0)
        slacks["band_high"].append((high, -1))
        slacks["band_low"].append((low, -1))
        lp.row([*band_terms, (high, -1.0)], -INF, prepared.band_high / YUAN)
        band_row = lp.row([*band_terms, (low, 1.0)], prepared.band_low / YUAN, INF)
    else:
        band_row = lp.row(band_terms, prepared.band_low / YUAN, prepared.band_high / YUAN)
    _add_capacity(prepared, lp, resident_cols, slacks if relaxed else None)
    return SourceModel(lp, pairs, pair_cols, resident_cols, band_row, slacks)


def _add_capacity(
    prepared: Prepared,
    lp: LinearProgram,
    resident_cols: list[int],
    slacks: dict[str, list[tuple[int, int]]] | None,
) -> None:
    """Residents can pay a work only through its beneficiaries, capped ones up to their caps.

    Per work that has capped or no beneficiaries, in work order: a column for what its
    uncapped classes pay (if any), one per capped class, an "unpayable" slack when
    relaxed, and a row: residents' amount = those columns. Then per capped class, in class
    order: its columns ≤ what its members may pay in all.
    """
    classes = prepared.classes
    works = len(prepared.works)
    by_work = group_order(classes.entry_work, works)
    capped_entries = by_work[(classes.cap >= 0)[classes.entry_class[by_work]]]
    capped_work = classes.entry_work[capped_entries]
    capped_class = classes.entry_class[capped_entries]
    capped_count = np.bincount(capped_work, minlength=works)
    uncapped = np.asarray(prepared.has_uncapped, dtype=bool)
    row_works = np.flatnonzero(~uncapped | (capped_count > 0))
    extra = 1 if slacks is not None else 0
    per_work = uncapped[row_works] + capped_count[row_works] + extra
    first_col = np.full(works, -1, dtype=np.intp)
    first_col[row_works] = lp.columns + np.concatenate([[0], np.cumsum(per_work)[:-1]])
    capped_start = np.concatenate([[0], np.cumsum(capped_count)[:-1]])
    capped_cols = (
        first_col[capped_work]
        + uncapped[capped_work]
        + np.arange(len(capped_work))
        - capped_start[capped_work]
    )
    uncapped_works = row_works[uncapped[row_works]]
    unpayable_cols = first_col[row_works] + uncapped[row_works] + capped_count[row_works]
    count = int(per_work.sum())
    costs = np.zeros(count)
    if slacks is not None:
        costs[unpayable_cols - lp.columns] = 1.0
        slacks["unpayable"] += zip(unpayable_cols.tolist(), row_works.tolist(), strict=True)
    lp.vars(np.zeros(count), np.full(count, INF), costs)
    work_row = np.full(works, -1, dtype=np.intp)
    work_row[row_works] = lp.add_rows(np.zeros(len(row_works)), np.zeros(len(row_works)))
    work_row[row_works] += np.arange(len(row_works))
    residents = np.asarray(resident_cols, dtype=np.intp)
    with_cols = np.unique(capped_class)
    limits = times(classes.size[with_cols], classes.cap[with_cols]).astype(np.float64) / YUAN
    class_row = lp.add_rows(np.full(len(with_cols), -INF), limits) + np.searchsorted(
        with_cols, capped_class
    )
    rows = [work_row[row_works], work_row[uncapped_works], work_row[capped_work], class_row]
    cols = [residents[row_works], first_col[uncapped_works], capped_cols, capped_cols]
    vals = [1.0, -1.0, -1.0, 1.0]
    if slacks is not None:
        rows.append(work_row[row_works])
        cols.append(unpayable_cols)
        vals.append(-1.0)
    lp.entries(
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate([np.full(len(r), v) for r, v in zip(rows, vals, strict=True)]),
    )


def solve_split(
    prepared: Prepared, pairs: list[SourcePair], clock: SolverClock
) -> SourceSplit | None:
    """The source split in exact fen, or None when the hard constraints admit no plan."""
    model = build_model(prepared, pairs, relaxed=False)
    lp = model.lp
    total_cost = prepared.total_cost
    if prepared.problem.policy == "target":
        assert prepared.problem.target_share is not None
        target = floor(Fraction(prepared.problem.target_share) * total_cost + Fraction(1, 2))
        gap = lp.var(cost=1.0)
        terms = [(c, 1.0) for c in model.resident_cols]
        lp.row([*terms, (gap, -1.0)], -INF, target / YUAN)
        lp.row([*terms, (gap, 1.0)], target / YUAN, INF)
    else:
        lp.set_costs(dict.fromkeys(model.resident_cols, 1.0))
    first = lp.solve(clock)
    if first is None:
        return None
    residents_total = round(sum(first[c] for c in model.resident_cols) * YUAN)
    residents_total = min(max(residents_total, prepared.band_low), prepared.band_high)
    lp.row([(c, 1.0) for c in model.resident_cols], residents_total / YUAN, residents_total / YUAN)
    costs: dict[int, float] = {}
    for w, work in enumerate(prepared.works):
        if work.cost_fen == 0:
            continue
        even = residents_total * work.cost_fen / total_cost / YUAN
        above = lp.var(cost=YUAN / work.cost_fen)
        below = lp.var(cost=YUAN / work.cost_fen)
        lp.row([(model.resident_cols[w], 1.0), (above, -1.0), (below, 1.0)], even, even)
        costs[above] = costs[below] = YUAN / work.cost_fen
    lp.set_costs(costs)
    second = lp.solve(clock)
    if second is None:
        second = first
    residents = _round_residents(prepared, second, model, residents_total)
    amounts = _integral_sources(prepared, second, model, residents, clock)
    if amounts is None:
        raise RuntimeError("could not round the source split to fen")
    return SourceSplit(amounts=amounts, residents=residents, total=residents_total)


def _round_residents(
    prepared: Prepared, x: NDArray[np.float64], model: SourceModel, total: int
) -> list[int]:
    """Round residents' amounts to fen, summing exactly to ``total``, within each work's bounds.

    Works only capped households may pay get the leftover fen last (their capacity is tight).
    """
    values = [x[c] * YUAN for c in model.resident_cols]
    low = prepared.work_low
    high = prepared.work_high
    base = [min(max(floor(v + 1e-6), low[w]), high[w]) for w, v in enumerate(values)]
    leftover = total - sum(base)
    order = sorted(
        range(len(values)),
        key=lambda w: (not prepared.has_uncapped[w], -(values[w] - base[w]), w),
    )
    while leftover > 0:
        moved = False
        for w in order:
            if leftover and base[w] < high[w]:
                base[w] += 1
                leftover -= 1
                moved = True
        if not moved:
            raise RuntimeError("residents' amounts cannot be rounded within their bounds")
    while leftover < 0:
        moved = False
        for w in reversed(order):
            if leftover and base[w] > low[w]:
                base[w] -= 1
                leftover += 1
                moved = True
        if not moved:
            raise RuntimeError("residents' amounts cannot be rounded within their bounds")
    return base


def _integral_sources(
    prepared: Prepared,
    x: NDArray[np.float64],
    model: SourceModel,
    residents: list[int],
    clock: SolverClock,
) -> list[list[int]] | None:
    """Sources' fen per work: a transportation LP whose integer data make vertices integral."""
    sources = sorted(prepared.problem.sources, key=lambda s: s.source_id)
    pairs = model.pairs
    pair_work = np.array([p.work for p in pairs], dtype=np.intp)
    pair_source = np.array([p.source for p in pairs], dtype=np.intp)
    works = len(prepared.works)
    need = [work.cost_fen - residents[w] for w, work in enumerate(prepared.works)]
    paid = np.bincount(pair_work, minlength=works) > 0
    if any(n != 0 for n, has in zip(need, paid.tolist(), strict=True) if not has):
        return None
    funding = np.bincount(pair_source, minlength=len(sources)) > 0
    value = x[np.asarray(model.pair_cols, dtype=np.intp)] * YUAN
    for tight in (True, False):
        lower = np.array([p.lower for p in pairs], dtype=np.float64)
        upper = np.array([p.upper for p in pairs], dtype=np.float64)
        if tight:
            lower = np.maximum(lower, np.floor(value + 1e-6))
            upper = np.minimum(upper, np.ceil(value - 1e-6))
            lower = np.minimum(lower, upper)
        lp = LinearProgram()
        lp.vars(lower, upper, np.zeros(len(pairs)))
        needed = np.array(need, dtype=np.float64)[paid]
        work_row = np.cumsum(paid) - 1 + lp.add_rows(needed, needed)
        budgets = np.array([s.budget_fen for s in sources], dtype=np.float64)[funding]
        source_row = np.cumsum(funding) - 1 + lp.add_rows(np.full(len(budgets), -INF), budgets)
        cols = np.arange(len(pairs), dtype=np.intp)
        lp.entries(
            np.concatenate([work_row[pair_work], source_row[pair_source]]),
            np.concatenate([cols, cols]),
            np.ones(2 * len(pairs)),
        )
        solution = lp.solve(clock)
        if solution is None:
            continue
        amounts = [[0] * works for _ in sources]
        for pair, amount in zip(pairs, solution.tolist(), strict=True):
            amounts[pair.source][pair.work] = round(amount)
        if _sources_exact(prepared, model, amounts, residents):
            return amounts
    return None


def _sources_exact(
    prepared: Prepared, model: SourceModel, amounts: list[list[int]], residents: list[int]
) -> bool:
    sources = sorted(prepared.problem.sources, key=lambda s: s.source_id)
    for pair in model.pairs:
        if not pair.lower <= amounts[pair.source][pair.work] <= pair.upper:
            return False
    for k, source in enumerate(sources):
        if sum(amounts[k]) > source.budget_fen:
            return False
    for w, work in enumerate(prepared.works):
        if sum(row[w] for row in amounts) + residents[w] != work.cost_fen:
            return False
    return True
