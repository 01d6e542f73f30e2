"""Export benchmark: XLSX and CSV of one 20,000-household plan (time and peak memory).

    uv run python bench/export.py            # print the figures
    uv run python bench/export.py --write    # also record them in docs/benchmarks.md

The plan is solved by the real optimiser (40 buildings, 6 works, 4 sources, 5 % caps);
households get Chinese names and units. Figures: median wall time of the XLSX workbook
(written to a temporary file, as the route does) and of each CSV view; peak memory of the
XLSX in a fresh process (max RSS, interpreter and imports included, and the growth over
the RSS after loading the plan) and the peak traced Python allocations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import re
import resource
import statistics
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import msgspec
from machine import machine_line  # bench/machine.py

from planner.funding.engine import FundingProblem, HouseholdInput, SourceInput, WorkInput, solve
from planner.funding.exports.csv_export import write_csv
from planner.funding.exports.model import ExportPlan, HouseholdLabel, SourceLabel, WorkLabel
from planner.funding.exports.xlsx_export import write_xlsx
from planner.works.rules import WorkBenefit

HOUSEHOLDS = 20_000
BUILDINGS = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
AREAS = ("58.60", "72.35", "86.50", "89.20", "102.40", "118.75", "126.80", "143.10")
LIFT = WorkBenefit(
    benefit_rule="area_floor_factor",
    scope_building_ids=tuple(range(21, BUILDINGS + 1)),
    floor_factors={1: Decimal("0"), 2: Decimal("0.6"), 4: Decimal("1"), 7: Decimal("1.2")},
)


def plan(seed: int = 7) -> ExportPlan:
    rng = random.Random(seed)
    inputs: list[HouseholdInput] = []
    labels: dict[int, HouseholdLabel] = {}
    for i in range(HOUSEHOLDS):
        household_id = 1000 + i
        building = 1 + i % BUILDINGS
        floor = 1 + (i // BUILDINGS) % 18
        area = Decimal(rng.choice(AREAS))
        cap = rng.choice((0, 20_000, 50_000)) if rng.random() < 0.05 else None
        inputs.append(
            HouseholdInput(
                household_id=household_id,
                area_m2=area,
                building_id=building,
                floor=floor,
                cap_fen=cap,
            )
        )
        labels[household_id] = HouseholdLabel(
            household_id=household_id,
            building_id=building,
            building=f"{building}栋",
            unit=f"{1 + i // (BUILDINGS * 18) % 4}单元{floor}{(i % 4) + 1:02d}",
            floor=floor,
            owner_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            area_m2=area,
            cap_fen=cap,
        )
    everyone = tuple(range(1, BUILDINGS + 1))
    titles = ["二次供电改造", "雨污分流", "屋面防水", "监控补点", "地下车库翻新", "加装电梯"]
    benefits = [
        WorkBenefit(scope_building_ids=everyone),
        WorkBenefit(scope_building_ids=everyone),
        WorkBenefit(benefit_rule="building", scope_building_ids=tuple(range(1, 11))),
        WorkBenefit(benefit_rule="equal", scope_building_ids=everyone),
        WorkBenefit(scope_building_ids=tuple(range(11, 31))),
        LIFT,
    ]
    costs = [170_000_000, 60_000_012, 23_450_007, 4_800_003, 35_000_000, 90_000_000]
    works = [
        WorkInput(work_id=k + 1, cost_fen=c, title=t, benefit=b)
        for k, (t, c, b) in enumerate(zip(titles, costs, benefits, strict=True))
    ]
    ids = tuple(w.work_id for w in works)
    total = sum(costs)
    sources = [
        SourceInput(
            source_id=1,
            name="老旧小区改造补贴",
            kind="subsidy",
            budget_fen=total * 55 // 100,
            eligible_work_ids=ids,
            max_share=Decimal("0.6"),
        ),
        SourceInput(
            source_id=2,
            name="专项维修资金",
            kind="maintenance_fund",
            budget_fen=total // 10,
            eligible_work_ids=ids,
        ),
        SourceInput(
            source_id=3,
            name="供电公司",
            kind="utility",
            budget_fen=20_000_000,
            eligible_work_ids=(1,),
        ),
        SourceInput(
            source_id=4,
            name="驻区银行",
            kind="donor",
            budget_fen=3_000_000,
            eligible_work_ids=(4, 5),
            pledges={4: 1_000_000},
        ),
    ]
    problem = FundingProblem(works=tuple(works), sources=tuple(sources), households=tuple(inputs))
    result = solve(problem)
    now = dt.datetime(2024, 9, 28, 8, 30, tzinfo=dt.UTC)
    return ExportPlan(
        plan_id=1,
        estate_id=1,
        estate_name="荷塘小区",
        version=1,
        status="approved",
        policy="minimum",
        resident_band=(Decimal("0.20"), Decimal("0.30")),
        created_at=now,
        approved_at=now,
        result=result,
        households=labels,
        works={w.work_id: WorkLabel(work_id=w.work_id, title=w.title) for w in works},
        sources={
            s.source_id: SourceLabel(source_id=s.source_id, name=s.name, kind=s.kind)
            for s in sources
        },
    )


def time_xlsx(export: ExportPlan) -> tuple[float, int, float]:
    """(wall seconds, file bytes, CPU seconds of this process)."""
    with tempfile.TemporaryFile() as spool:
        cpu = time.process_time()
        started = time.perf_counter()
        write_xlsx(export, spool)
        elapsed = time.perf_counter() - started
        return elapsed, spool.tell(), time.process_time() - cpu


def time_csv(export: ExportPlan, view: str) -> tuple[float, int]:
    started = time.perf_counter()
    data = write_csv(export, view)  # type: ignore[arg-type]
    return time.perf_counter() - started, len(data)


def _child(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    export = msgspec.json.decode(Path(path).read_bytes(), type=ExportPlan)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryFile() as spool:
        write_xlsx(export, spool)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((before / 1024, after / 1024))


def xlsx_rss(export: ExportPlan) -> tuple[float, float]:
    """(peak RSS MiB of a fresh process that loads the plan and writes the XLSX, growth MiB)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        handle.write(msgspec.json.encode(export))
    try:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=_child, args=(handle.name, queue))
        child.start()
        before, after = queue.get(timeout=300)
        child.join()
    finally:
        os.unlink(handle.name)
    return after, after - before


