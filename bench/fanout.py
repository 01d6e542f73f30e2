"""Fan-out: how long from an event's commit to its receipt at every WebSocket client.

    uv run python bench/fanout.py                     # 1,000 clients, 100 events, one instance
    uv run python bench/fanout.py --write             # also append to docs/benchmarks.md
    uv run python bench/fanout.py --clients 100 --events 20    # quick run

A fresh embedded PostgreSQL (or ``DATABASE_URL``: a server where a scratch database may be
created) and ``planner serve`` in its own process. One estate, one owner token; ``--clients``
sockets follow ``WS /ws/estates/{id}`` from a separate process (so their parsing does not
delay the producer's clock). The producer commits ``--events`` events with ``append_event``,
one transaction each, on a fixed schedule (event i at start + i × ``--interval``), and takes
the time right after each COMMIT; the clients take the time each frame arrives
(CLOCK_MONOTONIC is one clock for all processes).

The floor: the same number of clients, in the same kind of process, fed the same frames at
the same pace by a bare ``websockets`` server calling ``broadcast``. Its clock for an event is
the event's slot on the same schedule: a broadcast still running when the next event is due
delays that event, as a busy instance delays the next commit's fan-out. Like the service, it
declines permessage-deflate, so the clients receive the same bytes on both paths.

Before 2026-12-05 both slept ``--interval`` after each event (the floor after its broadcast,
so whenever a broadcast took longer than the interval the floor slowed its own pace, while
the producer kept its own), and the floor compressed every frame for every client (so the
clients worked harder on the floor's path): ``--unpaced --floor-deflate`` runs it that way.

Printed: p50/p99/max for both and the ratio (targets: p99 <= 100 ms, ratio <= 2x).
``bench/fanout_two_instances.py`` runs the same over two instances.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import msgspec

from planner.db.embedded import EmbeddedPostgres
from planner.db.pool import connect_raw
from planner.events import append_event
from planner.testing import ROOT, RunningService, free_port, start_service, store

EVENT_TYPE = "ballot.cast"


def event_data(i: int) -> dict[str, Any]:
    """A realistic ballot.cast payload (about 250 bytes on the wire)."""
    return {
        "motion_id": 17,
        "choice": ("yes", "no", "abstain")[i % 3],
        "household_ids": [1000 + i, 2000 + i],
        "cast_by": 4242,
        "on_behalf_of": None,
        "participating_area_m2": "12345.67",
        "yes_area_m2": "8123.40",
    }


def floor_frame(seq: int) -> str:
    """The same shape and size as the service's event frames."""
    return msgspec.json.encode(
        {
            "seq": seq,
            "type": EVENT_TYPE,
            "at": dt.datetime.now(dt.UTC),
            "actor": 4242,
            "data": event_data(seq),
        }
    ).decode()


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# Clients (child process) ---------------------------------------------------------------


class _Seq(msgspec.Struct):
    seq: int | None = None
    type: str | None = None


def clients_process(urls: list[str], events: int, pipe: Connection) -> None:
    raise_fd_limit()
    import uvloop  # the service runs on uvloop; its clients and the floor do too

    cpu: dict[str, float] = {}
    receipts = uvloop.run(_run_clients(urls, events, pipe, cpu))
    pipe.send(receipts)
    pipe.send(cpu)  # read by bench/fanout_trace.py only
    pipe.close()


async def _run_clients(
    urls: list[str], events: int, pipe: Connection, cpu: dict[str, float]
) -> list[list[tuple[int, float]]]:
    from websockets.asyncio.client import connect

    decoder = msgspec.json.Decoder(_Seq)
    receipts: list[list[tuple[int, float]]] = [[] for _ in urls]
    ready = 0
    all_ready = asyncio.Event()
    connections = []
    gate = asyncio.Semaphore(50)
    options: dict[str, Any] = {"max_size": 2**22, "ping_interval": None, "open_timeout": 60}
    if os.environ.get("FANOUT_NO_COMPRESSION"):
        options["compression"] = None  # browsers offer permessage-deflate; scripts may not

    async def open_one(url: str) -> Any:
        async with gate:
            for attempt in range(5):
                try:
                    return await connect(url, **options)
                except OSError:
                    await asyncio.sleep(0.5 * (attempt + 1))
            return await connect(url, **options)

    async def follow(index: int, ws: Any) -> None:
        nonlocal ready
        mine = receipts[index]
        counted = 0
        async for raw in ws:
            now = time.monotonic()
            frame = decoder.decode(raw)
            if frame.seq is not None:
                mine.append((frame.seq, now))
                counted += 1
                if counted >= events:
                    break
            elif frame.type == "caught_up":
                ready += 1
                if ready == len(urls):
                    all_ready.set()

    connections = await asyncio.gather(*(open_one(url) for url in urls))
    tasks = [asyncio.create_task(follow(i, ws)) for i, ws in enumerate(connections)]
    await asyncio.wait_for(all_ready.wait(), 120)
    pipe.send("ready")
    cpu["ready"] = time.process_time()
    await asyncio.wait_for(asyncio.gather(*tasks), 180)
    cpu["received"] = time.process_time()
    await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    return receipts


