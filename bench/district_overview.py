"""District overview benchmark (issue 21): ``GET /api/district/overview`` (and its CSV and
XLSX) for a district member assigned 100 and 1,000 estates.

    uv run python bench/district_overview.py            # print the figures
    uv run python bench/district_overview.py --write    # also record them in docs/benchmarks.md

Set-up (fixed seed, SQL bulk inserts behind the service's back, set-up only): 1,000 estates in
5 areas, each with 200 households, an open motion with participation and two closed ones,
two works with two quotes of three rounds each (one awarded), two funding sources and an
approved plan whose inputs and result hold its 200 households (as a solved plan does), 150
ledger entries, 40 suggestions, 10 common problems, 5 fulfilled wishes; final accounts for
every tenth estate. Measured in-process over ASGI (the service's own code: authentication,
the set-based queries, the rows, msgspec), p50 and p95 of 20 calls.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient
from machine import machine_line  # bench/machine.py
from scratch import bench_main  # bench/scratch.py

from planner.app import create_app
from planner.db.pool import connect_raw
from planner.district import store
from planner.settings import Settings

ESTATES = 1_000
HOUSEHOLDS = 200
REPEATS = 20
AREAS = ("东片区", "西片区", "南片区", "北片区", "中心片区")


async def timed(call: Callable[[], Awaitable[Any]], repeats: int = REPEATS) -> list[float]:
    await call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def _plan_json(rng: random.Random, sources: list[int]) -> tuple[str, str, int, int]:
    """A plan's inputs and result as a solve stores them (households included)."""
    total = rng.randrange(2_000_000_00, 5_000_000_00)
    residents = total * rng.randrange(18, 33) // 100
    households = [
        {"household_id": i, "area_m2": "86.50", "hardship_cap_fen": None} for i in range(HOUSEHOLDS)
    ]
    inputs = {"resident_band": ["0.20", "0.30"], "households": households, "works": []}
    used = total - residents
    result = {
        "total_cost_fen": total,
        "residents_total_fen": residents,
        "sources": [
            {"source_id": sources[0], "used_fen": used * 2 // 3, "budget_fen": used},
            {"source_id": sources[1], "used_fen": used - used * 2 // 3, "budget_fen": used},
        ],
        "households": [
            {"household_id": i, "amount_fen": residents // HOUSEHOLDS, "works": []}
            for i in range(HOUSEHOLDS)
        ],
    }
    return json.dumps(inputs), json.dumps(result), total, residents


async def seed(conn: asyncpg.Connection, admin_id: int) -> list[int]:
    """The estates and their figures; returns the estates' ids."""
    rng = random.Random(21)
    estates = [
        r["id"]
        for r in await conn.fetch(
            """INSERT INTO estates (name, district)
               SELECT '小区' || lpad(n::text, 4, '0'), ($1::text[])[1 + n % 5]
               FROM generate_series(1, $2) n RETURNING id""",
            list(AREAS),
            ESTATES,
        )
    ]
    await conn.execute(
        """INSERT INTO buildings (estate_id, name) SELECT id, '1栋' FROM estates
           WHERE id = ANY($1::bigint[])""",
        estates,
    )
    await conn.execute(
        """INSERT INTO households (estate_id, building_id, unit, floor, area_m2, owner_key,
                                   owner_name)
           SELECT b.estate_id, b.id, n::text, 1 + n / 20, 86.50, 'K' || n, '业主' || n
           FROM buildings b CROSS JOIN generate_series(1, $2) n
           WHERE b.estate_id = ANY($1::bigint[])""",
        estates,
        HOUSEHOLDS,
    )
    await conn.execute(
        """INSERT INTO meetings (estate_id, title, kind, status)
           SELECT id, '业主大会', 'owners_assembly', 'open' FROM unnest($1::bigint[]) id""",
        estates,
    )
    await conn.execute(
        """INSERT INTO motions (meeting_id, estate_id, title, matter, status, total_area,
                                total_owners, total_units, participating_units, yes_area,
                                no_area, yes_owners, no_owners, final_tally)
           SELECT m.id, m.estate_id, '事项' || k, 5, CASE WHEN k = 1 THEN 'open' ELSE 'closed' END,
                  1730000, 200, 200, 120, 700000 + k * 1000, 300000, 80, 40,
                  CASE WHEN k = 1 THEN NULL
                       ELSE jsonb_build_object('passed', k = 2) END
           FROM meetings m CROSS JOIN generate_series(1, 3) k
           WHERE m.estate_id = ANY($1::bigint[])""",
        estates,
    )
    await conn.execute(
        """INSERT INTO suppliers (estate_id, name)
           SELECT e, '供应商' || k
           FROM unnest($1::bigint[]) e CROSS JOIN generate_series(1, 2) k""",
        estates,
    )
    await conn.execute(
        """INSERT INTO works (estate_id, title, category, estimate_fen, status)
           SELECT e, '工程' || k, 'power', 360000000, 'quoting'
           FROM unnest($1::bigint[]) e CROSS JOIN generate_series(1, 2) k""",
        estates,
    )
    await conn.execute(
        """INSERT INTO invitations (work_id, supplier_id)
           SELECT w.id, s.id FROM works w JOIN suppliers s ON s.estate_id = w.estate_id
           WHERE w.estate_id = ANY($1::bigint[])""",
        estates,
    )
    await conn.execute(
        """INSERT INTO quotes (estate_id, work_id, supplier_id, latest_round)
           SELECT w.estate_id, i.work_id, i.supplier_id, 3
           FROM invitations i JOIN works w ON w.id = i.work_id
           WHERE w.estate_id = ANY($1::bigint[])""",
        estates,
    )
    await conn.execute(
        """INSERT INTO rounds (quote_id, round, lines, line_count, total_fen)
           SELECT q.id, r, '[{"line_no": 1, "description": "改造", "total_fen": 1}]'::jsonb, 1,
                  (360000000 - (q.id % 7) * 1000000) * (4 - r) / 3 + 100000000
           FROM quotes q CROSS JOIN generate_series(1, 3) r
           WHERE q.estate_id = ANY($1::bigint[])""",
        estates,
    )
    await conn.execute(
        """UPDATE works w SET status = 'awarded', awarded_quote_id = q.id, awarded_round = 3,
                  awarded_total_fen = r.total_fen
           FROM quotes q JOIN rounds r ON r.quote_id = q.id AND r.round = 3
           WHERE q.work_id = w.id AND w.title = '工程1'
             AND q.supplier_id = (SELECT min(supplier_id) FROM quotes WHERE work_id = w.id)
             AND w.estate_id = ANY($1::bigint[])""",
        estates,
    )
    sources = await conn.fetch(
        """INSERT INTO funding_sources (estate_id, name, kind, budget_fen)
           SELECT e, k, k, 300000000 FROM unnest($1::bigint[]) e
           CROSS JOIN unnest(ARRAY['subsidy', 'maintenance_fund']) k
           RETURNING id, estate_id""",
        estates,
    )
    by_estate: dict[int, list[int]] = {}
    for r in sources:
        by_estate.setdefault(r["estate_id"], []).append(r["id"])
    plans = []
    for estate_id in estates:
        inputs, result, total, residents = _plan_json(rng, sorted(by_estate[estate_id]))
        plans.append((estate_id, inputs, result, total, residents))
    await conn.executemany(
        """INSERT INTO funding_plans (estate_id, version, status, policy, inputs, result,
                                      total_cost_fen, residents_total_fen, solver_status,
                                      approved_at)
           VALUES ($1, 1, 'approved', 'minimum', $2::jsonb, $3::jsonb, $4, $5, 'optimal', now())""",
        plans,
    )
    await conn.execute(
        """INSERT INTO ledger_entries (estate_id, plan_id, household_id, kind, amount_fen,
                                       channel, receipt_no, paid_on)
           SELECT p.estate_id, p.id, h.id, 'payment', 150000, 'cash', 'R' || h.id, '2026-11-01'
           FROM funding_plans p JOIN households h ON h.estate_id = p.estate_id
           WHERE p.estate_id = ANY($1::bigint[]) AND h.unit::int <= 150""",
        estates,
    )
    await conn.execute(
        """INSERT INTO final_accounts (estate_id, plan_id, version, status, total_cost_fen,
                                       residents_total_fen, households, sources, works,
                                       final_costs, created_by, approved_by, approved_at)
           SELECT estate_id, id, 1, 'approved', total_cost_fen, residents_total_fen, '[]', '[]',
                  '[]', '[]', $2, $2, now()
           FROM funding_plans WHERE estate_id = ANY($1::bigint[]) AND estate_id % 10 = 0""",
        estates,
        admin_id,
    )
    await conn.execute(
        """INSERT INTO suggestions (estate_id, text, category, channel)
           SELECT e, '意见' || k, 'facilities', 'paper'
           FROM unnest($1::bigint[]) e CROSS JOIN generate_series(1, 40) k""",
        estates,
    )
    await conn.execute(
        """INSERT INTO problems (estate_id, title, category, urgency, difficulty, status,
                                 solved_at)
           SELECT e, '问题' || k, 'facilities', CASE WHEN k % 3 = 0 THEN 'urgent' ELSE 'normal' END,
                  'easy', CASE WHEN k <= 5 THEN 'solved' ELSE 'listed' END,
                  CASE WHEN k <= 5 THEN now() END
           FROM unnest($1::bigint[]) e CROSS JOIN generate_series(1, 10) k""",
        estates,
    )
    await conn.execute(
        """INSERT INTO wishes (estate_id, household_id, text, status, posted_by, claimed_by)
           SELECT h.estate_id, h.id, '心愿', 'fulfilled', $2, $2
           FROM households h WHERE h.estate_id = ANY($1::bigint[]) AND h.unit::int <= 5""",
        estates,
        admin_id,
    )
    await conn.execute("VACUUM ANALYZE")  # what autovacuum does for a database in use
    return estates


async def queries(conn: asyncpg.Connection, estate_ids: list[int]) -> None:
    """The overview's six set-based queries in one snapshot, without HTTP or Python rows."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        await store.estate_facts(conn, estate_ids)
        await store.decision_facts(conn, estate_ids)
        await store.tender_works(conn, estate_ids)
        await store.funding_facts(conn, estate_ids)
        await store.money_facts(conn, estate_ids)
        await store.needs_facts(conn, estate_ids)


async def run(database_url: str, data_dir: Path) -> dict[str, Any]:
    app = create_app(Settings(database_url=database_url, data_dir=data_dir))
    figures: dict[str, Any] = {"reads": {}}
    async with AsyncTestClient(app=app, base_url="http://bench.local", timeout=600) as client:
        admin = {"Authorization": f"Bearer {app.state.new_admin_token}"}
        conn = await asyncpg.connect(database_url)
        try:
            admin_id = await conn.fetchval(
                "SELECT id FROM members WHERE role = 'admin' AND estate_id IS NULL"
            )
            started = time.perf_counter()
            estates = await seed(conn, admin_id)
            figures["seed_s"] = time.perf_counter() - started
            figures["db_mb"] = (
                await conn.fetchval("SELECT pg_database_size(current_database())") / 1e6
            )
        finally:
            await conn.close()
        raw = await connect_raw(database_url)
        for count in (100, ESTATES):
            made = await client.post(
                "/api/district-members",
                json={"display_name": f"区 {count}", "estate_ids": estates[:count]},
                headers=admin,
            )
            assert made.status_code == 201, made.text
            district = {"Authorization": f"Bearer {made.json()['token']}"}

            async def fetch(path: str, headers: dict[str, str] = district) -> None:
                response = await client.get(path, headers=headers)
                assert response.status_code == 200 and response.content, response.text[:300]

            overview = await client.get("/api/district/overview", headers=district)
            body = overview.json()
            assert len(body["estates"]) == count
            figures[f"bytes_{count}"] = len(overview.content)
            figures["sample"] = body["totals"]
            figures["reads"][f"overview JSON, {count:,} estates"] = await timed(
                lambda: fetch("/api/district/overview")
            )
            figures["reads"][f"overview sorted by -saving_pct, {count:,} estates"] = await timed(
                lambda: fetch("/api/district/overview?sort=-saving_pct&band=within")
            )
            figures["reads"][f"overview.csv, {count:,} estates"] = await timed(
                lambda: fetch("/api/district/overview.csv")
            )
            figures["reads"][f"overview.xlsx, {count:,} estates"] = await timed(
                lambda: fetch("/api/district/overview.xlsx"), 5
            )
            figures["reads"][f"the six queries alone, {count:,} estates"] = await timed(
                lambda n=count: queries(raw, estates[:n])
            )
        await raw.close()
    return figures


def report(figures: dict[str, Any]) -> str:
    rows = [
        f"| {label} | {statistics.median(s):.1f} | {p95(s) if len(s) >= 10 else max(s):.1f} |"
        for label, s in figures["reads"].items()
    ]
    t = figures["sample"]
    return "\n".join(
        [
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine_line()}.",
            f"{ESTATES:,} estates × {HOUSEHOLDS} households (seeded by SQL in "
            f"{figures['seed_s']:.0f} s; database {figures['db_mb']:.0f} MB), a district member "
            f"assigned 100 and then all of them; {REPEATS} calls each (XLSX: 5), in-process "
            f"ASGI; `uv run python bench/district_overview.py`. JSON of 1,000 estates: "
            f"{figures['bytes_1000'] / 1e6:.1f} MB. Load average at the end "
            f"{os.getloadavg()[0]:.1f}. District totals: {t['estates']} estates, "
            f"{t['households']:,} households, savings {t['saving_pct']} %, residents' share "
            f"{t['residents_share']}, {t['within_band']} within the band.",
            "",
            "| call | p50 ms | p95 ms (XLSX: max) |",
            "|---|---:|---:|",
            *rows,
        ]
    )


def main() -> None:
    bench_main(__doc__, "district", run, report, "2026-12-04, issue 21 (district overview)")


if __name__ == "__main__":
    main()
