"""Vote storm: many owners casting and changing ballots over HTTP while many sockets watch.

    uv run python bench/vote_storm.py          # 2,000 households, 400 clients, 500 watchers
    uv run python bench/vote_storm.py --write  # also append the figures to docs/benchmarks.md
    uv run python bench/vote_storm.py --households 500 --clients 100 --watchers 50  # quick
    uv run python bench/vote_storm.py --instances 2  # clients and watchers spread over two
    uv run python bench/vote_storm.py --keys  # each cast with an idempotency key, as the web
    uv run python bench/vote_storm.py --workers 2  # `planner serve --workers 2` (one socket)
    uv run python bench/vote_storm.py --client aiohttp  # the casters on aiohttp, not lean_http

A fresh embedded PostgreSQL (or ``DATABASE_URL``: an empty database) and ``planner serve`` in
its own process. Set-up goes through the API: one estate, the households, one owner member per
owner key, a meeting and an open motion (matter 6). Then ``--watchers`` WebSocket clients (in a
separate process, so their parsing does not slow the casters) follow ``WS /ws/estates/{id}``
while ``--clients`` concurrent HTTP clients cast every owner's ballot and then ``--changes``
changed ballots. Reported:

- casts/s and ballot rows/s (an owner with two units makes two rows per cast), p50/p99 cast
  latency;
- p50/p99 tally-push delay: the time from an event's ``at`` (taken in the casting
  transaction) to a watcher receiving the ``tally.updated`` frame, over every watcher;
- zero lost: every cast answered 201; the ballot rows equal the rows the casts reported; the
  API tally, the running counts and every watcher's last pushed tally equal a recount of the
  ballots table (``rules.tally``);
- CPU per cast (user + system, from /proc): the services, PostgreSQL, the load client and
  the watchers during the storm; and per row for the floor (PostgreSQL and its client). On
  a shared machine casts/s and the floor move with whatever else runs; what a cast costs
  moves much less;
- the floor: the same ballot rows inserted with bare asyncpg (one INSERT per cast, same
  concurrency, a pool as large as the service's request pools together: 10 per process)
  into a copy of the table without the foreign keys, and the ratio service/floor
  (target >= 0.5).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
import lean_http  # bench/lean_http.py
import msgspec
import psutil  # type: ignore[import-untyped]
import uvloop
from httptools import HttpParserError
from watching import Stream  # bench/watching.py

from planner.db.embedded import EmbeddedPostgres
from planner.deliberation.ballot_box import PUSH_INTERVAL_S
from planner.testing import ROOT, free_port
from planner.testing.recount import TALLY_FIELDS, recount_from_tables

CHOICES = ("yes", "no", "abstain")
SERVICE_POOL = 10  # Settings.pool_max_size default


def pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100)[q - 1]


def households_csv(households: int) -> tuple[str, int]:
    """Every 20th household belongs to the owner of the one before it (owners of two units)."""
    rng = random.Random(278)
    lines = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    owner = 0
    for i in range(households):
        if i % 20 != 19:
            owner += 1
        area = f"{rng.randint(4000, 15000) / 100:.2f}"
        lines.append(f"{i % 10 + 1}栋,{i:05d},{i % 30 + 1},{area},o{owner},业主{owner},")
    return "\n".join(lines) + "\n", owner


# --- CPU ---------------------------------------------------------------------------------------


class Cpu:
    """CPU seconds (user + system) of the services (workers included), PostgreSQL (the
    postmaster and its backends), this process (the load client) and the watchers."""

    def __init__(self, services: list[int], pgdata: Path | None) -> None:
        self.services = [psutil.Process(pid) for pid in services]
        self.pgdata = pgdata
        self.me = psutil.Process()
        self.watchers: psutil.Process | None = None

    @staticmethod
    def _tree(p: psutil.Process) -> float:
        total = 0.0
        for q in [p, *p.children(recursive=True)]:
            with suppress(psutil.NoSuchProcess):
                t = q.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
        return total

    def sample(self) -> dict[str, float]:
        out = {"service": sum(self._tree(p) for p in self.services)}
        if self.pgdata is not None:
            with suppress(OSError, ValueError, psutil.NoSuchProcess):
                pid = int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])
                out["PostgreSQL"] = self._tree(psutil.Process(pid))
        t = self.me.cpu_times()
        out["load client"] = t.user + t.system
        if self.watchers is not None:
            with suppress(psutil.NoSuchProcess):
                out["watchers"] = self._tree(self.watchers)
        return out

    @staticmethod
    def per(a: dict[str, float], b: dict[str, float], n: int) -> dict[str, float]:
        """CPU ms per unit between two samples (``n`` units)."""
        return {k: (b[k] - a[k]) * 1000 / n for k in b if k in a}


# --- watchers (run in their own process) ------------------------------------------------------


def watchers_main(bases_ws: list[str], estate_id: int, tokens: list[str], pipe: Connection) -> None:
    uvloop.run(_watchers(bases_ws, estate_id, tokens, pipe))


async def _watchers(
    bases_ws: list[str], estate_id: int, tokens: list[str], pipe: Connection
) -> None:
    delays: list[float] = []
    last_tally: list[Any] = [None] * len(tokens)
    hello = asyncio.Semaphore(0)
    stop = asyncio.Event()

    def handler(i: int) -> Callable[[dict[str, Any], float], None]:
        def on_event(frame: dict[str, Any], received: float) -> None:
            if frame["type"] == "tally.updated":
                at = dt.datetime.fromisoformat(frame["at"]).timestamp()
                delays.append(received - at)
                last_tally[i] = frame["data"]

        return on_event

    def address(i: int, token: str) -> Callable[[int], str]:
        base_ws = bases_ws[i % len(bases_ws)]
        return lambda after: (
            f"{base_ws}/ws/estates/{estate_id}?token={token}" + (f"&after={after}" if after else "")
        )

    streams = [Stream(address(i, t), handler(i), hello) for i, t in enumerate(tokens)]
    tasks = [asyncio.create_task(s.run(stop)) for s in streams]
    for _ in tokens:
        await hello.acquire()
    pipe.send("ready")
    head = await asyncio.to_thread(pipe.recv)  # the estate's last seq once the casts are done
    deadline = time.monotonic() + 120
    while min(s.last_seq for s in streams) < head and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stop.set()
    for task in tasks:
        task.cancel()
    with suppress(asyncio.CancelledError):
        await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(
        {
            "delays": delays,
            "last_tally": last_tally,
            "caught_up": min(s.last_seq for s in streams) >= head,
            "reconnects": sum(s.reconnects for s in streams),
        }
    )


# --- the storm --------------------------------------------------------------------------------


async def setup(http: httpx.AsyncClient, admin: str, households: int) -> dict[str, Any]:
    def h(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    estate = await http.post("/api/estates", json={"name": "投票压力小区"}, headers=h(admin))
    estate_id = estate.json()["id"]
    csv, _ = households_csv(households)
    imported = await http.post(
        f"/api/estates/{estate_id}/households/import",
        content=csv.encode(),
        headers={**h(admin), "content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    listed = (await http.get(f"/api/estates/{estate_id}/households", headers=h(admin))).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    by_owner: dict[str, list[int]] = {}
    for row in items:
        by_owner.setdefault(row["owner_key"], []).append(row["id"])
    gate = asyncio.Semaphore(16)

    async def member(key: str, ids: list[int]) -> tuple[str, str]:
        async with gate:
            made = await http.post(
                f"/api/estates/{estate_id}/members",
                headers=h(admin),
                json={"role": "owner", "display_name": f"业主{key}", "household_ids": ids},
            )
            assert made.status_code == 201, made.text
            return key, made.json()["token"]

    owners = dict(await asyncio.gather(*(member(k, v) for k, v in by_owner.items())))
    committee = (
        await http.post(
            f"/api/estates/{estate_id}/members",
            headers=h(admin),
            json={"role": "committee", "display_name": "主任"},
        )
    ).json()["token"]
    meeting = (
        await http.post(
            f"/api/estates/{estate_id}/meetings",
            headers=h(committee),
            json={"title": "业主大会", "kind": "owners_assembly"},
        )
    ).json()
    await http.post(f"/api/meetings/{meeting['id']}/open", headers=h(committee))
    motion = (
        await http.post(
            f"/api/meetings/{meeting['id']}/motions",
            headers=h(committee),
            json={"title": "筹集维修资金（居民自筹）", "matter": 6},
        )
    ).json()
    opened = await http.post(f"/api/motions/{motion['id']}/open", headers=h(committee))
    assert opened.status_code == 200, opened.text
    return {
        "estate_id": estate_id,
        "owners": owners,
        "committee": committee,
        "motion_id": motion["id"],
        "units": {k: len(v) for k, v in by_owner.items()},
    }


async def storm(
    http: aiohttp.ClientSession,
    scene: dict[str, Any],
    clients: int,
    changes: int,
    bases: list[str],
    idempotency_keys: bool = False,
    lean: bool = True,
) -> dict[str, Any]:
    rng = random.Random(6)
    keys = sorted(scene["owners"])
    plan = [(k, rng.choice(CHOICES)) for k in keys]
    rng.shuffle(plan)
    later = [(rng.choice(keys), rng.choice(CHOICES)) for _ in range(changes)]
    # changes start once half the first ballots are in, mixed with the rest
    tail = plan[len(plan) // 2 :] + later
    rng.shuffle(tail)
    plan = plan[: len(plan) // 2] + tail
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: dict[str, int] = {}
    rows = 0
    path = f"/api/motions/{scene['motion_id']}/ballots"

    async def client(base: str) -> None:
        nonlocal rows
        connection = lean_http.Connection(base) if lean else None
        while not queue.empty():
            key, choice = queue.get_nowait()
            start = time.perf_counter()
            body_out: dict[str, str] = {"choice": choice}
            if idempotency_keys:  # as the web app sends (web/lib/ballot_queue.js)
                body_out["idempotency_key"] = secrets.token_urlsafe(16)
            headers = {"Authorization": f"Bearer {scene['owners'][key]}"}
            try:
                if connection is not None:
                    headers["Content-Type"] = "application/json"
                    answer = await connection.request(
                        "POST", path, headers, msgspec.json.encode(body_out)
                    )
                    status, body = answer.status, answer.body
                else:
                    async with http.post(base + path, json=body_out, headers=headers) as response:
                        status, body = response.status, await response.read()
            except (aiohttp.ClientError, OSError, TimeoutError, HttpParserError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1  # never retried
                continue
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 201:
                rows += len(msgspec.json.decode(body)["ballots"])
        if connection is not None:
            connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(bases[i % len(bases)]) for i in range(clients)))
    elapsed = time.perf_counter() - began
    return {
        "casts": len(plan),
        "rows": rows,
        "elapsed": elapsed,
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
    }


async def baseline(
    http: aiohttp.ClientSession, tokens: list[str], clients: int, n: int, bases: list[str]
) -> float:
    """The HTTP stack's own ceiling here: authenticated GET /api/me at the same concurrency."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(tokens[i % len(tokens)])

    async def client(base: str) -> None:
        while not queue.empty():
            token = queue.get_nowait()
            with suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(
                    base + "/api/me", headers={"Authorization": f"Bearer {token}"}
                ) as response:
                    await response.read()

    began = time.perf_counter()
    await asyncio.gather(*(client(bases[i % len(bases)]) for i in range(clients)))
    return n / (time.perf_counter() - began)


