"""Turnout, deliveries and the printable pages of one consultation over a big estate.

Starts an embedded PostgreSQL and one ``planner serve``, makes an estate of ``--households``
units (50 per building, an owner each), one consultation of two motions, casts ``--votes``
online ballots on each motion while it is open, then times ``--repeat`` sequential requests
of each read: the committee's turnout, the public page (no sign-in), the deliveries list, the
door-to-door list, the notice; after the close the result announcement. Prints p50 and p99
per read and the page sizes.

    uv run python bench/consultation_turnout.py [--households 2000] [--votes 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import embedded_database

from planner.testing.service import start_service
from planner.testing.voting import setup_voting


async def _time(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], repeat: int
) -> tuple[float, float, int]:
    """p50 and p99 in ms over ``repeat`` sequential GETs, and the answer's size in bytes."""
    took = []
    size = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = await http.get(path, headers=headers)
        took.append((time.perf_counter() - t0) * 1000)
        answer.raise_for_status()
        size = len(answer.content)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.99))], size


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="consultation-turnout-"))
    async with embedded_database(folder / "pg", "bench") as url:
        service = await asyncio.to_thread(start_service, url, folder / "a", timeout=180)
        try:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=120) as http:
                rows = [
                    (f"{1 + i // 50}栋", f"{100 + i % 50}", "88.50", f"o{i}")
                    for i in range(args.households)
                ]
                t0 = time.perf_counter()
                v = await setup_voting(http, service.admin_token, None, rows)
                print(f"{args.households} owners set up in {time.perf_counter() - t0:.1f} s")
                committee = {"Authorization": f"Bearer {v.committee}"}
                opens = datetime.now(UTC) + timedelta(seconds=3)
                closes = opens + timedelta(seconds=args.window)
                made = await http.post(
                    f"/api/estates/{v.estate_id}/consultations",
                    json={
                        "title": "5栋屋面防水维修",
                        "opens_at": opens.isoformat(),
                        "closes_at": closes.isoformat(),
                        "notice_days": 0,
                        "motions": [
                            {"title": "使用维修资金", "matter": 5},
                            {"title": "改建屋面", "matter": 7},
                        ],
                    },
                    headers=committee,
                )
                made.raise_for_status()
                cid, token = made.json()["id"], made.json()["public_token"]
                (
                    await http.post(f"/api/consultations/{cid}/publish", headers=committee)
                ).raise_for_status()
                while (await http.get(f"/api/consultations/{cid}", headers=committee)).json()[
                    "status"
                ] != "open":
                    await asyncio.sleep(0.2)
                motions = [
                    m["id"]
                    for m in (
                        await http.get(f"/api/consultations/{cid}", headers=committee)
                    ).json()["motions"]
                ]
                owners = list(v.owners.values())[: args.votes]
                gate = asyncio.Semaphore(32)

                async def cast(motion_id: int, i: int, owner_token: str) -> None:
                    async with gate:
                        answer = await http.post(
                            f"/api/motions/{motion_id}/ballots",
                            json={"choice": ("yes", "no", "abstain")[i % 3]},
                            headers={"Authorization": f"Bearer {owner_token}"},
                        )
                        answer.raise_for_status()

                t1 = time.perf_counter()
                await asyncio.gather(
                    *(
                        cast(m, i, owner_token)
                        for m in motions
                        for i, (_, owner_token) in enumerate(owners)
                    )
                )
                print(
                    f"{len(motions) * len(owners)} ballots cast in {time.perf_counter() - t1:.1f} s"
                )
                reads = {
                    "turnout (committee)": (f"/api/consultations/{cid}/turnout", committee),
                    "public page (no sign-in)": (f"/api/public/consultations/{token}", {}),
                    "deliveries (committee)": (f"/api/consultations/{cid}/deliveries", committee),
                    "door-to-door list (HTML)": (
                        f"/api/consultations/{cid}/unreached.html",
                        committee,
                    ),
                    "notice (HTML)": (f"/api/consultations/{cid}/notice.html", committee),
                }
                figures = {
                    name: await _time(http, path, headers, args.repeat)
                    for name, (path, headers) in reads.items()
                }
                await asyncio.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()) + 1)
                while (await http.get(f"/api/consultations/{cid}", headers=committee)).json()[
                    "status"
                ] != "closed":
                    await asyncio.sleep(0.2)
                figures["announcement (HTML, closed)"] = await _time(
                    http, f"/api/consultations/{cid}/announcement.html", committee, args.repeat
                )
        finally:
            service.stop()
    print()
    print(
        f"{args.households} owners in scope, {len(motions)} motions, {len(owners)} ballots per "
        f"motion; {args.repeat} sequential requests each"
    )
    print()
    print("| read | p50 ms | p99 ms | size |")
    print("|---|---:|---:|---:|")
    for name, (p50, p99, size) in figures.items():
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {size / 1024:.0f} KiB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--votes", type=int, default=1000, help="ballots per motion")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--window", type=float, default=90.0, help="seconds open")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