@contextmanager
def clients(urls: list[str], events: int) -> Iterator[Connection]:
    parent, child = mp.get_context("spawn").Pipe()
    process = mp.get_context("spawn").Process(target=clients_process, args=(urls, events, child))
    process.start()
    try:
        if not parent.poll(300):
            raise TimeoutError("clients did not connect in 300 s")
        assert parent.recv() == "ready"
        yield parent
    finally:
        process.join(30)
        if process.is_alive():
            process.kill()


def delays_ms(
    receipts: list[list[tuple[int, float]]], sent: dict[int, float]
) -> tuple[list[float], int]:
    """Delays of every (client, event) pair; and how many pairs never arrived."""
    delays = []
    missing = 0
    for mine in receipts:
        got = dict(mine)
        for seq, at in sent.items():
            if seq in got:
                delays.append((got[seq] - at) * 1000)
            else:
                missing += 1
    return delays, missing


# The floor: bare websockets broadcast -------------------------------------------------


def floor_server(port: int, deflate: bool) -> None:
    import uvloop

    uvloop.run(_floor_server(port, deflate))


async def _floor_server(port: int, deflate: bool) -> None:
    from websockets.asyncio.server import broadcast, serve

    followers: set[Any] = set()
    done = asyncio.Event()

    async def handler(ws: Any) -> None:
        if ws.request.path.startswith("/control"):
            order = msgspec.json.decode(await ws.recv())
            sent: dict[int, float] = {}
            start = order.get("start") or time.monotonic()
            for seq in range(1, order["events"] + 1):
                # the producer's schedule (see `produce`): an event is due at its slot, and
                # its clock starts there even if the previous broadcast is still running
                due = start + (seq - 1) * order["interval"]
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                frame = floor_frame(seq)
                sent[seq] = min(time.monotonic(), due) if order["paced"] else time.monotonic()
                broadcast(followers, frame)
                if not order["paced"]:
                    await asyncio.sleep(order["interval"])
            await ws.send(msgspec.json.encode(sent).decode())
            done.set()
            return
        followers.add(ws)
        try:
            await ws.send('{"type":"caught_up","last_seq":0}')
            await ws.wait_closed()
        finally:
            followers.discard(ws)

    # Without --floor-deflate the floor declines permessage-deflate as the service does
    # (planner.app.serve): the clients get the same bytes and do the same work on both paths.
    compression = "deflate" if deflate else None
    async with serve(
        handler, "127.0.0.1", port, max_size=2**22, ping_interval=None, compression=compression
    ):
        await done.wait()
        await asyncio.sleep(5)


async def run_floor(
    count: int,
    events: int,
    interval: float,
    paced: bool = True,
    deflate: bool = False,
    processes: int = 1,
) -> tuple[list[float], int]:
    """The floor's delays; with ``processes`` > 1, that many floor servers on one schedule,
    the clients spread over them as over the service's instances (client i on server
    i mod ``processes``)."""
    from websockets.asyncio.client import connect

    ports = [free_port() for _ in range(processes)]
    servers = [
        subprocess.Popen(
            [sys.executable, __file__, "--floor-server", str(port)] + ["--floor-deflate"] * deflate,
            cwd=ROOT,
        )
        for port in ports
    ]
    try:
        for port in ports:
            for _ in range(200):
                with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                time.sleep(0.1)
        urls = [f"ws://127.0.0.1:{ports[i % processes]}/" for i in range(count)]
        with clients(urls, events) as pipe:
            order = {
                "events": events,
                "interval": interval,
                "paced": paced,
                "start": time.monotonic() + 0.1,  # one schedule for every server
            }

            async def control(port: int) -> dict[int, float]:
                async with connect(f"ws://127.0.0.1:{port}/control", ping_interval=None) as ws:
                    await ws.send(msgspec.json.encode(order))
                    answer = msgspec.json.decode(await ws.recv())
                    return {int(k): v for k, v in answer.items()}

            sent = await asyncio.gather(*(control(port) for port in ports))
            receipts = pipe.recv()
        delays: list[float] = []
        missing = 0
        for k, sent_k in enumerate(sent):
            mine, lost = delays_ms(receipts[k::processes], sent_k)
            delays += mine
            missing += lost
        return delays, missing
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


