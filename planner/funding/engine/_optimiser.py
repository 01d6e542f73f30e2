"""One solve, stage by stage (the package's :func:`~planner.funding.engine.solve`).

Objectives, in order: (1) the residents' total by the policy (the least the band,
budgets and caps allow, or closest to the target share); (2) with that total fixed,
each work's residents' share as even as possible; (3) households: the largest ratio of
payment to proportional share as small as possible, then as close to proportional as
that allows; (4) exact fen by the largest remainder, ties by id.
"""

from __future__ import annotations

import time

from planner.funding.engine._classes import Prepared, prepare
from planner.funding.engine._explain import diagnose, pledge_problems, share_str, summary
from planner.funding.engine._households import HouseholdSplit, split_households
from planner.funding.engine._lp import SolverClock
from planner.funding.engine._model import (
    Explanation,
    FundingInfeasible,
    FundingPlanResult,
    FundingProblem,
    SolveStats,
    SourceAmount,
    SourceUse,
    WorkPlan,
)
from planner.funding.engine._plans import household_plans
from planner.funding.engine._sources import (
    SourcePair,
    SourceSplit,
    pairs_by,
    solve_split,
    source_pairs,
)


def solve_with_stats(problem: FundingProblem) -> tuple[FundingPlanResult, SolveStats]:
    """The plan (or FundingInfeasible, InvalidProblem, SolveTimeout) and its timings."""
    started = time.perf_counter()
    clock = SolverClock(deadline=time.monotonic() + problem.time_limit_s)
    prepared = prepare(problem)
    pairs = source_pairs(prepared)
    problems = pledge_problems(prepared, pairs)
    if problems:
        raise FundingInfeasible(problems)
    split = solve_split(prepared, pairs, clock)
    if split is None:
        raise FundingInfeasible(diagnose(prepared, pairs, clock))
    households = split_households(prepared, split.residents, clock)
    result = _result(prepared, pairs, split, households)
    stats = SolveStats(
        total_seconds=time.perf_counter() - started,
        highs_seconds=clock.highs_seconds,
        lp_solves=clock.solves,
        household_classes=len(prepared.classes),
        lp_variables=clock.variables,
    )
    return result, stats


def _result(
    prepared: Prepared, pairs: list[SourcePair], split: SourceSplit, households: HouseholdSplit
) -> FundingPlanResult:
    sources = sorted(prepared.problem.sources, key=lambda s: s.source_id)
    used = [sum(row) for row in split.amounts]
    on_work, _ = pairs_by(prepared, pairs)
    works: list[WorkPlan] = []
    for w, work in enumerate(prepared.works):
        mine = [pairs[i] for i in on_work[w]]
        binding: list[str] = []
        for p in mine:
            source = sources[p.source]
            amount = split.amounts[p.source][w]
            if p.pledged:
                binding.append(f"pledge:{source.source_id}")
            elif amount == p.upper and p.upper < work.cost_fen:
                binding.append(f"max_share:{source.source_id}")
            elif used[p.source] == source.budget_fen and amount < p.upper:
                binding.append(f"budget:{source.source_id}")
        if not mine:
            binding.append("not_eligible")
        if work.resident_band is not None and split.residents[w] == prepared.work_low[w]:
            binding.append("work_band_low")
        if prepared.total_cost and split.total == prepared.band_low:
            binding.append("band_low")
        works.append(
            WorkPlan(
                work_id=work.work_id,
                cost_fen=work.cost_fen,
                residents_fen=split.residents[w],
                residents_share=share_str(split.residents[w], work.cost_fen),
                sources=[
                    SourceAmount(
                        source_id=sources[p.source].source_id,
                        amount_fen=split.amounts[p.source][w],
                    )
                    for p in mine
                ],
                binding=binding,
            )
        )
    plans, capped_count, shortfall = household_plans(prepared, households)
    exhausted = [
        (s.source_id, s.name)
        for k, s in enumerate(sources)
        if s.budget_fen and used[k] == s.budget_fen
    ]
    zh, en, notes = summary(prepared, split.total, capped_count, shortfall, exhausted)
    return FundingPlanResult(
        total_cost_fen=prepared.total_cost,
        residents_total_fen=split.total,
        residents_share=share_str(split.total, prepared.total_cost),
        works=works,
        sources=[
            SourceUse(source_id=s.source_id, used_fen=used[k], budget_fen=s.budget_fen)
            for k, s in enumerate(sources)
        ],
        households=plans,
        explanation=Explanation(zh=zh, en=en, notes=notes),
    )