async def recount(url: str, motion_id: int, matter: int) -> tuple[Any, dict[str, Any], int]:
    """The tests' independent recount from the tables; also whether the running counts agree."""
    expected, counts, running, rows = await recount_from_tables(url, motion_id, matter)
    same = running == {f: getattr(counts, f) for f in running}
    return expected, {"running_equal": same}, rows


async def floor(url: str, casts: list[int], clients: int, pool_size: int) -> float:
    """Bare asyncpg: the same ballot rows, one INSERT per cast, same concurrency; rows/s."""
    conn = await asyncpg.connect(url)
    await conn.execute("DROP TABLE IF EXISTS ballots_floor")
    await conn.execute(
        """CREATE TABLE ballots_floor (
               id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, motion_id bigint NOT NULL,
               household_id bigint NOT NULL, choice text NOT NULL, cast_by bigint NOT NULL,
               delegation_id bigint, receipt text NOT NULL UNIQUE,
               cast_at timestamptz NOT NULL DEFAULT now())"""
    )
    await conn.execute("CREATE INDEX ON ballots_floor (motion_id, household_id, id DESC)")
    await conn.close()
    pool = await asyncpg.create_pool(url, min_size=pool_size, max_size=pool_size)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for units in casts:
        queue.put_nowait(units)

    async def client() -> None:
        while not queue.empty():
            units = queue.get_nowait()
            await pool.execute(
                """INSERT INTO ballots_floor (motion_id, household_id, choice, cast_by, receipt)
                   SELECT 1, h, 'yes', 1, r FROM unnest($1::bigint[], $2::text[]) AS t(h, r)""",
                list(range(units)),
                [secrets.token_hex(6) for _ in range(units)],
            )

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    await pool.close()
    return sum(casts) / elapsed


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="vote-storm-"))
    os.chmod(tmp, 0o755)
    embedded = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        embedded = EmbeddedPostgres(tmp / "pg")
        url = await asyncio.to_thread(embedded.start)
    env = {**os.environ, "DATABASE_URL": url, "PLANNER_DATA_DIR": str(tmp / "svc")}
    ports = [free_port() for _ in range(args.instances)]
    services: list[subprocess.Popen[bytes]] = []
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    base = bases[0]
    watcher_proc = None
    try:
        limits = httpx.Limits(
            max_connections=args.clients + 20, max_keepalive_connections=args.clients + 20
        )
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
            for port, instance in zip(ports, bases, strict=True):  # the first one migrates
                services.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "planner", "serve", "--port", str(port)]
                        + (["--workers", str(args.workers)] if args.workers > 1 else []),
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                for _ in range(600):
                    with suppress(httpx.HTTPError):
                        if (await http.get(instance + "/health")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
            admin = (tmp / "svc" / "admin_token").read_text().strip()
            cpu = Cpu(
                [service.pid for service in services],
                embedded.pgdata.resolve() if embedded is not None else None,
            )
            t0 = time.perf_counter()
            scene = await setup(http, admin, args.households)
            print(
                f"set-up: {args.households} households, {len(scene['owners'])} owners "
                f"in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )

            tokens = list(scene["owners"].values())[: args.watchers]
            ours, theirs = mp.Pipe()
            if args.watchers:
                ctx = mp.get_context("spawn")
                watcher_proc = ctx.Process(
                    target=watchers_main,
                    args=(
                        [b.replace("http://", "ws://") for b in bases],
                        scene["estate_id"],
                        tokens,
                        theirs,
                    ),
                )
                watcher_proc.start()
                cpu.watchers = psutil.Process(watcher_proc.pid)
                if not await asyncio.to_thread(ours.poll, 300):
                    raise RuntimeError("watchers did not connect")
                assert ours.recv() == "ready"
                print(f"{args.watchers} watchers connected", flush=True)

            # fresh connections for the storm: none left idle past the server's keep-alive.
            # The lean client by default (bench/lean_http.py: ready request bytes, httptools
            # to read the answer): aiohttp's own ~0.14 CPU-ms a request took a third of the
            # two cores the service and PostgreSQL share with it, and the floor has no such
            # client (`--client aiohttp` measures with it). Not httpx: its pool scans every
            # connection on each request, which at 400 made the client set the pace.
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.clients),
                timeout=aiohttp.ClientTimeout(total=300),
            ) as storm_http:
                before = cpu.sample()
                result = await storm(
                    storm_http,
                    scene,
                    args.clients,
                    args.changes,
                    bases,
                    args.keys,
                    lean=args.client == "lean",
                )
                storm_cpu = Cpu.per(before, cpu.sample(), result["casts"])
                me_rate = await baseline(
                    storm_http, list(scene["owners"].values()), args.clients, 1000, bases
                )
            await asyncio.sleep(2 * PUSH_INTERVAL_S)  # the tally push owed by the last batches
            committee = {"Authorization": f"Bearer {scene['committee']}"}
            api_tally = (
                await http.get(f"/api/motions/{scene['motion_id']}/tally", headers=committee)
            ).json()
            conn = await asyncpg.connect(url)
            head = await conn.fetchval(
                "SELECT last_seq FROM event_streams WHERE estate_id = $1", scene["estate_id"]
            )
            await conn.close()
            watched: dict[str, Any] = {
                "delays": [],
                "last_tally": [],
                "caught_up": True,
                "reconnects": 0,
            }
            if watcher_proc is not None:
                ours.send(head)
                watched = await asyncio.to_thread(ours.recv)
                watcher_proc.join(30)

        expected, checks, rows_in_table = await recount(url, scene["motion_id"], 6)
        api_equal = all(api_tally[f] == getattr(expected, f) for f in TALLY_FIELDS)
        pushed_equal = all(
            t is not None and all(t[f] == getattr(expected, f) for f in TALLY_FIELDS)
            for t in watched["last_tally"]
        )
        units_per_cast = [scene["units"][k] for k in sorted(scene["owners"])]
        per_cast = [units_per_cast[i % len(units_per_cast)] for i in range(result["casts"])]
        floor_pool = SERVICE_POOL * args.instances * args.workers
        before = cpu.sample()
        floor_rate = await floor(url, per_cast, args.clients, floor_pool)
        floor_cpu = Cpu.per(before, cpu.sample(), sum(per_cast))
    finally:
        if watcher_proc is not None and watcher_proc.is_alive():
            watcher_proc.kill()
        for service in services:
            service.terminate()
        for service in services:
            service.wait(30)
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)

    lat_ms = [x * 1000 for x in result["latencies"]]
    delays_ms = [x * 1000 for x in watched["delays"]]
    rows_rate = result["rows"] / result["elapsed"]
    return {
        "client": args.client,
        "households": args.households,
        "instances": args.instances,
        "workers": args.workers,
        "floor_pool": SERVICE_POOL * args.instances * args.workers,
        "owners": len(scene["owners"]),
        "clients": args.clients,
        "watchers": args.watchers,
        "casts": result["casts"],
        "rows": result["rows"],
        "statuses": result["statuses"],
        "elapsed_s": result["elapsed"],
        "casts_per_s": result["casts"] / result["elapsed"],
        "rows_per_s": rows_rate,
        "cast_p50_ms": pct(lat_ms, 50),
        "cast_p99_ms": pct(lat_ms, 99),
        "push_p50_ms": pct(delays_ms, 50) if delays_ms else None,
        "push_p99_ms": pct(delays_ms, 99) if delays_ms else None,
        "push_frames": len(delays_ms),
        "watchers_caught_up": watched["caught_up"],
        "watcher_reconnects": watched["reconnects"],
        "lost": result["rows"] - rows_in_table,
        "api_tally_equals_recount": api_equal,
        "running_counts_equal_recount": checks["running_equal"],
        "pushed_tally_equals_recount": pushed_equal if args.watchers else None,
        "floor_rows_per_s": floor_rate,
        "errors": result["errors"],
        "me_per_s": me_rate,
        "ratio": rows_rate / floor_rate,
        "storm_cpu_ms": storm_cpu,
        "floor_cpu_ms": {k: v for k, v in floor_cpu.items() if k in ("PostgreSQL", "load client")},
    }


