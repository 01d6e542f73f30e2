"""Fan-out over two instances, traced per event: where an event's delay accumulates.

    uv run python bench/fanout_trace.py 4000 30 0.05     # clients, events, seconds apart
    FANOUT_TRACE_PROFILE=3 uv run python bench/fanout_trace.py 4000 30 0.05   # + cProfile
    uv run python bench/fanout_trace.py --floor 4000 30 0.05 [legacy]   # the floor's side

The setup of ``bench/fanout_two_instances.py`` (two ``planner serve`` on one PostgreSQL, one
client process), with each instance started through this script, which wraps (from outside,
no change to the service) the feed's doorbell and the hub's ``publish`` to record, on the
one CLOCK_MONOTONIC of the machine:

    commit   the producer, right after COMMIT
    notify   the instance's LISTEN connection hears the doorbell for that seq
    publish  the catch-up read is done and the hub starts offering the batch (writes begin)
    written  the hub returns: every socket's ``transport.write`` has been called
    recv     the clients of that instance: median and latest receipt

and the CPU seconds each process (both instances, PostgreSQL with its backends, the client
process) spent from "all clients caught up" to the end, the cores each used per 100 ms (and
the rest of the machine), garbage collections in the instances during the events and, with
``FANOUT_TRACE_PROFILE=<seconds>``, a cProfile (process CPU) of each instance from its first
doorbell with subscribers. Printed per event, in ms after commit.

``--floor``: the floor of ``bench/fanout.py`` alone, with the gap between its events and the
CPU of its server and clients (``legacy``: as before 2026-12-05, ``--unpaced --floor-deflate``).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import itertools
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import fanout
import psutil

from planner.testing import ROOT, RunningService, free_port
from planner.testing.service import wait_healthy

TRACE_DIR = "FANOUT_TRACE_DIR"


def instance_main(argv: list[str]) -> None:
    """``planner serve`` with the doorbell and the hub's publish traced to a file."""
    from planner.cli import main as planner_main
    from planner.live.feed import EventFeed
    from planner.live.hub import Hub

    out = open(Path(os.environ[TRACE_DIR]) / f"{os.getpid()}.jsonl", "a")  # noqa: SIM115
    notify = EventFeed._on_notify
    publish = Hub.publish

    profile_s = float(os.environ.get("FANOUT_TRACE_PROFILE") or 0)
    profiler = cProfile.Profile(time.process_time) if profile_s else None

    def stop_profile() -> None:
        assert profiler is not None
        profiler.disable()
        profiler.dump_stats(Path(os.environ[TRACE_DIR]) / f"{os.getpid()}.prof")

    def on_notify(self: Any, conn: Any, pid: int, channel: str, payload: str) -> None:
        nonlocal profiler
        if profiler is not None and len(self.hub) and not getattr(profiler, "started", False):
            profiler.started = True  # type: ignore[attr-defined]
            profiler.enable()
            asyncio.get_running_loop().call_later(profile_s, stop_profile)
        out.write(json.dumps(["notify", payload, time.monotonic()]) + "\n")
        notify(self, conn, pid, channel, payload)

    def traced_publish(self: Any, estate_id: int, events: Any) -> None:
        batch = list(events)
        start, cpu = time.monotonic(), time.thread_time()
        publish(self, estate_id, batch)
        end, cpu = time.monotonic(), time.thread_time() - cpu
        seqs = [e.seq for e in batch]
        out.write(json.dumps(["publish", seqs, start, end, len(self), cpu]) + "\n")
        out.flush()

    gc_started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.monotonic()]
        elif gc_started:
            row = ["gc", info["generation"], gc_started[0], time.monotonic(), info["collected"]]
            out.write(json.dumps(row) + "\n")

    gc.callbacks.append(on_gc)
    EventFeed._on_notify = on_notify  # type: ignore[method-assign]
    Hub.publish = traced_publish  # type: ignore[method-assign]
    planner_main(argv)


def sample(
    watched: dict[str, list[psutil.Process]],
    samples: list[tuple[float, dict[str, float], float]],
    stop: threading.Event,
) -> None:
    """Every 100 ms: the CPU seconds so far of each group, and of the whole machine."""
    while not stop.is_set():
        machine = psutil.cpu_times()
        busy = machine.user + machine.system + machine.nice + machine.softirq + machine.irq
        samples.append((time.monotonic(), {k: sum(cpu_of(v)) for k, v in watched.items()}, busy))
        stop.wait(0.1)


