"""1,000 paper ballot sheets double-entered through the HTTP API of a real service (issue 17).

Starts an embedded PostgreSQL and one ``planner serve``, makes an estate of ``--sheets``
one-unit owners and a consultation of ``--motions`` motions, lists the sheets, then two
committee members enter every sheet (the first entry leaves it awaiting the second; the
second, equal, counts it: the owner's paper ballots are recorded through the ballot box),
``--concurrency`` requests at a time. Prints entries/s and the latency per entry (p50, p99)
for first and counting entries, and checks that the tally's paper channel holds every sheet.

    uv run python bench/paper_entries.py [--sheets 1000] [--motions 2] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_setup import consultation, estate, percentile, wait_open
from scratch import embedded_database

from planner.testing.api import bearer
from planner.testing.service import start_service


async def _enter_all(
    http: httpx.AsyncClient,
    token: str,
    consultation_id: int,
    codes: list[str],
    motion_ids: list[int],
    concurrency: int,
    expect: str,
) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(n: int, code: str) -> None:
        choice = ("yes", "no", "abstain")[n % 3]
        body = {"code": code, "choices": [{"motion_id": m, "choice": choice} for m in motion_ids]}
        async with gate:
            t0 = time.perf_counter()
            response = await http.post(
                f"/api/consultations/{consultation_id}/paper-entries",
                json=body,
                headers=bearer(token),
            )
            latencies.append(time.perf_counter() - t0)
        if response.status_code != 201 or response.json()["state"] != expect:
            raise SystemExit(f"entry failed: {response.status_code} {response.text}")

    await asyncio.gather(*(one(n, code) for n, code in enumerate(codes)))
    return latencies


async def _ceiling(http: httpx.AsyncClient, token: str, concurrency: int, n: int) -> float:
    """Requests/s of an authenticated GET /api/me at the same concurrency: the HTTP stack's
    ceiling on this machine at this moment."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            (await http.get("/api/me", headers=bearer(token))).raise_for_status()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return n / (time.perf_counter() - t0)


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="paper-entries-"))
    async with embedded_database(folder / "pg", "bench") as url:
        service = await asyncio.to_thread(start_service, url, folder / "svc", timeout=180)
        try:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=120) as http:
                estate_id, (first, second) = await estate(http, service.admin_token, args.sheets, 2)
                c = await consultation(http, first, estate_id, opens_in=3, motions=args.motions)
                await wait_open(http, first, c["id"])
                listed = await http.get(
                    f"/api/consultations/{c['id']}/sheets", headers=bearer(first)
                )
                listed.raise_for_status()
                codes = [s["code"] for s in listed.json()["items"]]
                motion_ids = [m["id"] for m in c["motions"]]
                assert len(codes) == args.sheets
                t0 = time.perf_counter()
                firsts = await _enter_all(
                    http, first, c["id"], codes, motion_ids, args.concurrency, "awaiting_second"
                )
                t1 = time.perf_counter()
                seconds = await _enter_all(
                    http, second, c["id"], codes, motion_ids, args.concurrency, "counted"
                )
                t2 = time.perf_counter()
                ceiling = await _ceiling(http, first, args.concurrency, 400)
                tally = (
                    await http.get(f"/api/motions/{motion_ids[0]}/tally", headers=bearer(first))
                ).json()
        finally:
            service.stop()
    entries = len(firsts) + len(seconds)
    both = firsts + seconds
    print(
        f"## Paper entries ({datetime.now(UTC).date()}, {args.sheets} sheets, "
        f"{args.motions} motions, concurrency {args.concurrency})"
    )
    print()
    print("| entries | what | entries/s | p50 ms | p99 ms |")
    print("|---:|---|---:|---:|---:|")
    for label, values, spent in (
        ("first entry (awaiting_second)", firsts, t1 - t0),
        ("second entry (counted: ballots recorded)", seconds, t2 - t1),
        ("all", both, t2 - t0),
    ):
        print(
            f"| {len(values)} | {label} | {len(values) / spent:.0f} | "
            f"{statistics.median(values) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f} |"
        )
    print()
    print(f"HTTP ceiling at the same concurrency (GET /api/me): {ceiling:.0f} req/s")
    paper = tally["by_channel"]["paper"]
    print(
        f"{entries} entries; tally: by_channel.paper = {paper}, "
        f"participating_owners = {tally['participating_owners']}"
    )
    if paper["owners"] != args.sheets:
        raise SystemExit("FAILED: not every sheet counted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=1000)
    parser.add_argument("--motions", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
