"""OCDS export benchmark: an estate's 1,000 awarded tenders as one streamed release package.

    uv run python bench/ocds.py            # print the figures
    uv run python bench/ocds.py --write    # also record them in docs/benchmarks.md

A fresh embedded PostgreSQL (bench/scratch.py). Through the API: the estate (SAMPLE_CSV's
households), the committee, the treasurer, three suppliers. By COPY: 1,000 works, each with
three invited bidders' quotes of three rounds of 10 lines (9,000 rounds, 90,000 lines),
awarded to the lowest last round, with two delivery milestones. Through the API again: a
funding source and the plan over the 1,000 works, solved and approved (so every work has a
budget breakdown), and the final accounts approved (a settlement transaction per work).
Measured in-process over ASGI: ``GET /api/estates/{id}/ocds`` (every release of every work,
streamed in batches of 100 works) and ``GET /api/works/{id}/ocds`` (one work), time and size.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient
from machine import machine_line  # bench/machine.py
from scratch import bench_main  # bench/scratch.py

from planner.app import create_app
from planner.settings import Settings
from planner.testing.api import SAMPLE_CSV

WORKS = 1_000
BIDDERS = 3
ROUNDS = 3
LINES = 10
REPEATS = 5
SINGLE_REPEATS = 30


def _lines(rng: random.Random, base: list[int], factor: float) -> tuple[str, int]:
    lines = []
    for n, price in enumerate(base, start=1):
        unit_price = int(price * factor)
        quantity = rng.choice((1, 12, 40, 125))
        lines.append(
            {
                "line_no": n,
                "description": f"分项 {n}",
                "unit": "项",
                "quantity": str(quantity),
                "unit_price_fen": unit_price,
                "total_fen": unit_price * quantity,
            }
        )
    return msgspec.json.encode(lines).decode(), sum(line["total_fen"] for line in lines)


async def _load(url: str, estate: int, suppliers: list[int], member: int) -> None:
    """The works, invitations, quotes, rounds, awards and milestones, by COPY."""
    rng = random.Random(20)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            work_ids = [
                r["id"]
                for r in await conn.fetch(
                    """INSERT INTO works (estate_id, title, category, estimate_fen, status,
                                          created_by, opened_at)
                       SELECT $1, '工程 ' || n, 'roof', 1000000 + n * 1000, 'in_progress', $2,
                              now() - interval '30 days'
                       FROM generate_series(1, $3) n RETURNING id""",
                    estate,
                    member,
                    WORKS,
                )
            ]
            await conn.copy_records_to_table(
                "invitations",
                records=[(w, s, member) for w in work_ids for s in suppliers],
                columns=["work_id", "supplier_id", "invited_by"],
            )
            quotes = await conn.fetch(
                """INSERT INTO quotes (estate_id, work_id, supplier_id, latest_round, status)
                   SELECT $1, w, s, $4, 'closed' FROM unnest($2::bigint[]) w, unnest($3::bigint[]) s
                   RETURNING id, work_id""",
                estate,
                work_ids,
                suppliers,
                ROUNDS,
            )
            rounds = []
            best: dict[int, tuple[int, int]] = {}
            for q in quotes:
                base = [rng.randrange(10_000, 900_000) for _ in range(LINES)]
                for r in range(1, ROUNDS + 1):
                    lines, total = _lines(rng, base, 1 - 0.04 * r)
                    rounds.append((q["id"], r, lines, LINES, total, member))
                if q["work_id"] not in best or total < best[q["work_id"]][1]:
                    best[q["work_id"]] = (q["id"], total)
            await conn.copy_records_to_table(
                "rounds",
                records=rounds,
                columns=["quote_id", "round", "lines", "line_count", "total_fen", "by_member_id"],
            )
            await conn.executemany(
                """UPDATE works SET awarded_quote_id = $2, awarded_round = $3,
                          awarded_total_fen = $4 WHERE id = $1""",
                [(w, q, ROUNDS, total) for w, (q, total) in best.items()],
            )
            await conn.executemany(
                "UPDATE quotes SET status = 'awarded' WHERE id = $1",
                [(q,) for q, _ in best.values()],
            )
            today = dt.date(2026, 12, 1)
            await conn.copy_records_to_table(
                "milestones",
                records=[
                    (estate, w, title, "2026-12", today, today + dt.timedelta(days=30),
                     "施工方", "赵工", 50, pct, dt.datetime.now(dt.UTC) if pct == 100 else None,
                     member)
                    for w in work_ids
                    for title, pct in (("进场", 100), ("完工", 40))
                ],
                columns=["estate_id", "work_id", "title", "planned", "planned_start",
                         "planned_end", "responsible_unit", "responsible_person", "weight_pct",
                         "percent", "done_at", "created_by"],
            )  # fmt: skip
            await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def run(database_url: str, data_dir: Path) -> dict[str, Any]:
    app = create_app(
        Settings(database_url=database_url, data_dir=data_dir, max_body_bytes=64 * 1024 * 1024)
    )
    figures: dict[str, Any] = {}
    async with AsyncTestClient(app=app, base_url="http://bench.local", timeout=600) as client:
        admin = {"Authorization": f"Bearer {app.state.new_admin_token}"}

        async def call(method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
            response = await client.request(method, path, headers=headers, **kw)
            assert response.status_code < 300, (path, response.status_code, response.text[:500])
            return response.json()

        estate = (await call("POST", "/api/estates", admin, json={"name": "基准小区"}))["id"]
        await call(
            "POST",
            f"/api/estates/{estate}/households/import",
            {**admin, "content-type": "text/csv"},
            content=SAMPLE_CSV.encode(),
        )
        people = {}
        for role in ("committee", "treasurer"):
            made = await call(
                "POST",
                f"/api/estates/{estate}/members",
                admin,
                json={"role": role, "display_name": role},
            )
            people[role] = (made["member_id"], {"Authorization": f"Bearer {made['token']}"})
        suppliers = []
        for n in range(1, BIDDERS + 1):
            path = f"/api/estates/{estate}/suppliers"
            made = await call("POST", path, people["committee"][1], json={"name": f"供应商{n}"})
            suppliers.append(made["id"])
        started = time.perf_counter()
        await _load(database_url, estate, suppliers, people["committee"][0])
        figures["load_s"] = time.perf_counter() - started
        treasurer = people["treasurer"][1]
        works = await call("GET", f"/api/estates/{estate}/works", treasurer)
        work_ids = [w["id"] for w in (works["items"] if isinstance(works, dict) else works)]
        await call(
            "POST",
            f"/api/estates/{estate}/funding-sources",
            treasurer,
            json={"name": "老旧小区改造补贴", "kind": "subsidy", "budget_fen": 300_000_000,
                  "eligible_work_ids": work_ids},
        )  # fmt: skip
        started = time.perf_counter()
        plan = await call(
            "POST", f"/api/estates/{estate}/funding-plans", treasurer,
            json={"resident_band": ["0.00", "1.00"]},
        )  # fmt: skip
        await call("POST", f"/api/funding-plans/{plan['id']}/approve", treasurer)
        final = await call(
            "POST", f"/api/estates/{estate}/final-accounts", treasurer, json={"plan_id": plan["id"]}
        )
        await call("POST", f"/api/final-accounts/{final['id']}/approve", admin)
        figures["plan_s"] = time.perf_counter() - started

        committee = people["committee"][1]
        sizes: list[int] = []
        samples: list[float] = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            response = await client.get(f"/api/estates/{estate}/ocds", headers=committee)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text[:300]
            sizes.append(len(response.content))
        package = msgspec.json.decode(response.content)
        figures["bulk_s"] = samples
        figures["bulk_bytes"] = sizes[-1]
        figures["releases"] = len(package["releases"])
        figures["bids"] = sum(
            len(r.get("bids", {}).get("details", [])) for r in package["releases"]
        )
        single: list[float] = []
        single_bytes = 0
        for n in range(SINGLE_REPEATS):
            start = time.perf_counter()
            response = await client.get(
                f"/api/works/{work_ids[n * 31 % len(work_ids)]}/ocds", headers=committee
            )
            single.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            single_bytes = len(response.content)
        figures["single_ms"] = single
        figures["single_bytes"] = single_bytes
    return figures


def report(figures: dict[str, Any]) -> str:
    bulk = figures["bulk_s"]
    mb = figures["bulk_bytes"] / 1_000_000
    single = figures["single_ms"]
    per = figures["bulk_bytes"] / WORKS / 1000
    return "\n".join(
        [
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine_line()}.",
            f"{WORKS:,} awarded tenders × {BIDDERS} bidders × {ROUNDS} rounds × {LINES} lines "
            f"(COPY in {figures['load_s']:.1f} s), plan over them and final accounts approved "
            f"({figures['plan_s']:.1f} s), each with 2 milestones; in-process ASGI; "
            f"`uv run python bench/ocds.py`. Load average at the end {os.getloadavg()[0]:.1f}.",
            "",
            "| export | p50 | max | size |",
            "|---|---:|---:|---:|",
            f"| `GET /api/estates/{{id}}/ocds`: {figures['releases']:,} releases, "
            f"{figures['bids']:,} bids ({len(bulk)} runs) | {statistics.median(bulk):.2f} s | "
            f"{max(bulk):.2f} s | {mb:.1f} MB ({per:.1f} kB a tender) |",
            f"| `GET /api/works/{{id}}/ocds` ({len(single)} works) | "
            f"{statistics.median(single):.1f} ms | {max(single):.1f} ms "
            f"| {figures['single_bytes'] / 1000:.1f} kB |",
        ]
    )


def main() -> None:
    bench_main(__doc__, "ocds", run, report, "2026-12-04, issue 20 (OCDS export)")


if __name__ == "__main__":
    main()
