"""What a client may hold of the server: read timeouts, connection caps, trusted proxies.

uvicorn reads a request head for as long as the client trickles it (it has no head timeout),
counts a connection that never finished its head nowhere, and lets a file descriptor go to
every socket until the process's open-files limit is reached, at which point ``/health``
fails for everyone. ``guarded_protocols`` are uvicorn's httptools HTTP protocol and its
sans-I/O WebSocket protocol with, per connection:

- a head timeout: the request line and headers must be complete ``header_timeout_s`` after
  the connection opened (or the next request's first byte); otherwise the socket is closed;
- a body timeout: a body that sends nothing for ``body_timeout_s`` is answered 408 and closed;
- at most ``keep_alive_requests`` requests, and ``keep_alive_s`` of idleness;
- caps: ``per_client`` open connections from one address (an IPv6 /64 counts as one;
  trusted proxies are exempt, they should cap per client themselves) and ``total`` from
  everyone, lowered to the open-files limit less ``files_reserve``. A request beyond a cap is
  answered 503 problem+json with Retry-After (beyond the total, ``/health`` is still served);
  its head has a short grace to arrive, and the refused connections an address (or everyone)
  may hold at once are bounded, beyond which a connection is closed as soon as it is accepted.

``raise_open_files_limit`` lifts the soft RLIMIT_NOFILE to the hard limit at start.
``ForwardedHeaders`` believes X-Forwarded-For / -Proto only from ``PLANNER_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import resource
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from planner.settings import ConnectionLimits

log = logging.getLogger("planner")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: how long a refused connection may take to send its request head (to read the 503)
REFUSAL_GRACE_S = 2.0
#: how many refused connections one address may hold at once waiting to be told 503
REFUSED_PER_CLIENT = 16
#: seconds a refused client is told to wait
RETRY_AFTER_S = 5
HEALTH_PATH = b"/health"


def client_key(host: str) -> str:
    """The address a limit counts: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


# Trusted proxies ----------------------------------------------------------------------------


class TrustedProxies:
    """The peers (IPs or networks) whose forwarded headers are believed."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
        )

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, host: str | None) -> bool:
        if not self.networks or not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client behind ``peer``: walk X-Forwarded-For from the right while the hop
        that added an entry is trusted; the first address a trusted hop vouches for and that
        is not itself a trusted proxy is the client."""
        current = peer
        for entry in reversed(forwarded_for.split(",")):
            if not self.trusts(current):
                break
            candidate = entry.strip().strip("[]")
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                break
            current = candidate
        return current


