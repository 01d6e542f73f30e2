"""The fast path: a parked sender's frame is written at once, or finished by a task, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from planner.access.model import Principal
from planner.live.connection import LiveConnection
from planner.live.frames import LiveEvent, make_live_event

pytestmark = pytest.mark.timeout(5)


class GatedSocket:
    """An ASGI-ish socket whose send waits while the gate is closed, like a full buffer."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.gate.set()
        self.sent: list[str] = []
        self.broken = False
        self.scope: dict[str, Any] = {}  # no raw send: frames take socket.send

    async def send(self, message: dict[str, Any]) -> None:
        await self.gate.wait()
        if self.broken:
            raise OSError("client gone")
        self.sent.append(message["text"])


def event(seq: int) -> LiveEvent:
    return make_live_event(
        estate_id=1,
        seq=seq,
        type="ballot.cast",
        at=datetime(2026, 11, 26, tzinfo=UTC),
        actor_id=None,
        audience="members",
        supplier_id=None,
        data={},
    )


def connection(socket: GatedSocket) -> LiveConnection:
    principal = Principal(member_id=1, estate_id=1, role="owner", display_name="x")
    return LiveConnection(socket, None, principal, 1)  # type: ignore[arg-type]


async def test_a_writable_socket_takes_the_frame_synchronously() -> None:
    socket = GatedSocket()
    conn = connection(socket)
    assert conn._deliver_now(event(1))
    assert socket.sent == [event(1).frame] and conn.last_sent == 1
    assert conn._deliver_now(event(1))  # already sent: nothing twice
    assert len(socket.sent) == 1


async def test_a_blocked_socket_finishes_in_a_task_and_later_events_queue() -> None:
    socket = GatedSocket()
    socket.gate.clear()
    conn = connection(socket)
    assert conn._deliver_now(event(1))  # taken: in flight
    assert not conn._deliver_now(event(2))  # must queue behind it
    assert socket.sent == []
    socket.gate.set()
    assert conn._inflight is not None
    await conn._inflight
    assert socket.sent == [event(1).frame]


async def test_a_failing_send_is_reported_to_the_sender() -> None:
    socket = GatedSocket()
    socket.gate.clear()
    socket.broken = True
    conn = connection(socket)
    assert conn._deliver_now(event(1))
    socket.gate.set()
    assert conn._inflight is not None
    with pytest.raises(OSError, match="client gone"):
        await conn._inflight
