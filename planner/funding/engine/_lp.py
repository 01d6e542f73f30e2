"""A small builder for sparse LPs solved by HiGHS (through ``scipy.optimize.milp``).

Money enters the LPs in yuan (fen / 100) to keep HiGHS's tolerances meaningful;
callers convert back and round to fen themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from planner.funding.engine._model import SolveTimeout

INF = float("inf")
Floats = NDArray[np.float64]
Ints = NDArray[Any]


@dataclass
class SolverClock:
    """Deadline and HiGHS time accounting shared by the LPs of one solve."""

    deadline: float
    highs_seconds: float = 0.0
    solves: int = 0
    variables: int = 0

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SolveTimeout("the funding solve ran out of time")
        return left


class LinearProgram:
    """A sparse LP built a column and a row at a time, or in numpy blocks of them."""

    def __init__(self) -> None:
        self._columns: list[tuple[Floats, Floats, Floats]] = []
        self._lower: list[float] = []
        self._upper: list[float] = []
        self._cost: list[float] = []
        self._rows: list[tuple[Floats, Floats]] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []
        self._entries: list[tuple[Ints, Ints, Floats]] = []
        self._entry_rows: list[int] = []
        self._entry_cols: list[int] = []
        self._entry_vals: list[float] = []
        self.columns = 0
        self.rows = 0
        self._upper_override: dict[int, float] = {}
        self._costs: tuple[int, Ints, Floats] | None = None

    def var(self, lower: float = 0.0, upper: float = INF, cost: float = 0.0) -> int:
        self._lower.append(lower)
        self._upper.append(upper)
        self._cost.append(cost)
        self.columns += 1
        return self.columns - 1

    def vars(self, lower: Floats, upper: Floats, cost: Floats) -> int:
        """Add ``len(lower)`` columns at once; return the first one's index."""
        self._flush_columns()
        self._columns.append((lower, upper, cost))
        first = self.columns
        self.columns += len(lower)
        return first

    def row(self, terms: list[tuple[int, float]], lower: float, upper: float) -> int:
        r = self.rows
        for col, val in terms:
            self._entry_rows.append(r)
            self._entry_cols.append(col)
            self._entry_vals.append(val)
        self._row_lower.append(lower)
        self._row_upper.append(upper)
        self.rows += 1
        return r

    def add_rows(self, lower: Floats, upper: Floats) -> int:
        """Add ``len(lower)`` empty rows at once (fill them with ``entries``); return the first."""
        self._flush_rows()
        self._rows.append((lower, upper))
        first = self.rows
        self.rows += len(lower)
        return first

    def entries(self, rows: Ints, cols: Ints, vals: Floats) -> None:
        """Coefficients for rows already added."""
        self._flush_entries()
        self._entries.append((rows, cols, vals))

    def set_upper(self, col: int, upper: float) -> None:
        self._upper_override[col] = upper

    def set_costs(self, costs: dict[int, float]) -> None:
        """Replace the cost of every column so far: the given ones, 0 for the rest."""
        cols = np.fromiter(costs.keys(), dtype=np.intp, count=len(costs))
        vals = np.fromiter(costs.values(), dtype=np.float64, count=len(costs))
        self.set_cost_array(cols, vals)

    def set_cost_array(self, cols: Ints, vals: Floats) -> None:
        self._costs = (self.columns, cols, vals)

    def _flush_columns(self) -> None:
        if self._lower:
            self._columns.append(
                (np.asarray(self._lower), np.asarray(self._upper), np.asarray(self._cost))
            )
            self._lower, self._upper, self._cost = [], [], []

    def _flush_rows(self) -> None:
        self._flush_entries()
        if self._row_lower:
            self._rows.append((np.asarray(self._row_lower), np.asarray(self._row_upper)))
            self._row_lower, self._row_upper = [], []

    def _flush_entries(self) -> None:
        if self._entry_rows:
            self._entries.append(
                (
                    np.asarray(self._entry_rows, dtype=np.intp),
                    np.asarray(self._entry_cols, dtype=np.intp),
                    np.asarray(self._entry_vals, dtype=np.float64),
                )
            )
            self._entry_rows, self._entry_cols, self._entry_vals = [], [], []

    def _arrays(self) -> tuple[Floats, Floats, Floats, Floats, Floats, Ints, Ints, Floats]:
        self._flush_columns()
        self._flush_rows()
        lower, upper, cost = (_floats([c[i] for c in self._columns]) for i in range(3))
        for col, value in self._upper_override.items():
            upper[col] = value
        if self._costs is not None:
            replaced, cols, vals = self._costs
            cost[:replaced] = 0.0
            cost[cols] = vals
        row_lower, row_upper = (_floats([r[i] for r in self._rows]) for i in range(2))
        rows, cols = (_indices([e[i] for e in self._entries]) for i in range(2))
        vals = _floats([e[2] for e in self._entries])
        return lower, upper, cost, row_lower, row_upper, rows, cols, vals

    def solve(self, clock: SolverClock) -> NDArray[np.float64] | None:
        """Minimise; return the solution, or None when infeasible. Raises SolveTimeout."""
        lower, upper, cost, row_lower, row_upper, rows, cols, vals = self._arrays()
        n = len(lower)
        if n == 0:
            feasible = bool(np.all((row_lower <= 0.0) & (row_upper >= 0.0)))
            return np.zeros(0) if feasible else None
        constraints = []
        if len(row_lower):
            matrix = coo_array((vals, (rows, cols)), shape=(len(row_lower), n)).tocsr()
            constraints.append(LinearConstraint(matrix, row_lower, row_upper))
        started = time.perf_counter()
        result = milp(
            cost,
            constraints=constraints,
            bounds=Bounds(lower, upper),
            options={"time_limit": clock.remaining(), "presolve": True},
        )
        clock.highs_seconds += time.perf_counter() - started
        clock.solves += 1
        clock.variables += n
        if result.status == 0:
            x: NDArray[np.float64] = np.asarray(result.x, dtype=np.float64)
            return x
        if result.status == 2:
            return None
        if result.status == 1:
            raise SolveTimeout("the funding solve ran out of time")
        raise RuntimeError(f"HiGHS failed: {result.message}")


def _floats(parts: list[Floats]) -> Floats:
    if not parts:
        return np.zeros(0, dtype=np.float64)
    joined: Floats = np.concatenate(parts).astype(np.float64, copy=False)
    return joined


def _indices(parts: list[Ints]) -> Ints:
    if not parts:
        return np.zeros(0, dtype=np.intp)
    return np.concatenate(parts).astype(np.intp, copy=False)