def timeline(samples: list[tuple[float, dict[str, float], float]], start: float) -> None:
    """Cores busy per 100 ms, from the first commit to the last receipt (others: the rest of
    the machine, other users included)."""
    keys = list(samples[0][1])
    print("ms after first commit: cores busy per group  " + " ".join(f"{k:>10}" for k in keys))
    for (t0, a, m0), (t1, b, m1) in itertools.pairwise(samples):
        if t1 < start:
            continue
        dt_ = t1 - t0
        cores = [(b[k] - a[k]) / dt_ for k in keys]
        others = (m1 - m0) / dt_ - sum(cores)
        cells = " ".join(f"{c:10.2f}" for c in cores)
        print(f"  {(t0 - start) * 1000:7.0f}  {cells}  others {others:5.2f}")


def used(client_cpu: dict[str, float]) -> float:
    return client_cpu["received"] - client_cpu["ready"]


def start_instance(database_url: str, data_dir: Path, extra: dict[str, str]) -> RunningService:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PLANNER_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"), env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, __file__, "--fanout-trace-instance", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, process, 180)
    return RunningService(process, base_url, data_dir)


def cpu_of(processes: list[psutil.Process]) -> tuple[float, float]:
    """User and system CPU seconds of ``processes`` so far."""
    user = system = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        user += times.user
        system += times.system
    return user, system


def postgres_processes(folder: str) -> list[psutil.Process]:
    for process in psutil.process_iter(["cmdline"]):
        if folder in " ".join(process.info["cmdline"] or ()):
            return [process, *process.children(recursive=True)]
    return []


