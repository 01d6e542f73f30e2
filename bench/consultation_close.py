"""100 written consultations due to close at the same second, two service instances.

Starts an embedded PostgreSQL and two ``planner serve`` on it, makes one estate of
``--households`` units with an owner each, ``--consultations`` consultations of one motion
(every one opening and then closing at the same second), casts ``--votes`` online ballots
in each while open, then waits for the schedule. Prints how late the closes were
(closed_at - closes_at: p50, p99, max), the time until all were closed, and checks that each
was closed exactly once (one consultation.closed and one motion.closed each) and that each
tally of record equals a recount.

    uv run python bench/consultation_close.py [--consultations 100] [--households 200]
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

from planner.db.pool import connect_raw
from planner.testing.service import start_service
from planner.testing.voting import setup_voting


def _iso(at: datetime) -> str:
    return at.isoformat()


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="consultation-close-"))
    async with embedded_database(folder / "pg", "bench") as url:
        a = await asyncio.to_thread(start_service, url, folder / "a", timeout=180)
        b = await asyncio.to_thread(start_service, url, folder / "b", timeout=180)
        try:
            async with httpx.AsyncClient(base_url=a.base_url, timeout=120) as http:
                rows = [
                    (f"{1 + i // 50}栋", f"{100 + i % 50}", "88.50", f"o{i}")
                    for i in range(args.households)
                ]
                v = await setup_voting(http, a.admin_token, None, rows)
                committee = {"Authorization": f"Bearer {v.committee}"}
                setup_s = args.consultations * 0.08 + 10
                opens = datetime.now(UTC) + timedelta(seconds=setup_s)
                closes = opens + timedelta(seconds=args.window)
                ids: list[int] = []
                t0 = time.perf_counter()
                for n in range(args.consultations):
                    made = await http.post(
                        f"/api/estates/{v.estate_id}/consultations",
                        json={
                            "title": f"书面征求意见 {n + 1}",
                            "opens_at": _iso(opens),
                            "closes_at": _iso(closes),
                            "notice_days": 0,
                            "motions": [{"title": "使用维修资金", "matter": 5}],
                        },
                        headers=committee,
                    )
                    made.raise_for_status()
                    cid = made.json()["id"]
                    (
                        await http.post(f"/api/consultations/{cid}/publish", headers=committee)
                    ).raise_for_status()
                    ids.append(cid)
                print(f"{len(ids)} consultations published in {time.perf_counter() - t0:.1f} s")
                await asyncio.sleep(max(0.0, (opens - datetime.now(UTC)).total_seconds()) + 2)
                owners = list(v.owners.values())[: args.votes]
                t1 = time.perf_counter()
                clients = [http, httpx.AsyncClient(base_url=b.base_url, timeout=120)]
                for n, cid in enumerate(ids):
                    got = await http.get(f"/api/consultations/{cid}", headers=committee)
                    motion_id = got.json()["motions"][0]["id"]
                    casts = [
                        clients[i % 2].post(
                            f"/api/motions/{motion_id}/ballots",
                            json={"choice": ("yes", "no", "abstain")[(i + n) % 3]},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                        for i, (_, token) in enumerate(owners)
                    ]
                    for r in await asyncio.gather(*casts):
                        r.raise_for_status()
                await clients[1].aclose()
                print(
                    f"{len(ids) * len(owners)} ballots cast in {time.perf_counter() - t1:.1f} s"
                    f" (the window closes {max(0, (closes - datetime.now(UTC)).seconds)} s later)"
                )
            await asyncio.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()))
            waited = time.perf_counter()
            conn = await connect_raw(url)
            try:
                while True:
                    left = await conn.fetchval(
                        "SELECT count(*) FROM consultations WHERE status <> 'closed'"
                    )
                    if left == 0 or time.perf_counter() - waited > 120:
                        break
                    await asyncio.sleep(0.05)
                all_closed_s = time.perf_counter() - waited
                late = [
                    r["late"]
                    for r in await conn.fetch(
                        """SELECT extract(epoch FROM closed_at - closes_at)::float8 AS late
                           FROM consultations ORDER BY 1"""
                    )
                ]
                events = await conn.fetch(
                    """SELECT type, count(*) AS n FROM events
                       WHERE type IN ('consultation.closed', 'motion.closed') GROUP BY type"""
                )
                counts = {e["type"]: e["n"] for e in events}
                differing = await conn.fetchval(
                    """SELECT count(*) FROM motions m
                       WHERE (final_tally->>'participating_units')::int
                             <> (SELECT count(*) FROM motion_units u
                                 WHERE u.motion_id = m.id AND u.choice IS NOT NULL)"""
                )
            finally:
                await conn.close()
        finally:
            a.stop()
            b.stop()
    late_sorted = sorted(late)
    p99 = late_sorted[min(len(late_sorted) - 1, int(len(late_sorted) * 0.99))]
    print(
        f"closed {len(late)} consultations: all closed {all_closed_s:.2f} s after closes_at; "
        f"lateness p50 {statistics.median(late) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(late) * 1000:.0f} ms"
    )
    print(
        f"consultation.closed events: {counts.get('consultation.closed', 0)} "
        f"(expected {len(late)}); motion.closed: {counts.get('motion.closed', 0)}; "
        f"tallies differing from the roll: {differing}"
    )
    ok = counts.get("consultation.closed") == len(late) == counts.get("motion.closed")
    if not ok or differing:
        raise SystemExit("FAILED: a consultation was not closed exactly once")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consultations", type=int, default=100)
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--votes", type=int, default=20, help="ballots per consultation")
    parser.add_argument("--window", type=float, default=45.0, help="seconds open")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
