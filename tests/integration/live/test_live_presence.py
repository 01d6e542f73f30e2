"""Who is in a meeting room: joins and leaves as events, gone within the heartbeat window."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_helpers import (
    Received,
    closed_with,
    live_socket,
    new_estate,
    new_meeting,
    new_member,
    read_until,
    running_app,
)

from planner.db.pool import Database
from planner.live.service import PresenceKeeper
from planner.settings import LiveSettings, Settings

pytestmark = pytest.mark.timeout(60)
HEARTBEAT_S = 0.5  # presence window: 1.5 s


class Room:
    def __init__(self, base_url: str, admin: str, database_url: str) -> None:
        self.base_url = base_url
        self.admin = admin
        self.database_url = database_url


@pytest.fixture
async def room(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Room]:
    monkeypatch.setenv("PLANNER_LIVE_HEARTBEAT_S", str(HEARTBEAT_S))
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    async with running_app(settings) as (base_url, app):
        yield Room(base_url, app.state.new_admin_token, database_url)


def event_of(kind: str, member_id: int) -> Callable[[Received], bool]:
    def done(received: Received) -> bool:
        return any(
            e["type"] == kind and e["data"]["member_id"] == member_id for e in received.events
        )

    return done


async def presence(room: Room, meeting_id: int, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=room.base_url, timeout=10) as http:
        return await http.get(
            f"/api/meetings/{meeting_id}/presence", headers={"Authorization": f"Bearer {token}"}
        )


async def test_join_and_leave_are_events_and_presence_lists_who_is_in(room: Room) -> None:
    estate_id = await new_estate(room.base_url, room.admin)
    meeting_id = await new_meeting(room.database_url, estate_id)
    owner_id, owner = await new_member(
        room.base_url, room.admin, estate_id, "owner", display_name="业主甲"
    )
    _, chair = await new_member(room.base_url, room.admin, estate_id, "committee")
    async with (
        live_socket(room.base_url, estate_id, chair) as watcher,
        live_socket(room.base_url, estate_id, owner) as ws,
    ):
        await read_until(ws, lambda r: len(r.controls) >= 2)
        await ws.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
        joined = await read_until(ws, lambda r: any(c["type"] == "presence" for c in r.controls))
        listing = next(c for c in joined.controls if c["type"] == "presence")
        assert [m["member_id"] for m in listing["members"]] == [owner_id]
        seen = await read_until(watcher, event_of("presence.joined", owner_id))
        assert seen.events[-1]["data"] == {
            "meeting_id": meeting_id,
            "member_id": owner_id,
            "display_name": "业主甲",
        }
        now = await presence(room, meeting_id, chair)
        assert now.status_code == 200, now.text
        assert [m["member_id"] for m in now.json()["members"]] == [owner_id]

        await ws.send(json.dumps({"type": "leave", "meeting_id": meeting_id}))
        left = await read_until(watcher, event_of("presence.left", owner_id))
        assert left.events[-1]["data"]["reason"] == "left"
        assert (await presence(room, meeting_id, chair)).json()["members"] == []

        await ws.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
        await read_until(watcher, event_of("presence.joined", owner_id))
    # closing the socket (both here) leaves the room
    async with live_socket(room.base_url, estate_id, chair, after=0) as replay:
        got = await read_until(
            replay, lambda r: sum(e["type"] == "presence.left" for e in r.events) >= 2
        )
    reasons = [e["data"]["reason"] for e in got.events if e["type"] == "presence.left"]
    assert reasons == ["left", "disconnected"]


async def test_a_silent_client_in_a_room_is_dropped_within_the_window(room: Room) -> None:
    estate_id = await new_estate(room.base_url, room.admin)
    meeting_id = await new_meeting(room.database_url, estate_id)
    owner_id, owner = await new_member(room.base_url, room.admin, estate_id, "owner")
    _, chair = await new_member(room.base_url, room.admin, estate_id, "committee")
    async with live_socket(room.base_url, estate_id, chair) as watcher:
        async with live_socket(room.base_url, estate_id, owner) as silent:
            await silent.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
            await read_until(watcher, event_of("presence.joined", owner_id))
            # it never pings again: within the window the server closes it
            code, reason = await closed_with(silent, timeout=3 * HEARTBEAT_S + 3)
            assert (code, reason) == (4000, "heartbeat timeout")
        await read_until(watcher, event_of("presence.left", owner_id), timeout=5)
    assert (await presence(room, meeting_id, chair)).json()["members"] == []


async def test_a_pinging_client_stays_in_the_room(room: Room) -> None:
    estate_id = await new_estate(room.base_url, room.admin)
    meeting_id = await new_meeting(room.database_url, estate_id)
    owner_id, owner = await new_member(room.base_url, room.admin, estate_id, "owner")
    async with live_socket(room.base_url, estate_id, owner) as ws:
        await ws.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
        for _ in range(8):  # 4 s: well past the 1.5 s window
            await ws.send(json.dumps({"type": "ping"}))
            await read_until(ws, lambda r: any(c["type"] == "pong" for c in r.controls))
        listing = (await presence(room, meeting_id, owner)).json()["members"]
    assert [m["member_id"] for m in listing] == [owner_id]


async def test_rooms_of_other_estates_and_unknown_rooms_are_refused(room: Room) -> None:
    estate_id = await new_estate(room.base_url, room.admin)
    other = await new_estate(room.base_url, room.admin, name="别的小区")
    foreign_meeting = await new_meeting(room.database_url, other)
    _, owner = await new_member(room.base_url, room.admin, estate_id, "owner")
    async with live_socket(room.base_url, estate_id, owner) as ws:
        for meeting_id in (foreign_meeting, 999_999):
            await ws.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
        got = await read_until(ws, lambda r: sum(c["type"] == "error" for c in r.controls) >= 2)
    errors = [c for c in got.controls if c["type"] == "error"]
    assert all(e["field"] == "meeting_id" for e in errors)
    assert errors[0] == errors[1]  # another estate's meeting reads as a missing one
    foreign, missing = (
        await presence(room, foreign_meeting, owner),
        await presence(room, 999_999, owner),
    )
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert missing.status_code == 404


async def test_the_sweeper_removes_members_no_instance_refreshes(
    db: Database, make_estate: Callable[..., Awaitable[int]], make_member: Any
) -> None:
    estate_id = await make_estate()
    meeting_id = await new_meeting_in(db, estate_id)
    member_id, _ = await make_member(estate_id, "owner", display_name="业主乙")
    keeper = PresenceKeeper(db, "dead-instance", LiveSettings(heartbeat_s=0.2))
    members = await keeper.join(
        connection_id="c1",
        estate_id=estate_id,
        meeting_id=meeting_id,
        member_id=member_id,
        display_name="业主乙",
    )
    assert members is not None and [m.member_id for m in members] == [member_id]
    assert await keeper.sweep() == 0  # fresh
    async with db.connection() as conn:
        await conn.execute("UPDATE live_presence SET last_seen = now() - interval '1 minute'")
    assert await keeper.sweep() == 1
    async with db.connection() as conn:
        left = await conn.fetchrow(
            "SELECT type, data FROM events WHERE estate_id = $1 ORDER BY seq DESC LIMIT 1",
            estate_id,
        )
        remaining = await conn.fetchval("SELECT count(*) FROM live_presence")
    assert left["type"] == "presence.left"
    assert left["data"]["reason"] == "timeout" and left["data"]["member_id"] == member_id
    assert remaining == 0


async def new_meeting_in(db: Database, estate_id: int) -> int:
    async with db.connection() as conn:
        meeting_id: int = await conn.fetchval(
            "INSERT INTO meetings (estate_id, title, kind) VALUES ($1, 'm', 'public_hearing') "
            "RETURNING id",
            estate_id,
        )
    return meeting_id
