"""The collection ledger: requests, answers and stored entries, as msgspec Structs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from planner.model import NAME, Body, Id, Out

Channel = Literal["cash", "bank_transfer", "wechat", "alipay", "other"]
EntryKind = Literal["payment", "reversal", "adjustment"]
CHANNELS: tuple[Channel, ...] = ("cash", "bank_transfer", "wechat", "alipay", "other")

# a positive amount of fen (a payment received is never zero or negative)
PositiveFen = Annotated[int, msgspec.Meta(ge=1, le=10**15, description="integer fen > 0")]
ReceiptNo = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\S", extra=NAME)]
Note = Annotated[str, msgspec.Meta(max_length=500, extra=NAME)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S", extra=NAME)]


class RecordEntry(Body):
    """``POST /api/funding-plans/{plan_id}/ledger``: one sum received from a household."""

    household_id: Id
    amount_fen: PositiveFen
    channel: Channel
    receipt_no: ReceiptNo
    paid_on: date
    note: Note = ""


class ReverseEntry(Body):
    """``POST /api/ledger/{entry_id}/reverse``: why the entry is wrong."""

    reason: Reason


class EntryCreated(Out):
    entry_id: int


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One stored entry (with its household's unit label, building and the plan version it
    was recorded against)."""

    id: int
    estate_id: int
    plan_id: int
    plan_version: int
    household_id: int
    building_id: int
    building: str
    unit: str
    kind: EntryKind
    amount_fen: int
    channel: Channel
    receipt_no: str | None
    paid_on: date
    note: str
    reverses_entry_id: int | None
    reversed_by_entry_id: int | None
    reason: str | None
    bank_tx_id: str | None
    recorded_by: int | None
    recorded_at: datetime


class LedgerEntryOut(Out):
    entry_id: int
    plan_id: int
    plan_version: int
    household_id: int
    building_id: int
    building: str
    unit: str
    kind: EntryKind
    amount_fen: int
    channel: Channel
    receipt_no: str | None
    paid_on: date
    note: str
    reverses_entry_id: int | None
    reversed_by_entry_id: int | None
    reason: str | None
    bank_tx_id: str | None
    recorded_by: int | None
    recorded_at: datetime


class LedgerPage(Out):
    """``GET .../ledger``: entries in id order; ``next_after`` pages on (null: the end).
    With ``before``: newest first, ``next_before`` pages back (null: the start)."""

    items: list[LedgerEntryOut]
    next_after: int | None
    next_before: int | None = None


class HouseholdLabel(msgspec.Struct, frozen=True, kw_only=True):
    household_id: int
    building_id: int
    building: str
    unit: str
    owner_name: str


class BalanceOut(Out):
    """A household's standing: due (the plan's amount), paid (sum of its entries on this
    plan and the estate's earlier versions), balance = due − paid (negative: overpaid).
    ``due_now_fen``: what the instalment schedule asks by today (= due without one);
    ``overdue_fen`` = max(due_now − paid, 0)."""

    household_id: int
    due_fen: int
    paid_fen: int
    balance_fen: int
    due_now_fen: int
    overdue_fen: int
    overdue: bool
    building_id: int | None = None
    building: str | None = None
    unit: str | None = None


class BuildingTotal(Out):
    building_id: int
    building: str
    households: int
    due_fen: int
    paid_fen: int
    balance_fen: int
    in_arrears: int


class Totals(Out):
    households: int
    due_fen: int
    paid_fen: int
    balance_fen: int
    in_arrears: int


class BalancesOut(Out):
    """``GET .../balances``: one row per household (``?by=building``: also per building)."""

    plan_id: int
    items: list[BalanceOut]
    totals: Totals
    buildings: list[BuildingTotal] | None = None
    next_after: int | None = None


class ArrearsLine(Out):
    household_id: int
    building_id: int
    building: str
    unit: str
    owner_name: str
    due_fen: int
    paid_fen: int
    balance_fen: int
    overdue_fen: int


class ArrearsOut(Out):
    plan_id: int
    items: list[ArrearsLine]
    total_fen: int
    next_after: int | None = None
