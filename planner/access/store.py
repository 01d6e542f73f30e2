"""SQL for members, tokens and browser sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import asyncpg

from planner.access.model import MemberOut, Principal
from planner.access.tokens import token_hash
from planner.db.store import lock_for_transaction

SESSION_DAYS = 30

_PRINCIPAL_SQL = """
    SELECT m.id, m.estate_id, m.role, m.display_name, m.supplier_id,
           coalesce(array_agg(mh.household_id ORDER BY mh.household_id)
                    FILTER (WHERE mh.household_id IS NOT NULL), '{}') AS household_ids
    FROM members m LEFT JOIN member_households mh ON mh.member_id = m.id
"""


def _principal(row: asyncpg.Record, via_cookie: bool = False, csrf: str | None = None) -> Principal:
    return Principal(
        member_id=row["id"],
        estate_id=row["estate_id"],
        role=row["role"],
        display_name=row["display_name"],
        supplier_id=row["supplier_id"],
        household_ids=tuple(row["household_ids"]),
        via_cookie=via_cookie,
        csrf_token=csrf,
    )


async def principal_by_token(conn: asyncpg.Connection, token: str) -> Principal | None:
    row = await conn.fetchrow(
        _PRINCIPAL_SQL + " WHERE m.token_hash = $1 AND m.revoked_at IS NULL GROUP BY m.id",
        token_hash(token),
    )
    return _principal(row) if row else None


async def principal_by_session(conn: asyncpg.Connection, session_id: str) -> Principal | None:
    row = await conn.fetchrow(
        _PRINCIPAL_SQL.replace(
            "FROM members m", "FROM sessions s JOIN members m ON m.id = s.member_id"
        ).replace("SELECT m.id,", "SELECT s.csrf_token, m.id,")
        + " WHERE s.id_hash = $1 AND s.expires_at > now() AND m.revoked_at IS NULL"
        " GROUP BY m.id, s.csrf_token",
        token_hash(session_id),
    )
    return _principal(row, via_cookie=True, csrf=row["csrf_token"]) if row else None


async def insert_member(
    conn: asyncpg.Connection,
    *,
    estate_id: int | None,
    role: str,
    display_name: str,
    token: str,
    supplier_id: int | None,
    household_ids: list[int],
) -> int:
    member_id: int = await conn.fetchval(
        """INSERT INTO members (estate_id, role, display_name, token_hash, supplier_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        estate_id,
        role,
        display_name,
        token_hash(token),
        supplier_id,
    )
    if household_ids:
        await conn.executemany(
            "INSERT INTO member_households (member_id, household_id) VALUES ($1, $2)",
            [(member_id, h) for h in sorted(set(household_ids))],
        )
    return member_id


async def supplier_in_estate(conn: asyncpg.Connection, estate_id: int, supplier_id: int) -> bool:
    exists = await conn.fetchval("SELECT to_regclass('suppliers') IS NOT NULL")
    if not exists:
        return False
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM suppliers WHERE id = $1 AND estate_id = $2", supplier_id, estate_id
        )
    )


async def list_members(conn: asyncpg.Connection, estate_id: int) -> list[MemberOut]:
    rows = await conn.fetch(
        _PRINCIPAL_SQL.replace("SELECT m.id,", "SELECT m.revoked_at, m.id,")
        + " WHERE m.estate_id = $1 GROUP BY m.id ORDER BY m.id",
        estate_id,
    )
    return [
        MemberOut(
            id=r["id"],
            estate_id=r["estate_id"],
            role=r["role"],
            display_name=r["display_name"],
            supplier_id=r["supplier_id"],
            household_ids=list(r["household_ids"]),
            revoked=r["revoked_at"] is not None,
        )
        for r in rows
    ]


async def member_estate(conn: asyncpg.Connection, member_id: int) -> int | None:
    row = await conn.fetchrow("SELECT estate_id FROM members WHERE id = $1", member_id)
    return None if row is None else row["estate_id"]


async def revoke_member(conn: asyncpg.Connection, member_id: int) -> bool:
    status = await conn.execute(
        "UPDATE members SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", member_id
    )
    await conn.execute("DELETE FROM sessions WHERE member_id = $1", member_id)
    return bool(status.endswith(" 1"))


async def create_session(
    conn: asyncpg.Connection, member_id: int, session_id: str, csrf_token: str
) -> datetime:
    expires = datetime.now(UTC) + timedelta(days=SESSION_DAYS)
    await conn.execute(
        "INSERT INTO sessions (id_hash, member_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash(session_id),
        member_id,
        csrf_token,
        expires,
    )
    return expires


async def delete_session(conn: asyncpg.Connection, session_id: str) -> None:
    await conn.execute("DELETE FROM sessions WHERE id_hash = $1", token_hash(session_id))


class RecentFailures(NamedTuple):
    """Failed sign-ins and wrong tokens within a window: the client's, everyone's, and the
    seconds until the oldest of each leaves the window."""

    mine: int
    everyone: int
    mine_clears_in_s: float
    all_clear_in_s: float


async def recent_auth_failures(
    conn: asyncpg.Connection, client: str, seconds: int
) -> RecentFailures:
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE client = $1) AS mine, count(*) AS everyone,
                  extract(epoch FROM min(at) FILTER (WHERE client = $1)
                                     + make_interval(secs => $2) - now()) AS mine_clears,
                  extract(epoch FROM min(at) + make_interval(secs => $2) - now()) AS all_clear
           FROM auth_failures WHERE at > now() - make_interval(secs => $2)""",
        client,
        seconds,
    )
    assert row is not None
    return RecentFailures(
        row["mine"], row["everyone"], float(row["mine_clears"] or 0), float(row["all_clear"] or 0)
    )


async def record_auth_failure(conn: asyncpg.Connection, client: str) -> None:
    """One failed sign-in or wrong token from ``client`` (rows older than a day go)."""
    await conn.execute("DELETE FROM auth_failures WHERE at < now() - interval '1 day'")
    await conn.execute("INSERT INTO auth_failures (client) VALUES ($1)", client)


# The global admin (planner.access.bootstrap)

_ADMIN_LOCK_KEY = 7_420_250_002


async def lock_admin_bootstrap(conn: asyncpg.Connection) -> None:
    """Serialise admin creation until the transaction ends (instances starting together)."""
    await lock_for_transaction(conn, _ADMIN_LOCK_KEY)


async def global_admin_exists(conn: asyncpg.Connection) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM members WHERE role = 'admin' AND estate_id IS NULL "
            "AND revoked_at IS NULL"
        )
    )


async def revoke_global_admins(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "UPDATE members SET revoked_at = now() "
        "WHERE role = 'admin' AND estate_id IS NULL AND revoked_at IS NULL"
    )
