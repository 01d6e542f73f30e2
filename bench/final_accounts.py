"""Final accounts (决算) benchmark: 20,000 households, the funding bench's district.

    uv run python bench/final_accounts.py

The plan solve (end to end, as bench/funding.py times it) beside the final accounts on the
same data: the approved problem with final costs (each work's cost moved by −8 %…+6 %, as
awards and variations do), the optimiser again, then the per-household refund / top-up
against random payments (planner.settlement.rules.settle) and the JSON the service stores.
Target: final accounts ≤ 1.5× the plan solve. The identities are checked on every run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import msgspec
from funding import district  # bench/funding.py
from machine import machine_line  # bench/machine.py

from planner.funding.engine import FundingPlanResult, FundingProblem, solve_with_stats
from planner.funding.rules import with_costs
from planner.settlement.rules import settle


def plan_solve(problem: FundingProblem) -> tuple[float, FundingPlanResult]:
    started = time.perf_counter()
    result, _ = solve_with_stats(problem)
    msgspec.json.encode(result)
    return time.perf_counter() - started, result


def final_costs(problem: FundingProblem, seed: int = 11) -> dict[int, int]:
    rng = random.Random(seed)
    return {w.work_id: w.cost_fen * rng.randint(92, 106) // 100 for w in problem.works}


def payments(planned: FundingPlanResult, seed: int = 13) -> dict[int, int]:
    """92 % of households paid: most in full, some part, a few more than asked."""
    rng = random.Random(seed)
    paid: dict[int, int] = {}
    for h in planned.households:
        roll = rng.random()
        if roll < 0.80:
            paid[h.household_id] = h.amount_fen
        elif roll < 0.90:
            paid[h.household_id] = h.amount_fen // 2
        elif roll < 0.92:
            paid[h.household_id] = h.amount_fen + 10_000
    return paid


def final_accounts(
    problem: FundingProblem, planned: FundingPlanResult, costs: dict[int, int], paid: dict[int, int]
) -> tuple[float, int, int]:
    started = time.perf_counter()
    final, _ = solve_with_stats(with_costs(problem, costs))
    names = {s.source_id: s.name for s in problem.sources}
    settlement = settle(problem.works, planned, final, paid, names)
    msgspec.json.encode(settlement)
    elapsed = time.perf_counter() - started
    lines = settlement.households
    assert sum(h.final_fen for h in lines) == settlement.residents_total_fen
    assert settlement.residents_total_fen - settlement.paid_total_fen == (
        settlement.topup_total_fen - settlement.refund_total_fen
    )
    return elapsed, settlement.refund_total_fen, settlement.topup_total_fen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--households", type=int, default=20_000)
    args = parser.parse_args()
    problem = district(args.households)
    plan_solve(problem)  # warm-up: imports, HiGHS start
    plans = [plan_solve(problem) for _ in range(args.repeat)]
    planned = plans[0][1]
    costs, paid = final_costs(problem), payments(planned)
    runs = [final_accounts(problem, planned, costs, paid) for _ in range(args.repeat)]
    plan_s = statistics.median(p[0] for p in plans)
    final_s = statistics.median(r[0] for r in runs)
    print(machine_line() + " (the machine is shared; figures vary with it)")
    print("- command: `uv run python bench/final_accounts.py`")
    print(
        f"- {args.households:,} households / {len(problem.works)} works / "
        f"{len(problem.sources)} sources: plan solve **{plan_s:.3f} s**, final accounts "
        f"(re-solve on final costs + refunds/top-ups + JSON) **{final_s:.3f} s**, ratio "
        f"**{final_s / plan_s:.2f}×** (target ≤ 1.5×); median of {args.repeat}; "
        f"refunds ¥{runs[0][1] / 100:,.2f}, top-ups ¥{runs[0][2] / 100:,.2f}, identities exact"
    )


if __name__ == "__main__":
    main()
