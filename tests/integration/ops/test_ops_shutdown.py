"""SIGTERM to a running ``planner serve``: it stops accepting, closes live sockets with 1012
(clients resume by seq), lets a request in flight finish, and exits; its log is JSON lines
with request ids (``PLANNER_LOG_FORMAT=json``)."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from planner.testing import RunningService, bearer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


async def test_sigterm_closes_sockets_1012_and_finishes_requests_in_flight(
    service: Callable[..., RunningService], tmp_path: Path
) -> None:
    log_file = tmp_path / "service.log"
    running = service(extra_env={"PLANNER_LOG_FORMAT": "json"}, log_file=log_file)
    admin = running.admin_token
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        made = await http.post("/api/estates", json={"name": "关机小区"}, headers=bearer(admin))
        assert made.status_code == 201, made.text
        estate_id = made.json()["id"]
        # planner serve's connection guard in the metrics
        found = {
            f.name: f for f in text_string_to_metric_families((await http.get("/metrics")).text)
        }
        opened = found["planner_connections_open"].samples[0].value
        admitted = [
            s.value
            for s in found["planner_connections"].samples
            if s.name.endswith("_total") and s.labels["outcome"] == "admit"
        ]
        assert opened >= 1 and admitted and admitted[0] >= 1, (opened, admitted)
    url = running.base_url.replace("http://", "ws://") + f"/ws/estates/{estate_id}?token={admin}"
    split = urlsplit(running.base_url)
    host, port = split.hostname or "127.0.0.1", split.port or 80

    async with connect(url) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
        # a request in flight: its head is in, half its body is still to come
        body = json.dumps({"name": "路上的请求"}).encode()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            b"POST /api/estates HTTP/1.1\r\nHost: planner\r\n"
            b"Authorization: Bearer " + admin.encode() + b"\r\n"
            b"X-Request-ID: in-flight-1\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body[:5]
        )
        await writer.drain()
        await asyncio.sleep(0.3)
        signalled = time.monotonic()
        running.process.send_signal(signal.SIGTERM)

        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012, closed.value
        closed_after = time.monotonic() - signalled

        # no new connections meanwhile
        with pytest.raises(OSError):
            await asyncio.wait_for(asyncio.open_connection(host, port), 2)

        await asyncio.sleep(1.0)  # the rest of the body comes late
        writer.write(body[5:])
        await writer.drain()
        async with asyncio.timeout(15):
            answer = await reader.read()
        writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201"), answer[:300]
    assert b"x-request-id: in-flight-1" in head.lower()
    assert json.loads(rest)["name"] == "路上的请求"

    running.process.wait(30)
    # uvicorn re-raises the signal once it has shut down cleanly: "killed by SIGTERM" is
    # what systemd and the shell expect of a service that honoured it
    assert running.process.returncode in (0, -signal.SIGTERM), running.process.returncode
    assert closed_after < 5, closed_after

    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "planner.access"]
    mine = [line for line in requests if line["request_id"] == "in-flight-1"]
    assert len(mine) == 1, requests[-5:]
    assert mine[0]["route"] == "/api/estates" and mine[0]["status"] == 201
    assert mine[0]["duration_ms"] >= 1000
    for line in requests:
        assert {"time", "level", "logger", "message", "request_id", "route", "status"} <= set(line)
        assert line["duration_ms"] >= 0
