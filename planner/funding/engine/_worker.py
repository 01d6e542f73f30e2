"""Solving off the event loop: a process pool running the pure optimiser.

``solve_encoded`` is what a worker process runs: JSON bytes in (a FundingProblem), JSON
bytes out (an Outcome), so nothing but bytes crosses the process boundary. The pool
is created on first use, one per service process, sized to the machine and shared by
every app instance in the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import msgspec

from planner.funding.engine._model import (
    FundingInfeasible,
    FundingProblem,
    InvalidProblem,
    Outcome,
    SolveTimeout,
)

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# Beyond the solver's own deadline, how long to wait for a worker before giving up on it
# (the first solve also starts the worker process and imports scipy).
GRACE_S = 60.0


def solve_encoded(problem_json: bytes) -> bytes:
    """Run one solve; every expected failure becomes an Outcome, never an exception."""
    # Imported here, in the worker process only: scipy costs the service seconds at start-up.
    from planner.funding.engine._optimiser import solve_with_stats

    problem = msgspec.json.decode(problem_json, type=FundingProblem)
    try:
        result, stats = solve_with_stats(problem)
        outcome = Outcome(kind="ok", result=result, stats=stats)
    except FundingInfeasible as infeasible:
        outcome = Outcome(kind="infeasible", problems=infeasible.problems)
    except InvalidProblem as invalid:
        outcome = Outcome(kind="invalid", field=invalid.field, reason=invalid.reason)
    except SolveTimeout as timeout:
        outcome = Outcome(kind="timeout", reason=str(timeout))
    except Exception as exc:  # a solver bug must not kill the worker or hang the caller
        outcome = Outcome(kind="error", reason=f"{type(exc).__name__}: {exc}")
    return msgspec.json.encode(outcome)


def pool_size() -> int:
    """Leave one core to the event loop on small machines; at most four solvers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, (cores or 2) - 1))


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn: the service process holds threads and sockets that must not be forked
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=pool_size(), mp_context=context)
        return _pool


def _discard_pool(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def solve_off_loop(problem: FundingProblem) -> Outcome:
    """Solve in the process pool; a worker that overruns its limit yields a timeout Outcome."""
    payload = msgspec.json.encode(problem)
    pool = _get_pool()
    loop = asyncio.get_running_loop()
    try:
        raw = await asyncio.wait_for(
            loop.run_in_executor(pool, solve_encoded, payload),
            timeout=problem.time_limit_s + GRACE_S,
        )
    except TimeoutError:
        return Outcome(kind="timeout", reason="the solver did not answer within its time limit")
    except BrokenProcessPool:
        _discard_pool(pool)
        return Outcome(kind="error", reason="the solver process died")
    return msgspec.json.decode(raw, type=Outcome)


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