def report(r: dict[str, Any]) -> str:
    push = (
        f"p50 {r['push_p50_ms']:.0f} ms, p99 {r['push_p99_ms']:.0f} ms over "
        f"{r['push_frames']} frames"
        if r["push_frames"]
        else "no watchers"
    )
    ok = (
        r["lost"] == 0
        and set(r["statuses"]) == {201}
        and r["api_tally_equals_recount"]
        and r["running_counts_equal_recount"]
        and r["pushed_tally_equals_recount"] is not False
    )
    return "\n".join(
        [
            f"- {r['instances']} × `planner serve`"
            + (f" --workers {r['workers']}" if r["workers"] > 1 else "")
            + "; "
            f"{r['households']} households ({r['owners']} owners), {r['clients']} HTTP clients, "
            f"{r['watchers']} WebSocket watchers ({r['client']} HTTP client); "
            f"{r['casts']} casts ({r['rows']} ballot rows, "
            f"incl. changes) in {r['elapsed_s']:.1f} s",
            f"- throughput: {r['casts_per_s']:.0f} casts/s, {r['rows_per_s']:.0f} ballot rows/s; "
            f"cast latency p50 {r['cast_p50_ms']:.0f} ms, p99 {r['cast_p99_ms']:.0f} ms",
            f"- tally-push delay (event `at` → frame received): {push}; watchers caught up: "
            f"{r['watchers_caught_up']}, reconnects: {r['watcher_reconnects']}",
            f"- zero lost: {'yes' if ok else 'NO'} (answers {r['statuses']}, "
            f"lost rows {r['lost']}, "
            f"API tally = recount: {r['api_tally_equals_recount']}, running counts = recount: "
            f"{r['running_counts_equal_recount']}, every watcher's last push = recount: "
            f"{r['pushed_tally_equals_recount']})",
            f"- floor (bare asyncpg INSERT per cast, same concurrency, pool {r['floor_pool']}): "
            f"{r['floor_rows_per_s']:.0f} rows/s; service/floor = {r['ratio']:.2f} (target ≥ 0.5)",
            "- CPU ms per cast during the storm: "
            + ", ".join(f"{k} {v:.3f}" for k, v in r["storm_cpu_ms"].items())
            + "; per floor row: "
            + ", ".join(f"{k} {v:.3f}" for k, v in r["floor_cpu_ms"].items()),
            f"- requests never answered (client-side transport errors, not recorded, not "
            f"retried): {r['errors'] or 'none'}; the HTTP stack's ceiling at the same "
            f"concurrency (authenticated GET /api/me): {r['me_per_s']:.0f} req/s",
        ]
    )


