"""Collection ledger benchmark: 20,000 households, 100,000 entries, a 10,000-line statement.

    uv run python bench/ledger.py            # print the figures
    uv run python bench/ledger.py --write    # also record them in docs/benchmarks.md

Set-up: a fresh embedded PostgreSQL; the estate (40 buildings × 500 units) imported and its
plan solved and approved through the API; 100,000 ledger entries bulk-loaded by COPY
(payments spread over the households, 2 % reversed). Measured through the API in-process
over ASGI (routing, auth, SQL, rules, JSON), p50 and p95: GET balances (all 20,000 rows, and
one building's page with ``by=building``), GET arrears (JSON) and arrears.csv, GET ledger
(a 200-entry page, one household's lines). Then POST a 10,000-line bank statement (zh
headers; memos with the unit label, some with none): wall time of the import (parse, match,
post, store every line). Target: p50 < 50 ms for the reads.
"""

from __future__ import annotations

import datetime as dt
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
from planner.settings import Settings

HOUSEHOLDS = 20_000
BUILDINGS = 40
ENTRIES = 100_000
BANK_LINES = 10_000
REPEATS = 30
TARGET_MS = 50.0


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


def register() -> str:
    per = HOUSEHOLDS // BUILDINGS
    rows = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    rng = random.Random(7)
    for b in range(1, BUILDINGS + 1):
        for i in range(per):
            floor = 1 + i // 20
            unit = f"{floor}{i % 20 + 1:02d}"
            area = rng.choice(("58.60", "72.35", "86.50", "102.40", "118.75"))
            rows.append(f"{b}栋,{unit},{floor},{area},K{b}-{unit},业主{b}-{unit},")
    return "\n".join(rows) + "\n"


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
        treasurer_m = await call(
            "POST",
            f"/api/estates/{estate}/members",
            admin,
            json={"role": "treasurer", "display_name": "出纳"},
        )
        treasurer = {"Authorization": f"Bearer {treasurer_m['token']}"}
        await call(
            "POST",
            f"/api/estates/{estate}/households/import",
            {**admin, "content-type": "text/csv"},
            content=register().encode(),
        )
        await call(
            "POST",
            f"/api/estates/{estate}/works",
            admin,
            json={"title": "屋面防水", "category": "roof", "estimate_fen": 800_000_000},
        )
        start = time.perf_counter()
        plan = await call(
            "POST",
            f"/api/estates/{estate}/funding-plans",
            treasurer,
            json={"resident_band": ["0.20", "1.00"]},
        )
        figures["solve_s"] = time.perf_counter() - start
        plan_id = plan["id"]
        await call("POST", f"/api/funding-plans/{plan_id}/approve", treasurer)
        full = await call("GET", f"/api/funding-plans/{plan_id}", treasurer)
        due = {h["household_id"]: h["amount_fen"] for h in full["households"]}
        ids = sorted(due)

        # 100,000 entries by COPY (set-up only)
        rng = random.Random(11)
        conn = await asyncpg.connect(database_url)
        try:
            member = await conn.fetchval(
                "SELECT id FROM members WHERE estate_id = $1 AND role = 'treasurer'", estate
            )
            channels = ("cash", "bank_transfer", "wechat", "alipay")
            records = []
            for n in range(ENTRIES):
                hid = ids[n % len(ids)] if n < len(ids) * 4 else rng.choice(ids)
                amount = max(1, due[hid] // 5)
                records.append(
                    (
                        estate,
                        plan_id,
                        hid,
                        "payment",
                        amount,
                        channels[n % 4],
                        f"R{n:07d}",
                        dt.date(2026, 10, 1) + dt.timedelta(days=n % 60),
                        "",
                        member,
                    )
                )
            start = time.perf_counter()
            await conn.copy_records_to_table(
                "ledger_entries",
                records=records,
                columns=[
                    "estate_id",
                    "plan_id",
                    "household_id",
                    "kind",
                    "amount_fen",
                    "channel",
                    "receipt_no",
                    "paid_on",
                    "note",
                    "recorded_by",
                ],
            )
            await conn.execute("ANALYZE ledger_entries")
            figures["copy_s"] = time.perf_counter() - start
            building_id = await conn.fetchval(
                "SELECT id FROM buildings WHERE estate_id = $1 ORDER BY id LIMIT 1", estate
            )
            labels = {
                r["id"]: f"{r['name']} {r['unit']}"
                for r in await conn.fetch(
                    """SELECT h.id, b.name, h.unit FROM households h
                       JOIN buildings b ON b.id = h.building_id WHERE h.estate_id = $1""",
                    estate,
                )
            }
        finally:
            await conn.close()

        async def fetch(path: str, **params: Any) -> None:
            response = await client.get(path, headers=treasurer, params=params or None)
            assert response.status_code == 200 and response.content, (path, response.text[:300])

        base = f"/api/funding-plans/{plan_id}"
        mid = ids[len(ids) // 2]
        figures["reads"] = {
            "balances (first page of 500 + whole-plan totals)": await timed(
                lambda: fetch(f"{base}/balances")
            ),
            "balances ?after= (a middle page of 500)": await timed(
                lambda: fetch(f"{base}/balances", after=mid)
            ),
            "balances ?by=building&limit=1 (whole-plan and per-building totals)": await timed(
                lambda: fetch(f"{base}/balances", by="building", limit=1)
            ),
            "balances ?by=building (first page + totals)": await timed(
                lambda: fetch(f"{base}/balances", by="building")
            ),
            "balances ?building_id= (one building, 500 rows)": await timed(
                lambda: fetch(f"{base}/balances", building_id=building_id)
            ),
            "arrears (JSON, first page of 500 + total)": await timed(
                lambda: fetch(f"{base}/arrears")
            ),
            "arrears ?building_id= (one building)": await timed(
                lambda: fetch(f"{base}/arrears", building_id=building_id)
            ),
            "arrears.csv (complete download)": await timed(
                lambda: fetch(f"{base}/arrears.csv"), 10
            ),
            "arrears.html (complete printable page)": await timed(
                lambda: fetch(f"{base}/arrears.html"), 5
            ),
            "ledger page (200 entries)": await timed(
                lambda: fetch(f"{base}/ledger", after=50_000, limit=200)
            ),
            "ledger ?household_id=": await timed(
                lambda: fetch(f"{base}/ledger", household_id=ids[123])
            ),
        }

        async def whole_estate() -> None:
            after = 0
            while True:
                response = await client.get(
                    f"{base}/balances", headers=treasurer, params={"after": after, "limit": 5000}
                )
                after = response.json()["next_after"]
                if after is None:
                    return

        figures["whole_estate"] = await timed(whole_estate, 5)
        receipt_no = iter(range(10**6))

        async def pay_then_read() -> None:
            n = next(receipt_no)
            await call(
                "POST",
                f"{base}/ledger",
                treasurer,
                json={
                    "household_id": ids[n % len(ids)],
                    "amount_fen": 100,
                    "channel": "cash",
                    "receipt_no": f"BENCH-{n}",
                    "paid_on": "2026-11-02",
                },
            )
            await fetch(f"{base}/balances", by="building")

        figures["pay_then_read"] = await timed(pay_then_read, 10)

        lines = ["交易日期,交易金额,摘要,交易流水号"]
        for n in range(BANK_LINES):
            hid = rng.choice(ids)
            memo = f"{labels[hid]} 维修资金" if n % 10 else "转账"
            lines.append(f"2026-11-{1 + n % 28:02d},{due[hid] / 500:.2f},{memo},BK{n:08d}")
        raw = ("\n".join(lines) + "\n").encode()
        start = time.perf_counter()
        result = await call(
            "POST",
            f"{base}/bank-statements",
            {**treasurer, "content-type": "text/csv"},
            content=raw,
        )
        figures["bank_s"] = time.perf_counter() - start
        figures["bank_counts"] = result["counts"]
        start = time.perf_counter()
        again = await call(
            "POST",
            f"{base}/bank-statements",
            {**treasurer, "content-type": "text/csv"},
            content=raw,
        )
        figures["bank_again_s"] = time.perf_counter() - start
        figures["bank_again_counts"] = again["counts"]
    return figures


def report(figures: dict[str, Any]) -> str:
    rows = []
    for label, samples in figures["reads"].items():
        verdict = "ok" if statistics.median(samples) < TARGET_MS else "OVER TARGET"
        if "complete" in label:
            verdict = "download (not a query)"
        rows.append(
            f"| {label} | {statistics.median(samples):.1f} | {p95(samples):.1f} | {verdict} |"
        )
    return "\n".join(
        [
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine_line()}.",
            f"{HOUSEHOLDS:,} households in {BUILDINGS} buildings, {ENTRIES:,} entries (COPY, "
            f"{figures['copy_s']:.1f} s), {REPEATS} calls each, in-process ASGI; "
            f"`uv run python bench/ledger.py`. Load average at the end "
            f"{os.getloadavg()[0]:.1f}.",
            "",
            "| call | API p50 ms | API p95 ms | target p50 < 50 ms |",
            "|---|---:|---:|---|",
            *rows,
            "",
            f"Every balance of the estate paged by 5,000 (4 calls): p50 "
            f"{statistics.median(figures['whole_estate']):.1f} ms. Record a payment then read "
            f"balances ?by=building (the kept sums brought up to date from the new entry): p50 "
            f"{statistics.median(figures['pay_then_read']):.1f} ms.",
            "",
            f"Bank statement of {BANK_LINES:,} lines (parse, match, post, store): "
            f"{figures['bank_s']:.2f} s, {figures['bank_counts']}; the same file again "
            f"(nothing posted twice): {figures['bank_again_s']:.2f} s, "
            f"{figures['bank_again_counts']}.",
        ]
    )


def main() -> None:
    bench_main(
        __doc__,
        "ledger",
        run,
        report,
        "2026-12-04, issue 19 (collection ledger, after the read work)",
    )


if __name__ == "__main__":
    main()
