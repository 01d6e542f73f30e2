"""Printable paper ballot sheets for 2,000 owners in one request (issue 17).

Starts an embedded PostgreSQL and one ``planner serve``, makes an estate of ``--owners``
one-unit owners and a published consultation of ``--motions`` motions, then asks for
``/sheets.html`` (one A4 page with a QR code per owner) ``--repeat`` times. Prints the time
per request, the page's size, the longest /health answer meanwhile (polled every 20 ms)
and the service process's memory: its resident set before
and after, and its peak (VmHWM from /proc/<pid>/status, the high-water mark since start).
The first request also numbers the sheets (one row per owner).

    uv run python bench/ballot_sheets.py [--owners 2000] [--motions 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_setup import consultation, estate
from scratch import embedded_database

from planner.testing.api import bearer
from planner.testing.service import start_service


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of the process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


async def _poll_health(http: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    """/health every 20 ms until ``stop``: how long each answer took (the loop's stalls)."""
    took = [0.0]
    while not stop.is_set():
        t0 = time.perf_counter()
        (await http.get("/health")).raise_for_status()
        took.append(time.perf_counter() - t0)
        await asyncio.sleep(0.02)
    return took


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ballot-sheets-"))
    async with embedded_database(folder / "pg", "bench") as url:
        service = await asyncio.to_thread(start_service, url, folder / "svc", timeout=180)
        pid = service.process.pid
        try:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=600) as http:
                estate_id, (token,) = await estate(http, service.admin_token, args.owners, 1)
                c = await consultation(http, token, estate_id, opens_in=3600, motions=args.motions)
                before = memory_mib(pid)
                runs = []
                for _ in range(args.repeat):
                    stop = asyncio.Event()
                    health = asyncio.create_task(_poll_health(http, stop))
                    t0 = time.perf_counter()
                    page = await http.get(
                        f"/api/consultations/{c['id']}/sheets.html", headers=bearer(token)
                    )
                    spent = time.perf_counter() - t0
                    stop.set()
                    stalls = await health
                    page.raise_for_status()
                    pages = page.text.count('<section class="sheet"')
                    if pages != args.owners or page.text.count("<svg") != args.owners:
                        raise SystemExit(f"FAILED: {pages} pages for {args.owners} owners")
                    runs.append((spent, len(page.content), memory_mib(pid), max(stalls)))
        finally:
            service.stop()
    print(
        f"## Ballot sheets ({datetime.now(UTC).date()}, {args.owners} owners, "
        f"{args.motions} motions, one request each)"
    )
    print()
    print(f"service memory before: RSS {before['VmRSS']:.0f} MiB, peak {before['VmHWM']:.0f} MiB")
    print()
    print("| request | time s | page MiB | RSS after MiB | peak (VmHWM) MiB | /health max ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, (spent, size, mem, stall) in enumerate(runs, start=1):
        print(
            f"| {n} | {spent:.2f} | {size / 2**20:.1f} | {mem['VmRSS']:.0f} | "
            f"{mem['VmHWM']:.0f} | {stall * 1000:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--owners", type=int, default=2000)
    parser.add_argument("--motions", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
