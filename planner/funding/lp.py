"""A small builder for sparse LPs solved by HiGHS (through ``scipy.optimize.milp``).

Money enters the LPs in yuan (fen / 100) to keep HiGHS's tolerances meaningful;
callers convert back and round to fen themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from planner.funding.model import SolveTimeout

INF = float("inf")


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


@dataclass
class LinearProgram:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    entry_rows: list[int] = field(default_factory=list)
    entry_cols: list[int] = field(default_factory=list)
    entry_vals: list[float] = field(default_factory=list)

    def var(self, lower: float = 0.0, upper: float = INF, cost: float = 0.0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        return len(self.lower) - 1

    def row(self, terms: list[tuple[int, float]], lower: float, upper: float) -> int:
        r = len(self.row_lower)
        for col, val in terms:
            self.entry_rows.append(r)
            self.entry_cols.append(col)
            self.entry_vals.append(val)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return r

    def set_costs(self, costs: dict[int, float]) -> None:
        self.cost = [0.0] * len(self.lower)
        for col, val in costs.items():
            self.cost[col] = val

    def solve(self, clock: SolverClock) -> NDArray[np.float64] | None:
        """Minimise; return the solution, or None when infeasible. Raises SolveTimeout."""
        n = len(self.lower)
        if n == 0:
            feasible = all(
                lo <= 0.0 <= hi for lo, hi in zip(self.row_lower, self.row_upper, strict=True)
            )
            return np.zeros(0) if feasible else None
        constraints = []
        if self.row_lower:
            matrix = coo_array(
                (self.entry_vals, (self.entry_rows, self.entry_cols)),
                shape=(len(self.row_lower), n),
            ).tocsr()
            constraints.append(LinearConstraint(matrix, self.row_lower, self.row_upper))
        started = time.perf_counter()
        result = milp(
            np.asarray(self.cost, dtype=np.float64),
            constraints=constraints,
            bounds=Bounds(np.asarray(self.lower), np.asarray(self.upper)),
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
