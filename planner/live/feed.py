"""The instance's feed: from committed rows in `events` to the hub, in seq order, once.

NOTIFY is only a doorbell ("estate 7 has seq ≥ 42"); the rows are always read from the
table, after a per-estate cursor, so a lost notification, a dropped LISTEN connection or
a restarted PostgreSQL delays events but never loses or reorders them:

* one LISTEN connection per instance reconnects by itself (with back-off) and, once it
  is back, catches up every estate that has subscribers here;
* a poll of ``event_streams`` every ``poll_interval_s`` rings the same doorbell, as a
  safety net for notifications that never came;
* one catch-up task per estate at a time reads ``seq > cursor`` in pages and publishes;
  a doorbell that rings while it runs makes it read once more before it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import asyncpg

from planner.access.store import ACCESS_CHANNEL, PRINCIPALS_CHANNEL
from planner.db import store as db_store
from planner.db.outage import describe, failure_level
from planner.db.pool import Database
from planner.events import NOTIFY_CHANNEL
from planner.live import store
from planner.live.hub import Hub

log = logging.getLogger("planner.live")

PAGE_SIZE = 500
#: ``application_name`` of the LISTEN connection (to find it in ``pg_stat_activity``)
LISTENER_NAME = "planner live doorbell"


def _set_when_lost(lost: asyncio.Event, _conn: object) -> None:
    lost.set()


@dataclass(eq=False)
class _Cursor:
    """Last seq published to this instance's subscribers of one estate."""

    seq: int
    dirty: bool = False
    #: loop time of the first doorbell not yet caught up (for the event-lag metric)
    rung_at: float | None = None
    task: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class EventFeed:
    def __init__(
        self,
        database_url: str,
        db: Database,
        hub: Hub,
        *,
        poll_interval_s: float = 2.0,
        max_reconnect_delay_s: float = 5.0,
        on_access_ended: Callable[[str], None] | None = None,
        observe_lag: Callable[[float], None] | None = None,
        on_principals_changed: Callable[[str], object] | None = None,
        on_listening: Callable[[bool], None] | None = None,
    ) -> None:
        self.database_url = database_url
        self.db = db
        self.hub = hub
        self.poll_interval_s = poll_interval_s
        self.max_reconnect_delay_s = max_reconnect_delay_s
        #: called with each ``ACCESS_CHANNEL`` payload (a revoked member, an ended session)
        self.on_access_ended = on_access_ended
        #: called with the seconds from a doorbell to the publication of what it announced
        self.observe_lag = observe_lag
        #: called with each ``PRINCIPALS_CHANNEL`` payload (a member or session changed)
        self.on_principals_changed = on_principals_changed
        #: called with True once the LISTEN connection hears everything, False when lost
        self.on_listening = on_listening
        self.listening = asyncio.Event()
        self.reconnects = 0
        self._cursors: dict[int, _Cursor] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="live-listen"),
            asyncio.create_task(self._poll_forever(), name="live-poll"),
        ]

    async def stop(self) -> None:
        self._stopping = True
        tasks = self._tasks + [c.task for c in self._cursors.values() if c.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []

    # Subscribers' side -------------------------------------------------------------------

    async def track(self, estate_id: int) -> int:
        """Make sure the estate's events are fed to the hub; return the cursor.

        Call after subscribing to the hub and before replaying: every event up to the
        returned seq is committed (replay sees it), every later one will be published.
        """
        cursor = self._cursors.get(estate_id)
        if cursor is None:
            cursor = _Cursor(seq=0)
            self._cursors[estate_id] = cursor
            try:
                async with self.db.connection() as conn:
                    cursor.seq = await store.stream_head(conn, estate_id)
            except BaseException:
                if self._cursors.get(estate_id) is cursor:
                    del self._cursors[estate_id]
                cursor.ready.set()
                raise
            cursor.ready.set()
            if cursor.dirty:
                self._schedule(estate_id, cursor)
        else:
            await cursor.ready.wait()
            if self._cursors.get(estate_id) is not cursor:
                return await self.track(estate_id)
        return cursor.seq

    def untrack_if_idle(self, estate_id: int) -> None:
        """Forget the estate once its last subscriber on this instance left."""
        cursor = self._cursors.get(estate_id)
        if cursor is not None and not self.hub.has_subscribers(estate_id):
            del self._cursors[estate_id]
            if cursor.task is not None:
                cursor.task.cancel()

    def head(self, estate_id: int) -> int:
        cursor = self._cursors.get(estate_id)
        return cursor.seq if cursor is not None else 0

    # Doorbell ----------------------------------------------------------------------------

    def ring(self, estate_id: int, seq: int | None = None) -> None:
        """Estate `estate_id` has events up to at least `seq` (None: maybe): read them."""
        cursor = self._cursors.get(estate_id)
        if cursor is None or (seq is not None and seq <= cursor.seq):
            return
        cursor.dirty = True
        if cursor.rung_at is None:
            cursor.rung_at = asyncio.get_running_loop().time()
        if cursor.ready.is_set():
            self._schedule(estate_id, cursor)

    def ring_all(self) -> None:
        for estate_id in list(self._cursors):
            self.ring(estate_id)

    def _schedule(self, estate_id: int, cursor: _Cursor) -> None:
        if cursor.task is None or cursor.task.done():
            cursor.task = asyncio.create_task(
                self._catch_up(estate_id, cursor), name=f"live-catch-up-{estate_id}"
            )

    async def _catch_up(self, estate_id: int, cursor: _Cursor) -> None:
        delay = 0.05
        loop = asyncio.get_running_loop()
        while cursor.dirty and self._cursors.get(estate_id) is cursor:
            cursor.dirty = False
            rung_at, cursor.rung_at = cursor.rung_at, None
            try:
                while True:
                    async with self.db.connection() as conn:
                        events = await store.events_after(conn, estate_id, cursor.seq, PAGE_SIZE)
                    if self._cursors.get(estate_id) is not cursor or not events:
                        break
                    # Publishing and moving the cursor happen without an await in between,
                    # so a subscriber joining now sees either both or neither.
                    fresh = [e for e in events if e.seq > cursor.seq]
                    self.hub.publish(estate_id, fresh)
                    cursor.seq = max(cursor.seq, events[-1].seq)
                    if fresh and rung_at is not None and self.observe_lag is not None:
                        self.observe_lag(loop.time() - rung_at)
                        rung_at = None
                    if len(events) < PAGE_SIZE:
                        break
                delay = 0.05
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                # The database is away (the pool logs the outage); keep the doorbell pending
                # and try again shortly.
                log.log(
                    failure_level(exc), "live: catch-up of estate %s failed: %s", estate_id, exc
                )
                cursor.dirty = True
                if cursor.rung_at is None:
                    cursor.rung_at = rung_at
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_reconnect_delay_s)

    # LISTEN connection -------------------------------------------------------------------

    def _on_notify(self, _conn: asyncpg.Connection, _pid: int, _channel: str, payload: str) -> None:
        estate, _, seq = payload.partition(":")
        try:
            self.ring(int(estate), int(seq))
        except ValueError:
            log.warning("live: ignoring malformed notification %r", payload)

    def _on_access_notify(
        self, _conn: asyncpg.Connection, _pid: int, _channel: str, payload: str
    ) -> None:
        if self.on_access_ended is not None:
            self.on_access_ended(payload)

    def _on_principals_notify(
        self, _conn: asyncpg.Connection, _pid: int, _channel: str, payload: str
    ) -> None:
        if self.on_principals_changed is not None:
            self.on_principals_changed(payload)

    async def _listen_forever(self) -> None:
        """Keep one LISTEN connection. Its loss is logged once and its return once (with
        the attempts and the time it took), however long the database is away."""
        delay = 0.1
        loop = asyncio.get_running_loop()
        lost_at: float | None = None
        failures = 0
        while not self._stopping:
            conn: asyncpg.Connection | None = None
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(
                    self.database_url,
                    timeout=5,
                    server_settings={"application_name": LISTENER_NAME},
                )
                conn.add_termination_listener(partial(_set_when_lost, lost))
                await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
                if self.on_access_ended is not None:
                    await conn.add_listener(ACCESS_CHANNEL, self._on_access_notify)
                if self.on_principals_changed is not None:
                    await conn.add_listener(PRINCIPALS_CHANNEL, self._on_principals_notify)
                self.listening.set()
                if self.on_listening is not None:
                    self.on_listening(True)
                delay = 0.1
                if lost_at is not None:
                    log.warning(
                        "live: LISTEN connection back after %.1f s (%d failed attempts)",
                        loop.time() - lost_at,
                        failures,
                    )
                    lost_at, failures = None, 0
                self.ring_all()  # whatever was committed while we were not listening
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.poll_interval_s * 5)
                    if not lost.is_set():
                        # A half-open connection never reports termination: probe it.
                        await asyncio.wait_for(db_store.probe(conn), 5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                failures += 1
                if lost_at is None:
                    log.warning("live: LISTEN connection failed (%s); reconnecting", describe(exc))
                else:
                    log.debug("live: LISTEN connection failed again: %s", exc)
            finally:
                self.listening.clear()
                if self.on_listening is not None:
                    self.on_listening(False)
                if conn is not None:
                    conn.terminate()
            if self._stopping:
                return
            if lost_at is None:
                lost_at = loop.time()
                if lost.is_set() and failures == 0:
                    log.warning("live: LISTEN connection lost; reconnecting")
            self.reconnects += 1
            await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311
            delay = min(delay * 2, self.max_reconnect_delay_s)

    async def _poll_forever(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.poll_interval_s)
            estate_ids = list(self._cursors)
            if not estate_ids:
                continue
            try:
                async with self.db.connection() as conn:
                    heads = await asyncio.wait_for(store.stream_heads(conn, estate_ids), 5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.log(failure_level(exc), "live: poll failed: %s", exc)
                continue
            for estate_id, seq in heads.items():
                self.ring(estate_id, seq)
