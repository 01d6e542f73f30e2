"""Payments' use cases: record what a household has paid, list where each one stands."""

from __future__ import annotations

from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import Conflict, NotFound
from planner.events import append_event
from planner.funding.service import solved_plan
from planner.payments import store
from planner.payments.model import PaymentOut, RecordPayment
from planner.payments.rules import READ, RECORD, payment_out


async def record_payment(
    db: Database, plan_id: int, household_id: int, data: RecordPayment, principal: Principal
) -> PaymentOut:
    """Set what a household has paid so far against an approved plan.

    409 for a draft, failed or superseded plan; 404 when the household is not in the
    plan. Each change is a ``payment.recorded`` event for staff.
    """
    async with db.transaction() as conn:
        record = await solved_plan(conn, plan_id, principal, RECORD)
        if record.status != "approved":
            raise Conflict(
                "payments are recorded against an approved plan only",
                "plan_not_approved",
                {"status": record.status},
            )
        assert record.result is not None
        amount = next(
            (h.amount_fen for h in record.result.households if h.household_id == household_id),
            None,
        )
        if amount is None:
            raise NotFound("household")
        saved = await store.record_payment(
            conn, plan_id, household_id, data.paid_fen, data.reference, principal.member_id
        )
        payment = payment_out(plan_id, household_id, amount, saved)
        await append_event(
            conn,
            estate_id=record.estate_id,
            type="payment.recorded",
            data={
                "plan_id": plan_id,
                "household_id": household_id,
                "amount_fen": amount,
                "paid_fen": saved.paid_fen,
                "status": payment.status,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return payment


async def list_payments(db: Database, plan_id: int, principal: Principal) -> list[PaymentOut]:
    """Every household of the plan with its amount, what it has paid and its status."""
    async with db.connection() as conn:
        record = await solved_plan(conn, plan_id, principal, READ)
        records = {p.household_id: p for p in await store.payment_records(conn, plan_id)}
    assert record.result is not None
    return [
        payment_out(plan_id, h.household_id, h.amount_fen, records.get(h.household_id))
        for h in record.result.households
    ]
