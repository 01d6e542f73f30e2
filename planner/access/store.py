"""SQL for members, tokens and browser sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import asyncpg
import msgspec

from planner.access.cache import forget_here
from planner.access.model import MemberOut, PendingRevocation, Principal, RevocationTarget
from planner.access.tokens import token_hash
from planner.db.store import lock_for_transaction

SESSION_DAYS = 30
#: NOTIFY channel on which an ended grant or session is announced at commit to every
#: instance, so each closes that member's (or session's) open sockets: ``member:<id>``,
#: ``session:<hex of the session's id_hash>``.
ACCESS_CHANNEL = "planner_access"
#: NOTIFY channel rung at commit by the triggers of migration 0035 whenever anything a
#: principal is built from changes (``member:<id>``, ``session:<hex of id_hash>``): every
#: instance's principal cache (planner.access.cache) forgets it.
PRINCIPALS_CHANNEL = "planner_principals"

_PRINCIPAL_SQL = """
    SELECT m.id, m.estate_id, m.role, m.display_name, m.supplier_id,
           coalesce(array_agg(mh.household_id ORDER BY mh.household_id)
                    FILTER (WHERE mh.household_id IS NOT NULL), '{}') AS household_ids
    FROM members m LEFT JOIN member_households mh ON mh.member_id = m.id
"""


def _principal(row: asyncpg.Record, via_cookie: bool = False, csrf: str | None = None) -> Principal:
    return Principal(
        session_hash=row["id_hash"] if via_cookie else None,
        session_expires_at=row["expires_at"] if via_cookie else None,
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
    return await principal_by_token_hash(conn, token_hash(token))


async def principal_by_token_hash(conn: asyncpg.Connection, hashed: bytes) -> Principal | None:
    row = await conn.fetchrow(
        _PRINCIPAL_SQL + " WHERE m.token_hash = $1 AND m.revoked_at IS NULL GROUP BY m.id",
        hashed,
    )
    return _principal(row) if row else None


async def principals_by_token_hashes(
    conn: asyncpg.Connection, hashes: Sequence[bytes]
) -> dict[bytes, Principal]:
    """``principal_by_token_hash`` for many tokens in one round trip (the ones found)."""
    rows = await conn.fetch(
        _PRINCIPAL_SQL.replace("SELECT m.id,", "SELECT m.token_hash, m.id,")
        + " WHERE m.token_hash = ANY($1::bytea[]) AND m.revoked_at IS NULL GROUP BY m.id",
        list(hashes),
    )
    return {bytes(r["token_hash"]): _principal(r) for r in rows}


async def token_was_revoked(conn: asyncpg.Connection, token: str) -> bool:
    """True when ``token`` is a revoked member's (it was issued, then withdrawn)."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM members WHERE token_hash = $1 AND revoked_at IS NOT NULL)",
        token_hash(token),
    )
    return found


async def principal_by_session(conn: asyncpg.Connection, session_id: str) -> Principal | None:
    return await principal_by_session_hash(conn, token_hash(session_id))


async def principal_by_session_hash(conn: asyncpg.Connection, hashed: bytes) -> Principal | None:
    row = await conn.fetchrow(
        _PRINCIPAL_SQL.replace(
            "FROM members m", "FROM sessions s JOIN members m ON m.id = s.member_id"
        ).replace("SELECT m.id,", "SELECT s.csrf_token, s.id_hash, s.expires_at, m.id,")
        + " WHERE s.id_hash = $1 AND s.expires_at > now() AND m.revoked_at IS NULL"
        " GROUP BY m.id, s.csrf_token, s.id_hash, s.expires_at",
        hashed,
    )
    return _principal(row, via_cookie=True, csrf=row["csrf_token"]) if row else None


async def principals_by_session_hashes(
    conn: asyncpg.Connection, hashes: Sequence[bytes]
) -> dict[bytes, Principal]:
    """``principal_by_session_hash`` for many sessions in one round trip (the ones found)."""
    rows = await conn.fetch(
        _PRINCIPAL_SQL.replace(
            "FROM members m", "FROM sessions s JOIN members m ON m.id = s.member_id"
        ).replace("SELECT m.id,", "SELECT s.csrf_token, s.id_hash, s.expires_at, m.id,")
        + " WHERE s.id_hash = ANY($1::bytea[]) AND s.expires_at > now() AND m.revoked_at IS NULL"
        " GROUP BY m.id, s.csrf_token, s.id_hash, s.expires_at",
        list(hashes),
    )
    return {bytes(r["id_hash"]): _principal(r, via_cookie=True, csrf=r["csrf_token"]) for r in rows}


