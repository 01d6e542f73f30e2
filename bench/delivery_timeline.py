"""The estate's delivery timeline with many works (issue 19).

Starts an embedded PostgreSQL and one ``planner serve``, makes an estate with ``--works``
awarded works of ``--milestones`` milestones each (one progress update per milestone, every
other one done), then asks for ``GET /api/estates/{id}/timeline`` and the printable
``timeline.html`` ``--repeat`` times each as an owner. Prints p50 and max per request.

    uv run python bench/delivery_timeline.py [--works 100] [--milestones 8] [--repeat 20]
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
from scratch import embedded_database

from planner.testing.api import SAMPLE_CSV, bearer, create_estate
from planner.testing.delivery import delivered_work
from planner.testing.service import start_service

PERIODS = ("2026-01", "2026-02", "2026-Q1", "2026-04", "2026-Q2", "2026-H1", "2026-09", "2026-H2")


async def _member(http: httpx.AsyncClient, admin: str, estate_id: int, role: str) -> str:
    body = {"role": role, "display_name": role}
    r = await http.post(f"/api/estates/{estate_id}/members", json=body, headers=bearer(admin))
    r.raise_for_status()
    token: str = r.json()["token"]
    return token


async def _timed(http: httpx.AsyncClient, path: str, token: str, repeat: int) -> list[float]:
    took = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = await http.get(path, headers=bearer(token))
        took.append(time.perf_counter() - t0)
        r.raise_for_status()
    return took


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="delivery-timeline-"))
    async with embedded_database(folder / "pg", "bench") as url:
        service = await asyncio.to_thread(start_service, url, folder / "svc", timeout=180)
        try:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=600) as http:
                admin = service.admin_token
                estate_id = await create_estate(http, admin, SAMPLE_CSV, name="进度小区")
                committee = await _member(http, admin, estate_id, "committee")
                owner = await _member(http, admin, estate_id, "owner")
                t0 = time.perf_counter()
                for w in range(args.works):
                    work_id = await delivered_work(
                        http, admin, committee, estate_id, title=f"工程{w + 1}"
                    )
                    for m in range(args.milestones):
                        r = await http.post(
                            f"/api/works/{work_id}/milestones",
                            json={
                                "title": f"节点{m + 1}",
                                "planned": PERIODS[m % len(PERIODS)],
                                "responsible_unit": "湘江建设 项目部" if m % 2 else "物业服务中心",
                                "responsible_person": "王工",
                            },
                            headers=bearer(committee),
                        )
                        r.raise_for_status()
                        p = await http.post(
                            f"/api/milestones/{r.json()['id']}/progress",
                            json={"percent": 100 if m % 2 else 50, "note": "进展"},
                            headers=bearer(committee),
                        )
                        p.raise_for_status()
                setup = time.perf_counter() - t0
                base = f"/api/estates/{estate_id}/timeline"
                api = await _timed(http, base, owner, args.repeat)
                page = await _timed(http, f"{base}.html", owner, args.repeat)
        finally:
            service.stop()
    n = args.works * args.milestones
    print(
        f"## Delivery timeline ({datetime.now(UTC).date()}, {args.works} works, {n} milestones, "
        f"{args.repeat} requests each; setup {setup:.0f} s)"
    )
    print()
    print("| request | p50 ms | max ms |")
    print("|---|---:|---:|")
    for name, took in (("GET timeline (JSON)", api), ("GET timeline.html", page)):
        print(f"| {name} | {statistics.median(took) * 1000:.1f} | {max(took) * 1000:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=100)
    parser.add_argument("--milestones", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
