"""Slow-clients benchmark: trickling connections from several addresses against one
``planner serve``, while another address reads ``/health`` and casts ballots.

    uv run python bench/slowloris.py                     # 3 addresses x 6,000 sockets, 40 s
    uv run python bench/slowloris.py --addresses 3 --sockets 6000 --interval 5 --duration 60

Each socket sends a request line and then one header line every ``--interval`` seconds,
never finishing its head; a socket the server closes is opened again after
``--reconnect-delay`` (as an attacker would). The service runs on an embedded PostgreSQL in a
temporary folder with its default limits (``PLANNER_HEADER_TIMEOUT_S`` etc. may be set in the
environment). Prints a markdown block for docs/benchmarks.md ("Slow clients"): sockets
opened and how they ended, the service's open files (most seen), and the latency of
``/health`` and of a ballot from the other address. Exit status 1 if a probe failed or took
more than a second.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from scratch import embedded_database  # bench/scratch.py

from planner.testing.faults import launch
from planner.testing.slowloris import (
    TrickleReport,
    open_files_at_least,
    probe,
    trickle_blocking,
)
from planner.testing.voting import open_motion, setup_voting


def _open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace, base: Path) -> int:
    open_files_at_least(4096)
    async with embedded_database(base / "embedded", "slowloris") as database_url:
        running = launch(database_url, base / "svc")
        try:
            async with httpx.AsyncClient(base_url=running.base_url, timeout=60) as http:
                rows = [("1栋", "0101", "90.00", "a"), ("1栋", "0102", "80.00", "b")]
                voting = await setup_voting(http, running.admin_token, None, rows)
                _, motion_id = await open_motion(http, voting)
            _, owner = voting.owners["a"]
            port = int(running.base_url.rsplit(":", 1)[1])
            until = time.monotonic() + args.duration
            most_files = 0

            async def watch() -> None:
                nonlocal most_files
                while time.monotonic() < until + 5:
                    most_files = max(most_files, _open_files(running.process.pid))
                    await asyncio.sleep(0.5)

            # one process per attacking address, so that the probe's timings are the
            # service's and not those of a loop (and GIL) busy with thousands of sockets
            loop = asyncio.get_running_loop()
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(args.addresses, mp_context=spawn) as pool:
                floods = [
                    loop.run_in_executor(
                        pool,
                        trickle_blocking,
                        "127.0.0.1",
                        port,
                        args.sockets,
                        args.duration,
                        args.interval,
                        f"127.0.1.{i + 1}",
                        args.reconnect_delay,
                    )
                    for i in range(args.addresses)
                ]
                started = time.monotonic()
                probing = probe(running.base_url, "127.0.0.2", until, (motion_id, owner))
                results = await asyncio.gather(*floods, probing, watch())
            elapsed = time.monotonic() - started
            alive = running.process.poll() is None
        finally:
            running.stop()
    reports: list[TrickleReport] = results[: args.addresses]
    probes = results[args.addresses]
    opened = sum(r.opened for r in reports)
    refused = sum(r.refused_at_connect for r in reports)
    closed = sum(r.closed_by_server for r in reports)
    answered_503 = sum(r.answered_503 for r in reports)
    lifetimes = [t for r in reports for t in r.lifetimes]
    quick = [t for t in lifetimes if t < 1.0]  # closed on accept, over a cap
    graced = [t for t in lifetimes if 1.0 <= t < 3.0]  # refused, waited for a head
    timed_out = [t for t in lifetimes if t >= 3.0]  # admitted, cut by the head timeout
    still_open = sum(r.still_open for r in reports)
    command = (
        f"uv run python bench/slowloris.py --addresses {args.addresses} --sockets "
        f"{args.sockets} --interval {args.interval} --duration {args.duration}"
    )
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    health, votes = probes.health, probes.votes
    lines = [
        f"### Slow clients ({today}, `{command}`)",
        "",
        f"{args.addresses} addresses x {args.sockets} sockets, one header line every "
        f"{args.interval} s, reopened {args.reconnect_delay} s after each close, "
        f"for {elapsed:.0f} s:",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| connections opened | {opened} (connect failed: {refused}) |",
        f"| closed by the server | {closed} ({answered_503} with a 503): {len(quick)} within "
        f"1 s (over a cap), {len(graced)} after 1-3 s (over a cap, the refusal's grace), "
        f"{len(timed_out)} after {statistics.median(timed_out) if timed_out else 0:.1f} s "
        "median (admitted, head timeout) |",
        f"| not seen closed when the bench stopped (listen backlog, unread) | {still_open} |",
        f"| service's open files, most seen | {most_files} |",
        f"| `/health` from another address | {len(health)} answered, "
        f"p50 {_pct(health, 0.5) * 1000:.0f} ms, p99 {_pct(health, 0.99) * 1000:.0f} ms, "
        f"max {max(health, default=0) * 1000:.0f} ms; failures {len(probes.health_failures)} |",
        f"| ballot from another address | {len(votes)} cast, "
        f"p50 {_pct(votes, 0.5) * 1000:.0f} ms, p99 {_pct(votes, 0.99) * 1000:.0f} ms, "
        f"max {max(votes, default=0) * 1000:.0f} ms; failures {len(probes.vote_failures)} |",
        f"| service alive at the end | {'yes' if alive else 'NO'} |",
    ]
    print("\n".join(lines))
    failures = probes.health_failures + probes.vote_failures
    if failures:
        print("failures:", failures[:5], file=sys.stderr)
    slow = max(health + votes, default=0) > 1.0
    return 1 if failures or slow or not alive else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=3, help="attacking source addresses")
    parser.add_argument("--sockets", type=int, default=6000, help="sockets per address")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between lines")
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--reconnect-delay", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planner-slowloris-") as tmp:
        sys.exit(asyncio.run(run(args, Path(tmp))))


if __name__ == "__main__":
    main()
