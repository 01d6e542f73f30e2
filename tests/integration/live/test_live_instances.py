"""Real `planner serve` processes on one PostgreSQL: across instances, SIGKILL, PG restart."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from live_helpers import (
    FAST_LIVE_ENV,
    append_events,
    events_up_to,
    live_socket,
    new_estate,
    new_meeting,
    new_member,
    read_until,
    restart_postgres,
    start_slow_service,
    ws_url,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from planner.db.embedded import EmbeddedPostgres
from tests.conftest import RunningService

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

Service = Callable[..., RunningService]


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    """Start `planner serve` processes on this test's database; all stopped afterwards."""
    started: list[RunningService] = []

    def start(port: int | None = None, extra_env: dict[str, str] | None = None) -> RunningService:
        running = start_slow_service(database_url, tmp_path / "svc", port, extra_env)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


async def test_client_on_instance_a_sees_a_change_made_through_instance_b(service: Service) -> None:
    # The poll is slowed down so the doorbell (NOTIFY) is what delivers the event.
    a = service(extra_env={"PLANNER_LIVE_POLL_S": "60"})
    b = service(extra_env={"PLANNER_LIVE_POLL_S": "60"})
    estate_id = await new_estate(a.base_url, a.admin_token)
    _, committee = await new_member(a.base_url, a.admin_token, estate_id, "committee")
    async with live_socket(a.base_url, estate_id, committee) as ws:
        hello = await read_until(ws, lambda r: any(c["type"] == "caught_up" for c in r.controls))
        head = hello.controls[0]["head"]
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with httpx.AsyncClient(base_url=b.base_url, timeout=10) as http:
            response = await http.post(
                f"/api/estates/{estate_id}/buildings",
                json={"name": "9栋"},
                headers={"Authorization": f"Bearer {committee}"},
            )
            assert response.status_code == 201, response.text
        got = await read_until(ws, events_up_to(head + 1), timeout=5)
        assert loop.time() - started < 2
    assert got.events[-1]["type"] == "building.added"
    assert got.events[-1]["data"]["name"] == "9栋"
    assert got.seqs == [head + 1]


async def resuming_reader(
    base_url: str, estate_id: int, token: str, after: int, until_seq: int, seen: list[int]
) -> int:
    """Read like web/live.js: on any disconnect, reconnect with ?after=<last seq>."""
    last = after
    reconnects = 0
    while last < until_seq:
        try:
            async with live_socket(base_url, estate_id, token, after=last) as ws:
                async for raw in ws:
                    frame = json.loads(raw)
                    if "seq" in frame:
                        seen.append(frame["seq"])
                        last = frame["seq"]
                        if last >= until_seq:
                            return reconnects
        except (ConnectionClosed, InvalidHandshake, OSError):
            pass
        reconnects += 1
        await asyncio.sleep(0.2)
    return reconnects


async def test_sigkill_mid_stream_then_restart_resumes_every_event_exactly_once(
    service: Service, database_url: str
) -> None:
    a = service(extra_env=FAST_LIVE_ENV)
    port = int(a.base_url.rsplit(":", 1)[1])
    estate_id = await new_estate(a.base_url, a.admin_token)
    _, token = await new_member(a.base_url, a.admin_token, estate_id, "owner")
    async with live_socket(a.base_url, estate_id, token) as ws:
        head = (await read_until(ws, lambda r: len(r.controls) >= 2)).controls[0]["head"]
    total = 150
    seen: list[int] = []
    writer = asyncio.create_task(append_events(database_url, estate_id, total, pause_s=0.03))
    reader = asyncio.create_task(
        resuming_reader(a.base_url, estate_id, token, head, head + total, seen)
    )
    async with asyncio.timeout(30):
        while len(seen) < 40:
            await asyncio.sleep(0.01)
    a.process.send_signal(signal.SIGKILL)
    a.process.wait(10)
    killed_at = len(seen)
    # Events keep being committed (directly) while the service is down.
    await asyncio.to_thread(service, port=port, extra_env=FAST_LIVE_ENV)
    reconnects = await asyncio.wait_for(reader, 60)
    await writer
    assert killed_at < total
    assert reconnects >= 1
    assert seen == list(range(head + 1, head + total + 1))


async def test_postgres_restart_under_a_running_service_loses_nothing(
    service: Service, database_url: str, pg: EmbeddedPostgres
) -> None:
    # With the poll slowed down, only the LISTEN connection coming back delivers events.
    a = service(extra_env={"PLANNER_LIVE_HEARTBEAT_S": "1", "PLANNER_LIVE_POLL_S": "60"})
    estate_id = await new_estate(a.base_url, a.admin_token)
    _, token = await new_member(a.base_url, a.admin_token, estate_id, "owner")
    async with live_socket(a.base_url, estate_id, token) as ws:
        head = (await read_until(ws, lambda r: len(r.controls) >= 2)).controls[0]["head"]
        before = await append_events(database_url, estate_id, 5)
        await read_until(ws, events_up_to(before[-1]))
        await asyncio.to_thread(restart_postgres, pg, 2.0)
        # Committed right after the restart, maybe before the service listens again.
        after_restart = await append_events(database_url, estate_id, 5)
        got = await read_until(ws, events_up_to(after_restart[-1]), timeout=20)
        assert got.seqs == after_restart
        # ...and the doorbell rings again: a fresh event arrives promptly.
        loop = asyncio.get_running_loop()
        started = loop.time()
        later = await append_events(database_url, estate_id, 1)
        fresh = await read_until(ws, events_up_to(later[-1]), timeout=10)
        assert fresh.seqs == later and loop.time() - started < 2
    assert before == list(range(head + 1, head + 6))
    async with httpx.AsyncClient(base_url=a.base_url, timeout=10) as http:
        assert (await http.get("/health")).status_code == 200


async def test_a_crashed_instances_room_members_vanish_within_the_window(
    service: Service, database_url: str
) -> None:
    a = service(extra_env=FAST_LIVE_ENV)  # heartbeat 1 s: presence window 3 s
    b = service(extra_env=FAST_LIVE_ENV)
    estate_id = await new_estate(a.base_url, a.admin_token)
    meeting_id = await new_meeting(database_url, estate_id)
    owner_id, owner = await new_member(a.base_url, a.admin_token, estate_id, "owner")
    _, chair = await new_member(a.base_url, a.admin_token, estate_id, "committee")
    async with live_socket(b.base_url, estate_id, chair) as watcher:
        await read_until(watcher, lambda r: len(r.controls) >= 2)
        # Never closed by the test: the instance dies under it.
        doomed = await connect(ws_url(a.base_url, estate_id, owner))
        await doomed.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
        await read_until(watcher, lambda r: any(e["type"] == "presence.joined" for e in r.events))
        loop = asyncio.get_running_loop()
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(10)
        killed = loop.time()
        got = await read_until(
            watcher, lambda r: any(e["type"] == "presence.left" for e in r.events), timeout=15
        )
        gone_after = loop.time() - killed
    left = got.events[-1]
    assert left["data"] == {
        "meeting_id": meeting_id,
        "member_id": owner_id,
        "display_name": "owner",
        "reason": "timeout",
    }
    assert gone_after < 3 + 1 + 2  # window + one sweep + slack
    async with httpx.AsyncClient(base_url=b.base_url, timeout=10) as http:
        listing = await http.get(
            f"/api/meetings/{meeting_id}/presence", headers={"Authorization": f"Bearer {chair}"}
        )
    assert listing.json()["members"] == []
