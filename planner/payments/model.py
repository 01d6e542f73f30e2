"""Payments: the request, the answer and the stored record, as msgspec Structs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from planner.model import NAME, Body, Fen, Out

PaymentStatus = Literal["exempt", "unpaid", "partial", "paid", "overpaid"]


class RecordPayment(Body):
    """``PUT /api/funding-plans/{plan_id}/payments/{household_id}``: the total paid so far."""

    paid_fen: Fen
    reference: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PaymentOut(Out):
    plan_id: int
    household_id: int
    amount_fen: int
    paid_fen: int
    remaining_fen: int
    """What is still to pay (0 once paid in full or overpaid)."""
    status: PaymentStatus
    reference: str
    recorded_by: int | None
    recorded_at: datetime | None


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What is stored for one household of a plan (the last figure recorded)."""

    household_id: int
    paid_fen: int
    reference: str
    recorded_by: int | None
    recorded_at: datetime


# one line of at most 200 characters (the name rules: no newline, no control character)
PayeeText = Annotated[str, msgspec.Meta(max_length=200, extra=NAME)]


Share = Annotated[str, msgspec.Meta(pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$")]


class Instalment(Body):
    """One instalment: due by ``due_date``, a ``share`` of the household's amount ("0.5")
    or a fixed ``amount_fen`` (the last instalment always completes the whole amount)."""

    due_date: date
    share: Share | None = None
    amount_fen: Fen | None = None


class SetPaymentInstructions(Body):
    """``PUT /api/funding-plans/{plan_id}/payment-instructions``: when, to whom and how the
    owners pay. Every field replaces the last one set; an empty string clears it."""

    due_date: date | None = None
    payee: PayeeText = ""
    account: PayeeText = ""
    how_to_pay: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    # null: keep the schedule as it is; []: no instalments (everything due at once)
    instalments: Annotated[list[Instalment], msgspec.Meta(max_length=24)] | None = None


class PaymentInstructions(msgspec.Struct, frozen=True, kw_only=True):
    """What is stored for a plan version (``version``: the one they were set on)."""

    plan_id: int
    version: int
    due_date: date | None
    payee: str
    account: str
    how_to_pay: str
    set_by: int | None
    set_at: datetime
    instalments: list[dict[str, Any]] = msgspec.field(default_factory=list)


class PaymentInstructionsOut(Out):
    """A plan's payment instructions. ``set_on_version`` is the version they were set on: an
    earlier one's carry on until the treasurer sets this version's (null: none set yet, every
    field empty)."""

    plan_id: int
    due_date: date | None
    payee: str
    account: str
    how_to_pay: str
    set_on_version: int | None
    set_by: int | None
    set_at: datetime | None
    instalments: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """The instalment schedule (``[{due_date, share | amount_fen}]``; empty: none)."""
