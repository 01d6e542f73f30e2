"""A vote storm with kills, shared by the fault tests and bench/faults.py.

``vote_storm_with_kills``: owners cast ballots through a real ``planner serve`` while the
service is SIGKILLed and restarted; a committee member's socket follows the stream and
resumes by ``seq`` after every kill. Then the tables are checked against what the clients
were told. (PostgreSQL restarts are in ``planner.testing.postgres_restart``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from planner.testing import store
from planner.testing.api import bearer
from planner.testing.service import RunningService, start_service
from planner.testing.voting import open_motion, setup_voting

CHOICES = ("yes", "no", "abstain")
TRANSPORT_ERRORS = (httpx.TransportError, OSError)


def launch(
    database_url: str,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 120.0,
    log_file: Path | None = None,
) -> RunningService:
    """``planner serve`` with a generous start-up allowance (``start_service``)."""
    return start_service(
        database_url, data_dir, extra_env=extra_env, timeout=timeout, log_file=log_file
    )


def estate_rows(owners: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(10)  # noqa: S311  (seeded: the same estate every run)
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
    rng = random.Random(278)  # noqa: S311  (seeded: the same storm every run)
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
            while len(report.acknowledged) < threshold:  # noqa: ASYNC110  (a counter)
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
    async with store.connected(database_url) as conn:
        head = await store.event_head(conn, voting.estate_id)
    # the socket catches up to the head (by replay after a resume, or live)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            while not report.events_seen or max(report.events_seen) < head:  # noqa: ASYNC110
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


async def _check(
    report: StormReport,
    database_url: str,
    estate_id: int,
    motion_id: int,
    head: int,
    base_url: str,
    committee: str,
) -> None:
    async with store.connected(database_url) as conn:
        rows = await store.motion_ballots(conn, motion_id)
        units = await store.motion_unit_choices(conn, motion_id)
    stored: dict[int, list[store.StoredBallot]] = {}
    for r in rows:
        stored.setdefault(r.id, []).append(r)
    for receipt in report.acknowledged:
        found = stored.get(receipt["ballot_id"], [])
        if not found:
            report.lost += 1
        elif (
            len(found) > 1
            or found[0].household_id != receipt["household_id"]
            or found[0].choice != receipt["choice"]
        ):
            report.doubled += 1
    receipts = [r.receipt for r in rows]
    report.doubled += len(receipts) - len(set(receipts))
    # every unit counts its latest ballot, and only once
    latest: dict[int, store.StoredBallot] = {}
    for r in sorted(rows, key=lambda r: r.id):
        latest[r.household_id] = r
    for unit in units:
        last = latest.get(unit.household_id)
        if last is None:
            if unit.choice is not None:
                report.tally_mismatch += 1
        elif unit.last_ballot_id != last.id or unit.choice != last.choice:
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
