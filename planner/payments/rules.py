"""Payments' rules, pure: who may record and read them, and where a household stands."""

from __future__ import annotations

from planner.payments.model import PaymentOut, PaymentRecord, PaymentStatus

RECORD = ("admin", "treasurer")
READ = ("admin", "committee", "treasurer")


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
    plan_id: int, household_id: int, amount_fen: int, record: PaymentRecord | None
) -> PaymentOut:
    """A household's standing on a plan (nothing recorded: nothing paid)."""
    paid = record.paid_fen if record else 0
    return PaymentOut(
        plan_id=plan_id,
        household_id=household_id,
        amount_fen=amount_fen,
        paid_fen=paid,
        status=payment_status(amount_fen, paid),
        reference=record.reference if record else "",
        recorded_by=record.recorded_by if record else None,
        recorded_at=record.recorded_at if record else None,
    )