def traced_peak(export: ExportPlan) -> int:
    tracemalloc.start()
    time_xlsx(export)
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

    say(machine_line())
    say("- command: `uv run python bench/export.py`")
    export = plan()
    result = export.result
    encoded = msgspec.json.encode(result)
    started = time.perf_counter()
    msgspec.json.decode(encoded, type=type(result))
    decode = time.perf_counter() - started
    say(
        f"- plan: {len(result.households):,} households, {len(result.works)} works, "
        f"{len(result.sources)} sources; the stored result is {len(encoded) / 2**20:.1f} MiB "
        f"of JSON and decodes in {decode:.3f} s"
    )
    time_xlsx(export)  # warm-up
    xlsx = [time_xlsx(export) for _ in range(args.repeat)]
    xlsx_s = statistics.median(x[0] for x in xlsx)
    xlsx_cpu = statistics.median(x[2] for x in xlsx)
    rss, growth = xlsx_rss(export)
    peak = traced_peak(export)
    say(
        f"- XLSX (4 sheets, {len(result.households) + len(result.works) + 20:,} rows, "
        f"SUM totals with values, chart): **{xlsx_s:.2f} s** wall (target ≤ 3 s), "
        f"{xlsx_cpu:.2f} s CPU, "
        f"{xlsx[0][1] / 2**20:.1f} MiB file; fresh-process peak RSS **{rss:.0f} MiB** "
        f"(target ≤ 300 MB; writing adds {growth:.0f} MiB above the peak of loading the plan), "
        f"peak traced Python "
        f"allocations {peak / 2**20:.1f} MiB; median of {args.repeat}"
    )
    for view in ("households", "works", "sources"):
        runs = [time_csv(export, view) for _ in range(args.repeat)]
        say(
            f"- CSV `{view}`: {statistics.median(r[0] for r in runs):.3f} s, "
            f"{runs[0][1] / 2**20:.2f} MiB"
        )
    load = os.getloadavg()
    say(
        f"- load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1/5/15 min; the machine is shared, so wall time above CPU time is waiting for a core)"
    )
    if args.write:
        record("\n".join(lines))


def record(body: str) -> None:
    path = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"## Exports\n\n{body}\n"
    pattern = re.compile(r"^## Exports\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
