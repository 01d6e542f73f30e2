"""SQL for payments against a plan: one function per query, returning Structs."""

from __future__ import annotations

import asyncpg
import msgspec

from planner.payments.model import (
    PaymentInstructions,
    PaymentRecord,
    SetPaymentInstructions,
)


async def paid_by_household(
    conn: asyncpg.Connection, plan_id: int, household_ids: list[int] | None = None
) -> dict[int, int]:
    """Fen paid so far per household of the plan: the sum of its ledger entries on this and
    the estate's earlier versions (households with none are absent)."""
    rows = await conn.fetch(
        """SELECT e.household_id, sum(e.amount_fen)::bigint AS paid
           FROM ledger_entries e
           JOIN funding_plans lp ON lp.id = e.plan_id
           JOIN funding_plans this ON this.id = $1
                AND lp.estate_id = this.estate_id AND lp.version <= this.version
           WHERE e.estate_id = this.estate_id
             AND ($2::bigint[] IS NULL OR e.household_id = ANY($2::bigint[]))
           GROUP BY e.household_id""",
        plan_id,
        household_ids,
    )
    return {r["household_id"]: r["paid"] for r in rows}


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


_INSTRUCTIONS = """i.plan_id, p.version, i.due_date, i.payee, i.account, i.how_to_pay, i.set_by,
                   i.set_at, i.instalments::text AS instalments"""


def _instructions(row: asyncpg.Record) -> PaymentInstructions:
    values = dict(row)
    values["instalments"] = msgspec.json.decode(values["instalments"] or "[]")
    return PaymentInstructions(**values)


async def payment_instructions(
    conn: asyncpg.Connection, plan_id: int
) -> PaymentInstructions | None:
    """The plan's payment instructions: its own, else those of the latest earlier version of
    its estate that has any (they carry on until the treasurer changes them), else None."""
    row = await conn.fetchrow(
        f"""SELECT {_INSTRUCTIONS}
            FROM funding_plans this
            JOIN funding_plans p ON p.estate_id = this.estate_id AND p.version <= this.version
            JOIN payment_instructions i ON i.plan_id = p.id
            WHERE this.id = $1
            ORDER BY p.version DESC LIMIT 1""",
        plan_id,
    )
    return _instructions(row) if row else None


async def set_payment_instructions(
    conn: asyncpg.Connection, plan_id: int, data: SetPaymentInstructions, member_id: int
) -> PaymentInstructions:
    """Set (replace) the plan version's own payment instructions."""
    row = await conn.fetchrow(
        f"""WITH saved AS (
              INSERT INTO payment_instructions
                (plan_id, due_date, payee, account, how_to_pay, set_by, instalments)
              VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::text::jsonb, '[]'))
              ON CONFLICT (plan_id) DO UPDATE
                SET due_date = EXCLUDED.due_date, payee = EXCLUDED.payee,
                    account = EXCLUDED.account, how_to_pay = EXCLUDED.how_to_pay,
                    set_by = EXCLUDED.set_by, set_at = now(),
                    instalments = coalesce($7::text::jsonb, payment_instructions.instalments)
              RETURNING *)
            SELECT {_INSTRUCTIONS}
            FROM saved i JOIN funding_plans p ON p.id = i.plan_id""",
        plan_id,
        data.due_date,
        data.payee,
        data.account,
        data.how_to_pay,
        member_id,
        None
        if data.instalments is None
        else msgspec.json.encode(
            [
                {k: v for k, v in msgspec.structs.asdict(i).items() if v is not None}
                for i in data.instalments
            ]
        ).decode(),
    )
    return _instructions(row)
