"""SQL about the database itself (not about any slice's data)."""

from __future__ import annotations

import asyncpg


async def server_version(conn: asyncpg.Connection) -> str:
    version: str = await conn.fetchval("SELECT current_setting('server_version')")
    return version


async def lock_for_transaction(conn: asyncpg.Connection, key: int) -> None:
    """Take the advisory lock ``key`` until the transaction ends (waiting for it if held)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", key)


async def probe(conn: asyncpg.Connection) -> None:
    """A round trip, to find a half-open connection (it raises or times out)."""
    await conn.fetchval("SELECT 1")
