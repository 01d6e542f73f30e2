"""Disclosure (公示) benchmark: the estate's disclosure over 20,000 households and 40,000
ledger entries.

    uv run python bench/disclosure.py            # print the figures
    uv run python bench/disclosure.py --write    # also record them in docs/benchmarks.md

Set-up as bench/ledger.py (its register and timers): a fresh embedded PostgreSQL, the estate
(40 buildings × 500 units) imported, its plan solved and approved through the API, entries
bulk-loaded by COPY, the disclosure published. Measured in-process over ASGI, p50 and p95:
GET the disclosure (committee: aggregates; an owner: with her line), the public page by token,
the printable notice. Every read aggregates all households' balances: it costs about what
the ledger's whole-estate balances cost, without encoding 20,000 rows.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from pathlib import Path
from typing import Any

import asyncpg
from ledger import p95, register, timed  # bench/ledger.py
from litestar.testing import AsyncTestClient
from machine import machine_line  # bench/machine.py
from scratch import bench_main  # bench/scratch.py

from planner.app import create_app
from planner.settings import Settings

HOUSEHOLDS = 20_000
ENTRIES = 40_000
REPEATS = 20


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
            return response.json() if "json" in response.headers.get("content-type", "") else None

        estate = (await call("POST", "/api/estates", admin, json={"name": "基准小区"}))["id"]
        tokens = {}
        for role in ("treasurer", "committee"):
            made = await call(
                "POST",
                f"/api/estates/{estate}/members",
                admin,
                json={"role": role, "display_name": role},
            )
            tokens[role] = {"Authorization": f"Bearer {made['token']}"}
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
        plan = await call(
            "POST",
            f"/api/estates/{estate}/funding-plans",
            tokens["treasurer"],
            json={"resident_band": ["0.20", "1.00"]},
        )
        await call("POST", f"/api/funding-plans/{plan['id']}/approve", tokens["treasurer"])
        due = {h["household_id"]: h["amount_fen"] for h in plan["households"]}
        ids = sorted(due)
        owner = await call(
            "POST",
            f"/api/estates/{estate}/members",
            admin,
            json={"role": "owner", "display_name": "业主", "household_ids": [ids[7]]},
        )
        tokens["owner"] = {"Authorization": f"Bearer {owner['token']}"}
        conn = await asyncpg.connect(database_url)
        try:
            member = await conn.fetchval(
                "SELECT id FROM members WHERE estate_id = $1 AND role = 'treasurer'", estate
            )
            records = [
                (estate, plan["id"], hid, "payment", max(1, due[hid] // 3),
                 "cash", f"R{n:07d}", dt.date(2026, 10, 1), "", member)
                for n, hid in ((n, ids[n % len(ids)]) for n in range(ENTRIES))
            ]  # fmt: skip
            await conn.copy_records_to_table(
                "ledger_entries",
                records=records,
                columns=["estate_id", "plan_id", "household_id", "kind", "amount_fen",
                         "channel", "receipt_no", "paid_on", "note", "recorded_by"],
            )  # fmt: skip
            await conn.execute("ANALYZE ledger_entries")
        finally:
            await conn.close()
        published = await call(
            "POST", f"/api/estates/{estate}/disclosure/publish", tokens["committee"]
        )
        token = published["token"]

        async def fetch(path: str, headers: dict[str, str] | None = None) -> None:
            response = await client.get(path, headers=headers)
            assert response.status_code == 200 and response.content, (path, response.text[:300])

        base = f"/api/estates/{estate}/disclosure"
        figures["reads"] = {
            "disclosure (committee)": await timed(
                lambda: fetch(base, tokens["committee"]), REPEATS
            ),
            "disclosure (owner, with her line)": await timed(
                lambda: fetch(base, tokens["owner"]), REPEATS
            ),
            "public page by token": await timed(
                lambda: fetch(f"/api/public/disclosures/{token}"), REPEATS
            ),
            "public notice.html (zh, QR)": await timed(
                lambda: fetch(f"/api/public/disclosures/{token}/notice.html"), REPEATS
            ),
        }
    return figures


def report(figures: dict[str, Any]) -> str:
    rows = [
        f"| {label} | {statistics.median(s):.1f} | {p95(s):.1f} |"
        for label, s in figures["reads"].items()
    ]
    return "\n".join(
        [
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine_line()}.",
            f"{HOUSEHOLDS:,} households, {ENTRIES:,} entries (COPY), {REPEATS} calls each, "
            f"in-process ASGI; `uv run python bench/disclosure.py`. Load average at the end "
            f"{os.getloadavg()[0]:.1f}.",
            "",
            "| call | API p50 ms | API p95 ms |",
            "|---|---:|---:|",
            *rows,
        ]
    )


def main() -> None:
    bench_main(__doc__, "disclosure", run, report, "2026-12-04, issue 19 (disclosure)")


if __name__ == "__main__":
    main()
