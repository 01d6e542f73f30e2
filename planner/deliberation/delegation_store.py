"""SQL for delegations (written authorisations, 委托) and the proxy's membership."""

from __future__ import annotations

import asyncpg

from planner.deliberation.model import DelegationOut


async def member_role(conn: asyncpg.Connection, estate_id: int, member_id: int) -> str | None:
    role: str | None = await conn.fetchval(
        "SELECT role FROM members WHERE id = $1 AND estate_id = $2 AND revoked_at IS NULL",
        member_id,
        estate_id,
    )
    return role


_DELEGATION_COLUMNS = """id, estate_id, household_id, proxy_member_id, meeting_id, reference,
                         recorded_by, recorded_at, revoked_at"""


async def insert_delegations(
    conn: asyncpg.Connection,
    estate_id: int,
    household_ids: list[int],
    proxy_member_id: int,
    meeting_id: int | None,
    reference: str,
    recorded_by: int,
) -> list[DelegationOut]:
    """Record a written authorisation; it replaces earlier ones for the same units and meeting."""
    await conn.execute(
        """UPDATE delegations SET revoked_at = now()
           WHERE estate_id = $1 AND household_id = ANY($2::bigint[]) AND revoked_at IS NULL
             AND meeting_id IS NOT DISTINCT FROM $3""",
        estate_id,
        household_ids,
        meeting_id,
    )
    rows = await conn.fetch(
        f"""INSERT INTO delegations (estate_id, household_id, proxy_member_id, meeting_id,
                                     reference, recorded_by)
            SELECT $1, h, $3, $4, $5, $6 FROM unnest($2::bigint[]) AS h ORDER BY h
            RETURNING {_DELEGATION_COLUMNS}""",
        estate_id,
        sorted(set(household_ids)),
        proxy_member_id,
        meeting_id,
        reference,
        recorded_by,
    )
    return [DelegationOut(**dict(r)) for r in rows]


async def list_delegations(
    conn: asyncpg.Connection, estate_id: int, proxy_member_id: int | None = None
) -> list[DelegationOut]:
    rows = await conn.fetch(
        f"""SELECT {_DELEGATION_COLUMNS} FROM delegations
            WHERE estate_id = $1 AND ($2::bigint IS NULL OR proxy_member_id = $2)
            ORDER BY id""",
        estate_id,
        proxy_member_id,
    )
    return [DelegationOut(**dict(r)) for r in rows]


async def get_delegation(conn: asyncpg.Connection, delegation_id: int) -> DelegationOut | None:
    row = await conn.fetchrow(
        f"SELECT {_DELEGATION_COLUMNS} FROM delegations WHERE id = $1", delegation_id
    )
    return DelegationOut(**dict(row)) if row else None


async def revoke_delegation(conn: asyncpg.Connection, delegation_id: int) -> DelegationOut | None:
    row = await conn.fetchrow(
        f"""UPDATE delegations SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
            RETURNING {_DELEGATION_COLUMNS}""",
        delegation_id,
    )
    return DelegationOut(**dict(row)) if row else None
