"""Funding optimiser benchmark: a district of 20 estates, 60 works, 8 sources, 5 % caps.

    uv run python bench/funding.py            # print the figures
    uv run python bench/funding.py --write    # also record them in docs/benchmarks.md
    uv run python bench/funding.py --write --heading "2026-12-04, issue 21 (funding)"

Figures: end-to-end plan time (prepare, LPs, rounding, explanation, JSON encoding) at
20,000 and at 100,000 households with the HiGHS time alone beside it and the ratio;
scaling at 1k, 10k, 20k and 100k households; peak traced Python memory per size; and a
district's plan in one solve, 1,000,000 households, in a process of its own (its time,
HiGHS's, traced peak and the process's peak RSS with and without the problem's objects).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal

import msgspec
from machine import append_to_benchmarks, machine_line  # bench/machine.py

from planner.funding.engine import (
    FundingProblem,
    HouseholdInput,
    SourceInput,
    WorkInput,
    solve_with_stats,
)
from planner.works.rules import WorkBenefit

ESTATES = 20
WORKS_PER_ESTATE = 3
BUILDINGS_PER_ESTATE = 10
AREAS = ("58.60", "72.35", "86.50", "89.20", "102.40", "118.75", "126.80", "143.10")
LIFT = WorkBenefit(
    benefit_rule="area_floor_factor",
    floor_factors={1: Decimal("0"), 2: Decimal("0.6"), 4: Decimal("1"), 7: Decimal("1.2")},
)


def district(households: int, seed: int = 7) -> FundingProblem:
    """A reproducible district: ``households`` split over 20 estates."""
    rng = random.Random(seed)
    per_estate = households // ESTATES
    units: list[HouseholdInput] = []
    works: list[WorkInput] = []
    household_id = 0
    for e in range(ESTATES):
        buildings = [e * 100 + b for b in range(BUILDINGS_PER_ESTATE)]
        areas = rng.sample(AREAS, 4)
        for i in range(per_estate):
            household_id += 1
            units.append(
                HouseholdInput(
                    household_id=household_id,
                    area_m2=Decimal(areas[i % 4]),
                    building_id=buildings[i % BUILDINGS_PER_ESTATE],
                    floor=1 + (i // BUILDINGS_PER_ESTATE) % 9,
                    cap_fen=rng.choice((0, 20_000, 50_000, 80_000))
                    if rng.random() < 0.05
                    else None,
                )
            )
        base = e * WORKS_PER_ESTATE
        works += [
            WorkInput(
                work_id=base + 1,
                cost_fen=rng.randrange(80_000_000, 200_000_000, 100),
                benefit=WorkBenefit(scope_building_ids=tuple(buildings)),
            ),
            WorkInput(
                work_id=base + 2,
                cost_fen=rng.randrange(10_000_000, 40_000_000, 100),
                benefit=WorkBenefit(
                    benefit_rule="building", scope_building_ids=tuple(buildings[:3])
                ),
            ),
            WorkInput(
                work_id=base + 3,
                cost_fen=rng.randrange(20_000_000, 60_000_000, 100),
                benefit=WorkBenefit(
                    benefit_rule=LIFT.benefit_rule,
                    scope_building_ids=tuple(buildings[3:]),
                    floor_factors=LIFT.floor_factors,
                ),
            ),
        ]
    all_ids = tuple(w.work_id for w in works)
    total = sum(w.cost_fen for w in works)
    sources = [
        SourceInput(
            source_id=1,
            budget_fen=total * 62 // 100,
            eligible_work_ids=all_ids,
            max_share=Decimal("0.6"),
            kind="subsidy",
        ),
        SourceInput(
            source_id=2,
            budget_fen=total // 20,
            eligible_work_ids=tuple(w for w in all_ids if w % 3 == 1),
            kind="utility",
        ),
        SourceInput(
            source_id=3,
            budget_fen=5_000_000,
            eligible_work_ids=all_ids[:9],
            kind="donor",
            pledges={all_ids[0]: 1_000_000},
        ),
        SourceInput(
            source_id=4, budget_fen=3_000_000, eligible_work_ids=all_ids[30:45], kind="donor"
        ),
    ]
    for k in range(4):  # maintenance funds, one per five estates
        mine = all_ids[k * 15 : (k + 1) * 15]
        sources.append(
            SourceInput(
                source_id=5 + k,
                budget_fen=sum(w.cost_fen for w in works if w.work_id in mine) // 10,
                eligible_work_ids=mine,
                kind="maintenance_fund",
            )
        )
    return FundingProblem(works=tuple(works), sources=tuple(sources), households=tuple(units))


def end_to_end(problem: FundingProblem) -> tuple[float, float, int, int]:
    started = time.perf_counter()
    result, stats = solve_with_stats(problem)
    msgspec.json.encode(result)
    elapsed = time.perf_counter() - started
    return elapsed, stats.highs_seconds, stats.household_classes, stats.lp_variables


def peak_memory(problem: FundingProblem) -> int:
    tracemalloc.start()
    solve_with_stats(problem)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def headline(size: int, repeat: int) -> tuple[float, float, int, int]:
    """Median end-to-end and HiGHS seconds over ``repeat`` runs (after a warm-up), each on
    a problem made afresh."""
    end_to_end(district(size))  # warm-up: imports, HiGHS start
    # a fresh problem each run, as the solver process decodes one per solve (a Decimal
    # keeps its hash once computed: solving the same objects again would hide that cost)
    runs = [end_to_end(district(size)) for _ in range(repeat)]
    total = statistics.median(r[0] for r in runs)
    highs = statistics.median(r[1] for r in runs)
    return total, highs, runs[0][2], runs[0][3]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_district(size: int) -> dict[str, float]:
    """``--one SIZE``: one problem of ``size`` households in this (fresh) process."""
    end_to_end(district(1_000))  # warm-up: imports, HiGHS start
    started = time.perf_counter()
    problem = district(size)
    built = time.perf_counter() - started
    with_problem = rss_mib()
    elapsed, solver, classes, variables = end_to_end(problem)
    peak_rss = rss_mib()
    result, _ = solve_with_stats(problem)
    encoded = len(msgspec.json.encode(result))
    del result
    traced = peak_memory(problem)
    return {
        "households": size,
        "build_s": built,
        "end_to_end_s": elapsed,
        "highs_s": solver,
        "classes": classes,
        "lp_variables": variables,
        "rss_problem_mib": with_problem,
        "rss_peak_mib": peak_rss,
        "traced_peak_mib": traced / 2**20,
        "json_mib": encoded / 2**20,
    }


def in_own_process(size: int) -> dict[str, float]:
    answer = subprocess.run(  # this interpreter running this script
        [sys.executable, __file__, "--one", str(size)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    figures: dict[str, float] = json.loads(answer.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    parser.add_argument("--heading", default="Funding", help="the section to add the run to")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--million", type=int, default=1_000_000, help="a district's size")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_district(args.one)))
        return
    lines: list[str] = []

    def say(text: str) -> None:
        print(text)
        lines.append(text)

    say(machine_line() + " (the machine is shared; figures vary with it)")
    say("- command: `uv run python bench/funding.py`")
    problem = district(20_000)
    total, highs, classes, variables = headline(20_000, args.repeat)
    say(
        f"- 20,000 households / {ESTATES} estates / {len(problem.works)} works / "
        f"{len(problem.sources)} sources / 5 % caps: end-to-end **{total:.3f} s** "
        f"(target ≤ 3 s), HiGHS alone {highs:.3f} s, ratio {total / highs:.2f}× "
        f"(target ≤ 1.5×); {classes} household classes, {variables} LP variables "
        f"over all LP solves; median of {args.repeat}"
    )
    total, highs, classes, _ = headline(100_000, args.repeat)
    say(
        f"- 100,000 households: end-to-end **{total:.3f} s**, HiGHS alone {highs:.3f} s, "
        f"ratio **{total / highs:.2f}×** (target ≤ 1.5×); {classes} classes; "
        f"median of {args.repeat}"
    )
    say("")
    say(
        "| households | end-to-end s | HiGHS s | ratio | classes | s per 1k households "
        "| peak traced MiB |"
    )
    say("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (1_000, 10_000, 20_000, 100_000):
        scaled = district(size)
        elapsed, solver, classes, _ = end_to_end(scaled)
        peak = peak_memory(scaled)
        say(
            f"| {size:,} | {elapsed:.3f} | {solver:.3f} | {elapsed / solver:.2f}× | {classes} | "
            f"{elapsed / size * 1000:.4f} | {peak / 2**20:.1f} |"
        )
    say(f"\n- process peak RSS (all runs, incl. the 100k problem objects): {rss_mib():.0f} MiB")
    big = in_own_process(args.million)
    say(
        f"- a district's plan in one solve, {big['households']:,.0f} households "
        f"(a process of its own): end-to-end **{big['end_to_end_s']:.2f} s**, HiGHS alone "
        f"{big['highs_s']:.3f} s ({big['end_to_end_s'] / big['highs_s']:.1f}×), "
        f"{big['classes']:.0f} classes; making the problem's objects took "
        f"{big['build_s']:.2f} s and {big['rss_problem_mib']:.0f} MiB RSS; peak RSS "
        f"**{big['rss_peak_mib']:.0f} MiB**, peak traced by the solve "
        f"{big['traced_peak_mib']:.0f} MiB; the plan's JSON {big['json_mib']:.0f} MiB"
    )
    if args.write:
        append_to_benchmarks(args.heading, "\n".join(lines))


if __name__ == "__main__":
    main()
