"""The funding optimiser: who pays what, exact to the fen.

Pure (no database, no web framework; import-linter checks it). :func:`solve` takes a
:class:`FundingProblem` and returns a :class:`FundingPlanResult`, or raises
:class:`FundingInfeasible` (with the binding constraints and their amounts),
:class:`InvalidProblem` (nonsense inputs) or :class:`SolveTimeout`. The same problem always
gives byte-identical results, and household order in the input does not matter.

:func:`solve_off_loop` runs a solve in a process pool and answers an :class:`Outcome`
(every expected failure is one); the service solves that way, never on its event loop.

Importing this package is cheap (the Structs and the pool): numpy and scipy load with the
first solve, in the process that solves, since the service imports this at start-up.
The modules inside are private, in the order a solve runs them: ``_kinds`` and ``_classes``
(households grouped), ``_sources`` (the source split), ``_households``, ``_fairness`` and
``_rounding`` (the residents' split), ``_plans`` (per household), ``_explain`` (sentences
and infeasibility), over ``_arrays`` and ``_lp``; ``_optimiser`` runs them in turn.
"""

from __future__ import annotations

from planner.funding.engine._model import (
    DEFAULT_BAND,
    Explanation,
    FundingInfeasible,
    FundingPlanResult,
    FundingProblem,
    HouseholdInput,
    HouseholdPlan,
    HouseholdWorkAmount,
    InvalidProblem,
    Note,
    Outcome,
    Policy,
    Problem,
    SolveStats,
    SolveTimeout,
    SourceAmount,
    SourceInput,
    SourceKind,
    SourceUse,
    WorkInput,
    WorkPlan,
)
from planner.funding.engine._worker import shutdown_pool, solve_off_loop

__all__ = [
    "DEFAULT_BAND",
    "Explanation",
    "FundingInfeasible",
    "FundingPlanResult",
    "FundingProblem",
    "HouseholdInput",
    "HouseholdPlan",
    "HouseholdWorkAmount",
    "InvalidProblem",
    "Note",
    "Outcome",
    "Policy",
    "Problem",
    "SolveStats",
    "SolveTimeout",
    "SourceAmount",
    "SourceInput",
    "SourceKind",
    "SourceUse",
    "WorkInput",
    "WorkPlan",
    "shutdown_pool",
    "solve",
    "solve_off_loop",
    "solve_with_stats",
]


def solve(problem: FundingProblem) -> FundingPlanResult:
    """Solve a funding problem; see the package docstring for the contract."""
    return solve_with_stats(problem)[0]


def solve_with_stats(problem: FundingProblem) -> tuple[FundingPlanResult, SolveStats]:
    """:func:`solve`, with the solve's timings and sizes."""
    from planner.funding.engine._optimiser import solve_with_stats as optimise

    return optimise(problem)