async def insert_member(
    conn: asyncpg.Connection,
    *,
    estate_id: int | None,
    role: str,
    display_name: str,
    token: str,
    supplier_id: int | None,
    household_ids: list[int],
    partner_kind: str | None = None,
) -> int:
    member_id: int = await conn.fetchval(
        """INSERT INTO members (estate_id, role, display_name, token_hash, supplier_id,
                                partner_kind)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        estate_id,
        role,
        display_name,
        token_hash(token),
        supplier_id,
        partner_kind,
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
        _PRINCIPAL_SQL.replace("SELECT m.id,", "SELECT m.revoked_at, m.partner_kind, m.id,")
        + " WHERE m.estate_id = $1 GROUP BY m.id ORDER BY m.id",
        estate_id,
    )
    pending = {p.member_id: p.request for p in await _pending_revocations(conn, estate_id)}
    return [
        MemberOut(
            id=r["id"],
            estate_id=r["estate_id"],
            role=r["role"],
            display_name=r["display_name"],
            supplier_id=r["supplier_id"],
            household_ids=list(r["household_ids"]),
            revoked=r["revoked_at"] is not None,
            revocation=pending.get(r["id"]),
            partner_kind=r["partner_kind"],
        )
        for r in rows
    ]


class _Pending(msgspec.Struct, frozen=True):
    member_id: int
    request: PendingRevocation


async def _pending_revocations(conn: asyncpg.Connection, estate_id: int) -> list[_Pending]:
    rows = await conn.fetch(
        """SELECT r.id, r.member_id, r.requested_by, m.display_name, r.requested_at
           FROM revocation_requests r JOIN members m ON m.id = r.requested_by
           WHERE r.estate_id = $1 AND r.status = 'pending'""",
        estate_id,
    )
    return [
        _Pending(
            r["member_id"],
            PendingRevocation(
                request_id=r["id"],
                requested_by=r["requested_by"],
                requested_by_name=r["display_name"],
                requested_at=r["requested_at"],
            ),
        )
        for r in rows
    ]


async def member_for_revocation(
    conn: asyncpg.Connection, member_id: int
) -> RevocationTarget | None:
    """The member and its pending revocation request, the member's row locked until the
    transaction ends (two committee members confirming at once are serialised)."""
    row = await conn.fetchrow(
        """SELECT m.estate_id, m.role, m.revoked_at IS NOT NULL AS revoked,
                  r.id AS request_id, r.requested_by
           FROM members m
           LEFT JOIN revocation_requests r ON r.member_id = m.id AND r.status = 'pending'
           WHERE m.id = $1 FOR UPDATE OF m""",
        member_id,
    )
    return None if row is None else RevocationTarget(**dict(row))


async def insert_revocation_request(
    conn: asyncpg.Connection, estate_id: int, member_id: int, requested_by: int
) -> int:
    request_id: int = await conn.fetchval(
        """INSERT INTO revocation_requests (estate_id, member_id, requested_by)
           VALUES ($1, $2, $3) RETURNING id""",
        estate_id,
        member_id,
        requested_by,
    )
    return request_id


async def decide_revocation_request(
    conn: asyncpg.Connection, request_id: int, status: str, decided_by: int
) -> None:
    """Close a pending request as ``confirmed`` or ``withdrawn`` by ``decided_by``."""
    await conn.execute(
        """UPDATE revocation_requests SET status = $2, decided_by = $3, decided_at = now()
           WHERE id = $1 AND status = 'pending'""",
        request_id,
        status,
        decided_by,
    )


async def withdraw_requests_by(conn: asyncpg.Connection, member_id: int, decided_by: int) -> None:
    """A revoked member's own pending requests lapse (nobody may confirm them any more)."""
    await conn.execute(
        """UPDATE revocation_requests SET status = 'withdrawn', decided_by = $2,
                  decided_at = now()
           WHERE requested_by = $1 AND status = 'pending'""",
        member_id,
        decided_by,
    )


async def revoke_member(conn: asyncpg.Connection, member_id: int) -> bool:
    """Revoke the grant and its sessions; every instance hears of it at commit."""
    status = await conn.execute(
        "UPDATE members SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", member_id
    )
    await conn.execute("DELETE FROM sessions WHERE member_id = $1", member_id)
    await _announce(conn, f"member:{member_id}")
    return bool(status.endswith(" 1"))


async def _announce(conn: asyncpg.Connection, payload: str) -> None:
    await conn.execute("SELECT pg_notify($1, $2)", ACCESS_CHANNEL, payload)
    forget_here(payload)  # this instance's cache at once; the others when the doorbell rings


async def credentials_in_force(
    conn: asyncpg.Connection, member_ids: list[int], session_hashes: list[bytes]
) -> tuple[set[int], set[bytes]]:
    """Of these members and sessions, those still valid (not revoked, not ended or expired)."""
    members = await conn.fetch(
        "SELECT id FROM members WHERE id = ANY($1::bigint[]) AND revoked_at IS NULL", member_ids
    )
    sessions = await conn.fetch(
        "SELECT id_hash FROM sessions WHERE id_hash = ANY($1::bytea[]) AND expires_at > now()",
        session_hashes,
    )
    return {r["id"] for r in members}, {bytes(r["id_hash"]) for r in sessions}


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
    """End the session; every instance hears of it at commit (its sockets close)."""
    id_hash = token_hash(session_id)
    await conn.execute("DELETE FROM sessions WHERE id_hash = $1", id_hash)
    await _announce(conn, f"session:{id_hash.hex()}")


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
    """Revoke every global admin (a rotated admin token); their sockets close at commit."""
    rows = await conn.fetch(
        "UPDATE members SET revoked_at = now() "
        "WHERE role = 'admin' AND estate_id IS NULL AND revoked_at IS NULL RETURNING id"
    )
    for row in rows:
        await _announce(conn, f"member:{row['id']}")
