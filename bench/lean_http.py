"""A lean HTTP/1.1 load client for the benchmarks: one request at a time per kept-alive
connection, requests written as ready bytes, responses read with httptools (the parser
uvicorn itself uses).

Why not aiohttp: on these two cores the load client shares the CPU with the service and
PostgreSQL, and aiohttp spends ~0.14 CPU-ms a request (its request objects, headers,
cookie jar, timers): half a cast's own cost in service and database. The bare-asyncpg
floor the vote storm compares against has no such client. This one does what the storm
needs and no more: no redirects, no cookies, no TLS, no pipelining (a connection sends its
next request only after the last answer is read), a closed connection is opened again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools


@dataclass
class Response:
    status: int
    body: bytes


@dataclass
class _Reading:
    chunks: list[bytes] = field(default_factory=list)
    done: asyncio.Future[Response] | None = None
    keep_alive: bool = True


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.reading = _Reading()
        self.closed = False
        self.answered = False  # any byte of an answer on this connection yet

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.reading.chunks.append(body)

    def on_message_complete(self) -> None:
        reading = self.reading
        reading.keep_alive = self.parser.should_keep_alive()
        if reading.done is not None and not reading.done.done():
            reading.done.set_result(
                Response(self.parser.get_status_code(), b"".join(reading.chunks))
            )

    def _fail(self, exc: BaseException) -> None:
        done = self.reading.done
        if done is not None and not done.done():
            done.set_exception(exc)


class Connection:
    """One kept-alive connection to ``base`` (``http://host:port``)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.host_header = f"{self.host}:{self.port}"
        self._protocol: _Protocol | None = None

    async def _open(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_Protocol, self.host, self.port)
        return protocol

    def head(self, method: str, path: str, headers: dict[str, str], length: int) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Response:
        """Send one request and read its whole answer.

        A kept-alive connection the server closed while idle is opened again, once, when
        not a byte of this request's answer came back (the server's keep-alive timeout);
        any other failure raises (never a retry that could run the request twice)."""
        data = self.head(method, path, headers, len(body)) + body
        for attempt in (1, 2):
            protocol = self._protocol
            fresh = protocol is None or protocol.closed
            if protocol is None or protocol.closed:
                protocol = self._protocol = await self._open()
            loop = asyncio.get_running_loop()
            protocol.reading = _Reading(done=loop.create_future())
            protocol.answered = False
            assert protocol.transport is not None
            protocol.transport.write(data)
            try:
                assert protocol.reading.done is not None
                response = await protocol.reading.done
            except ConnectionError:
                self._protocol = None
                if fresh or attempt == 2 or protocol.answered:
                    raise
                continue
            if not protocol.reading.keep_alive:
                protocol.transport.close()
                self._protocol = None
            return response
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
