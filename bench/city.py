"""City simulation: many estates on one PostgreSQL, many votes at once, a district watching.

    uv run python bench/city.py            # the issue's scene (1,000 estates, 100 votes, ...)
    uv run python bench/city.py --write    # also record the figures in docs/benchmarks.md
    uv run python bench/city.py --estates 50 --votes 5 --voters 200 --sockets 200 --spread 20

A fresh embedded PostgreSQL (or ``DATABASE_URL``: an empty database) and ``--instances``
``planner serve`` processes on it. Set-up, generated with fixed seeds:

- ``--estates`` estates through the API (``POST /api/estates``, spread over ten streets), their
  households through the API's CSV import (``--votes`` of them with ``--voters`` households,
  the others with sizes drawn around 200);
- one owner member per owner key of every estate written straight to PostgreSQL (members,
  member_households and the ``member.added`` event each, chained into the estate's audit
  chain exactly as ``planner.access.service.add_member`` writes them): the API would take
  hours for ~200,000 members;
- in each voting estate, through the API: a committee member, an owners' assembly, an open
  motion (matter 6); a district member assigned to every estate
  (``POST /api/district-members``).

Then ``--sockets`` WebSockets (a separate process) follow the voting estates, spread over the
instances, and three phases are measured (CPU seconds of each service process and of
PostgreSQL, from /proc through psutil):

1. the district overview alone (``GET /api/district/overview``): CPU per refresh per estate;
2. pushes alone: ``--pushes`` events per voting estate recorded straight in PostgreSQL
   (``append_event``, audience members): CPU per pushed frame;
3. the city: every owner of the voting estates (``--turnout``) casts one ballot through the
   HTTP API, arriving over ``--spread`` seconds (a Poisson process per estate, seeded; at
   most ``--clients`` requests in flight), the district overview refreshed every
   ``--refresh`` seconds meanwhile. CPU per cast = the phase's CPU less its pushes and
   refreshes at the costs of phases 1 and 2.

Reported: zero lost (every cast answered 201; the ballot rows, the API tally, the running
counts and every socket's last pushed tally equal a recount from the tables,
``planner.testing.recount``), cast latency, push delay (event ``at`` → frame received), the
overview's latency and freshness (``data_as_of``), the database's size, CPU per process, and
the paper sizing of a city of ``--city-estates`` estates from the measured per-unit costs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import multiprocessing as mp
import os
import random
import resource
import shutil
import statistics
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
import msgspec
import psutil
import uvloop
from httptools import HttpParserError

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lean_http  # bench/lean_http.py
from machine import append_to_benchmarks, machine_line
from watching import Stream  # bench/watching.py

from planner.access.tokens import new_token, token_hash
from planner.db.embedded import EmbeddedPostgres
from planner.deliberation.ballot_box import PUSH_INTERVAL_S
from planner.events import Event, append_event, event_digest
from planner.testing.recount import TALLY_FIELDS, recount_from_tables
from planner.testing.service import RunningService, start_service

CHOICES = ("yes", "no", "abstain")
BALLOTS = [msgspec.json.encode({"choice": c}) for c in CHOICES]
STREETS = tuple(f"{n}街道" for n in "东西南北中天河越秀海珠荔湾白云")[:10]


def pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100)[q - 1]


def households_csv(count: int, seed: int) -> str:
    """``count`` households; every 20th belongs to the owner of the one before it."""
    rng = random.Random(seed)
    lines = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    owner = 0
    for i in range(count):
        if i % 20 != 19:
            owner += 1
        area = f"{rng.randint(4000, 15000) / 100:.2f}"
        lines.append(f"{i % 10 + 1}栋,{i:05d},{i % 30 + 1},{area},o{owner},业主{owner},")
    return "\n".join(lines) + "\n"


def estate_sizes(args: argparse.Namespace) -> list[int]:
    """Households per estate: the first ``--votes`` estates vote with ``--voters`` each."""
    rng = random.Random(args.seed)
    sizes = [max(40, min(600, round(rng.gauss(200, 60)))) for _ in range(args.estates)]
    for i in range(min(args.votes, args.estates)):
        sizes[i] = args.voters
    return sizes


# --- CPU ------------------------------------------------------------------------------------


class Cpu:
    """CPU seconds (user + system) of the services, PostgreSQL and this process."""

    def __init__(self, services: list[RunningService], postmaster: int | None) -> None:
        self.services = [psutil.Process(s.process.pid) for s in services]
        self.postmaster = psutil.Process(postmaster) if postmaster else None
        self.me = psutil.Process()
        self.sockets: psutil.Process | None = None  # the watchers' process, once started
        self.last_sockets = 0.0

    @staticmethod
    def _own(p: psutil.Process) -> float:
        t = p.cpu_times()
        return float(t.user + t.system)

    def sample(self) -> dict[str, float]:
        out = {f"instance {i + 1}": self._own(p) for i, p in enumerate(self.services)}
        if self.postmaster is not None:
            t = self.postmaster.cpu_times()
            total = t.user + t.system + t.children_user + t.children_system  # reaped backends
            for child in self.postmaster.children(recursive=True):
                with suppress(psutil.NoSuchProcess):
                    total += self._own(child)
            out["PostgreSQL"] = total
        out["load client"] = self._own(self.me)
        if self.sockets is not None:
            with suppress(psutil.NoSuchProcess):
                self.last_sockets = self._own(self.sockets)
            out["sockets client"] = self.last_sockets
        return out

    @staticmethod
    def delta(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        return {k: b[k] - a[k] for k in b}


def services_cpu(d: dict[str, float]) -> float:
    return sum(v for k, v in d.items() if k.startswith("instance"))


# --- watchers (their own process) ------------------------------------------------------------


def watchers_main(plan: list[tuple[str, int, str]], pipe: Connection) -> None:
    uvloop.run(_watchers(plan, pipe))


async def _watchers(plan: list[tuple[str, int, str]], pipe: Connection) -> None:
    delays: list[float] = []
    pings: list[float] = []
    frames = 0
    last_tally: list[Any] = [None] * len(plan)
    hello = asyncio.Semaphore(0)
    gate = asyncio.Semaphore(32)  # connecting, not the sockets
    stop = asyncio.Event()
    record = {"on": False}

    def handler(i: int) -> Callable[[dict[str, Any], float], None]:
        def on_event(frame: dict[str, Any], received: float) -> None:
            nonlocal frames
            frames += 1
            kind = frame["type"]
            if kind == "tally.updated":
                at = dt.datetime.fromisoformat(frame["at"]).timestamp()
                if record["on"]:
                    delays.append(received - at)
                last_tally[i] = frame["data"]
            elif kind == "bench.push":
                at = dt.datetime.fromisoformat(frame["at"]).timestamp()
                pings.append(received - at)

        return on_event

    def address(base_ws: str, estate_id: int, token: str) -> Callable[[int], str]:
        return lambda after: (
            f"{base_ws}/ws/estates/{estate_id}?token={token}" + (f"&after={after}" if after else "")
        )

    streams = [
        Stream(address(*p), handler(i), hello, gate=gate, open_timeout=120)
        for i, p in enumerate(plan)
    ]
    tasks = [asyncio.create_task(s.run(stop)) for s in streams]
    for _ in plan:
        await hello.acquire()
    pipe.send("ready")
    while True:
        message = await asyncio.to_thread(pipe.recv)
        if message == "count":
            pipe.send({"frames": frames, "pings": len(pings)})
        elif message == "record":
            record["on"] = True
            pipe.send("ok")
        else:
            heads: dict[int, int] = message  # each estate's last seq once the casts are done
            break
    deadline = time.monotonic() + 180
    behind = [i for i, p in enumerate(plan) if streams[i].last_seq < heads[p[1]]]
    while behind and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        behind = [i for i in behind if streams[i].last_seq < heads[plan[i][1]]]
    stop.set()
    for task in tasks:
        task.cancel()
    with suppress(asyncio.CancelledError):
        await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(
        {
            "delays": delays,
            "pings": pings,
            "frames": frames,
            "last_tally": last_tally,
            "caught_up": not behind,
            "reconnects": sum(s.reconnects for s in streams),
        }
    )


# --- set-up ------------------------------------------------------------------------------------


async def api(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    token: str,
    expect: int,
    **kw: Any,
) -> Any:
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    async with http.request(method, url, headers=headers, **kw) as response:
        body = await response.read()
        if response.status != expect:
            raise RuntimeError(f"{method} {url}: {response.status} {body[:300]!r}")
        return msgspec.json.decode(body) if body else None


async def gathered(limit: int, coros: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(c: Any) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


async def make_estates(
    http: aiohttp.ClientSession, base: str, admin: str, sizes: list[int], seed: int
) -> list[int]:
    async def one(i: int, size: int) -> int:
        estate = await api(
            http,
            "POST",
            f"{base}/api/estates",
            admin,
            201,
            json={"name": f"城市小区{i + 1:04d}", "district": STREETS[i % len(STREETS)]},
        )
        await api(
            http,
            "POST",
            f"{base}/api/estates/{estate['id']}/households/import",
            admin,
            201,
            data=households_csv(size, seed * 100_003 + i).encode(),
            headers={"content-type": "text/csv"},
        )
        return int(estate["id"])

    return list(await gathered(8, [one(i, s) for i, s in enumerate(sizes)]))


async def make_owners(
    url: str, estate_ids: list[int], admin_member: int, keep: set[int]
) -> dict[int, dict[str, str]]:
    """One owner member per owner key in every estate, as ``add_member`` writes them; the
    tokens of the estates in ``keep``."""
    conn = await asyncpg.connect(url)
    tokens: dict[int, dict[str, str]] = {}
    try:
        for estate_id in estate_ids:
            rows = await conn.fetch(
                "SELECT id, owner_key FROM households WHERE estate_id = $1 ORDER BY id",
                estate_id,
            )
            by_owner: dict[str, list[int]] = {}
            for r in rows:
                by_owner.setdefault(r["owner_key"], []).append(r["id"])
            keys = sorted(by_owner, key=lambda k: by_owner[k][0])
            issued = {k: new_token() for k in keys}
            names = [f"业主{k[1:]}" for k in keys]
            async with conn.transaction():
                made = await conn.fetch(
                    """INSERT INTO members (estate_id, role, display_name, token_hash)
                       SELECT $1, 'owner', n, h
                       FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS t(n, h, o)
                       ORDER BY o
                       RETURNING id, display_name""",
                    estate_id,
                    names,
                    [token_hash(issued[k]) for k in keys],
                )
                member_of = {r["display_name"]: r["id"] for r in made}
                ids = [member_of[n] for n in names]
                pairs = [(m, h) for m, k in zip(ids, keys, strict=True) for h in by_owner[k]]
                await conn.copy_records_to_table(
                    "member_households", records=pairs, columns=["member_id", "household_id"]
                )
                head = await conn.fetchrow(
                    "SELECT last_seq, last_hash FROM event_streams WHERE estate_id = $1 FOR UPDATE",
                    estate_id,
                )
                seq, prev = head["last_seq"], bytes(head["last_hash"])
                at = dt.datetime.now(dt.UTC)
                records = []
                for member_id, name in zip(ids, names, strict=True):
                    seq += 1
                    data = {"member_id": member_id, "role": "owner", "display_name": name}
                    event = Event(
                        estate_id=estate_id,
                        seq=seq,
                        type="member.added",
                        data=data,
                        actor_id=admin_member,
                        at=at,
                        audience="staff",
                    )
                    digest = event_digest(prev, event)
                    records.append(
                        (
                            estate_id,
                            seq,
                            "member.added",
                            msgspec.json.encode(data).decode(),
                            admin_member,
                            at,
                            "staff",
                            prev,
                            digest,
                        )
                    )
                    prev = digest
                await conn.execute(
                    """INSERT INTO events (estate_id, seq, type, data, actor_id, at, audience,
                                           prev_hash, hash)
                       SELECT e, s, t, d::jsonb, a, w, u, p, h
                       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[],
                                   $5::bigint[], $6::timestamptz[], $7::text[], $8::bytea[],
                                   $9::bytea[]) AS x(e, s, t, d, a, w, u, p, h)""",
                    *(list(col) for col in zip(*records, strict=True)),
                )
                await conn.execute(
                    "UPDATE event_streams SET last_seq = $2, last_hash = $3 WHERE estate_id = $1",
                    estate_id,
                    seq,
                    prev,
                )
            if estate_id in keep:
                tokens[estate_id] = issued
    finally:
        await conn.close()
    return tokens


async def open_vote(
    http: aiohttp.ClientSession, base: str, admin: str, estate_id: int
) -> dict[str, Any]:
    committee = (
        await api(
            http,
            "POST",
            f"{base}/api/estates/{estate_id}/members",
            admin,
            201,
            json={"role": "committee", "display_name": "主任"},
        )
    )["token"]
    meeting = await api(
        http,
        "POST",
        f"{base}/api/estates/{estate_id}/meetings",
        committee,
        201,
        json={"title": "业主大会", "kind": "owners_assembly"},
    )
    await api(http, "POST", f"{base}/api/meetings/{meeting['id']}/open", committee, 200)
    motion = await api(
        http,
        "POST",
        f"{base}/api/meetings/{meeting['id']}/motions",
        committee,
        201,
        json={"title": "筹集维修资金（居民自筹）", "matter": 6},
    )
    await api(http, "POST", f"{base}/api/motions/{motion['id']}/open", committee, 200)
    return {"estate_id": estate_id, "committee": committee, "motion_id": motion["id"]}


# --- the phases --------------------------------------------------------------------------------


async def overview_once(
    http: aiohttp.ClientSession, base: str, token: str
) -> tuple[float, float, int]:
    """(latency s, age of ``data_as_of`` at receipt s, estates listed)."""
    start = time.perf_counter()
    body = await api(http, "GET", f"{base}/api/district/overview", token, 200)
    received = time.time()
    latency = time.perf_counter() - start
    as_of = dt.datetime.fromisoformat(body["data_as_of"]).timestamp()
    return latency, received - as_of, len(body["estates"])


async def push_phase(url: str, estate_ids: list[int], pushes: int) -> None:
    """``pushes`` events per voting estate, one transaction each, as a change records them."""
    conn = await asyncpg.connect(url)
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: msgspec.json.encode(v).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )
    try:
        for n in range(pushes):
            for estate_id in estate_ids:
                async with conn.transaction():
                    await append_event(
                        conn,
                        estate_id=estate_id,
                        type="bench.push",
                        data={"n": n},
                        actor_id=None,
                        audience="members",
                    )
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def city_phase(
    http: aiohttp.ClientSession,
    bases: list[str],
    votes: list[dict[str, Any]],
    owners: dict[int, dict[str, str]],
    district: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    rng = random.Random(args.seed + 1)
    arrivals: list[tuple[float, str, str]] = []
    for vote in votes:
        tokens = owners[vote["estate_id"]]
        keys = sorted(tokens)
        voters = rng.sample(keys, round(len(keys) * args.turnout))
        path = f"/api/motions/{vote['motion_id']}/ballots"
        # a Poisson process over the spread: its arrival times, given their number, are
        # uniform; each estate's people come at their own moments
        for key in voters:
            arrivals.append((rng.uniform(0, args.spread), path, tokens[key]))
    arrivals.sort()
    latencies: list[float] = []
    lateness: list[float] = []
    statuses: dict[int, int] = {}
    errors: dict[str, int] = {}
    rows = 0
    gate = asyncio.Semaphore(args.clients)
    overview: dict[str, list[float]] = {"latency": [], "age": []}
    done = asyncio.Event()

    # kept-alive connections of the lean client (bench/lean_http.py), per instance: at most
    # --clients in use at once (the gate), each back in its list when its answer is read
    idle: dict[str, list[lean_http.Connection]] = {base: [] for base in bases}

    async def cast(i: int, due: float, path: str, token: str, began: float) -> None:
        nonlocal rows
        base = bases[i % len(bases)]
        connection = idle[base].pop() if idle[base] else lean_http.Connection(base)
        try:
            lateness.append(time.perf_counter() - began - due)
            start = time.perf_counter()
            try:
                answer = await connection.request(
                    "POST",
                    path,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    BALLOTS[i % 3],
                )
            except (OSError, TimeoutError, HttpParserError) as exc:  # counted, never retried
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                connection.close()
                return
            idle[base].append(connection)
            latencies.append(time.perf_counter() - start)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
            if answer.status == 201:
                rows += len(msgspec.json.decode(answer.body)["ballots"])
        finally:
            gate.release()

    async def refresher() -> None:
        n = 0
        while not done.is_set():
            with suppress(RuntimeError, aiohttp.ClientError, TimeoutError):
                latency, age, _ = await overview_once(http, bases[n % len(bases)], district)
                overview["latency"].append(latency)
                overview["age"].append(age)
            n += 1
            with suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), args.refresh)

    refreshing = asyncio.create_task(refresher()) if district else None
    tasks: list[asyncio.Task[None]] = []
    began = time.perf_counter()
    for i, (due, path, token) in enumerate(arrivals):
        wait = due - (time.perf_counter() - began)
        if wait > 0:
            await asyncio.sleep(wait)
        await gate.acquire()
        tasks.append(asyncio.create_task(cast(i, due, path, token, began)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    for connections in idle.values():
        for connection in connections:
            connection.close()
    done.set()
    if refreshing is not None:
        await refreshing
    return {
        "casts": len(arrivals),
        "rows": rows,
        "elapsed": elapsed,
        "latencies": latencies,
        "lateness": lateness,
        "statuses": statuses,
        "errors": errors,
        "overview": overview,
    }


async def database_size(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        total = await conn.fetchval("SELECT pg_database_size(current_database())")
        tables = await conn.fetch(
            """SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes,
                      c.reltuples::bigint AS rows_estimate
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'r' AND n.nspname = 'public'
               ORDER BY bytes DESC"""
        )
        counts = {
            t: await conn.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("households", "members", "ballots", "events", "estates")
        }
        counts["vote_events"] = await conn.fetchval(
            "SELECT count(*) FROM events WHERE type IN ('ballot.cast', 'tally.updated')"
        )
        share = await conn.fetchrow(
            """SELECT sum(pg_column_size(e.*)) AS total,
                      sum(pg_column_size(e.*)) FILTER (
                          WHERE type IN ('ballot.cast', 'tally.updated')) AS vote,
                      sum(pg_column_size(e.*)) FILTER (WHERE type = 'member.added') AS member
               FROM events e"""
        )
    finally:
        await conn.close()
    size = {r["name"]: r["bytes"] for r in tables}
    shares = {k: float(share[k] or 0) / float(share["total"] or 1) for k in ("vote", "member")}
    return {"total": total, "tables": size, "counts": counts, "event_shares": shares}


def postmaster_pid(pgdata: Path) -> int | None:
    with suppress(OSError, ValueError):
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    return None


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="city-"))
    os.chmod(tmp, 0o755)
    embedded = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        embedded = EmbeddedPostgres(tmp / "pg")
        url = await asyncio.to_thread(embedded.start)
    services: list[RunningService] = []
    watcher_proc = None
    sizes = estate_sizes(args)
    result: dict[str, Any] = {"households_planned": sum(sizes)}
    try:
        # every socket and client comes from 127.0.0.1: lift the per-address cap
        env = {"PLANNER_MAX_CONNECTIONS_PER_CLIENT": str(args.sockets + args.clients + 100)}
        for _ in range(args.instances):  # the first one migrates
            services.append(
                await asyncio.to_thread(start_service, url, tmp / "svc", extra_env=env, timeout=180)
            )
        bases = [s.base_url for s in services]
        base = bases[0]
        admin = services[0].admin_token
        cpu = Cpu(services, postmaster_pid(embedded.pgdata) if embedded else None)
        connector = aiohttp.TCPConnector(limit=args.clients + 16)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=600)
        ) as http:
            t0 = time.perf_counter()
            me = await api(http, "GET", f"{base}/api/me", admin, 200)
            estate_ids = await make_estates(http, base, admin, sizes, args.seed)
            t1 = time.perf_counter()
            voting = estate_ids[: args.votes]
            owners = await make_owners(url, estate_ids, me["member_id"], set(voting))
            t2 = time.perf_counter()
            votes = list(await gathered(8, [open_vote(http, base, admin, e) for e in voting]))
            district = ""
            try:
                made = await api(
                    http,
                    "POST",
                    f"{base}/api/district-members",
                    admin,
                    201,
                    json={"display_name": "区住建局", "estate_ids": estate_ids},
                )
                district = made["token"]
            except RuntimeError as exc:
                print(f"no district routes here ({exc}); the district refresh is skipped")
            t3 = time.perf_counter()
            print(
                f"set-up: {len(estate_ids)} estates and {sum(sizes)} households through the "
                f"API in {t1 - t0:.0f} s; every estate's owners straight to PostgreSQL in "
                f"{t2 - t1:.0f} s; "
                f"{len(votes)} open votes and the district member in {t3 - t2:.0f} s",
                flush=True,
            )
            result["setup_s"] = {"api": t1 - t0, "owners_sql": t2 - t1, "votes": t3 - t2}

            # the sockets: owners of the voting estates, round-robin over estates and instances
            plan: list[tuple[str, int, str]] = []
            per_estate = {v["estate_id"]: sorted(owners[v["estate_id"]].values()) for v in votes}
            for i in range(args.sockets):
                estate_id = voting[i % len(voting)]
                tokens = per_estate[estate_id]
                ws_base = bases[i % len(bases)].replace("http://", "ws://")
                plan.append((ws_base, estate_id, tokens[(i // len(voting)) % len(tokens)]))
            ours, theirs = mp.Pipe()
            if plan:
                watcher_proc = mp.get_context("spawn").Process(
                    target=watchers_main, args=(plan, theirs)
                )
                watcher_proc.start()
                cpu.sockets = psutil.Process(watcher_proc.pid)
                if not await asyncio.to_thread(ours.poll, 900):
                    raise RuntimeError("sockets did not connect")
                assert ours.recv() == "ready"
            print(f"{len(plan)} sockets open over {len(bases)} instances", flush=True)

            # phase 1: the district overview alone
            refreshes: list[tuple[float, float, int]] = []
            before = cpu.sample()
            if district:
                for n in range(args.overview_samples):
                    refreshes.append(await overview_once(http, bases[n % len(bases)], district))
            overview_cpu = Cpu.delta(before, cpu.sample())
            result["overview_alone"] = {"refreshes": refreshes, "cpu": overview_cpu}

            # phase 2: pushes alone
            frames0 = 0
            if watcher_proc is not None:
                ours.send("count")
                frames0 = (await asyncio.to_thread(ours.recv))["frames"]
            before = cpu.sample()
            await push_phase(url, voting, args.pushes)
            expected_frames = args.pushes * len(plan)
            frames1 = frames0
            deadline = time.monotonic() + 120
            while watcher_proc is not None and time.monotonic() < deadline:
                ours.send("count")
                frames1 = (await asyncio.to_thread(ours.recv))["frames"]
                if frames1 - frames0 >= expected_frames:
                    break
                await asyncio.sleep(0.2)
            push_cpu = Cpu.delta(before, cpu.sample())
            result["push_alone"] = {"frames": frames1 - frames0, "cpu": push_cpu}
            print(
                f"phase 1 (overview alone) and 2 (pushes alone, {frames1 - frames0} frames) done",
                flush=True,
            )

            # phase 3: the city
            if watcher_proc is not None:
                ours.send("record")
                assert await asyncio.to_thread(ours.recv) == "ok"
                ours.send("count")
                frames0 = (await asyncio.to_thread(ours.recv))["frames"]
            before = cpu.sample()
            wall = time.perf_counter()
            city = await city_phase(http, bases, votes, owners, district, args)
            await asyncio.sleep(4 * PUSH_INTERVAL_S)  # the tally push owed by the last casts
            frames1 = frames0
            if watcher_proc is not None:
                ours.send("count")
                frames1 = (await asyncio.to_thread(ours.recv))["frames"]
            city_cpu = Cpu.delta(before, cpu.sample())
            city["wall"] = time.perf_counter() - wall
            city["frames"] = frames1 - frames0
            city["cpu"] = city_cpu
            result["city"] = city
            print(f"phase 3 (the city): {city['casts']} casts in {city['elapsed']:.0f} s")

            tallies = {}
            for vote in votes:
                tallies[vote["motion_id"]] = await api(
                    http, "GET", f"{base}/api/motions/{vote['motion_id']}/tally",
                    vote["committee"], 200,
                )  # fmt: skip
            conn = await asyncpg.connect(url)
            heads = {
                r["estate_id"]: r["last_seq"]
                for r in await conn.fetch(
                    "SELECT estate_id, last_seq FROM event_streams WHERE estate_id = ANY($1)",
                    voting,
                )
            }
            await conn.close()
            watched: dict[str, Any] = {
                "delays": [],
                "pings": [],
                "last_tally": [],
                "caught_up": True,
                "reconnects": 0,
            }
            if watcher_proc is not None:
                ours.send(heads)
                watched = await asyncio.to_thread(ours.recv)
                watcher_proc.join(30)
            result["watched"] = watched

        # zero lost
        checks = {"rows": 0, "api": True, "running": True, "pushed": True}
        expected_by_estate = {}
        for vote in votes:
            expected, counts, running, rows = await recount_from_tables(url, vote["motion_id"], 6)
            checks["rows"] += rows
            api_tally = tallies[vote["motion_id"]]
            checks["api"] &= all(api_tally[f] == getattr(expected, f) for f in TALLY_FIELDS)
            checks["running"] &= running == {f: getattr(counts, f) for f in running}
            expected_by_estate[vote["estate_id"]] = expected
        for (_, estate_id, _), last in zip(plan, watched["last_tally"], strict=True):
            expected = expected_by_estate[estate_id]
            checks["pushed"] &= last is not None and all(
                last[f] == getattr(expected, f) for f in TALLY_FIELDS
            )
        result["checks"] = checks
        result["size"] = await database_size(url)
        result["cpu_total"] = cpu.sample()
    finally:
        if watcher_proc is not None and watcher_proc.is_alive():
            watcher_proc.kill()
        for service in services:
            service.stop()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        shutil.rmtree(tmp, ignore_errors=True)
    return result


# --- the report -------------------------------------------------------------------------------


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


def report(r: dict[str, Any], args: argparse.Namespace) -> str:
    city, watched, size, checks = r["city"], r["watched"], r["size"], r["checks"]
    counts = size["counts"]
    lat = [x * 1000 for x in city["latencies"]]
    late = [x * 1000 for x in city["lateness"]]
    delays = [x * 1000 for x in watched["delays"]]
    pings = [x * 1000 for x in watched["pings"]]
    ov = city["overview"]
    ov_lat = [x * 1000 for x in ov["latency"]]
    ov_age = ov["age"]
    statuses = city["statuses"]
    zero_lost = (
        set(statuses) == {201}
        and statuses[201] == city["casts"]
        and city["rows"] == checks["rows"]
        and checks["api"]
        and checks["running"]
        and checks["pushed"]
        and watched["caught_up"]
    )
    estates_n = counts["estates"]

    # per-unit costs
    alone = r["overview_alone"]
    refreshes = len(alone["refreshes"])
    ov_cpu_each = (
        (services_cpu(alone["cpu"]) + alone["cpu"].get("PostgreSQL", 0.0)) / refreshes
        if refreshes
        else 0.0
    )
    ov_ms_per_estate = ov_cpu_each * 1000 / max(1, estates_n)
    push = r["push_alone"]
    push_frames = max(1, push["frames"])
    ms_per_frame = (
        (services_cpu(push["cpu"]) + push["cpu"].get("PostgreSQL", 0.0)) * 1000 / (push_frames)
    )
    ccpu = city["cpu"]
    city_svc, city_pg = services_cpu(ccpu), ccpu.get("PostgreSQL", 0.0)
    refresh_share = len(ov["latency"]) * ov_cpu_each
    frames_share = city["frames"] * ms_per_frame / 1000
    casts = max(1, city["casts"])
    ms_per_cast = max(0.0, (city_svc + city_pg - refresh_share - frames_share)) * 1000 / casts
    pg_share = city_pg / max(1e-9, city_svc + city_pg)
    rows = max(1, counts["ballots"])
    tables = size["tables"]
    per_household = sum(
        tables.get(t, 0) for t in ("households", "members", "member_households", "buildings")
    ) / max(1, counts["households"])
    per_ballot = tables.get("ballots", 0) / rows
    per_event = tables.get("events", 0) / max(1, counts["events"])
    events_per_cast = counts["vote_events"] / casts
    # the events table's bytes shared out by the rows' sizes: the votes' events per ballot
    # row, each owner's member.added per household
    shares = size["event_shares"]
    vote_event_bytes = tables.get("events", 0) * shares["vote"] / rows
    per_household += tables.get("events", 0) * shares["member"] / max(1, counts["households"])

    # the paper city
    # the scene (per 1,000 estates: 100 votes of 2,000 households over 120 s, 3,000
    # sockets) scaled to the city; frames per socket per second as measured while casting
    scale = args.city_estates / 1000
    c_votes = 100 * scale
    c_casts_s = c_votes * 2000 * args.turnout / 120
    c_sockets = 3000 * scale
    per_socket_s = city["frames"] / max(1, args.sockets) / max(1e-9, city["elapsed"])
    c_frames_s = c_sockets * per_socket_s
    c_refresh_s = args.city_estates / args.refresh  # every estate in some district's view
    c_cpu = (
        c_casts_s * ms_per_cast + c_frames_s * ms_per_frame + c_refresh_s * ov_ms_per_estate
    ) / 1000
    c_cores = c_cpu / args.utilisation
    c_pg_cores = c_cores * pg_share
    c_svc_cores = c_cores - c_pg_cores
    c_instances = max(2, math.ceil(c_svc_cores))  # one process uses one core at most
    c_households = args.city_households
    c_ballots = c_households * args.ballots_per_year
    c_bytes = (
        c_households * per_household
        + c_ballots * per_ballot * args.years
        + c_ballots * vote_event_bytes * args.years
    )
    biggest = sorted(tables.items(), key=lambda kv: -kv[1])[:6]
    cpu_total = r["cpu_total"]
    lines = [
        f"- scene: {estates_n} estates holding **{counts['households']:,} households** in "
        f"total ({counts['members']:,} members); {args.votes}"
        f" of them voting at once (an owners' assembly with one open motion each) with "
        f"{args.voters:,} households each "
        f"(turnout {args.turnout:.0%}); {args.sockets:,} open WebSockets over "
        f"{args.instances} × `planner serve`; district overview of all {estates_n} estates every "
        f"{args.refresh:.0f} s",
        f"- set-up: API {r['setup_s']['api']:.0f} s (estates + CSV imports), owners straight "
        f"to PostgreSQL {r['setup_s']['owners_sql']:.0f} s, votes + district member "
        f"{r['setup_s']['votes']:.0f} s",
        f"- casts: {city['casts']:,} over a {args.spread:.0f} s spread (offered "
        f"{city['casts'] / args.spread:,.0f}/s); all answered in {city['elapsed']:.0f} s "
        f"({city['casts'] / city['elapsed']:,.0f}/s); started late p50 {pct(late, 50):.0f} ms, "
        f"p99 {pct(late, 99):.0f} ms (at most {args.clients} in flight)",
        f"- cast latency p50 {pct(lat, 50):.0f} ms, p99 {pct(lat, 99):.0f} ms",
        f"- push delay (event `at` → frame, tally.updated during the casts): p50 "
        f"{pct(delays, 50):.0f} ms, p99 {pct(delays, 99):.0f} ms over {len(delays):,} frames "
        f"(target p99 ≤ 500 ms: {'met' if delays and pct(delays, 99) <= 500 else 'NOT met'}); "
        f"pushes alone p50 {pct(pings, 50):.0f} ms, p99 {pct(pings, 99):.0f} ms; "
        f"sockets caught up: {watched['caught_up']}, reconnects {watched['reconnects']}",
        f"- district overview during the casts: {len(ov_lat)} refreshes, latency p50 "
        f"{pct(ov_lat, 50):.0f} ms, p99 {pct(ov_lat, 99):.0f} ms; `data_as_of` age at receipt "
        f"max {max(ov_age, default=float('nan')) * 1000:.0f} ms; alone: "
        + ", ".join(f"{x[0] * 1000:.0f} ms" for x in alone["refreshes"]),
        f"- zero lost: {'yes' if zero_lost else 'NO'} (answers {statuses}, transport errors "
        f"{city['errors'] or 'none'}; ballot rows {checks['rows']:,} = rows answered "
        f"{city['rows']:,}; API tallies = recount: {checks['api']}; running counts = recount: "
        f"{checks['running']}; every socket's last pushed tally = recount: {checks['pushed']})",
        f"- database: {mib(size['total'])} (pg_database_size); biggest: "
        + ", ".join(f"{name} {mib(b)}" for name, b in biggest),
        "- CPU seconds, the city phase: "
        + ", ".join(f"{k} {v:.1f}" for k, v in ccpu.items())
        + f" ({city['wall']:.0f} s wall); whole run: "
        + ", ".join(f"{k} {v:.1f}" for k, v in cpu_total.items()),
        f"- per-unit costs (services + PostgreSQL): overview {ov_cpu_each * 1000:.0f} CPU-ms "
        f"per refresh of {estates_n} estates = {ov_ms_per_estate:.3f} CPU-ms per estate; "
        f"{ms_per_frame:.3f} CPU-ms per pushed frame ({push['frames']:,} frames alone); "
        f"{ms_per_cast:.2f} CPU-ms per cast (the city phase's {city_svc + city_pg:.1f} s less "
        f"{city['frames']:,} frames and {len(ov_lat)} refreshes), PostgreSQL's share "
        f"{pg_share:.0%}; {per_household:,.0f} bytes per household (households, buildings, "
        f"members, member_households, member.added events), {per_ballot:,.0f} per ballot "
        f"row + {vote_event_bytes:,.0f} of its events ({events_per_cast:.2f} events per cast, "
        f"{per_event:,.0f} B per event on average)",
        f"- paper city of {args.city_estates:,} estates (the issue's scene ×{scale:g}: "
        f"{c_votes:,.0f} votes of 2,000 households at once over 120 s = {c_casts_s:,.0f} "
        f"casts/s, {c_sockets:,.0f} sockets × {per_socket_s:.1f} frames/s each as measured "
        f"here = {c_frames_s:,.0f} frames/s, every estate in a "
        f"district view refreshed every {args.refresh:.0f} s = {c_refresh_s:,.0f} estate-rows/s):"
        f" CPU = {c_casts_s:,.0f} × {ms_per_cast:.2f} + {c_frames_s:,.0f} × {ms_per_frame:.3f} "
        f"+ {c_refresh_s:,.0f} × {ov_ms_per_estate:.3f} ms = {c_cpu:.2f} cores busy; at "
        f"{args.utilisation:.0%} utilisation {c_cores:.1f} cores: {c_pg_cores:.1f} for "
        f"PostgreSQL, {c_svc_cores:.1f} for the service = **{c_instances} instances** (one "
        f"core each, at least two)",
        f"- paper PostgreSQL size: {c_households:,} households × {per_household:,.0f} B + "
        f"{args.years} years × {c_ballots:,} ballots/year × ({per_ballot:,.0f} B + "
        f"{vote_event_bytes:,.0f} B of its events) = **{c_bytes / 2**30:,.1f} GiB** "
        "(before the photos, documents and the other slices' rows)",
    ]
    return "\n".join(lines)


def _scene_args(argv: list[str]) -> list[str]:
    """The command line less --write and --heading (how the figures were made)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--heading":
            skip = True
        elif arg != "--write" and not arg.startswith("--heading="):
            kept.append(arg)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--estates", type=int, default=1000)
    parser.add_argument("--votes", type=int, default=100, help="estates voting at once")
    parser.add_argument("--voters", type=int, default=2000, help="households per voting estate")
    parser.add_argument("--turnout", type=float, default=1.0)
    parser.add_argument("--sockets", type=int, default=3000)
    parser.add_argument("--spread", type=float, default=120.0, help="seconds the votes arrive")
    parser.add_argument("--clients", type=int, default=400, help="casts in flight at most")
    parser.add_argument("--refresh", type=float, default=10.0, help="district view period, s")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--pushes", type=int, default=10, help="phase 2 events per estate")
    parser.add_argument("--overview-samples", type=int, default=3)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--city-estates", type=int, default=3000)
    parser.add_argument("--city-households", type=int, default=600_000)
    parser.add_argument("--ballots-per-year", type=int, default=10, help="per household")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--utilisation", type=float, default=0.5, help="target busy share")
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--heading",
        default=f"{dt.date.today().isoformat()}, city simulation",
        help="the docs/benchmarks.md section --write adds to",
    )
    args = parser.parse_args()
    args.votes = min(args.votes, args.estates)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the sockets' process inherits
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    head = machine_line()
    started = time.perf_counter()
    result = uvloop.run(main_async(args))
    text = report(result, args)
    took = time.perf_counter() - started
    body = (
        f"`uv run python bench/city.py {' '.join(_scene_args(sys.argv[1:]))}`"
        + f" ({took / 60:.1f} min, load average at the end {os.getloadavg()[0]:.1f})"
        + f"\n\n{head}\n{text}"
    )
    print(body)
    if args.write:
        append_to_benchmarks(args.heading, body)


if __name__ == "__main__":
    main()
