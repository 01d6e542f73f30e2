"""The recountable record at size: seal, render and recount offline (no database).

    uv run python bench/record_recount.py                   # 2,000 units, 3 motions
    uv run python bench/record_recount.py --units 500 --motions 1

A synthetic closed consultation: ``--units`` units (one owner in five holds two), each
motion with one ballot per unit plus a changed ballot for one unit in four (one in ten on
paper, one in twenty by proxy), its tally of record from ``rules.tally``. Reported: the time
to build and seal the lines (what ``record.seal_in`` does inside the close's transaction,
less the three queries per motion), to render JSON and CSV, the file sizes, and the time of
``planner recount`` (read + chain + recount) on each form; every recount must agree.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from decimal import Decimal

import msgspec

from bench.machine import machine_line
from planner.consultation import recount as rc
from planner.deliberation.rules import Ballot, UnitInScope, tally


def build(units: int, motions: int, seed: int = 17) -> rc.Record:
    rng = random.Random(seed)
    roll = [
        (i, f"{i // 200 + 1}栋", f"{i % 200 + 101}", Decimal(rng.randint(4000, 15000)).scaleb(-2))
        for i in range(1, units + 1)
    ]
    owners = {i: f"o{i - 1 if i % 5 == 0 else i}" for i, *_ in roll}
    lines = rc.lines_of(
        "consultation",
        [
            {
                "consultation_id": 1,
                "estate_id": 1,
                "estate": "幸福里",
                "title": "5栋屋面防水",
                "opens_at": "2026-12-01T00:00:00.000000Z",
                "closes_at": "2026-12-15T00:00:00.000000Z",
                "closed_at": "2026-12-15T00:00:00.100000Z",
                "both_channels": "paper",
                "open_ballot": False,
                "rule_set": "civil_code_2021",
                "rule_set_terms": rc.rule_set_terms("civil_code_2021"),
                "chain_head_seq": 1,
                "chain_head_hash": "00" * 32,
            }
        ],
    )
    ballot_id = 0
    for m in range(1, motions + 1):
        lines += rc.lines_of(
            "motion",
            [{"motion_id": m, "title": f"事项{m}", "matter": 5, "rule_set": "civil_code_2021",
              "paper_prevails": True}],
        )  # fmt: skip
        lines += rc.lines_of(
            "unit",
            (
                {"motion_id": m, "household_id": i, "building": b, "unit": u,
                 "area_m2": str(a), "owner": owners[i]}
                for i, b, u, a in roll
            ),
        )  # fmt: skip
        cast: list[tuple[int, int, str, str]] = []
        for i, *_ in roll:
            for _ in range(2 if rng.random() < 0.25 else 1):
                ballot_id += 1
                r = rng.random()
                channel = "paper" if r < 0.1 else "proxy" if r < 0.15 else "online"
                cast.append((ballot_id, i, channel, rng.choice(("yes", "yes", "no", "abstain"))))
        lines += rc.lines_of(
            "ballot",
            (
                {"motion_id": m, "ballot_id": b, "household_id": i, "channel": ch, "choice": c,
                 "cast_at": "2026-12-02T01:00:00.000000Z", "cast_by": f"v{i}",
                 "delegation_id": 1 if ch == "proxy" else None,
                 "delegation_reference": "委托书" if ch == "proxy" else None,
                 "paper_entries": None}
                for b, i, ch, c in cast
            ),
        )  # fmt: skip
        best: dict[int, tuple[bool, int, str]] = {}
        for b, i, ch, c in cast:
            rank = (ch == "paper", b, c)
            if i not in best or rank[:2] > best[i][:2]:
                best[i] = rank
        counted = tally(
            5,
            [UnitInScope(household_id=i, owner_key=owners[i], area_m2=a) for i, _, _, a in roll],
            [Ballot(seq=b, household_ids=(i,), choice=c) for i, (_, b, c) in best.items()],  # type: ignore[arg-type]
        )
        built = msgspec.to_builtins(counted)
        lines += rc.lines_of(
            "tally", [{"motion_id": m, **{f: built[f] for f in rc.COLUMNS["tally"][1:]}}]
        )
    rc.number_lines(lines)
    return rc.Record(lines=lines, digest=rc.seal(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--motions", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    record = build(args.units, args.motions)
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    as_json = rc.to_json(record)
    as_csv = rc.to_csv(record).encode()
    rendered = time.perf_counter() - started
    timings = {}
    for name, data in (("JSON", as_json), ("CSV", as_csv)):
        started = time.perf_counter()
        out, err = io.StringIO(), io.StringIO()
        code = rc.recount_command(data, record.digest, out, err)
        timings[name] = time.perf_counter() - started
        assert code == 0, err.getvalue()
    ballots = sum(line.kind == "ballot" for line in record.lines)
    print(f"### Recountable record, {args.units} units × {args.motions} motions\n")
    print(machine_line())
    print(f"- command: `uv run python bench/record_recount.py --units {args.units} "
          f"--motions {args.motions}`")  # fmt: skip
    print(f"- {len(record.lines)} lines ({ballots} ballots); built, hashed and sealed in "
          f"{sealed * 1000:.0f} ms (incl. the tallies of record); JSON + CSV rendered in "
          f"{rendered * 1000:.0f} ms")  # fmt: skip
    print(f"- sizes: JSON {len(as_json) / 1e6:.1f} MB, CSV {len(as_csv) / 1e6:.1f} MB")
    print(f"- `planner recount` (read, chain, recount, compare): JSON {timings['JSON']:.2f} s, "
          f"CSV {timings['CSV']:.2f} s; both agree")  # fmt: skip


if __name__ == "__main__":
    main()
