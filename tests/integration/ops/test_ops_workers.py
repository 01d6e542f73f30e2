"""``planner serve --workers 2``: two processes on one socket serve requests, a live event
reaches sockets held by both, ``/metrics`` answers for both, a killed worker is replaced,
and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect

from planner.testing import RunningService, bearer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


async def _sockets_by_pid(http: httpx.AsyncClient) -> dict[str, float]:
    text = (await http.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "planner_live_sockets_open":
            return {s.labels.get("pid", "?"): s.value for s in family.samples}
    raise AssertionError("no planner_live_sockets_open")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_workers_share_the_socket_and_the_doorbell(
    services: Callable[..., RunningService], tmp_path: Path
) -> None:
    running = services(args=("serve", "--workers", "2"), log_file=tmp_path / "workers.log")
    admin = running.admin_token
    sockets: list[ClientConnection] = []
    async with (
        contextlib.AsyncExitStack() as stack,
        httpx.AsyncClient(base_url=running.base_url, timeout=10) as http,
    ):
        made = await http.post("/api/estates", json={"name": "双工小区"}, headers=bearer(admin))
        assert made.status_code == 201, made.text
        estate_id = made.json()["id"]
        url = running.base_url.replace("http://", "ws://")
        url += f"/ws/estates/{estate_id}?token={admin}"
        by_pid: dict[str, float] = {}
        for _ in range(8):  # open sockets until both workers hold some
            for _ in range(6):
                ws = await stack.enter_async_context(connect(url))
                assert json.loads(await ws.recv())["type"] == "hello"
                sockets.append(ws)
            await asyncio.sleep(1.5)  # the workers refresh the shared gauges every second
            by_pid = await _sockets_by_pid(http)
            if sum(1 for v in by_pid.values() if v > 0) >= 2:
                break
        holding = {pid: n for pid, n in by_pid.items() if n > 0}
        assert len(holding) == 2, by_pid
        assert sum(holding.values()) == len(sockets), (holding, len(sockets))

        work = await http.post(
            f"/api/estates/{estate_id}/works",
            json={"title": "加装电梯", "category": "elevator", "estimate_fen": 100_000},
            headers=bearer(admin),
        )
        assert work.status_code == 201, work.text

        async def first_event(ws: ClientConnection) -> dict[str, object]:
            while True:
                frame = json.loads(await ws.recv())
                if "seq" in frame:
                    return frame  # type: ignore[no-any-return]

        async with asyncio.timeout(15):
            events = await asyncio.gather(*(first_event(ws) for ws in sockets))
        assert {e["type"] for e in events} == {"work.created"}, events[:2]
        assert len({e["seq"] for e in events}) == 1

        text = (await http.get("/metrics")).text
        found = {f.name: f for f in text_string_to_metric_families(text)}
        created = [
            s
            for s in found["planner_http_requests"].samples
            if s.name.endswith("_total") and s.labels["route"] == "/api/estates/{estate_id}/works"
        ]
        assert created and created[0].labels["status"] == "201"
        assert (await http.get("/ready")).status_code == 200

        # a worker killed outright is replaced; the other one serves meanwhile
        pids = [int(pid) for pid in holding]
        os.kill(pids[0], signal.SIGKILL)
        async with asyncio.timeout(60):
            while True:
                assert (await http.get("/health")).status_code == 200
                now = {int(pid) for pid in await _sockets_by_pid(http)}
                if pids[0] not in now and len(now) == 2:
                    break
                await asyncio.sleep(0.5)
        pids = sorted(now)

    running.stop()
    assert running.process.returncode == 0
    for _ in range(50):
        if not any(_alive(pid) for pid in pids):
            break
        await asyncio.sleep(0.2)
    assert not any(_alive(pid) for pid in pids), "the workers stop with the supervisor"
