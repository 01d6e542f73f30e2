"""Slow clients against a running service: sockets that trickle a request head one header
line at a time (tests/integration/app/test_slow_clients.py and bench/slowloris.py), and a
second client that meanwhile reads ``/health`` and casts a ballot, timing both."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from dataclasses import dataclass, field

import httpx

from planner.testing.api import bearer


@dataclass
class TrickleReport:
    opened: int = 0
    refused_at_connect: int = 0  # the connect itself failed (or was reset at once)
    closed_by_server: int = 0
    answered_503: int = 0
    still_open: int = 0
    lifetimes: list[float] = field(default_factory=list)  # seconds from connected to closed


@dataclass
class ProbeReport:
    health: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    votes: list[float] = field(default_factory=list)
    vote_failures: list[str] = field(default_factory=list)


def open_files_at_least(n: int) -> None:
    """Raise this process's soft open-files limit to ``n`` (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < n:
        target = n if hard == resource.RLIM_INFINITY else min(n, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def _trickler(
    host: str,
    port: int,
    source: str,
    interval_s: float,
    until: float,
    report: TrickleReport,
    reconnect: bool,
    gate: asyncio.Semaphore,
    reconnect_delay_s: float = 0.0,
) -> None:
    while time.monotonic() < until:
        try:
            async with gate:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port, local_addr=(source, 0)), 10
                )
        except (OSError, TimeoutError):
            report.refused_at_connect += 1
            if not reconnect:
                return
            await asyncio.sleep(max(reconnect_delay_s, 0.1))
            continue
        report.opened += 1
        started = time.monotonic()
        closed = False
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: planner\r\n")
            line = 0
            while time.monotonic() < until:
                try:
                    data = await asyncio.wait_for(reader.read(4096), interval_s)
                except TimeoutError:
                    line += 1
                    writer.write(b"X-Trickle-%d: %d\r\n" % (line, line))
                    await writer.drain()
                    continue
                if data.startswith(b"HTTP/1.1 503"):
                    report.answered_503 += 1
                closed = True  # an answer or EOF: the server is done with us
                break
        except OSError:
            closed = True
        finally:
            report.lifetimes.append(time.monotonic() - started)
            if closed:
                report.closed_by_server += 1
            else:
                report.still_open += 1
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if not reconnect:
            return
        await asyncio.sleep(reconnect_delay_s)


async def trickle(
    host: str,
    port: int,
    sockets: int,
    duration_s: float,
    interval_s: float = 1.0,
    source: str = "127.0.0.1",
    reconnect: bool = False,
    reconnect_delay_s: float = 0.0,
) -> TrickleReport:
    """``sockets`` connections from ``source``, each sending one header line every
    ``interval_s`` and never finishing its head, for ``duration_s``; with ``reconnect`` a
    closed one is opened again after ``reconnect_delay_s`` (as an attacker would)."""
    open_files_at_least(sockets + 512)
    report = TrickleReport()
    until = time.monotonic() + duration_s
    gate = asyncio.Semaphore(256)  # connects in flight (the listen backlog is finite)

    await asyncio.gather(
        *(
            _trickler(
                host, port, source, interval_s, until, report, reconnect, gate, reconnect_delay_s
            )
            for _ in range(sockets)
        )
    )
    return report


def trickle_blocking(
    host: str,
    port: int,
    sockets: int,
    duration_s: float,
    interval_s: float,
    source: str,
    reconnect_delay_s: float,
) -> TrickleReport:
    """``trickle`` (reconnecting) on an event loop of its own: for a process pool, so that
    the bench's probe does not share a loop or a GIL with thousands of sockets."""
    return asyncio.run(
        trickle(host, port, sockets, duration_s, interval_s, source, True, reconnect_delay_s)
    )


async def probe(
    base_url: str,
    source: str,
    until: float,
    ballot: tuple[int, str] | None,
    every_s: float = 0.5,
    timeout_s: float = 10.0,
) -> ProbeReport:
    """From ``source``: ``/health`` and (with ``ballot`` = (motion id, token)) a ballot, each
    on a new connection every ``every_s``, timed, until ``until``."""
    report = ProbeReport()
    choices = ("yes", "no")
    i = 0
    while time.monotonic() < until:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        async with httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout_s
        ) as http:
            started = time.monotonic()
            try:
                response = await http.get("/health")
                if response.status_code == 200:
                    report.health.append(time.monotonic() - started)
                else:
                    report.health_failures.append(str(response.status_code))
            except httpx.HTTPError as exc:
                report.health_failures.append(repr(exc))
            if ballot is not None:
                motion_id, token = ballot
                started = time.monotonic()
                try:
                    response = await http.post(
                        f"/api/motions/{motion_id}/ballots",
                        json={"choice": choices[i % 2]},
                        headers=bearer(token),
                    )
                    if response.status_code == 201:
                        report.votes.append(time.monotonic() - started)
                    else:
                        report.vote_failures.append(f"{response.status_code} {response.text}")
                except httpx.HTTPError as exc:
                    report.vote_failures.append(repr(exc))
        i += 1
        await asyncio.sleep(every_s)
    return report
