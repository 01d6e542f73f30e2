"""Faults benchmark: SIGKILLs in a vote storm, PostgreSQL restarts under load, and the
database stopped for a few seconds under a running service.

    uv run python bench/faults.py                       # defaults below
    uv run python bench/faults.py --owners 300 --changes 5 --kills 6 --pg-restarts 5

Runs on an embedded PostgreSQL in a temporary folder (``planner serve`` subprocesses for
the storm; a PostgreSQL server of its own on TCP for the restarts). Prints requests tried,
faults injected and the count of lost or corrupted records (which must be zero) as a
markdown block for docs/benchmarks.md ("Faults and fuzzing"). Exit status 1 if any record
was lost, doubled or missed by the resumed stream, or a request during a database outage was
answered with anything but 503, or the outage took more than 4 log lines or a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

from scratch import embedded_database  # bench/scratch.py

from planner.testing.faults import launch, vote_storm_with_kills
from planner.testing.postgres_restart import postgres_outage, postgres_restarts_under_load


async def run(args: argparse.Namespace, base: Path) -> int:
    async with embedded_database(base / "embedded", "faults") as database_url:

        def start():  # type: ignore[no-untyped-def]
            return launch(database_url, base / "svc")

        storm = await vote_storm_with_kills(
            start,
            database_url,
            owners=args.owners,
            changes_per_owner=args.changes,
            kills=args.kills,
            concurrency=args.concurrency,
        )
    restarts = await postgres_restarts_under_load(base / "restart", restarts=args.pg_restarts)
    outage = await postgres_outage(base / "outage", outage_s=args.outage_s)
    outage_log = "\n".join(outage.log_lines)
    outage_wrong = (
        {status for _, status in outage.answers} != {503}
        or len(outage.log_lines) > 4
        or "Traceback" in outage_log
    )
    broken = (
        storm.lost
        + storm.doubled
        + storm.tally_mismatch
        + storm.stream_gaps
        + storm.stream_duplicates
        + restarts.lost
        + restarts.stream_gaps
        + outage_wrong
    )
    today = dt.date.today().isoformat()
    restart_s = storm.restart_seconds or [0.0]
    command = (
        f"uv run python bench/faults.py --owners {args.owners} --changes {args.changes} "
        f"--kills {args.kills} --pg-restarts {args.pg_restarts} --outage-s {args.outage_s}"
    )
    refused_statuses = Counter(r for r in restarts.refused)
    storm_row = [
        "SIGKILL of `planner serve` mid-vote-storm, restart",
        f"{storm.casts_planned} ballots, all acknowledged "
        f"({storm.retried_after_fault} retried after a fault)",
        f"{storm.kills} kills",
        str(storm.lost),
        f"{storm.doubled} (tally mismatches {storm.tally_mismatch})",
        f"{storm.stream_gaps}/{storm.stream_duplicates} over {storm.resumes} resumes",
    ]
    restart_row = [
        "PostgreSQL restart (`pg_ctl restart -m fast`) under load",
        f"{restarts.acknowledged + len(restarts.refused)} changes "
        f"({len(restarts.refused)} refused during outages: {_counts(refused_statuses)})",
        f"{restarts.restarts} restarts",
        str(restarts.lost),
        "0",
        f"{restarts.stream_gaps}/0",
    ]
    lines = [
        f"### Faults ({today}, `{command}`)",
        "",
        "| fault | requests tried | faults injected | lost | doubled/corrupted "
        "| stream gaps/duplicates |",
        "| --- | --- | --- | --- | --- | --- |",
        "| " + " | ".join(storm_row) + " |",
        "| " + " | ".join(restart_row) + " |",
        "",
        f"Service back after SIGKILL: median {statistics.median(restart_s):.1f} s "
        f"(max {max(restart_s):.1f} s). After a PostgreSQL restart the service recovers "
        f"by itself (restart done → next acknowledged change): median "
        f"{statistics.median(restarts.recovery_seconds):.2f} s "
        f"(max {max(restarts.recovery_seconds):.2f} s).",
        "",
        f"PostgreSQL stopped for {outage.outage_seconds:.1f} s under `planner serve` "
        f"(`pg_ctl stop -m fast`, then start): {outage.refused} calls to the API and `/health` "
        f"answered {_counts(Counter(s for (_, s), n in outage.answers.items() for _ in range(n)))}"
        f" (Retry-After {_counts(outage.retry_after)}, codes {_counts(outage.problem_codes)}); "
        f"sockets opened meanwhile closed with {_counts(Counter(outage.socket_closes))}; "
        f"the service logged {len(outage.log_lines)} lines "
        f"({outage_log.count('Traceback')} tracebacks) for the whole outage; a change went "
        f"through {outage.recovery_seconds:.2f} s after the server was back, the live "
        f"listener {outage.listener_back_seconds:.1f} s after; the socket opened before the "
        f"outage {'stayed open and got' if outage.old_socket_got_later_event else 'missed'} "
        f"the next event.",
        "",
        "```",
        *outage.log_lines,
        "```",
    ]
    print("\n".join(lines))
    return 1 if broken else 0


def _counts(counter: Counter[object]) -> str:
    return ", ".join(f"{n}× {key}" for key, n in counter.most_common()) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=150)
    parser.add_argument("--changes", type=int, default=4, help="ballots per owner")
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--pg-restarts", type=int, default=3)
    parser.add_argument("--outage-s", type=float, default=5.0, help="database stopped this long")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planner-faults-") as tmp:
        sys.exit(asyncio.run(run(args, Path(tmp))))


if __name__ == "__main__":
    main()
