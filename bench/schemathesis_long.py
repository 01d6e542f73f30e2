"""Long schema fuzzing: schemathesis over every operation, as every role, many examples.

    uv run python bench/schemathesis_long.py                 # 50 examples per operation × role
    uv run python bench/schemathesis_long.py --examples 200 --seed 0

The service runs in this process under uvicorn (real HTTP) on an embedded PostgreSQL in a
temporary folder, populated with two estates, every role in each, and one of each thing.
Checks: no 5xx, successful responses conform to /schema/openapi.json, errors are
problem+json. Afterwards the event hash chain must still verify. Prints a markdown block
for docs/benchmarks.md ("Faults and fuzzing"); exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import tempfile
from pathlib import Path

from scratch import embedded_database  # bench/scratch.py

from planner.db.pool import connect_raw
from planner.live.audit import BrokenLink, verify_chain
from planner.settings import Settings
from planner.testing import build_world, row_counts, running_app
from planner.testing.fuzzing import fuzz


async def run(args: argparse.Namespace, base: Path) -> int:
    async with embedded_database(base / "embedded", "fuzz") as database_url:
        settings = Settings(database_url=database_url, data_dir=base / "data")
        async with running_app(settings) as (base_url, app):
            world = await build_world(base_url, app.state.new_admin_token)
            tokens = {f"own:{role}": token for role, token in world.own.items()}
            tokens.update({f"other:{role}": token for role, token in world.other.items()})
            tokens["other_supplier"] = world.other_supplier
            tokens["global_admin"] = world.admin
            report = await asyncio.to_thread(
                fuzz,
                base_url,
                tokens,
                world.ids,
                args.examples,
                (),
                None if args.seed is None else args.seed,
            )
        counts = await row_counts(database_url)
        conn = await connect_raw(database_url)
        try:
            try:
                checked = await verify_chain(conn)
                chain = f"intact ({checked} events)"
            except BrokenLink as broken:
                chain = f"BROKEN at {broken}"
        finally:
            await conn.close()
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(report.by_status.items()))
    command = f"uv run python bench/schemathesis_long.py --examples {args.examples}"
    lines = [
        f"### Schema fuzzing ({dt.date.today().isoformat()}, `{command}`)",
        "",
        f"- {report.requests} requests over {report.operations} operations × "
        f"{len(tokens)} identities in {report.seconds:.0f} s ({statuses})",
        f"- failures (5xx, non-conformant success, error not problem+json): {len(report.failures)}",
        f"- event chain afterwards: {chain}; rows in the database afterwards: "
        f"{sum(counts.values())} in total",
    ]
    print("\n".join(lines))
    for failure in report.failures[:50]:
        print("  FAIL", failure[:400])
    return 1 if report.failures or chain.startswith("BROKEN") else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="per operation and role")
    parser.add_argument("--seed", type=int, default=None, help="derandomise (any value)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="planner-fuzz-") as tmp:
        sys.exit(asyncio.run(run(args, Path(tmp))))


if __name__ == "__main__":
    main()
