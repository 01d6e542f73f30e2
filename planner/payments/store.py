"""SQL for payments against a plan: one function per query, returning Structs."""

from __future__ import annotations

import asyncpg

from planner.payments.model import PaymentRecord


async def paid_by_household(
    conn: asyncpg.Connection, plan_id: int, household_ids: list[int] | None = None
) -> dict[int, int]:
    """Fen paid so far per household of the plan (households with no record are absent)."""
    rows = await conn.fetch(
        """SELECT household_id, paid_fen FROM plan_payments
           WHERE plan_id = $1 AND ($2::bigint[] IS NULL OR household_id = ANY($2::bigint[]))""",
        plan_id,
        household_ids,
    )
    return {r["household_id"]: r["paid_fen"] for r in rows}


async def payment_records(conn: asyncpg.Connection, plan_id: int) -> list[PaymentRecord]:
    rows = await conn.fetch(
        """SELECT household_id, paid_fen, reference, recorded_by, recorded_at
           FROM plan_payments WHERE plan_id = $1 ORDER BY household_id""",
        plan_id,
    )
    return [PaymentRecord(**dict(r)) for r in rows]


async def record_payment(
    conn: asyncpg.Connection,
    plan_id: int,
    household_id: int,
    paid_fen: int,
    reference: str,
    member_id: int,
) -> PaymentRecord:
    """Set the amount a household has paid against the plan (replacing the last figure)."""
    row = await conn.fetchrow(
        """INSERT INTO plan_payments (plan_id, household_id, paid_fen, reference, recorded_by)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (plan_id, household_id) DO UPDATE
             SET paid_fen = EXCLUDED.paid_fen, reference = EXCLUDED.reference,
                 recorded_by = EXCLUDED.recorded_by, recorded_at = now()
           RETURNING household_id, paid_fen, reference, recorded_by, recorded_at""",
        plan_id,
        household_id,
        paid_fen,
        reference,
        member_id,
    )
    return PaymentRecord(**dict(row))


async def carry_payments(
    conn: asyncpg.Connection, from_plan_id: int, to_plan_id: int, household_ids: list[int]
) -> tuple[int, int]:
    """Copy what households paid against a superseded plan to the plan replacing it (those
    of ``household_ids``; the records keep who recorded them, when, and their reference).
    Returns (records carried, records left behind: households not in the new plan)."""
    carried = await conn.fetch(
        """INSERT INTO plan_payments (plan_id, household_id, paid_fen, reference, recorded_by,
                                      recorded_at)
           SELECT $2, household_id, paid_fen, reference, recorded_by, recorded_at
           FROM plan_payments
           WHERE plan_id = $1 AND household_id = ANY($3::bigint[]) AND paid_fen > 0
           RETURNING household_id""",
        from_plan_id,
        to_plan_id,
        household_ids,
    )
    left: int = await conn.fetchval(
        """SELECT count(*) FROM plan_payments
           WHERE plan_id = $1 AND paid_fen > 0 AND NOT household_id = ANY($2::bigint[])""",
        from_plan_id,
        household_ids,
    )
    return len(carried), left
