"""CPU of `Hub.publish` per socket against a bare loop of ``transport.write`` on the same sockets.

    uv run python bench/fanout_write_floor.py          # 2,000 loopback sockets, 40 rounds

One uvloop process holds ``N`` loopback TCP connections (a second process reads them); each
round publishes one event through the hub to ``N`` subscribers wired as live sockets are
(``LiveConnection._deliver_many_now`` over the real transports), then writes the same frame
to the same transports in a bare loop. Printed: the median thread CPU per socket of each.
The difference is what the live path adds to the kernel's cost of one write per socket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing as mp
import selectors
import socket
import statistics
import sys
import time
from typing import Any

import uvloop
from websockets.protocol import State

from planner.live.connection import LiveConnection
from planner.live.frames import make_live_event
from planner.live.hub import Hub

DATA = {
    "motion_id": 17,
    "choice": "yes",
    "household_ids": [1000, 2000],
    "cast_by": 4242,
    "on_behalf_of": None,
    "participating_area_m2": "12345.67",
    "yes_area_m2": "8123.40",
}


def reader(port: int, count: int) -> None:
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select(1):
            try:
                if not key.fileobj.recv(65536):  # type: ignore[union-attr]
                    selector.unregister(key.fileobj)
            except BlockingIOError:
                pass


class _Conn:
    state = State.OPEN
    extensions: list[Any] = []


class _Protocol:
    """What `LiveConnection._write_raw` reads of uvicorn's sans-I/O protocol."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.close_sent = False
        self.disconnected = False
        self.writable = asyncio.Event()
        self.writable.set()
        self.conn = _Conn()
        self.transport = transport


async def main(count: int, rounds: int) -> None:
    transports: list[asyncio.Transport] = []

    class Accept(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            transports.append(transport)  # type: ignore[arg-type]

    server = await asyncio.get_running_loop().create_server(Accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    process = mp.get_context("spawn").Process(target=reader, args=(port, count), daemon=True)
    process.start()
    while len(transports) < count:
        await asyncio.sleep(0.05)
    hub = Hub()
    for transport in transports:
        connection = object.__new__(LiveConnection)
        connection._protocol = _Protocol(transport)  # type: ignore[assignment]
        connection._inflight = None
        connection.last_sent = 0
        subscriber = hub.subscribe(7, member_id=1, audience=("owner", None))
        subscriber.deliver = connection._deliver_now
        subscriber.deliver_many = connection._deliver_many_now
        subscriber._parked = True  # as a sender waiting in `next_event`
    published: list[float] = []
    bare: list[float] = []
    for seq in range(1, rounds + 1):
        event = make_live_event(
            estate_id=7,
            seq=seq,
            type="ballot.cast",
            at=dt.datetime.now(dt.UTC),
            actor_id=1,
            audience="members",
            supplier_id=None,
            data=DATA,
        )
        cpu = time.thread_time()
        hub.publish(7, [event])
        published.append((time.thread_time() - cpu) / count * 1e6)
        await asyncio.sleep(0.03)
        cpu = time.thread_time()
        for transport in transports:
            transport.write(event.wire)
        bare.append((time.thread_time() - cpu) / count * 1e6)
        await asyncio.sleep(0.03)
    process.kill()
    print(
        f"{count:,} sockets, {rounds} rounds: Hub.publish {statistics.median(published):.2f} µs "
        f"per socket, bare transport.write loop {statistics.median(bare):.2f} µs per socket"
    )


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, 40))
