"""What residents can pay on each work: only through its beneficiaries, capped ones up to
their caps (rows of the source-split LP)."""

from __future__ import annotations

import numpy as np

from planner.funding.arrays import group_order, times
from planner.funding.classes import Prepared
from planner.funding.lp import INF, LinearProgram

YUAN = 100.0


def add_capacity(
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