# The service -------------------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[str]:
    """A server URL: DATABASE_URL's, or a fresh embedded PostgreSQL in a temporary folder."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    with tempfile.TemporaryDirectory(prefix="fanout-") as folder:
        server = EmbeddedPostgres(Path(folder))
        server.start()
        try:
            yield server.url()
        finally:
            server.stop()


def with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


async def scratch_database(server_url: str, name: str, drop: bool = False) -> None:
    async with store.connected(server_url) as conn:
        await store.drop_database(conn, name)
        if not drop:
            await store.create_database(conn, name)


def setup_estate(base_url: str, admin_token: str) -> tuple[int, str]:
    auth = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        estate = http.post("/api/estates", json={"name": "扇出小区"}, headers=auth)
        estate.raise_for_status()
        estate_id: int = estate.json()["id"]
        member = http.post(
            f"/api/estates/{estate_id}/members",
            json={"role": "owner", "display_name": "业主"},
            headers=auth,
        )
        member.raise_for_status()
        token: str = member.json()["token"]
    return estate_id, token


async def produce(
    database_url: str, estate_id: int, events: int, interval: float, paced: bool = True
) -> dict[int, float]:
    conn = await connect_raw(database_url)
    committed: dict[int, float] = {}
    start = time.monotonic()
    try:
        for i in range(events):
            if paced:  # event i at start + i * interval, whatever the commits took
                await asyncio.sleep(max(0.0, start + i * interval - time.monotonic()))
            async with conn.transaction():
                seq = await append_event(
                    conn,
                    estate_id=estate_id,
                    type=EVENT_TYPE,
                    data=event_data(i),
                    actor_id=None,
                    audience="members",
                )
            committed[seq] = time.monotonic()
            if not paced:
                await asyncio.sleep(interval)
    finally:
        await conn.close()
    return committed


def run_planner(
    server_url: str, instances: int, count: int, events: int, interval: float, paced: bool = True
) -> tuple[list[float], int]:
    name = f"bench_fanout_{os.getpid()}"
    asyncio.run(scratch_database(server_url, name))
    database_url = with_database(server_url, name)
    services: list[RunningService] = []
    try:
        with tempfile.TemporaryDirectory(prefix="fanout-svc-") as data_dir:
            # every client comes from 127.0.0.1: lift the per-address cap (1,024 by default,
            # a meeting hall behind one NAT) above the sockets one instance gets here
            env = {"PLANNER_MAX_CONNECTIONS_PER_CLIENT": str(count + 100)}
            for _ in range(instances):  # one after the other: the first one migrates
                services.append(
                    start_service(database_url, Path(data_dir), timeout=180, extra_env=env)
                )
            bases = [running.base_url for running in services]
            admin = services[0].admin_token
            estate_id, token = setup_estate(bases[0], admin)
            urls = [
                bases[i % instances].replace("http://", "ws://")
                + f"/ws/estates/{estate_id}?token={token}"
                for i in range(count)
            ]
            with clients(urls, events) as pipe:
                sent = asyncio.run(produce(database_url, estate_id, events, interval, paced))
                receipts = pipe.recv()
            return delays_ms(receipts, sent)
    finally:
        for running in services:
            running.stop()
        asyncio.run(scratch_database(server_url, name, drop=True))


# Report ------------------------------------------------------------------------------


def summary(delays: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(delays),
        "p99": percentile(delays, 0.99),
        "max": max(delays),
    }


def machine() -> str:
    cpu = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.system()} {platform.release()}, {platform.machine()}, {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )


def report(
    title: str,
    command: str,
    args: argparse.Namespace,
    planner: tuple[list[float], int],
    floor: tuple[list[float], int],
    target_p99: float,
    max_ratio: float | None,
    write: bool,
) -> None:
    ours, lost = planner
    bare, bare_lost = floor
    mine, base = summary(ours), summary(bare)
    ratio = mine["p99"] / base["p99"] if base["p99"] > 0 else float("inf")
    ratio_ok = max_ratio is None or ratio <= max_ratio
    ratio_note = f"target ≤ {max_ratio:g}×" if max_ratio is not None else "no target"
    verdict = "ok" if mine["p99"] <= target_p99 and ratio_ok else "MISSED"
    load = os.getloadavg()[0]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {title}",
        "",
        f"{now}, {machine()}; load average at the end {load:.1f} (shared machine).",
        f"`{command}`: {args.clients:,} clients, {args.events} events "
        f"{args.interval * 1000:.0f} ms apart"
        f"{' (each after the previous one was sent)' if args.unpaced else ' (a fixed schedule)'}"
        f"; delay from COMMIT (floor: the event's slot) to a client's receipt, over "
        f"every (client, event) pair; clients "
        f"{'without' if args.no_compression else 'with'} permessage-deflate, "
        f"{'accepted by the floor only' if args.floor_deflate else 'declined by both'}.",
        "",
        "| path | p50 ms | p99 ms | max ms | pairs delivered |",
        "|---|---:|---:|---:|---:|",
        f"| planner (append_event → NOTIFY → feed → hub → socket) | {mine['p50']:.1f} | "
        f"{mine['p99']:.1f} | {mine['max']:.1f} | {len(ours):,} of {len(ours) + lost:,} |",
        f"| floor (bare `websockets` broadcast"
        f"{f', {args.floor_processes} processes' if args.floor_processes != 1 else ''}) | "
        f"{base['p50']:.1f} | {base['p99']:.1f} | "
        f"{base['max']:.1f} | {len(bare):,} of {len(bare) + bare_lost:,} |",
        "",
        f"p99 ratio planner/floor: **{ratio:.2f}×** ({ratio_note}); planner p99 "
        f"**{mine['p99']:.1f} ms** (target ≤ {target_p99:.0f} ms): {verdict}.",
        "",
    ]
    print("\n".join(lines))
    if write:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text()
        if "## Live events" not in text:
            text = text.rstrip("\n") + "\n\n## Live events\n"
        path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines))


def parse_args(default_instances: int, default_clients: int = 1000) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=default_clients)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between events")
    parser.add_argument("--instances", type=int, default=default_instances)
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="clients do not offer permessage-deflate (browsers do; the default)",
    )
    parser.add_argument(
        "--unpaced",
        action="store_true",
        help="sleep --interval after each event (before 2026-12-05: the floor then slows its "
        "own pace whenever a broadcast takes longer than the interval)",
    )
    parser.add_argument(
        "--floor-deflate",
        action="store_true",
        help="the floor accepts permessage-deflate (websockets' default; the service declines "
        "it; before 2026-12-05 the floor always did)",
    )
    parser.add_argument(
        "--floor-processes",
        type=int,
        default=1,
        help="floor servers, the clients spread over them as over the instances (default 1)",
    )
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def run(
    title: str,
    command: str,
    args: argparse.Namespace,
    target_p99: float,
    max_ratio: float | None = None,
) -> None:
    raise_fd_limit()
    for flag, default in (("clients", 1000), ("events", 100), ("interval", 0.05)):
        if getattr(args, flag) != default:
            command += f" --{flag} {getattr(args, flag):g}"
    if args.no_compression:
        os.environ["FANOUT_NO_COMPRESSION"] = "1"  # read by the client processes
        command += " --no-compression"
    command += " --unpaced" * args.unpaced + " --floor-deflate" * args.floor_deflate
    if args.floor_processes != 1:
        command += f" --floor-processes {args.floor_processes}"
    with postgres() as server_url:
        planner = run_planner(
            server_url, args.instances, args.clients, args.events, args.interval, not args.unpaced
        )
    floor = asyncio.run(
        run_floor(
            args.clients,
            args.events,
            args.interval,
            not args.unpaced,
            args.floor_deflate,
            args.floor_processes,
        )
    )
    report(title, command, args, planner, floor, target_p99, max_ratio, args.write)


def main() -> None:
    args = parse_args(default_instances=1)
    if args.floor_server:
        floor_server(args.floor_server, args.floor_deflate)
        return
    run("Fan-out, one instance", "uv run python bench/fanout.py", args, 100, max_ratio=2)


if __name__ == "__main__":
    main()
