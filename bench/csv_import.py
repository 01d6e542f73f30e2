"""Household CSV import benchmark: a 200,000-row register into a real ``planner serve``.

    uv run python bench/csv_import.py                      # 200,000 rows, and main for comparison
    uv run python bench/csv_import.py --rows 50000 --compare ''   # this checkout only

Each service runs on its own embedded PostgreSQL in a temporary folder. While the import
runs, ``/health`` is polled every 20 ms; the import's wall time and the p50/p99/max of
``/health`` are printed as a markdown block for docs/benchmarks.md. ``--compare REF`` also
runs the service of git ref REF (exported with ``git archive``; main parses the file on
the event loop) on the largest register its import limit takes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import httpx

from planner.testing import ROOT, bearer, free_port, wait_healthy
from planner.testing.register import household_register

POLL_S = 0.02
IDLE_S = 3.0


class Run:
    def __init__(self, label: str, rows: int, size: int) -> None:
        self.label, self.rows, self.size = label, rows, size
        self.import_s = 0.0
        self.status = 0
        self.health: list[float] = []
        self.idle: list[float] = []


def _serve(source: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLANNER_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(source)
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port)],
        env=env,
        cwd=source,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, process, 180)
    return process, base_url


async def _poll(http: httpx.AsyncClient, done: asyncio.Event, times: list[float]) -> None:
    while not done.is_set():
        began = time.perf_counter()
        response = await http.get("/health")
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.text
        await asyncio.sleep(POLL_S)


async def _measure(run: Run, base_url: str, token: str, raw: bytes) -> None:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=600) as http,
        httpx.AsyncClient(base_url=base_url, timeout=600) as poller,
    ):
        made = await http.post("/api/estates", json={"name": "基准小区"}, headers=bearer(token))
        made.raise_for_status()
        estate = made.json()["id"]
        for _ in range(20):  # warm: connections, the route, the pool
            await poller.get("/health")
        idle = asyncio.Event()
        polling = asyncio.create_task(_poll(poller, idle, run.idle))
        await asyncio.sleep(IDLE_S)  # the same polling with nothing else to do: the noise floor
        idle.set()
        await polling
        done = asyncio.Event()
        polling = asyncio.create_task(_poll(poller, done, run.health))
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        response = await http.post(
            f"/api/estates/{estate}/households/import",
            content=raw,
            headers={**bearer(token), "content-type": "text/csv"},
        )
        run.import_s = time.perf_counter() - began
        done.set()
        await polling
        run.status = response.status_code
        if response.status_code != 201:
            raise RuntimeError(f"{run.label}: import answered {response.status_code}")
        assert response.json()["households_created"] == run.rows


def _export(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", ref, "planner"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _limit_of(source: Path) -> int:
    """The import route's body limit in that checkout (main: 8 MiB)."""
    text = (source / "planner" / "estates" / "routes.py").read_text()
    mib = re.search(r"^MAX_IMPORT_BYTES = (\d+) \* 1024 \* 1024$", text, re.M)
    assert mib is not None, "MAX_IMPORT_BYTES is no longer 'N * 1024 * 1024'"
    return int(mib.group(1)) * 1024 * 1024


async def bench(label: str, source: Path, base: Path, rows: int) -> Run:
    limit = _limit_of(source)
    raw = household_register(rows)
    while len(raw) > limit:
        rows -= 10_000
        raw = household_register(rows)
    run = Run(label, rows, len(raw))
    data_dir = base / label.replace(" ", "-")
    process, base_url = await asyncio.to_thread(_serve, source, data_dir)
    try:
        token = (data_dir / "admin_token").read_text().strip()
        await _measure(run, base_url, token, raw)
    finally:
        process.terminate()
        process.wait(30)
    return run


def _ms(times: list[float]) -> str:
    """p50 / p99 / max in ms."""
    h = sorted(times)
    p99 = h[min(len(h) - 1, int(len(h) * 0.99))]
    return f"{statistics.median(h) * 1000:.0f} / {p99 * 1000:.0f} / {h[-1] * 1000:.0f}"


def _row(run: Run) -> str:
    return (
        f"| {run.label} | {run.rows:,} | {run.size / 2**20:.1f} | {run.import_s:.2f} "
        f"| {len(run.health)} | **{_ms(run.health)}** | {_ms(run.idle)} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--compare", default="main", help="git ref to compare with ('' = none)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="planner-csv-bench-"))
    os.chmod(base, 0o755)
    try:
        runs = [await bench("this branch", ROOT, base, args.rows)]
        if args.compare:
            source = _export(args.compare, base / "src")
            runs.append(await bench(args.compare, source, base, args.rows))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    command = f"uv run python bench/csv_import.py --rows {args.rows} --compare '{args.compare}'"
    print(f"### Household CSV import ({dt.date.today().isoformat()}, `{command}`)\n")
    print(
        "| service | rows | MiB | import s | /health polls | /health during the import, "
        "p50 / p99 / max ms | /health idle just before, p50 / p99 / max ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for run in runs:
        print(_row(run))


if __name__ == "__main__":
    asyncio.run(main())
