"""Funding optimiser benchmark: a district of 20 estates, 60 works, 8 sources, 5 % caps.

    uv run python bench/funding.py            # print the figures
    uv run python bench/funding.py --write    # also record them in docs/benchmarks.md

Figures: end-to-end plan time (prepare, LPs, rounding, explanation, JSON encoding) at
20,000 households with the HiGHS time alone beside it and the ratio; scaling at 1k,
10k and 100k households; peak traced Python memory per size.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import msgspec
from machine import machine_line  # bench/machine.py

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lines: list[str] = []

    def say(text: str) -> None:
        print(text)
        lines.append(text)

    say(machine_line() + " (the machine is shared; figures vary with it)")
    say("- command: `uv run python bench/funding.py`")
    problem = district(20_000)
    end_to_end(problem)  # warm-up: imports, HiGHS start
    runs = [end_to_end(problem) for _ in range(args.repeat)]
    total = statistics.median(r[0] for r in runs)
    highs = statistics.median(r[1] for r in runs)
    say(
        f"- 20,000 households / {ESTATES} estates / {len(problem.works)} works / "
        f"{len(problem.sources)} sources / 5 % caps: end-to-end **{total:.3f} s** "
        f"(target ≤ 3 s), HiGHS alone {highs:.3f} s, ratio {total / highs:.2f}× "
        f"(target ≤ 1.5×); {runs[0][2]} household classes, {runs[0][3]} LP variables "
        f"over all LP solves; median of {args.repeat}"
    )
    say("")
    say("| households | end-to-end s | HiGHS s | classes | s per 1k households | peak traced MiB |")
    say("|---:|---:|---:|---:|---:|---:|")
    for size in (1_000, 10_000, 20_000, 100_000):
        scaled = district(size)
        elapsed, solver, classes, _ = end_to_end(scaled)
        peak = peak_memory(scaled)
        say(
            f"| {size:,} | {elapsed:.3f} | {solver:.3f} | {classes} | "
            f"{elapsed / size * 1000:.4f} | {peak / 2**20:.1f} |"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"\n- process peak RSS (all runs, incl. the 100k problem objects): {rss:.0f} MiB")
    if args.write:
        record("\n".join(lines))


def record(body: str) -> None:
    path = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"## Funding\n\n{body}\n"
    pattern = re.compile(r"^## Funding\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
