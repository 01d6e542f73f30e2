"""The live service of one instance: hub, feed and meeting-room presence, started with the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable

import asyncpg

from planner.access import store as access_store
from planner.access.cache import PrincipalCache
from planner.access.guards import MEMBERS, authorize
from planner.access.model import Principal
from planner.db.outage import failure_level
from planner.db.pool import Database
from planner.errors import NotFound
from planner.events import append_event
from planner.live import store
from planner.live.feed import EventFeed
from planner.live.hub import CLOSE_RESTARTING, Hub
from planner.live.model import PresentMember, RoomLeft, RoomMember, RoomPresence
from planner.settings import LiveSettings

log = logging.getLogger("planner.live")

#: How long start-up waits for the LISTEN connection (it keeps trying afterwards).
LISTENER_START_S = 5.0

_DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


class PresenceKeeper:
    """Joins, leaves, refreshes and sweeps `live_presence`; records presence.* events."""

    def __init__(self, db: Database, instance_id: str, config: LiveSettings) -> None:
        self.db = db
        self.instance_id = instance_id
        self.config = config

    async def join(
        self,
        *,
        connection_id: str,
        estate_id: int,
        meeting_id: int,
        member_id: int,
        display_name: str,
    ) -> list[PresentMember] | None:
        """Enter the room; None when the meeting is not in the estate."""
        async with self.db.transaction() as conn:
            if await store.meeting_estate(conn, meeting_id) != estate_id:
                return None
            elsewhere = await store.member_present_elsewhere(
                conn, meeting_id, member_id, connection_id
            )
            entered = await store.enter_room(
                conn,
                connection_id=connection_id,
                instance_id=self.instance_id,
                meeting_id=meeting_id,
                estate_id=estate_id,
                member_id=member_id,
                display_name=display_name,
            )
            if entered and not elsewhere:
                joined = RoomMember(
                    meeting_id=meeting_id, member_id=member_id, display_name=display_name
                )
                await _record(conn, estate_id, "presence.joined", joined)
            return await store.present_members(conn, meeting_id, self.config.presence_window_s)

    async def leave(
        self,
        *,
        connection_id: str,
        estate_id: int,
        meeting_id: int,
        member_id: int,
        display_name: str,
        reason: str,
    ) -> None:
        async with self.db.transaction() as conn:
            left = await store.leave_room(conn, connection_id, meeting_id)
            if left and not await store.member_present_elsewhere(
                conn, meeting_id, member_id, connection_id
            ):
                gone = RoomLeft(
                    meeting_id=meeting_id,
                    member_id=member_id,
                    display_name=display_name,
                    reason=reason,
                )
                await _record(conn, estate_id, "presence.left", gone)

    async def refresh(self, connection_ids: list[str]) -> None:
        if connection_ids:
            async with self.db.connection() as conn:
                await store.refresh_presence(conn, connection_ids)

    async def sweep(self) -> int:
        """Drop rooms' members not refreshed within the window; return how many left."""
        async with self.db.transaction() as conn:
            gone = await store.delete_expired_presence(conn, self.config.presence_window_s)
            for row in gone:
                timed_out = RoomLeft(
                    meeting_id=row.meeting_id,
                    member_id=row.member_id,
                    display_name=row.display_name,
                    reason="timeout",
                )
                await _record(conn, row.estate_id, "presence.left", timed_out)
        return len(gone)


async def _record(
    conn: asyncpg.Connection, estate_id: int, event_type: str, data: RoomMember
) -> None:
    """A presence event, by the member it is about, for every member but suppliers."""
    await append_event(
        conn,
        estate_id=estate_id,
        type=event_type,
        data=data,
        actor_id=data.member_id,
        audience="members",
    )


