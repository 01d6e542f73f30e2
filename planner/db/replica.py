"""Reads that may lag go to a streaming standby (``DATABASE_REPLICA_URL``), and how fresh they are.

``ReadDatabase`` is a ``Database`` whose connections come from the standby's pool while the
standby answers, and from the primary's while it does not: a standby that is away never
takes the service down. The first failure logs one line ("reads go to the primary") and
starts a watcher that tries the standby every ``RETRY_S``; when it answers again one more
line says so and reads go back to it. A request whose standby connection is cut in the
middle of its reads is answered 503 with Retry-After (its retry goes to the primary).

``freshness(conn)`` says how current the data on a connection is: on a primary, and on a
standby that has replayed all it received from a primary it is streaming from, now; on a
standby that is behind or cut off, the commit time of the last transaction it replayed (the
latest change it has). Only read-only work belongs on ``ReadDatabase``: a standby refuses
writes, and a change made on the primary may take a moment to show on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Literal

import asyncpg
import msgspec

from planner.db import store
from planner.db.outage import (
    DatabaseUnavailable,
    describe,
    lost_during_use,
    unreachable_at_acquire,
)
from planner.db.pool import Database, _closed, create_pool

log = logging.getLogger("planner.db")

#: Seconds between attempts to reach a standby found away.
RETRY_S = 2.0
#: Seconds a standby has to accept a connection before reads go to the primary instead.
CONNECT_TIMEOUT_S = 3.0
#: A standby further behind than this is passed over (``PLANNER_REPLICA_MAX_LAG_S``).
DEFAULT_MAX_LAG_S = 60.0


class Freshness(msgspec.Struct, frozen=True, kw_only=True):
    """How current the data read on one connection is.

    ``as_of``: the data includes every change committed up to this time (UTC);
    ``lag_s``: seconds between it and the server's clock (0 on the primary);
    ``source``: ``primary`` or ``replica``.
    """

    as_of: datetime
    lag_s: float
    source: Literal["primary", "replica"]


def as_of(position: store.Position) -> datetime:
    """The time up to which the server's data is complete (see the module's text)."""
    if not position.standby:
        return position.now
    if position.caught_up and position.receiving:
        return position.now
    # behind, or cut off: the latest commit it has; if it has replayed all it got, also the
    # last word from the primary (nothing was committed between that commit and it)
    heard = position.heard_at if position.caught_up else None
    times = [t for t in (position.replayed_at, heard) if t is not None]
    if times:
        return min(max(times), position.now)
    # nothing replayed since the standby started and no word from a primary: its data is
    # complete up to its last restart point (a checkpoint it replayed), no further
    return position.checkpoint_at


async def freshness(conn: asyncpg.Connection) -> Freshness:
    """How current the data on ``conn`` is (one round trip)."""
    position = await store.position(conn)
    moment = as_of(position)
    lag = max(0.0, (position.now - moment).total_seconds())
    return Freshness(
        as_of=moment, lag_s=round(lag, 3), source="replica" if position.standby else "primary"
    )


async def data_as_of(conn: asyncpg.Connection) -> datetime:
    """The time up to which the data on ``conn`` is complete: now on the primary."""
    return (await freshness(conn)).as_of


class ReadDatabase(Database):
    """The standby's pool, with the primary behind it (see the module's text).

    ``replica_up``: reads go to the standby now; ``down_since``: monotonic time it was
    found away (None while up).
    """

    def __init__(
        self, pool: asyncpg.Pool, primary: Database, max_lag_s: float = DEFAULT_MAX_LAG_S
    ) -> None:
        super().__init__(pool, acquire_timeout_s=CONNECT_TIMEOUT_S, outage=primary.outage)
        self.primary = primary
        self.max_lag_s = max_lag_s
        self.down_since: float | None = None
        self.lagging = False
        self._watcher: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        url: str,
        primary: Database,
        max_size: int = 10,
        max_lag_s: float = DEFAULT_MAX_LAG_S,
    ) -> ReadDatabase:
        """A pool on the standby at ``url`` (no connection yet), then one attempt to reach it:
        a standby that is away at start is only logged, and watched."""
        pool = await create_pool(url, 0, max_size, connect_timeout_s=CONNECT_TIMEOUT_S)
        reads = cls(pool, primary, max_lag_s)
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await reads._probe()
        except Exception as exc:  # any failure: the primary serves the reads
            reads._down(exc)
        return reads

    @property
    def replica_up(self) -> bool:
        return self.down_since is None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        if not self.replica_up:
            async with self.primary.connection() as conn:
                yield conn
            return
        try:
            conn = await self.pool.acquire(timeout=self.acquire_timeout_s)
        except Exception as exc:
            if not unreachable_at_acquire(exc):
                raise
            self._down(exc)
            async with self.primary.connection() as conn:
                yield conn
            return
        try:
            yield conn
        except Exception as exc:
            lost = isinstance(exc, DatabaseUnavailable) or lost_during_use(exc, _closed(conn))
            await self._release(conn)
            if not lost or isinstance(exc, DatabaseUnavailable):
                raise
            self._down(exc)
            raise DatabaseUnavailable(f"the read replica went away ({describe(exc)})") from exc
        except BaseException:
            await self._release(conn)
            raise
        await self._release(conn)

    async def replica_freshness(self, timeout_s: float) -> Freshness | None:
        """The standby's freshness (None while it is away, or if it does not answer in time:
        then it is marked away)."""
        if not self.replica_up:
            return None
        try:
            async with asyncio.timeout(timeout_s):
                conn = await self.pool.acquire()
                try:
                    return await freshness(conn)
                finally:
                    await self._release(conn)
        except Exception as exc:  # any failure: the standby is away
            self._down(exc)
            return None

    def too_far_behind(self, fresh: Freshness) -> bool:
        """Whether data this old from the standby should be read from the primary instead
        (logged once when the standby falls behind, once when it has caught up)."""
        behind = fresh.source == "replica" and fresh.lag_s > self.max_lag_s
        if behind != self.lagging:
            self.lagging = behind
            if behind:
                log.warning(
                    "read replica %.1f s behind (over %.1f s); reads go to the primary",
                    fresh.lag_s,
                    self.max_lag_s,
                )
            else:
                log.warning("read replica caught up (%.1f s behind); reads go to it", fresh.lag_s)
        return behind

    def _down(self, exc: BaseException) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        log.warning(
            "read replica unavailable (%s); reads go to the primary until it is back",
            describe(exc),
        )
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while self.down_since is not None:
            await asyncio.sleep(RETRY_S)
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    await self._probe()
            except Exception as exc:  # still away; try again
                log.debug("read replica still away: %s", describe(exc))
                continue
            lasted = time.monotonic() - self.down_since
            self.down_since = None
            log.warning("read replica back after %.1f s; reads go to it again", lasted)

    async def _probe(self) -> None:
        """One round trip on a fresh standby connection (the pool's may all be dead)."""
        await self.pool.expire_connections()
        conn = await self.pool.acquire()
        try:
            await store.probe(conn)
        finally:
            await self._release(conn)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self.pool.close()
