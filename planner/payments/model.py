"""Payments: the request, the answer and the stored record, as msgspec Structs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Fen, Out

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
