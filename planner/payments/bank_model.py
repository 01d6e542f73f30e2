"""Bank statements: the stored lines and the answers, as msgspec Structs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from planner.model import Body, Id, Out

LineStatus = Literal["matched", "unmatched", "ambiguous", "duplicate", "assigned", "ignored"]


class AssignLine(Body):
    """``POST .../bank-lines/{line_id}/assign``: the household an unmatched line is from."""

    household_id: Id


class BankLine(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    statement_id: int
    estate_id: int
    plan_id: int
    line_no: int
    tx_date: date
    amount_fen: int
    memo: str
    bank_tx_id: str
    status: LineStatus
    household_id: int | None
    entry_id: int | None
    candidates: list[int]


class BankLineOut(Out):
    line_id: int
    line_no: int
    tx_date: date
    amount_fen: int
    memo: str
    bank_tx_id: str
    status: LineStatus
    household_id: int | None
    entry_id: int | None
    candidates: list[int]


class StatementOut(Out):
    """An imported statement: every line with its status; ``counts`` per status and
    ``posted_fen`` what went to the ledger (matched and assigned lines)."""

    statement_id: int
    plan_id: int
    imported_at: datetime
    counts: dict[str, int]
    posted_fen: int
    lines: list[BankLineOut]