def main() -> None:
    fanout.raise_fd_limit()
    count, events, interval = (int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
    with (
        tempfile.TemporaryDirectory(prefix="fanout-trace-") as trace_dir,
        tempfile.TemporaryDirectory(prefix="fanout-") as pg_folder,
    ):
        server = fanout.EmbeddedPostgres(Path(pg_folder))
        server.start()
        try:
            run(server.url(), pg_folder, Path(trace_dir), count, events, interval)
        finally:
            server.stop()


def run(
    server_url: str, pg_folder: str, trace_dir: Path, count: int, events: int, interval: float
) -> None:
    name = f"bench_fanout_{os.getpid()}"
    asyncio.run(fanout.scratch_database(server_url, name))
    url = fanout.with_database(server_url, name)
    services = []
    with tempfile.TemporaryDirectory() as d:
        env = {
            "PLANNER_MAX_CONNECTIONS_PER_CLIENT": str(count + 100),
            TRACE_DIR: str(trace_dir),
        }
        for _ in range(2):
            services.append(start_instance(url, Path(d), env))
        try:
            bases = [s.base_url for s in services]
            estate_id, token = fanout.setup_estate(bases[0], services[0].admin_token)
            urls = [
                bases[i % 2].replace("http://", "ws://") + f"/ws/estates/{estate_id}?token={token}"
                for i in range(count)
            ]
            instances = [psutil.Process(s.process.pid) for s in services]
            me = psutil.Process()
            with fanout.clients(urls, events) as pipe:
                client = [c for c in me.children() if c.pid not in {i.pid for i in instances}]
                client = [c for c in client if "spawn" in " ".join(c.cmdline())]
                pg = postgres_processes(pg_folder)
                watched = {"instance 0": [instances[0]], "instance 1": [instances[1]]}
                watched |= {"postgres": pg, "clients": client, "producer": [me]}
                before = {k: cpu_of(v) for k, v in watched.items()}
                wall = time.monotonic()
                samples: list[tuple[float, dict[str, float], float]] = []
                stop = threading.Event()
                sampler = threading.Thread(target=sample, args=(watched, samples, stop))
                sampler.start()
                sent = asyncio.run(fanout.produce(url, estate_id, events, interval))
                receipts = pipe.recv()
                stop.set()
                sampler.join()
                wall = time.monotonic() - wall
                after = {k: cpu_of(v) for k, v in watched.items()}
                timeline(samples, min(sent.values()))
                client_cpu = pipe.recv()
                print(f"client CPU, all caught up → all received: {used(client_cpu):.2f} s")
            pids = [s.process.pid for s in services]
        finally:
            for s in services:
                s.stop()
    report(trace_dir, pids, sent, receipts, before, after, wall)
    for pid in pids:
        profile = trace_dir / f"{pid}.prof"
        if profile.exists():
            print(f"profile of instance pid {pid} (process CPU, from its first doorbell):")
            pstats.Stats(str(profile)).sort_stats("tottime").print_stats(25)


def report(
    trace_dir: Path,
    pids: list[int],
    sent: dict[int, float],
    receipts: list[list[tuple[int, float]]],
    before: dict[str, float],
    after: dict[str, float],
    wall: float,
) -> None:
    print(f"CPU seconds over {wall:.2f} s wall (load {os.getloadavg()[0]:.1f}):")
    for key in before:
        user, system = (a - b for a, b in zip(after[key], before[key], strict=True))
        print(f"  {key:<10} {user + system:6.2f}  (user {user:.2f}, system {system:.2f})")
    got = [dict(r) for r in receipts]
    for inst, pid in enumerate(pids):
        notify: dict[int, float] = {}
        publish: dict[int, tuple[float, float, int]] = {}
        publish_cpu = publishes = 0.0
        collections: list[str] = []
        first, last = min(sent.values()), max(max(t for _, t in r) for r in receipts if r)
        path = trace_dir / f"{pid}.jsonl"
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row[0] == "gc":
                if first <= row[2] <= last:
                    collections.append(f"gen{row[1]} {(row[3] - row[2]) * 1000:.1f} ms")
                continue
            if row[0] == "notify":
                seq = int(row[1].partition(":")[2] or 0)
                notify.setdefault(seq, row[2])
            else:
                for seq in row[1]:
                    publish[seq] = (row[2], row[3], len(row[1]))
                if row[1] and row[1][0] in sent:
                    publish_cpu += row[5]
                    publishes += 1
                    subscribers = row[4]
        print(
            f"instance {inst}: {publishes:.0f} publishes to {subscribers} sockets, "
            f"{publish_cpu:.3f} CPU-s in publish ({publish_cpu / publishes * 1e6 / subscribers:.1f}"
            " µs per socket and publish)"
        )
        print(f"instance {inst}: garbage collections during the events: {collections or 'none'}")
        print(f"instance {inst}: ms after commit: notify, publish, written (batch), recv p50/max")
        previous = None
        for seq, at in sorted(sent.items()):
            gap = f"+{(at - previous) * 1000:5.1f}" if previous is not None else "     -"
            previous = at
            mine = sorted(
                (g[seq] - at) * 1000 for i, g in enumerate(got) if i % 2 == inst and seq in g
            )
            n = notify.get(seq)
            p = publish.get(seq)
            cells = [
                f"{(n - at) * 1000:7.1f}" if n else "      -",
                f"{(p[0] - at) * 1000:7.1f}" if p else "      -",
                f"{(p[1] - at) * 1000:7.1f} ({p[2]})" if p else "      -",
                f"{statistics.median(mine):7.1f} / {mine[-1]:7.1f}" if mine else "-",
            ]
            print(f"  seq {seq:3d} {gap}: " + "  ".join(cells))


async def floor_cpu(count: int, events: int, interval: float, legacy: bool) -> None:
    """The floor of ``bench/fanout.py``, with the CPU seconds of its server and clients."""
    import socket as socket_module
    from contextlib import suppress

    import msgspec
    from websockets.asyncio.client import connect

    port = free_port()
    command = [sys.executable, fanout.__file__, "--floor-server", str(port)]
    server = subprocess.Popen(command + ["--floor-deflate"] * legacy, cwd=ROOT)
    try:
        for _ in range(200):
            with suppress(OSError), socket_module.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        me = psutil.Process()
        with fanout.clients([f"ws://127.0.0.1:{port}/"] * count, events) as pipe:
            client = [c for c in me.children() if c.pid != server.pid]
            client = [c for c in client if "spawn" in " ".join(c.cmdline())]
            watched = {"floor": [psutil.Process(server.pid)], "clients": client}
            before = {k: cpu_of(v) for k, v in watched.items()}
            wall = time.monotonic()
            async with connect(f"ws://127.0.0.1:{port}/control", ping_interval=None) as control:
                await control.send(
                    msgspec.json.encode(
                        {"events": events, "interval": interval, "paced": not legacy}
                    )
                )
                sent = {int(k): v for k, v in msgspec.json.decode(await control.recv()).items()}
            receipts = pipe.recv()
            wall = time.monotonic() - wall
            after = {k: cpu_of(v) for k, v in watched.items()}
            client_cpu = pipe.recv()
            print(f"client CPU, all caught up → all received: {used(client_cpu):.2f} s")
    finally:
        server.terminate()
        server.wait(10)
    print(f"floor: CPU seconds over {wall:.2f} s wall (load {os.getloadavg()[0]:.1f}):")
    for key in before:
        user, system = (a - b for a, b in zip(after[key], before[key], strict=True))
        print(f"  {key:<10} {user + system:6.2f}  (user {user:.2f}, system {system:.2f})")
    got = [dict(r) for r in receipts]
    previous = None
    for seq, at in sorted(sent.items()):
        mine = sorted((g[seq] - at) * 1000 for g in got if seq in g)
        gap = f"{(at - previous) * 1000:6.1f}" if previous is not None else "     -"
        previous = at
        print(
            f"  seq {seq:3d}: sent +{gap} ms  recv {statistics.median(mine):7.1f} / {mine[-1]:7.1f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--fanout-trace-instance":
        instance_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor":
        fanout.raise_fd_limit()
        legacy = sys.argv[5:] == ["legacy"]  # --unpaced --floor-deflate
        asyncio.run(floor_cpu(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), legacy))
    else:
        main()