class LiveService:
    """Everything live on this instance; `app.state.live` holds the one instance."""

    def __init__(
        self,
        db: Database,
        database_url: str,
        config: LiveSettings,
        observe_lag: Callable[[float], None] | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.hub = Hub(queue_size=config.queue_size)
        #: this process's principals, trusted only while the feed's LISTEN connection is up
        self.principals = PrincipalCache()
        self.feed = EventFeed(
            database_url,
            db,
            self.hub,
            poll_interval_s=config.poll_interval_s,
            on_access_ended=self.access_ended,
            observe_lag=observe_lag,
            on_principals_changed=self.principals.on_notify,
            on_listening=self.principals.listening,
        )
        self.presence = PresenceKeeper(db, self.instance_id, config)
        #: connection id → loop time of the client's last frame, for sockets in a room
        self.room_sockets: dict[str, float] = {}
        self._housekeeping: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.feed.start()
        # /health reports the listener: give it a moment to connect before serving
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.feed.listening.wait(), LISTENER_START_S)
        self._housekeeping = [
            asyncio.create_task(self._keep_presence(), name="live-presence"),
            asyncio.create_task(self._heartbeats(), name="live-heartbeats"),
            asyncio.create_task(self._recheck_credentials(), name="live-credentials"),
        ]

    async def stop(self) -> None:
        self.hub.close_all(CLOSE_RESTARTING, "server restarting, resume with after=<seq>")
        for task in self._housekeeping:
            task.cancel()
        for task in self._housekeeping:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.feed.stop()

    def access_ended(self, payload: str) -> None:
        """An ``ACCESS_CHANNEL`` notification: close the sockets of that member or session."""
        kind, _, key = payload.partition(":")
        try:
            if kind == "member":
                self.hub.close_member(int(key))
            elif kind == "session":
                self.hub.close_session(bytes.fromhex(key))
            else:
                raise ValueError(kind)
        except ValueError:
            log.warning("live: ignoring malformed access notification %r", payload)

    async def _recheck_credentials(self) -> None:
        """The safety net under the notifications (a LISTEN connection that was down): every
        poll interval, close the sockets whose member or session is no longer in force."""
        while True:
            await asyncio.sleep(self.config.poll_interval_s)
            try:
                await self.recheck_credentials()
            except _DB_ERRORS as exc:
                log.log(failure_level(exc), "live: credential check failed: %s", exc)

    async def recheck_credentials(self) -> None:
        listening = [s for s in self.hub.subscribers() if not s.closed]
        members = sorted({s.member_id for s in listening if s.member_id is not None})
        sessions = sorted({s.session_hash for s in listening if s.session_hash is not None})
        if not members:
            return
        async with self.db.connection() as conn:
            valid_members, valid_sessions = await access_store.credentials_in_force(
                conn, members, sessions
            )
        for member_id in set(members) - valid_members:
            self.hub.close_member(member_id)
        for session_hash in set(sessions) - valid_sessions:
            self.hub.close_session(session_hash)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_s)
            self.hub.poke_idle()

    async def _keep_presence(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.config.heartbeat_s)
            window = self.config.presence_window_s
            alive = [c for c, heard in self.room_sockets.items() if loop.time() - heard < window]
            try:
                await self.presence.refresh(alive)
                await self.presence.sweep()
            except _DB_ERRORS as exc:
                log.log(failure_level(exc), "live: presence upkeep failed: %s", exc)


async def room_presence(
    db: Database, principal: Principal, meeting_id: int, window_s: float
) -> RoomPresence:
    """Members in the meeting room now (seen within ``window_s``); 404 for an unknown
    meeting or one of another estate (the same answer), 403 for a supplier."""
    async with db.connection() as conn:
        estate_id = await store.meeting_estate(conn, meeting_id)
        if estate_id is None:
            raise NotFound("meeting")
        authorize(principal, estate_id, MEMBERS, what="meeting")
        members = await store.present_members(conn, meeting_id, window_s)
    return RoomPresence(meeting_id=meeting_id, members=members, window_s=window_s)