def add_to_section(document: str, heading: str, entry: str) -> str:
    """``document`` with ``entry`` appended at the end of the ``heading`` section (made last
    when missing), leaving the sections after it in place."""
    marker = f"\n{heading}\n"
    if marker not in document:
        document = document.rstrip("\n") + "\n\n" + marker.lstrip("\n")
    start = document.index(marker) + len(marker)
    end = document.find("\n## ", start)
    end = len(document) if end < 0 else end
    return document[:end].rstrip("\n") + "\n" + entry + document[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument(
        "--instances", type=int, default=1, help="planner serve processes on the one database"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="`planner serve --workers N` per instance"
    )
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--keys", action="store_true", help="every cast sends a fresh idempotency key (as the web)"
    )
    parser.add_argument(
        "--client",
        choices=("lean", "aiohttp"),
        default="lean",
        help="the casters' HTTP client (lean: bench/lean_http.py)",
    )
    args = parser.parse_args()
    result = uvloop.run(main_async(args))
    text = report(result)
    print(text)
    if args.write:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}"
        )
        command = "uv run python bench/vote_storm.py " + " ".join(sys.argv[1:])
        path = ROOT / "docs" / "benchmarks.md"
        existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        entry = f"\n{dt.date.today().isoformat()} on {machine}: `{command.strip()}`\n\n{text}\n"
        updated = add_to_section(existing, "## Vote storm", entry)
        path.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
