"""Payments' rules, pure: who may record and read them, and where a household stands."""

from __future__ import annotations

from planner.payments.model import (
    PaymentInstructions,
    PaymentInstructionsOut,
    PaymentOut,
    PaymentRecord,
    PaymentStatus,
)

RECORD = ("admin", "treasurer")
# owners read their own households' standing only (``mine``)
READ = ("admin", "committee", "owner", "treasurer")
# the treasurer roles set how and where to pay; every member of the estate reads it
INSTRUCT = RECORD
READ_INSTRUCTIONS = ("admin", "committee", "owner", "treasurer", "observer")
# plan statuses that take payment instructions (a superseded plan's are frozen)
INSTRUCTABLE = ("draft", "approved")


def payment_status(amount_fen: int, paid_fen: int) -> PaymentStatus:
    """Where a household stands: nothing due, unpaid, partly paid, paid in full, overpaid."""
    if paid_fen > amount_fen:
        return "overpaid"
    if amount_fen == 0:
        return "exempt"
    if paid_fen == 0:
        return "unpaid"
    return "paid" if paid_fen == amount_fen else "partial"


def payment_out(
    plan_id: int,
    household_id: int,
    amount_fen: int,
    record: PaymentRecord | None,
    paid_fen: int | None = None,
) -> PaymentOut:
    """A household's standing on a plan (``paid_fen``: the ledger's sum; else the record's;
    nothing recorded: nothing paid)."""
    paid = paid_fen if paid_fen is not None else (record.paid_fen if record else 0)
    return PaymentOut(
        plan_id=plan_id,
        household_id=household_id,
        amount_fen=amount_fen,
        paid_fen=paid,
        remaining_fen=max(amount_fen - paid, 0),
        status=payment_status(amount_fen, paid),
        reference=record.reference if record else "",
        recorded_by=record.recorded_by if record else None,
        recorded_at=record.recorded_at if record else None,
    )


def instructions_out(plan_id: int, found: PaymentInstructions | None) -> PaymentInstructionsOut:
    """A plan's instructions (those of the latest version that has any up to it; none: empty)."""
    return PaymentInstructionsOut(
        plan_id=plan_id,
        due_date=found.due_date if found else None,
        payee=found.payee if found else "",
        account=found.account if found else "",
        how_to_pay=found.how_to_pay if found else "",
        set_on_version=found.version if found else None,
        set_by=found.set_by if found else None,
        set_at=found.set_at if found else None,
        instalments=found.instalments if found else [],
    )
