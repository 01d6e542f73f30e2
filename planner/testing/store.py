"""The SQL that tests and benches run behind the service's back: making scratch databases,
and reading the tables directly to check what the service told its clients.

One function per query, each taking a connection (``connected`` opens one on a URL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import asyncpg
import msgspec

from planner.db.pool import connect_raw
from planner.deliberation.rules import Choice


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the caller's own event loop, closed afterwards."""
    conn = await connect_raw(database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def create_database(conn: asyncpg.Connection, name: str, template: str | None = None) -> None:
    """``name`` must be a plain identifier (the tests make them from counters)."""
    suffix = f" TEMPLATE {template}" if template else ""
    await conn.execute(f"CREATE DATABASE {name}{suffix}")


async def drop_database(conn: asyncpg.Connection, name: str) -> None:
    await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def row_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows in every table of the public schema."""
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )
    return {
        t["tablename"]: int(await conn.fetchval(f'SELECT count(*) FROM "{t["tablename"]}"'))
        for t in tables
    }


async def event_head(conn: asyncpg.Connection, estate_id: int) -> int:
    """The estate's last event ``seq``."""
    return int(
        await conn.fetchval("SELECT last_seq FROM event_streams WHERE estate_id = $1", estate_id)
    )


async def building_names(conn: asyncpg.Connection, estate_id: int) -> set[str]:
    rows = await conn.fetch("SELECT name FROM buildings WHERE estate_id = $1", estate_id)
    return {str(r["name"]) for r in rows}


class StoredBallot(msgspec.Struct, frozen=True):
    id: int
    household_id: int
    choice: Choice
    receipt: str


class UnitChoice(msgspec.Struct, frozen=True):
    household_id: int
    choice: str | None
    last_ballot_id: int | None


class ScopeUnit(msgspec.Struct, frozen=True):
    household_id: int
    owner_key: str
    area_m2: Decimal


async def motion_ballots(conn: asyncpg.Connection, motion_id: int) -> list[StoredBallot]:
    """Every ballot of the motion (the table is append-only: changes are new rows)."""
    rows = await conn.fetch(
        "SELECT id, household_id, choice, receipt FROM ballots WHERE motion_id = $1", motion_id
    )
    return [StoredBallot(r["id"], r["household_id"], r["choice"], str(r["receipt"])) for r in rows]


async def motion_unit_choices(conn: asyncpg.Connection, motion_id: int) -> list[UnitChoice]:
    """The running state per unit: its counted choice and the ballot that set it."""
    rows = await conn.fetch(
        "SELECT household_id, choice, last_ballot_id FROM motion_units WHERE motion_id = $1",
        motion_id,
    )
    return [UnitChoice(r["household_id"], r["choice"], r["last_ballot_id"]) for r in rows]


async def motion_scope(conn: asyncpg.Connection, motion_id: int) -> list[ScopeUnit]:
    """The households in the motion's frozen scope."""
    rows = await conn.fetch(
        """SELECT h.id, h.owner_key, h.area_m2 FROM households h
           JOIN motion_units u ON u.household_id = h.id WHERE u.motion_id = $1""",
        motion_id,
    )
    return [ScopeUnit(r["id"], r["owner_key"], r["area_m2"]) for r in rows]


async def motion_running_counts(conn: asyncpg.Connection, motion_id: int) -> dict[str, object]:
    """The counts the service keeps on the motion row as ballots arrive."""
    row = await conn.fetchrow(
        """SELECT total_area, total_owners, total_units, participating_units, yes_area,
                  no_area, abstain_area, yes_owners, no_owners, abstain_owners
           FROM motions WHERE id = $1""",
        motion_id,
    )
    return dict(row)


async def standby_streaming(conn: asyncpg.Connection) -> bool:
    """On a primary: a standby is streaming from it."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')"
        )
    )


async def wal_position(conn: asyncpg.Connection) -> str:
    """On a primary: the end of the WAL written so far (an LSN, as text)."""
    return str(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))


async def replayed_past(conn: asyncpg.Connection, lsn: str) -> bool:
    """On a standby: it has replayed the WAL up to ``lsn``."""
    return bool(await conn.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", lsn))


async def pause_replay(conn: asyncpg.Connection) -> None:
    """On a standby: stop applying WAL (it keeps receiving it) until ``resume_replay``."""
    await conn.execute("SELECT pg_wal_replay_pause()")


async def resume_replay(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_wal_replay_resume()")


async def table_digests(conn: asyncpg.Connection) -> dict[str, str]:
    """An MD5 of every public table's rows (as text, sorted): equal digests, equal data."""
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )
    digests = {}
    for t in tables:
        name = t["tablename"]
        digests[name] = str(
            await conn.fetchval(
                f"SELECT coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') "
                f'FROM "{name}" r'
            )
        )
    return digests