class ForwardedHeaders:
    """ASGI middleware: the client address (and scheme) from X-Forwarded-For (and -Proto),
    only when the peer is a trusted proxy; from anyone else the headers are ignored."""

    def __init__(self, app: Any, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self.proxies.trusts(client[0]):
            headers = dict(scope["headers"])
            # several X-Forwarded-For headers are one list, in order
            forwarded_for = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
            if forwarded_for:
                host = self.proxies.client(client[0], forwarded_for.decode("latin-1"))
                scope["client"] = (host, 0)
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1")
            proto = proto.split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                secure = proto == "https"
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if secure else "ws"
                else:
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


# Open files ---------------------------------------------------------------------------------


def raise_open_files_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit (capped at 1,048,576); the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 1_048_576 if hard == resource.RLIM_INFINITY else min(hard, 1_048_576)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # pragma: no cover (a sandbox refusing)
            log.warning("could not raise the open-files limit from %d: %s", soft, exc)
    return soft if soft != resource.RLIM_INFINITY else target


# The ledger of open connections --------------------------------------------------------------

ADMIT, REFUSE, DROP = "admit", "refuse", "drop"


class Ledger:
    """Open connections by client address, shared by every protocol instance of a server."""

    def __init__(self, limits: ConnectionLimits, proxies: TrustedProxies, open_files: int) -> None:
        self.limits = limits
        self.proxies = proxies
        usable = max(open_files - limits.files_reserve, 16)
        self.total_cap = max(min(limits.total, usable - limits.files_reserve // 2), 1)
        self.drop_cap = self.total_cap + max(limits.files_reserve // 2, 8)
        self.open: dict[int, tuple[str, bool]] = {}
        self.by_client: Counter[str] = Counter()
        self.refused_by_client: Counter[str] = Counter()
        self.refused = 0
        # figures (bench/slowloris.py reads them from the log at exit)
        self.counts: Counter[str] = Counter()

    def admit(self, transport: asyncio.BaseTransport, host: str) -> str:
        """ADMIT, REFUSE (answer 503 if the head comes soon) or DROP (close at once)."""
        key = client_key(host)
        total = len(self.open)
        proxy = self.proxies.trusts(host)
        over_client = not proxy and self.by_client[key] >= self.limits.per_client
        over_total = total >= self.total_cap
        verdict = ADMIT
        if over_client or over_total:
            verdict = REFUSE
            if (
                total >= self.drop_cap
                or self.refused >= self.drop_cap - self.total_cap
                or (over_client and self.refused_by_client[key] >= REFUSED_PER_CLIENT)
            ):
                verdict = DROP
        self.counts[verdict] += 1
        if verdict == DROP:
            return verdict
        refused = verdict == REFUSE
        self.open[id(transport)] = (key, refused)
        self.by_client[key] += 1
        if refused:
            self.refused += 1
            self.refused_by_client[key] += 1
        return verdict

    def release(self, transport: asyncio.BaseTransport) -> None:
        entry = self.open.pop(id(transport), None)
        if entry is None:
            return
        key, refused = entry
        self.by_client[key] -= 1
        if self.by_client[key] <= 0:
            del self.by_client[key]
        if refused:
            self.refused -= 1
            self.refused_by_client[key] -= 1
            if self.refused_by_client[key] <= 0:
                del self.refused_by_client[key]


def _problem_bytes(
    status: int, title: str, detail: str, code: str, params: dict[str, str], extra: list[bytes]
) -> bytes:
    """A whole problem+json answer (``planner.problems``' body), closing the connection."""
    problem = {"status": status, "title": title, "detail": detail, "code": code}
    body = json.dumps({**problem, "params": params, "errors": []}).encode()
    reason = {408: b"Request Timeout", 503: b"Service Unavailable"}[status]
    head = [
        b"HTTP/1.1 %d %s" % (status, reason),
        b"content-type: application/problem+json",
        b"content-length: %d" % len(body),
        b"connection: close",
        *extra,
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


REFUSAL = _problem_bytes(
    503,
    "Service unavailable",
    "too many open connections; try again later",
    "unavailable",
    {},
    [b"retry-after: %d" % RETRY_AFTER_S],
)
_STALLED = "the request body stopped arriving"
BODY_TIMEOUT = _problem_bytes(408, "Request timeout", _STALLED, "invalid", {"reason": _STALLED}, [])


async def _refuse(scope: Any, receive: Any, send: Any) -> None:
    """The 503 answer to a request beyond a cap (the connection closes after it)."""
    head, _, body = REFUSAL.partition(b"\r\n\r\n")
    headers = [tuple(line.split(b": ", 1)) for line in head.split(b"\r\n")[1:]]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# The protocols ------------------------------------------------------------------------------


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head and body timeouts, caps and keep-alive limits."""

    ledger: ClassVar[Ledger]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_seen = 0.0
        self._refused = False
        self._health_only = False
        self._requests = 0

    # connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else ""
        verdict = self.ledger.admit(transport, host)
        if verdict == DROP:
            transport.abort()
            return
        self._refused = verdict == REFUSE
        # beyond the total cap only: /health is still answered
        self._health_only = self._refused and (
            self.ledger.proxies.trusts(host)
            or self.ledger.by_client[client_key(host)] <= self.ledger.limits.per_client
        )
        grace = REFUSAL_GRACE_S if self._refused else self.ledger.limits.header_timeout_s
        self._head_timer = self.loop.call_later(grace, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        self.ledger.release(self.transport)
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        # the WebSocket protocol takes the transport over; it releases it from the ledger
        self._cancel_timers()
        super().handle_websocket_upgrade()

    def _should_upgrade(self) -> bool:
        return not self._refused and super()._should_upgrade()

    def _unsupported_upgrade_warning(self) -> None:
        if not self._refused:
            super()._unsupported_upgrade_warning()

    # timers

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.ledger.counts["head_timeout"] += 1
            self.transport.close()

    def _body_check(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.cycle is None or not self.cycle.more_body:
            return
        waited = time.monotonic() - self._body_seen
        limit = self.ledger.limits.body_timeout_s
        if waited < limit or self.flow.read_paused:  # paused: the app is not reading yet
            self._body_timer = self.loop.call_later(max(limit - waited, 0.5), self._body_check)
            return
        self.ledger.counts["body_timeout"] += 1
        if not self.cycle.response_started:
            self.cycle.response_started = self.cycle.response_complete = True
            self.transport.write(BODY_TIMEOUT)
        self.cycle.disconnected = True
        self.cycle.message_event.set()
        self.transport.close()

    # parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            grace = REFUSAL_GRACE_S if self._refused else self.ledger.limits.header_timeout_s
            self._head_timer = self.loop.call_later(grace, self._head_timed_out)

    def on_headers_complete(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._requests += 1
        refuse = self._refused and not (
            self._health_only and httptools.parse_url(self.url).path == HEALTH_PATH
        )
        app = self.app
        if refuse:
            self.ledger.counts["refused_503"] += 1
            self.app = _refuse
        try:
            super().on_headers_complete()
        finally:
            self.app = app
        if self.cycle is not None and self.cycle.scope is self.scope:
            if refuse or self._requests >= self.ledger.limits.keep_alive_requests:
                self.cycle.keep_alive = False
            self._body_seen = time.monotonic()
            self._body_timer = self.loop.call_later(
                self.ledger.limits.body_timeout_s, self._body_check
            )

    def on_body(self, body: bytes) -> None:
        self._body_seen = time.monotonic()
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, releasing its connection from the ledger."""

    ledger: ClassVar[Ledger]

    def connection_lost(self, exc: Exception | None) -> None:
        self.ledger.release(self.transport)
        super().connection_lost(exc)


def guarded_protocols(ledger: Ledger) -> tuple[type[HttpToolsProtocol], type[Any]]:
    """The HTTP and WebSocket protocol classes for one server, sharing ``ledger``."""
    http = type("PlannerHttpProtocol", (GuardedHttpProtocol,), {"ledger": ledger})
    ws = type("PlannerWebSocketProtocol", (GuardedWebSocketProtocol,), {"ledger": ledger})
    return http, ws
