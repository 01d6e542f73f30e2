"""Choice rounds as the API takes and shows them (amounts in fen, exact shares as strings)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import NAME, Body, Fen, Id, Out, ShortText

WorkIds = Annotated[list[Id], msgspec.Meta(max_length=200)]
SheetNo = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"\S", extra=NAME)]
RoundStatus = Literal["draft", "open", "closed"]


class NewChoiceRound(Body):
    """``work_ids``: works of the estate with an estimate, status candidate or proposed."""

    title: ShortText
    budget_fen: Annotated[int, msgspec.Meta(ge=1, le=10**15)]
    work_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=200)]


class Approvals(Body):
    """An owner's approval set: the works they want (may be empty)."""

    work_ids: WorkIds


class PaperApprovals(Body):
    """A paper sheet entered by the committee for the owner of ``household_id``."""

    household_id: Id
    work_ids: WorkIds
    sheet_no: SheetNo


class RoundCreated(Out):
    id: int


class RoundWork(Out):
    work_id: int
    title: str
    cost_fen: Fen
    status: str


class WorkExplanationOut(Out):
    """Why a work was or was not funded. ``supporters_shares``: the exact fen its supporters
    still held when equal shares decided on it (``"p/q"`` or an integer), with its floor in
    ``supporters_shares_fen``; null when nobody approved it."""

    work_id: int
    title: str
    cost_fen: int
    approvals: int
    mes: bool
    funded: bool
    greedy: bool
    funded_by: Literal["mes", "completion", "fill", "none"]
    mes_reason: Literal["bought", "short_of_shares", "no_support"]
    mes_round: int | None
    supporters_shares: str | None
    supporters_shares_fen: int | None


class ChoiceResult(Out):
    mes_work_ids: list[int]
    funded_work_ids: list[int]
    greedy_work_ids: list[int]
    explanations: list[WorkExplanationOut]
    voters: int
    budget_fen: int
    equal_share: str
    equal_share_fen: int
    completion_share: str
    completion_share_fen: int
    mes_cost_fen: int
    funded_cost_fen: int
    greedy_cost_fen: int


class RoundOut(Out):
    id: int
    estate_id: int
    title: str
    budget_fen: int
    status: RoundStatus
    works: list[RoundWork]
    #: owners whose set is in (live while open)
    approvals: int
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    result: ChoiceResult | None


class RoundSummary(Out):
    id: int
    title: str
    budget_fen: int
    status: RoundStatus
    approvals: int
    created_at: datetime
    closed_at: datetime | None


class OwnerSet(Out):
    household_id: int
    work_ids: list[int] | None
    channel: Literal["online", "paper"] | None
    #: the owner's pseudonym in the record, once the round is closed
    pseudonym: str | None


class MyApprovals(Out):
    """The caller's current set (per owner they speak for; usually one)."""

    round_id: int
    owners: list[OwnerSet]


class ApprovalStored(Out):
    round_id: int
    work_ids: list[int]
    owners: int
    approvals: int


class RoundRow(msgspec.Struct, frozen=True):
    id: int
    estate_id: int
    title: str
    budget_fen: int
    status: RoundStatus
    secret: bytes
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    result: str | None


class ApprovalRow(msgspec.Struct, frozen=True):
    owner_key: str
    household_id: int
    work_ids: list[int]
    channel: Literal["online", "paper"]
    sheet_no: str | None
