"""SQL about the database itself (not about any slice's data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import asyncpg
import msgspec

EstateTable = Literal["households", "buildings", "works"]


async def server_version(conn: asyncpg.Connection) -> str:
    version: str = await conn.fetchval("SELECT current_setting('server_version')")
    return version


async def lock_for_transaction(conn: asyncpg.Connection, key: int) -> None:
    """Take the advisory lock ``key`` until the transaction ends (waiting for it if held)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", key)


async def probe(conn: asyncpg.Connection) -> None:
    """A round trip, to find a half-open connection (it raises or times out)."""
    await conn.fetchval("SELECT 1")


async def ids_outside_estate(
    conn: asyncpg.Connection, table: EstateTable, estate_id: int, ids: Sequence[int]
) -> list[int]:
    """The ids among ``ids`` that are not rows of ``table`` in the estate, in given order.

    ``table`` is one of a fixed set of names (never user text), so it may stand in the SQL.
    """
    rows = await conn.fetch(
        f"""SELECT i FROM unnest($2::bigint[]) WITH ORDINALITY AS x(i, n)
            WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE id = i AND estate_id = $1)
            ORDER BY n""",
        estate_id,
        list(ids),
    )
    return [r["i"] for r in rows]


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """Where a server's data stands (``planner.db.replica.freshness`` reads it).

    ``standby``: the server is replaying a primary's WAL. ``replayed_at``: the commit time of
    the last transaction it replayed (None before the first since it started).
    ``caught_up``: it has replayed all the WAL it received; ``receiving``: its WAL receiver
    runs (it is connected to the primary, or trying to be); ``heard_at``: when the
    primary last sent it anything (None unless the role may read ``pg_stat_wal_receiver``'s
    details: superusers and ``pg_read_all_stats``). ``checkpoint_at``: the time of its last
    checkpoint (on a standby: the last restart point it replayed).
    """

    now: datetime
    standby: bool
    checkpoint_at: datetime
    replayed_at: datetime | None = None
    caught_up: bool = True
    receiving: bool = False
    heard_at: datetime | None = None


async def position(conn: asyncpg.Connection) -> Position:
    """The server's clock and, on a standby, how far it has replayed (one round trip)."""
    row = await conn.fetchrow(
        """SELECT now() AS now, pg_is_in_recovery() AS standby,
                  (pg_control_checkpoint()).checkpoint_time AS checkpoint_at,
                  pg_last_xact_replay_timestamp() AS replayed_at,
                  pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                      AS caught_up,
                  r.pid IS NOT NULL AND coalesce(r.status, 'streaming') = 'streaming'
                      AS receiving,
                  r.last_msg_receipt_time AS heard_at
             FROM (SELECT 1) AS one
             LEFT JOIN pg_stat_wal_receiver AS r ON true"""
    )
    return Position(**dict(row))


async def applied_migrations(conn: asyncpg.Connection) -> dict[str, str]:
    """Applied migrations: file name → checksum (empty before the first migration)."""
    if not await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        return {}
    rows = await conn.fetch("SELECT name, checksum FROM schema_migrations")
    return {r["name"]: r["checksum"] for r in rows}


async def other_sessions(conn: asyncpg.Connection) -> list[str]:
    """Other sessions on this connection's database: "application (client address)"."""
    rows = await conn.fetch(
        """SELECT coalesce(nullif(application_name, ''), backend_type) AS who,
                  coalesce(host(client_addr), 'local') AS address
             FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()"""
    )
    return [f"{r['who']} ({r['address']})" for r in rows]
