"""The asyncpg pool and the one way handlers get a transaction."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from planner.db.outage import (
    DatabaseUnavailable,
    Outage,
    describe,
    lost_during_use,
    unreachable_at_acquire,
)

log = logging.getLogger("planner.db")

_json_encoder = msgspec.json.Encoder()


def _encode_json(value: Any) -> str:
    return _json_encoder.encode(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("jsonb", "json"):
        await conn.set_type_codec(
            name, encoder=_encode_json, decoder=msgspec.json.decode, schema="pg_catalog"
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query (RESET ALL, UNLISTEN *, CLOSE ALL, advisory unlock).

    Pool connections never change session state: no SET, no LISTEN (the live feed listens on a
    connection of its own), no session-level advisory lock that outlives its ``finally``, no
    cursor outside a transaction. asyncpg still rolls back a transaction left open. The reset
    query was an extra round trip on every release, about an eighth of a cast's CPU.
    """


class _WithoutFloorRetries(logging.Filter):
    """Drops asyncpg's "Failed to restore the pool connection floor; retrying" warnings, each
    with a traceback, at 1, 2, 4 ... 60 s while the server is away: ``Outage`` logs the
    outage once instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to restore the pool connection floor")


_FLOOR_RETRIES = _WithoutFloorRetries()


async def create_pool(
    url: str, min_size: int, max_size: int, connect_timeout_s: float = 10.0
) -> asyncpg.Pool:
    """A pool as the service's are: JSON codecs, no reset query, named ``planner``."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=60,
        # a server that does not answer at all (not even a refusal) is away too
        timeout=connect_timeout_s,
        # named in pg_stat_activity (and in `planner restore`'s refusal)
        server_settings={"application_name": "planner"},
    )
    logging.getLogger("asyncpg.pool").addFilter(_FLOOR_RETRIES)  # once: a set of filters
    return pool


class Database:
    """Owns the pool; ``transaction()`` is the unit of every change.

    When the server is away (refused, shut down, the connection cut mid-statement, no
    connection within ``acquire_timeout_s``) ``transaction()`` and ``connection()`` raise
    ``DatabaseUnavailable`` (503), and ``outage`` logs the outage once each way.
    """

    def __init__(
        self, pool: asyncpg.Pool, acquire_timeout_s: float = 30.0, outage: Outage | None = None
    ) -> None:
        self.pool = pool
        self.acquire_timeout_s = acquire_timeout_s
        #: shared by the pools of one service, so that an outage is logged once
        self.outage = outage or Outage()

    @classmethod
    async def connect(
        cls, url: str, min_size: int = 2, max_size: int = 10, outage: Outage | None = None
    ) -> Database:
        pool = await create_pool(url, min_size, max_size)
        return cls(pool, outage=outage)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            conn = await self.pool.acquire(timeout=self.acquire_timeout_s)
        except Exception as exc:
            if not unreachable_at_acquire(exc):
                raise
            raise self.outage.begin(exc) from exc
        try:
            yield conn
        except Exception as exc:
            lost = isinstance(exc, DatabaseUnavailable) or lost_during_use(exc, _closed(conn))
            await self._release(conn)
            if not lost:
                self.outage.end()  # the server answered (with a refusal, or we failed)
                raise
            if isinstance(exc, DatabaseUnavailable):
                raise
            raise self.outage.begin(exc) from exc
        except BaseException:
            await self._release(conn)
            raise
        await self._release(conn)
        self.outage.end()

    async def _release(self, conn: asyncpg.Connection) -> None:
        """Give the connection back. A failure here comes after the work is done (committed,
        or already failed): asyncpg has terminated the connection and the pool opens a new
        one, so the caller's answer stands. (Raising it turned a committed change into a 500
        or a 503 when the server restarted at that moment, and a client's retry would make
        the change twice.)"""
        try:
            await self.pool.release(conn)
        except Exception as exc:
            log.debug("a connection could not be reset on release: %s", describe(exc))

    async def close(self) -> None:
        self.outage.still_down_at_exit()
        await self.pool.close()


async def connect_raw(url: str) -> asyncpg.Connection:
    conn: asyncpg.Connection = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


def _closed(conn: asyncpg.Connection) -> bool:
    """Whether the connection is gone. A pooled connection that the server cut is handed
    back to the pool by asyncpg itself, and its proxy then refuses every call, ``is_closed``
    included: that too means closed (seen as a 500 during ``pg_ctl restart``)."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True
