"""One live socket: authenticate, replay after `after`, then stream; handle client frames.

The seam between replay and live: the socket subscribes to the hub first, then asks
the feed for its cursor (every event up to it is committed, every later one will be
published to the subscriber), then replays from the table. Events that arrive both
ways are dropped by seq, so the client sees each visible event once, in seq order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from litestar.types import Send, WebSocketSendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from planner.access import failures
from planner.access import service as access_service
from planner.access import store as access_store
from planner.access.middleware import SESSION_COOKIE, bearer_token
from planner.access.model import Principal
from planner.db.outage import DatabaseUnavailable, failure_level
from planner.errors import PlannerError, Unauthorized
from planner.estates import store as estates_store
from planner.live import store
from planner.live.frames import (
    CaughtUp,
    ControlFrame,
    ErrorFrame,
    Heartbeat,
    Hello,
    Join,
    Leave,
    LiveEvent,
    Ping,
    Pong,
    Presence,
    encode_control,
    parse_client_frame,
)
from planner.live.hub import (
    CLOSE_FORBIDDEN,
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHENTICATED,
    REASON_REVOKED,
    REASON_SESSION_ENDED,
    Subscriber,
    SubscriberClosed,
    SubscriberTooSlow,
    ended_reason,
)
from planner.live.service import _DB_ERRORS, LiveService
from planner.live.visibility import audience_class, may_listen, may_see
from planner.settings import Settings

log = logging.getLogger("planner.live")


def _retrieve_outcome(task: asyncio.Task[None]) -> None:
    # The sender re-raises a failed direct send when it next sends; mark it seen either way.
    if not task.cancelled():
        task.exception()


#: Where the server entry (``planner.app.create_asgi``) leaves the server's own ASGI ``send``
#: in a WebSocket's scope; once accepted, frames go straight to it (see ``LiveConnection``).
RAW_SEND = "planner.raw_send"

CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429  # too many wrong tokens from this address (HTTP's 429)
CLOSE_HEARTBEAT_TIMEOUT = 4000
CLOSE_POLICY = 1008
REPLAY_PAGE = 500
MAX_BAD_FRAMES = 20
MAX_ROOMS = 8
CLOSE_WAIT_S = 2.0


async def authenticate(socket: WebSocket, live: LiveService) -> Principal | None:  # type: ignore[type-arg]
    """The caller, by bearer token (header or ``?token=``) or session cookie, as the API does.

    A cookie is accepted only from our own origin (a page elsewhere cannot ride on it).
    """
    try:
        token = bearer_token(socket)
    except PlannerError:
        return None
    if token is not None:
        principal = await access_service.principal_for_token(live.db, live.principals, token)
        if principal is None:
            # a wrong ``?token=`` is a wrong bearer token: counted, 429 over the limit
            settings: Settings = socket.app.state.settings
            host = socket.client.host if socket.client else "unknown"
            await failures.wrong_token(live.db, host, settings.auth, "invalid or revoked token")
        return principal
    session_id = socket.cookies.get(SESSION_COOKIE)
    if not session_id or not _same_origin(socket):
        return None
    return await access_service.principal_for_session(live.db, live.principals, session_id)


def _same_origin(socket: WebSocket) -> bool:  # type: ignore[type-arg]
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


def _parse_after(raw: str | None) -> int | str | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        return "after must be a non-negative integer"
    return int(raw)


async def serve_estate_stream(socket: WebSocket, live: LiveService, estate_id: int) -> None:  # type: ignore[type-arg]
    await socket.accept()
    try:
        await _serve(socket, live, estate_id)
    except _DB_ERRORS as exc:
        # the outage is logged once by the pool; each refused socket is counted there
        live.db.outage.refuse()
        log.log(failure_level(exc), "live: socket refused, database unavailable: %s", exc)
        with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
            await socket.close(1011, "database unavailable, try again")


async def _serve(socket: WebSocket, live: LiveService, estate_id: int) -> None:  # type: ignore[type-arg]
    after = _parse_after(socket.query_params.get("after"))
    try:
        principal = await authenticate(socket, live)
    except failures.TooManyFailures as refused:
        wait = refused.headers["retry-after"]
        await socket.close(CLOSE_TOO_MANY, f"too many wrong tokens; try again in {wait} s")
        return
    except Unauthorized:
        principal = None
    if principal is None:
        await socket.close(CLOSE_UNAUTHENTICATED, "sign in first (token or session cookie)")
        return
    if not may_listen(principal, estate_id):
        await socket.close(CLOSE_FORBIDDEN, "not a member of this estate")
        return
    if isinstance(after, str):
        await socket.close(CLOSE_BAD_REQUEST, after)
        return
    if principal.estate_id is None:
        async with live.db.connection() as conn:
            if not await estates_store.estate_exists(conn, estate_id):
                await socket.close(CLOSE_NOT_FOUND, "no such estate")
                return
    await LiveConnection(socket, live, principal, estate_id).run(after)


class LiveConnection:
    def __init__(
        self,
        socket: WebSocket,  # type: ignore[type-arg]
        live: LiveService,
        principal: Principal,
        estate_id: int,
    ) -> None:
        self.socket = socket
        self.live = live
        self.principal = principal
        self.estate_id = estate_id
        self.connection_id = uuid.uuid4().hex
        self.rooms: set[int] = set()
        self.pinged = False
        self.bad_frames = 0
        #: the last event seq written (or being written) to the socket
        self.last_sent = 0
        #: a direct send that had to wait for the socket; later sends queue behind it
        self._inflight: asyncio.Task[None] | None = None
        #: the server's own send, once accepted (see `RAW_SEND`)
        self._raw_send: Send | None = socket.scope.get(RAW_SEND)  # type: ignore[assignment]
        #: uvicorn's sans-I/O protocol behind that send, when it is one: event frames built
        #: once per event (`LiveEvent.wire`) are written straight to its transport
        protocol = getattr(self._raw_send, "__self__", None)
        self._protocol: WebSocketsSansIOProtocol | None = (
            protocol if isinstance(protocol, WebSocketsSansIOProtocol) else None
        )

    async def run(self, after: int | None) -> None:
        live = self.live
        principal = self.principal
        subscriber = live.hub.subscribe(
            self.estate_id,
            partial(may_see, principal),
            member_id=principal.member_id,
            session_hash=principal.session_hash,
            expires_at=principal.session_expires_at,
            audience=audience_class(principal),
        )
        expiry = self._close_at_expiry(subscriber)
        try:
            head = await live.feed.track(self.estate_id)
            if not await self._still_signed_in():
                # Revoked or signed out between authentication and subscribing: that event
                # may be at or before `head`, where the subscriber would never meet it.
                ended = REASON_SESSION_ENDED if principal.session_hash else REASON_REVOKED
                await self._close(CLOSE_UNAUTHENTICATED, ended)
                return
            start = head if after is None else after
            if start > head:
                # This instance's cursor may lag the table by a few events another instance
                # already delivered; only a position beyond the table itself is clamped.
                async with live.db.connection() as conn:
                    head = max(head, await store.stream_head(conn, self.estate_id))
                start = min(start, head)
            await self._send_control(
                Hello(
                    estate_id=self.estate_id,
                    head=head,
                    after=start,
                    heartbeat_s=live.config.heartbeat_s,
                )
            )
            sender = asyncio.create_task(self._stream(subscriber, start))
            receiver = asyncio.create_task(self._receive())
            _, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
        except DatabaseUnavailable:
            raise  # closed with 1011 "database unavailable" by serve_estate_stream
        except (WebSocketDisconnect, OSError):
            pass
        finally:
            if expiry is not None:
                expiry.cancel()
            live.hub.unsubscribe(subscriber)
            subscriber.deliver = None
            subscriber.deliver_many = None
            if self._inflight is not None:
                self._inflight.cancel()
            live.feed.untrack_if_idle(self.estate_id)
            live.room_sockets.pop(self.connection_id, None)
            for meeting_id in list(self.rooms):
                await self._leave(meeting_id, "disconnected")

    def _close_at_expiry(self, subscriber: Subscriber) -> asyncio.TimerHandle | None:
        """A cookie-signed socket closes when its session expires (one timer, no task)."""
        expires_at = self.principal.session_expires_at
        if expires_at is None:
            return None
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        return asyncio.get_running_loop().call_later(
            max(delay, 0.0), subscriber.close, CLOSE_UNAUTHENTICATED, REASON_SESSION_ENDED
        )

    async def _still_signed_in(self) -> bool:
        principal = self.principal
        sessions = [principal.session_hash] if principal.session_hash is not None else []
        async with self.live.db.connection() as conn:
            members, valid = await access_store.credentials_in_force(
                conn, [principal.member_id], sessions
            )
        return principal.member_id in members and len(valid) == len(sessions)

    async def _send(self, text: str) -> None:
        message: WebSocketSendEvent = {"type": "websocket.send", "text": text, "bytes": None}
        if self._raw_send is not None:
            await self._raw_send(message)
        else:
            await self.socket.send(message)

    def _write_wire(self, event: LiveEvent) -> bool:
        """Write the event's prebuilt frame to the socket now, if it may go as is: the
        connection is open with no extension and its transport takes writes (not paused by
        flow control). Every socket of the estate gets the same bytes, so an event costs one
        encoding and one ``transport.write`` per socket. False: use the ASGI send."""
        return self._write_raw(event.wire)

    def _write_raw(self, wire: bytes) -> bool:
        protocol = self._protocol
        if (
            protocol is None
            or not wire
            or protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.conn.state is not State.OPEN
            or protocol.conn.extensions
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(wire)
        return True

    async def _send_event(self, event: LiveEvent) -> None:
        if not self._write_wire(event):
            await self._send(event.frame)

    async def _send_control(self, frame: ControlFrame) -> None:
        await self._send(encode_control(frame))

    async def _close(self, code: int, reason: str) -> None:
        # A client that stopped reading may never take the close frame: do not wait forever.
        with contextlib.suppress(WebSocketDisconnect, OSError, TimeoutError, RuntimeError):
            await asyncio.wait_for(self.socket.close(code, reason), CLOSE_WAIT_S)

    # Server → client ------------------------------------------------------------------

    async def _stream(self, subscriber: Subscriber, after: int) -> None:
        self.last_sent = after
        try:
            while True:
                async with self.live.db.connection() as conn:
                    page = await store.events_after(
                        conn, self.estate_id, self.last_sent, REPLAY_PAGE
                    )
                for event in page:
                    if subscriber.closed:
                        raise SubscriberClosed
                    if subscriber.ends_access(event):
                        subscriber.close(CLOSE_UNAUTHENTICATED, ended_reason(event))
                        raise SubscriberClosed
                    if may_see(self.principal, event):
                        await self._send_event(event)
                if page:
                    self.last_sent = page[-1].seq
                if len(page) < REPLAY_PAGE:
                    break
            await self._send_control(CaughtUp(last_seq=self.last_sent))
            subscriber.deliver = self._deliver_now
            subscriber.deliver_many = self._deliver_many_now
            while True:
                fresh = await subscriber.next_event()
                if self._inflight is not None:
                    # Keep seq order behind a direct send that had to wait; re-raise its error.
                    inflight, self._inflight = self._inflight, None
                    await inflight
                if fresh is None:
                    await self._send_control(Heartbeat(head=self.live.feed.head(self.estate_id)))
                elif fresh.seq > self.last_sent:
                    await self._send_event(fresh)
                    self.last_sent = fresh.seq
        except SubscriberTooSlow:
            await self._close(CLOSE_TOO_SLOW, f"too slow, resume with after={self.last_sent}")
        except SubscriberClosed:
            await self._close(subscriber.close_code, subscriber.close_reason)
        except _DB_ERRORS as exc:
            log.log(failure_level(exc), "live: replay failed: %s", exc)
            await self._close(1011, f"database unavailable, resume with after={self.last_sent}")

    def _deliver_now(self, event: LiveEvent) -> bool:
        """The hub's fast path while the sender is parked: write the frame right away.

        The ASGI send finishes without suspending whenever the socket is writable (the
        common case), so the frame goes out with no task switch. If it has to wait, it
        finishes in a task of its own and later events queue behind it (the sender awaits
        that task, and so meets its error); if it fails at once, the event is queued and the
        sender meets the error itself.
        """
        if self._inflight is not None:
            return False
        if event.seq <= self.last_sent:
            return True
        if self._write_wire(event):
            self.last_sent = event.seq
            return True
        sending = self._send(event.frame)
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            self.last_sent = event.seq
            return True
        except Exception:
            return False
        self.last_sent = event.seq
        self._inflight = asyncio.ensure_future(self._finish_send(sending, waiting_on))
        self._inflight.add_done_callback(_retrieve_outcome)
        return True

    def _deliver_many_now(self, events: list[LiveEvent], wire: bytes) -> bool:
        """The hub's fast path for a batch (``wire``: the events' frames joined): one write,
        when nothing is in flight, every event is new and the socket takes it as is."""
        if self._inflight is not None or events[0].seq <= self.last_sent:
            return False
        if not self._write_raw(wire):
            return False
        self.last_sent = events[-1].seq
        return True

    async def _finish_send(self, sending: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        """Drive a send that suspended in `_deliver_now` to its end, as a task would."""
        while True:
            try:
                if waiting_on is None:
                    await asyncio.sleep(0)
                else:
                    # What a task does with a future its coroutine yielded.
                    waiting_on._asyncio_future_blocking = False
                    await waiting_on
            except BaseException:
                sending.close()
                raise
            try:
                waiting_on = sending.send(None)
            except StopIteration:
                return

    # Client → server ------------------------------------------------------------------

    async def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        window = self.live.config.presence_window_s
        while True:
            # Clients that ping (browsers) or sit in a room must keep talking.
            wait = window if (self.rooms or self.pinged) else None
            try:
                message = await asyncio.wait_for(self.socket.receive(), wait)
            except TimeoutError:
                await self._close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout")
                return
            if message["type"] != "websocket.receive":
                return
            if self.rooms:
                self.live.room_sockets[self.connection_id] = loop.time()
            frame = parse_client_frame(message.get("text") or message.get("bytes"))
            if isinstance(frame, ErrorFrame):
                self.bad_frames += 1
                await self._send_control(frame)
                if self.bad_frames >= MAX_BAD_FRAMES:
                    await self._close(CLOSE_POLICY, "too many malformed frames")
                    return
            elif isinstance(frame, Ping):
                self.pinged = True
                await self._send_control(Pong(nonce=frame.nonce))
            elif isinstance(frame, Join):
                await self._join(frame.meeting_id)
            elif isinstance(frame, Leave) and frame.meeting_id in self.rooms:
                await self._leave(frame.meeting_id, "left")

    async def _join(self, meeting_id: int) -> None:
        if meeting_id not in self.rooms and len(self.rooms) >= MAX_ROOMS:
            await self._send_control(ErrorFrame(reason=f"at most {MAX_ROOMS} rooms per socket"))
            return
        if self.principal.role == "supplier":
            await self._send_control(ErrorFrame(reason="suppliers do not join meeting rooms"))
            return
        try:
            members = await self.live.presence.join(
                connection_id=self.connection_id,
                estate_id=self.estate_id,
                meeting_id=meeting_id,
                member_id=self.principal.member_id,
                display_name=self.principal.display_name,
            )
        except _DB_ERRORS as exc:
            log.log(failure_level(exc), "live: join failed: %s", exc)
            await self._send_control(ErrorFrame(reason="try again", field="meeting_id"))
            return
        if members is None:
            await self._send_control(ErrorFrame(reason="no such meeting", field="meeting_id"))
            return
        self.rooms.add(meeting_id)
        self.live.room_sockets[self.connection_id] = asyncio.get_running_loop().time()
        await self._send_control(
            Presence(
                meeting_id=meeting_id,
                members=[
                    {"member_id": m.member_id, "display_name": m.display_name, "since": m.since}
                    for m in members
                ],
            )
        )

    async def _leave(self, meeting_id: int, reason: str) -> None:
        self.rooms.discard(meeting_id)
        if not self.rooms:
            self.live.room_sockets.pop(self.connection_id, None)
        try:
            await self.live.presence.leave(
                connection_id=self.connection_id,
                estate_id=self.estate_id,
                meeting_id=meeting_id,
                member_id=self.principal.member_id,
                display_name=self.principal.display_name,
                reason=reason,
            )
        except _DB_ERRORS as exc:
            # The sweeper will remove the row once it is no longer refreshed.
            log.log(failure_level(exc), "live: leave failed: %s", exc)
