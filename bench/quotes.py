"""Quotes benchmark: one work, 10 suppliers × 200 lines × 10 rounds.

    uv run python bench/quotes.py            # print the figures
    uv run python bench/quotes.py --write    # also append them to docs/benchmarks.md

Everything is set up through the API on a fresh database (an embedded PostgreSQL in a
temporary folder, or ``DATABASE_URL`` if set: the database must be empty). Then it times
GET /api/works/{id}/comparison and GET /api/quotes/{id} (one quote's full history: 10
rounds of 200 lines) as the committee, in-process over ASGI (routing, auth, SQL, rules,
JSON), p50 and p95 over repeated calls, beside the time of the same SQL alone (fetch
only, no decoding) on a direct connection. Target: p50 under 50 ms each.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from planner.app import create_app
from planner.db.embedded import EmbeddedPostgres
from planner.settings import Settings

SUPPLIERS = 10
LINES = 200
ROUNDS = 10
REPEATS = 50
TARGET_MS = 50.0


def lines_for(supplier: int, round_no: int) -> list[dict[str, Any]]:
    """200 lines; every round cuts each price a little, suppliers differ by a few percent."""
    result = []
    for i in range(LINES):
        base = 10_000 + 137 * i
        price = base * (100 + 3 * supplier) * (100 - 2 * round_no) // 10_000
        result.append(
            {
                "description": f"材料 {i:03d} 规格 {i % 7}",
                "unit": "m" if i % 3 else "套",
                "quantity": f"{1 + i % 50}.{i % 1000:03d}",
                "unit_price_fen": price,
                "line_key": f"L{i:03d}",
            }
        )
    return result


async def timed(call: Callable[[], Awaitable[Any]], repeats: int = REPEATS) -> list[float]:
    await call()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] if len(samples) > 1 else samples[0]


async def run(database_url: str, data_dir: Path) -> dict[str, list[float]]:
    app = create_app(Settings(database_url=database_url, data_dir=data_dir))
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        admin = {"Authorization": f"Bearer {app.state.new_admin_token}"}

        async def call(method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
            response = await client.request(method, path, headers=headers, **kw)
            assert response.status_code < 300, (path, response.status_code, response.text)
            return response.json()

        estate = await call("POST", "/api/estates", admin, json={"name": "基准小区"})
        estate_id = estate["id"]
        members = f"/api/estates/{estate_id}/members"
        committee_member = await call(
            "POST", members, admin, json={"role": "committee", "display_name": "主任"}
        )
        committee = {"Authorization": f"Bearer {committee_member['token']}"}
        work = await call(
            "POST",
            f"/api/estates/{estate_id}/works",
            committee,
            json={"title": "二次供电改造", "category": "power"},
        )
        await call(
            "POST", f"/api/works/{work['id']}/status", committee, json={"status": "approved"}
        )
        await call(
            "PUT",
            f"/api/works/{work['id']}/reference-prices",
            committee,
            json={
                "lines": [
                    {
                        "description": f"ref {i}",
                        "line_key": f"L{i:03d}",
                        "unit_price_fen": 9_000 + 137 * i,
                    }
                    for i in range(LINES)
                ]
            },
        )
        quote_ids = []
        for s in range(SUPPLIERS):
            supplier = await call(
                "POST",
                f"/api/estates/{estate_id}/suppliers",
                committee,
                json={"name": f"供应商 {s + 1}"},
            )
            member = await call(
                "POST",
                members,
                admin,
                json={
                    "role": "supplier",
                    "display_name": f"谈判代表 {s + 1}",
                    "supplier_id": supplier["id"],
                },
            )
            bidder = {"Authorization": f"Bearer {member['token']}"}
            await call(
                "POST",
                f"/api/works/{work['id']}/invitations",
                committee,
                json={"supplier_id": supplier["id"]},
            )
            quote = await call(
                "POST", f"/api/works/{work['id']}/quotes", bidder, json={"lines": lines_for(s, 0)}
            )
            for r in range(1, ROUNDS):
                await call(
                    "POST",
                    f"/api/quotes/{quote['id']}/rounds",
                    bidder,
                    json={"based_on_round": r, "lines": lines_for(s, r)},
                )
            quote_ids.append(quote["id"])

        comparison_path = f"/api/works/{work['id']}/comparison"
        history_path = f"/api/quotes/{quote_ids[0]}"
        comparison = await call("GET", comparison_path, committee)
        assert len(comparison["quotes"]) == SUPPLIERS and len(comparison["rows"]) == LINES
        history = await call("GET", history_path, committee)
        assert len(history["rounds"]) == ROUNDS

        async def fetch(path: str) -> None:
            # the response body is read but not parsed: the figure is the server's, not
            # the client's JSON decoding
            response = await client.get(path, headers=committee)
            assert response.status_code == 200 and len(response.content) > 0

        figures = {
            "comparison_api": await timed(lambda: fetch(comparison_path)),
            "history_api": await timed(lambda: fetch(history_path)),
        }

    conn = await asyncpg.connect(database_url)
    try:

        async def comparison_sql() -> None:
            await conn.fetch(
                """SELECT q.id, q.supplier_id, s.name, q.status, r.round, r.total_fen,
                          r.lines::text AS lines
                   FROM quotes q JOIN suppliers s ON s.id = q.supplier_id
                   JOIN rounds r ON r.quote_id = q.id AND r.round = q.latest_round
                   WHERE q.work_id = $1 ORDER BY q.id""",
                work["id"],
            )
            await conn.fetch(
                """SELECT line_key, description, unit_price_fen FROM reference_lines
                                WHERE work_id = $1 ORDER BY line_no""",
                work["id"],
            )

        async def history_sql() -> None:
            await conn.fetch(
                """SELECT round, total_fen, lines::text AS lines, by_member_id, at,
                                       is_final FROM rounds WHERE quote_id = $1 ORDER BY round""",
                quote_ids[0],
            )
            await conn.fetch(
                "SELECT * FROM counter_offers WHERE quote_id = $1 ORDER BY id", quote_ids[0]
            )

        figures["comparison_sql"] = await timed(comparison_sql)
        figures["history_sql"] = await timed(history_sql)
    finally:
        await conn.close()
    return figures


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {platform.machine()}, {cpu}, "
        f"{len(os.sched_getaffinity(0))} cores available, Python {platform.python_version()}"
    )


def report(figures: dict[str, list[float]]) -> str:
    rows = []
    for name, label in (
        ("comparison", "comparison (GET /api/works/{id}/comparison)"),
        ("history", "history (GET /api/quotes/{id}, 10 rounds)"),
    ):
        api, sql = figures[f"{name}_api"], figures[f"{name}_sql"]
        verdict = "ok" if statistics.median(api) < TARGET_MS else "OVER TARGET"
        rows.append(
            f"| {label} | {statistics.median(api):.1f} | {p(api, 95):.1f} | "
            f"{statistics.median(sql):.1f} | {verdict} |"
        )
    return "\n".join(
        [
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}.",
            f"{SUPPLIERS} suppliers × {LINES} lines × {ROUNDS} rounds, {REPEATS} calls each, "
            f"in-process ASGI; `uv run python bench/quotes.py`. Load average at the end "
            f"{os.getloadavg()[0]:.1f} (the machine is shared; figures scale with it).",
            "",
            "| call | API p50 ms | API p95 ms | SQL alone p50 ms | target p50 < 50 ms |",
            "|---|---:|---:|---:|---|",
            *rows,
        ]
    )


def record(body: str) -> None:
    """Append this run under "## Quotes" (creating the section if needed)."""
    path = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    heading = "## Quotes\n"
    if heading not in text:
        text = text.rstrip("\n") + "\n\n" + heading + "\n"
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    end = len(text) if following == -1 else following + 1
    existing = text[start:end].strip("\n")
    section = "\n" + (existing + "\n\n" if existing else "") + body + "\n"
    text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-quotes-") as folder:
        data_dir = Path(folder)
        embedded = None
        url = os.environ.get("DATABASE_URL")
        if url is None:
            embedded = EmbeddedPostgres(data_dir)
            url = embedded.start()
        try:
            figures = asyncio.run(run(url, data_dir))
        finally:
            if embedded is not None:
                embedded.stop()
    body = report(figures)
    print(body)
    if args.write:
        record(body)


if __name__ == "__main__":
    main()
