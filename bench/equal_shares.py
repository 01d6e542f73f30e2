"""Equal shares at size: 2,000 owners x 40 candidate works (fixed seed), our rules beside
pabutools' own Method of Equal Shares on the same profile.

    uv run python bench/equal_shares.py                 # 2,000 voters, 40 works, median of 5
    uv run python bench/equal_shares.py --voters 500 --works 20 --repeat 3

The profile: works cost 50,000-2,000,000 yuan (log-uniform); each work has a popularity
(Zipf-like weights), each owner ticks 1-8 works (mean ~4) drawn by popularity, 5 % tick none;
the budget is 30 % of the works' total (``--budget-pct``). Reported (median of ``--repeat``):

* pabutools alone: build the Instance and ApprovalProfile, then ``method_of_equal_shares``
  (Cost_Sat, lexico tie-breaking) — what a caller of pabutools must do too;
* our MES: ``planner.choice.rules`` building the election and running MES with analytics,
  plus the explanations read from ``MESAllocationDetails`` — the ratio to pabutools alone is
  what the wrapper adds;
* the completion (Add1 by budget increase, then the greedy fill), the greedy method, and the
  whole ``choose()``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import method_of_equal_shares
from pabutools.tiebreaking import lexico_tie_breaking

from bench.machine import machine_line
from planner.choice.equal_shares import add1, build_election, greedy, mes, mes_shares
from planner.choice.rules import CandidateWork, choose, project_name


def profile(
    voters: int, works: int, seed: int = 18, budget_pct: int = 30
) -> tuple[list[CandidateWork], int, list[set[int]]]:
    rng = random.Random(seed)
    candidates = [
        CandidateWork(i + 1, int(10 ** rng.uniform(6.7, 8.3)) // 100 * 100) for i in range(works)
    ]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(works)]
    rng.shuffle(weights)
    ids = [w.work_id for w in candidates]
    approvals: list[set[int]] = []
    for _ in range(voters):
        if rng.random() < 0.05:
            approvals.append(set())
            continue
        k = min(works, max(1, round(rng.triangular(1, 8, 3))))
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(rng.choices(ids, weights)[0])
        approvals.append(chosen)
    budget = sum(w.cost_fen for w in candidates) * budget_pct // 100
    return candidates, budget, approvals


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pabutools_alone(
    works: list[CandidateWork], budget: int, approvals: list[set[int]]
) -> list[int]:
    supported = set().union(*approvals)
    projects = {
        w.work_id: Project(project_name(w.work_id), w.cost_fen)
        for w in works
        if w.work_id in supported
    }
    instance = Instance(projects.values(), budget_limit=budget)
    prof = ApprovalProfile(
        [ApprovalBallot(projects[w] for w in a) for a in approvals], instance=instance
    )
    outcome = method_of_equal_shares(
        instance, prof, sat_class=Cost_Sat, tie_breaking=lexico_tie_breaking
    )
    return sorted(int(p.name) for p in outcome)


def our_mes(works: list[CandidateWork], budget: int, approvals: list[set[int]]) -> list[int]:
    election = build_election(works, budget, approvals)
    allocation = mes(election, analytics=True)
    mes_shares(election, allocation)
    return sorted(int(p.name) for p in allocation)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--works", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--budget-pct", type=int, default=30)
    args = parser.parse_args()
    works, budget, approvals = profile(args.voters, args.works, args.seed, args.budget_pct)
    election = build_election(works, budget, approvals)
    mes_ids = sorted(int(p.name) for p in mes(election))
    alone_s, alone = timed(lambda: pabutools_alone(works, budget, approvals), args.repeat)
    ours_s, ours = timed(lambda: our_mes(works, budget, approvals), args.repeat)
    assert alone == ours == mes_ids, (alone, ours)
    completion_s, completed = timed(
        lambda: greedy(election, add1(election, mes_ids)[0]), args.repeat
    )
    greedy_s, greedy_ids = timed(lambda: greedy(election), args.repeat)
    whole_s, outcome = timed(lambda: choose(works, budget, approvals), args.repeat)
    assert outcome.funded_work_ids == completed and outcome.greedy_work_ids == greedy_ids
    cost = {w.work_id: w.cost_fen for w in works}
    spent = {
        k: sum(cost[w] for w in ids)
        for k, ids in (
            ("mes", outcome.mes_work_ids),
            ("funded", outcome.funded_work_ids),
            ("greedy", outcome.greedy_work_ids),
        )
    }
    ticks = sum(len(a) for a in approvals)
    print(machine_line())
    print(
        f"- command: `uv run python bench/equal_shares.py --voters {args.voters} --works "
        f"{args.works} --repeat {args.repeat} --seed {args.seed} --budget-pct {args.budget_pct}` "
        f"({ticks} ticks, {ticks / args.voters:.2f} per owner; budget {budget // 100:,} yuan = "
        f"{args.budget_pct} % of the works)"
    )
    print()
    print("| step | median s | vs pabutools MES |")
    print("|---|---:|---:|")
    for name, seconds in (
        ("pabutools alone: Instance + ApprovalProfile + method_of_equal_shares", alone_s),
        ("ours: build + MES with analytics + explanations", ours_s),
        ("completion: Add1 by budget increase + greedy fill", completion_s),
        ("greedy (most votes)", greedy_s),
        ("whole `choose()`", whole_s),
    ):
        print(f"| {name} | {seconds:.3f} | {seconds / alone_s:.2f}x |")
    print()
    print(
        f"- MES funds {len(outcome.mes_work_ids)} works "
        f"({spent['mes'] / budget:.0%} of the budget); "
        f"after the completion {len(outcome.funded_work_ids)} ({spent['funded'] / budget:.0%}, "
        f"each share raised to {float(outcome.completion_share / outcome.equal_share):.2f}x); "
        f"most votes {len(outcome.greedy_work_ids)} ({spent['greedy'] / budget:.0%})"
    )


if __name__ == "__main__":
    main()
