"""Payments' use cases: record what a household has paid, list where each one stands, and
the treasurer's instructions on when, to whom and how to pay."""

from __future__ import annotations

from decimal import Decimal

from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound
from planner.events import append_event
from planner.funding.rules import owner_may_see_notice
from planner.funding.service import solved_plan
from planner.funding.store import plan_in_force
from planner.payments import ledger_store, store
from planner.payments.ledger_service import local_today
from planner.payments.model import (
    PaymentInstructionsOut,
    PaymentOut,
    RecordPayment,
    SetPaymentInstructions,
)
from planner.payments.rules import (
    INSTRUCT,
    INSTRUCTABLE,
    READ,
    READ_INSTRUCTIONS,
    RECORD,
    instructions_out,
    payment_out,
)


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
        before = (await store.paid_by_household(conn, plan_id, [household_id])).get(household_id, 0)
        saved = await store.record_payment(
            conn, plan_id, household_id, data.paid_fen, data.reference, principal.member_id
        )
        if data.paid_fen != before:
            # the running total maps onto the ledger: the difference, as an adjustment
            await ledger_store.insert_entry(
                conn,
                estate_id=record.estate_id,
                plan_id=plan_id,
                household_id=household_id,
                kind="adjustment",
                amount_fen=data.paid_fen - before,
                channel="other",
                paid_on=await local_today(conn, record.estate_id),
                note=f"paid so far set to {data.paid_fen} fen"
                + (f" ({data.reference})" if data.reference else ""),
                recorded_by=principal.member_id,
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
    """Every household of the plan with its amount, what it has paid, what remains and its
    status. An owner gets only her own households, of the plan her notices come from (the
    plan in force; before any approval, the draft): any other version is 404 to her."""
    async with db.connection() as conn:
        record = await solved_plan(conn, plan_id, principal, READ)
        if principal.role == "owner":
            in_force = await plan_in_force(conn, record.estate_id)
            if not owner_may_see_notice(record.status, in_force is not None):
                raise NotFound("funding plan")
        records = {p.household_id: p for p in await store.payment_records(conn, plan_id)}
        paid = await store.paid_by_household(conn, plan_id)
    assert record.result is not None
    mine = set(principal.household_ids) if principal.role == "owner" else None
    return [
        payment_out(
            plan_id,
            h.household_id,
            h.amount_fen,
            records.get(h.household_id),
            paid.get(h.household_id, 0),
        )
        for h in record.result.households
        if mine is None or h.household_id in mine
    ]


async def payment_instructions(
    db: Database, plan_id: int, principal: Principal
) -> PaymentInstructionsOut:
    """When, to whom and how to pay this plan version (its own instructions, else those of
    the latest earlier version that has any; none: every field empty)."""
    async with db.connection() as conn:
        await solved_plan(conn, plan_id, principal, READ_INSTRUCTIONS)
        found = await store.payment_instructions(conn, plan_id)
    return instructions_out(plan_id, found)


def check_instalments(data: SetPaymentInstructions) -> None:
    """Each instalment has a share or an amount (not both), dates rise, shares ≤ 1."""
    total = Decimal(0)
    previous = None
    for n, item in enumerate(data.instalments or []):
        if (item.share is None) == (item.amount_fen is None):
            raise BadRequest(f"instalments[{n}]", "give a share or an amount_fen (one of them)")
        if previous is not None and item.due_date <= previous:
            raise BadRequest(f"instalments[{n}].due_date", "dates must rise")
        previous = item.due_date
        total += Decimal(item.share or 0)
        if total > 1:
            raise BadRequest(f"instalments[{n}].share", "the shares add up to more than 1")


async def set_payment_instructions(
    db: Database, plan_id: int, data: SetPaymentInstructions, principal: Principal
) -> PaymentInstructionsOut:
    """Set a draft's or the approved plan's payment instructions (treasurer, admin).

    409 ``plan_not_approved`` for a superseded version, ``plan_failed`` for a failed one.
    Records a ``payment.instructions_set`` event for the estate's members.
    """
    check_instalments(data)
    async with db.transaction() as conn:
        record = await solved_plan(conn, plan_id, principal, INSTRUCT)
        if record.status not in INSTRUCTABLE:
            raise Conflict(
                f"the plan is {record.status}; instructions are set on a draft or the "
                "approved plan",
                "plan_not_approved",
                {"status": record.status},
            )
        saved = await store.set_payment_instructions(conn, plan_id, data, principal.member_id)
        await append_event(
            conn,
            estate_id=record.estate_id,
            type="payment.instructions_set",
            data={
                "plan_id": plan_id,
                "version": record.version,
                "due_date": None if saved.due_date is None else saved.due_date.isoformat(),
                "payee": saved.payee,
                "account": saved.account,
                "how_to_pay": saved.how_to_pay,
                "instalments": saved.instalments,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return instructions_out(plan_id, saved)
