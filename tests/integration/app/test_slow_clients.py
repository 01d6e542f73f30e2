"""Slow and greedy clients against a real ``planner serve`` (issue 15, item 4).

Thousands of sockets trickling a request head from one address must be closed by the head
timeout and the per-address cap while ``/health`` and a ballot from another address stay
fast; beyond a cap a request is answered 503 problem+json with Retry-After (``/health``
still answered beyond the total); a stalled body gets 408; keep-alive ends after the
configured number of requests.

The service starts with a soft open-files limit of 1,024 (what many hosts give a process):
before the fix 2,000 trickling sockets took every descriptor and ``/health`` timed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from planner.testing import RunningService
from planner.testing.api import bearer
from planner.testing.slowloris import open_files_at_least, probe, trickle
from planner.testing.voting import open_motion, setup_voting

pytestmark = [pytest.mark.slow, pytest.mark.exclusive, pytest.mark.timeout(180)]

HEADER_TIMEOUT_S = 3


@contextlib.contextmanager
def soft_open_files(n: int) -> Iterator[None]:
    """Children started inside inherit a soft open-files limit of ``n``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, soft), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


async def test_trickling_sockets_are_closed_while_health_and_a_ballot_stay_fast(
    service: Callable[..., RunningService],
) -> None:
    with soft_open_files(1024):
        running = service(extra_env={"PLANNER_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S)})
    open_files_at_least(4096)
    async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as http:
        rows = [("1栋", "0101", "90.00", "a"), ("1栋", "0102", "80.00", "b")]
        voting = await setup_voting(http, running.admin_token, None, rows)
        _, motion_id = await open_motion(http, voting)
    _, owner = voting.owners["a"]
    host, port = _host_port(running.base_url)
    duration = 12.0
    until = time.monotonic() + duration
    flood = asyncio.create_task(trickle(host, port, 2000, duration, interval_s=1.0))
    await asyncio.sleep(1.0)  # the sockets are open and trickling
    probes = await probe(running.base_url, "127.0.0.2", until, (motion_id, owner))
    report = await flood
    print(
        f"trickle: opened {report.opened}, refused at connect {report.refused_at_connect}, "
        f"closed by server {report.closed_by_server}, still open {report.still_open}, "
        f"longest {max(report.lifetimes):.1f} s; health max {max(probes.health, default=0):.3f}"
        f" s over {len(probes.health)}, ballots max {max(probes.votes, default=0):.3f} s"
    )
    assert not probes.health_failures, probes.health_failures[:3]
    assert not probes.vote_failures, probes.vote_failures[:3]
    assert len(probes.health) >= 10 and len(probes.votes) >= 10
    assert max(probes.health) < 1.0, sorted(probes.health)[-3:]
    assert max(probes.votes) < 1.0, sorted(probes.votes)[-3:]
    assert report.still_open == 0, "trickling sockets outlived the head timeout"
    assert report.opened + report.refused_at_connect == 2000
    assert max(report.lifetimes) < HEADER_TIMEOUT_S + 4


async def _partial_head(host: str, port: int, source: str) -> asyncio.StreamWriter:
    _, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    writer.write(b"GET /health HTTP/1.1\r\nHost: planner\r\n")
    await writer.drain()
    return writer


async def _raw(host: str, port: int, source: str, request: bytes, wait_s: float = 5) -> bytes:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        writer.write(request)
        await writer.drain()
        chunks = []
        async with asyncio.timeout(wait_s):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
        return b"".join(chunks)
    finally:
        writer.close()


async def _get_health(source: str, base_url: str) -> int:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=10) as http:
        return (await http.get("/health")).status_code


async def test_caps_answer_503_with_retry_after_and_bodies_and_keep_alive_are_bounded(
    service: Callable[..., RunningService],
) -> None:
    running = service(
        extra_env={
            "PLANNER_MAX_CONNECTIONS_PER_CLIENT": "4",
            "PLANNER_MAX_CONNECTIONS": "6",
            "PLANNER_HEADER_TIMEOUT_S": "20",
            "PLANNER_BODY_TIMEOUT_S": "1",
            "PLANNER_KEEP_ALIVE_REQUESTS": "3",
        }
    )
    host, port = _host_port(running.base_url)
    admin = running.admin_token
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(
        base_url=running.base_url, transport=transport, timeout=10
    ) as other:
        # keep-alive: the third request on one connection is told it is the last
        answers = [await other.get("/health") for _ in range(3)]
        assert [a.headers.get("connection") for a in answers] == [None, None, "close"]

        held = [await _partial_head(host, port, "127.0.0.1") for _ in range(4)]
        try:
            await asyncio.sleep(0.3)
            # a fifth connection from the same address: 503, problem+json, Retry-After
            refused = await _raw(
                host, port, "127.0.0.1", b"GET /health HTTP/1.1\r\nHost: p\r\n\r\n"
            )
            head, _, body = refused.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503"), refused
            assert b"retry-after: " in head.lower(), head
            assert b"application/problem+json" in head, head
            assert b'"code": "unavailable"' in body or b'"code":"unavailable"' in body, body
            # another address is served
            assert (await other.get("/health")).status_code == 200
            # the total (6): two more held from a third address fill it; beyond it only
            # /health is answered
            held += [await _partial_head(host, port, "127.0.0.3") for _ in range(2)]
            await asyncio.sleep(0.3)
            fresh = httpx.AsyncHTTPTransport(local_address="127.0.0.4")
            async with httpx.AsyncClient(
                base_url=running.base_url, transport=fresh, timeout=10
            ) as late:
                assert (await late.get("/health")).status_code == 200
                me = await late.get("/api/me", headers=bearer(running.admin_token))
                assert me.status_code == 503, me.text
                assert me.headers["retry-after"].isdigit()
                assert me.json()["code"] == "unavailable"
        finally:
            for writer in held:
                writer.close()
        await asyncio.sleep(0.3)
        # a body that stops arriving: 408 within about the body timeout, then closed
        started = time.monotonic()
        stalled = await _raw(
            host,
            port,
            "127.0.0.2",
            b"POST /api/estates HTTP/1.1\r\nHost: p\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + running.admin_token.encode() + b"\r\n"
            b'Content-Length: 100\r\n\r\n{"name":',
        )
        assert stalled.startswith(b"HTTP/1.1 408"), stalled
        assert time.monotonic() - started < 4
        # WebSockets count against the cap while open and are released when closed
        estate = await other.post("/api/estates", json={"name": "x"}, headers=bearer(admin))
        ws_url = f"ws://{host}:{port}/ws/estates/{estate.json()['id']}?token="
        for _ in range(6):  # refused (4401) after the upgrade: each one released
            async with websockets.connect(ws_url + "pl_bad", local_addr=("127.0.0.5", 0)) as ws:
                with pytest.raises(websockets.ConnectionClosed):
                    await ws.recv()
        sockets = [
            await websockets.connect(ws_url + admin, local_addr=("127.0.0.5", 0)) for _ in range(4)
        ]
        assert (await _get_health("127.0.0.5", running.base_url)) == 503
        for ws in sockets:
            await ws.close()
        await asyncio.sleep(0.3)
        assert (await _get_health("127.0.0.5", running.base_url)) == 200
        # X-Forwarded-For from a peer that is no trusted proxy changes nothing (item 5):
        # the 21st wrong token is refused whatever address each one claims
        statuses = [
            (
                await other.get(
                    "/api/me",
                    headers={**bearer(f"pl_guess{i}"), "x-forwarded-for": f"198.51.100.{i}"},
                )
            ).status_code
            for i in range(21)
        ]
        assert statuses == [401] * 20 + [429], statuses
