"""Settlement over the API: variations (变更) and final accounts (决算), as msgspec Structs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Fen, Id, LongText, Out, ShortText

#: a variation's amount: ± integer fen, never 0 (the service refuses 0 with 400)
SignedFen = Annotated[int, msgspec.Meta(ge=-(10**15), le=10**15)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]

VariationStatus = Literal["proposed", "approved", "rejected"]
FinalAccountsStatus = Literal["draft", "approved"]


class VariationLine(Body):
    """One line of a change order (description, unit, quantity × unit price)."""

    description: ShortText
    unit: ShortText
    #: a decimal ("12.5" or 12.5), finite, at most 3 places, |q| ≤ 10⁹ (rules.check_lines)
    quantity: Decimal
    unit_price_fen: SignedFen


class NewVariation(Body):
    """``POST /api/works/{work_id}/variations``."""

    amount_fen: SignedFen
    reason: Reason
    lines: Annotated[list[VariationLine], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


class ApproveVariation(Body):
    """``POST /api/variations/{id}/approve``: ``motion_id`` a passed motion of the estate
    (needed when the variation is above the estate's threshold)."""

    motion_id: Id | None = None
    note: LongText | None = None


class RejectVariation(Body):
    reason: Reason


class VariationCreated(Out):
    id: int
    status: VariationStatus
    needs_decision: bool


class VariationOut(Out):
    id: int
    estate_id: int
    work_id: int
    amount_fen: int
    reason: str
    lines: list[VariationLine]
    status: VariationStatus
    needs_decision: bool
    threshold_fen: int
    motion_id: int | None
    decision_note: str | None
    created_by: int
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None


class WorkVariations(Out):
    """``GET /api/works/{work_id}/variations``: the work's variations and its final cost
    (awarded total + approved variations; None before an award)."""

    work_id: int
    awarded_total_fen: int | None
    approved_fen: int
    final_cost_fen: int | None
    threshold_fen: int
    items: list[VariationOut]


class FinalCost(Body):
    work_id: Id
    cost_fen: Fen


class NewFinalAccounts(Body):
    """``POST /api/estates/{estate_id}/final-accounts``: final costs of the plan's works
    without an award (awarded works: award + approved variations)."""

    plan_id: Id
    final_costs: Annotated[list[FinalCost], msgspec.Meta(max_length=1000)] = msgspec.field(
        default_factory=list
    )


class HouseholdSettlement(Out, gc=False):
    household_id: int
    final_fen: int
    paid_fen: int
    refund_fen: int
    topup_fen: int


class SourceSettlement(Out):
    source_id: int
    name: str
    planned_fen: int
    final_fen: int
    #: planned − final: returned to the source (negative: the source pays more)
    unspent_fen: int


class WorkSettlement(Out):
    work_id: int
    title: str
    planned_cost_fen: int
    final_cost_fen: int


class FinalAccountsOut(Out):
    id: int
    estate_id: int
    plan_id: int
    version: int
    status: FinalAccountsStatus
    total_cost_fen: int
    residents_total_fen: int
    planned_residents_total_fen: int
    paid_total_fen: int
    refund_total_fen: int
    topup_total_fen: int
    households: list[HouseholdSettlement]
    sources: list[SourceSettlement]
    works: list[WorkSettlement]
    created_at: datetime
    created_by: int
    approved_at: datetime | None
    approved_by: int | None


class FinalAccountsSummary(Out):
    id: int
    plan_id: int
    version: int
    status: FinalAccountsStatus
    total_cost_fen: int
    residents_total_fen: int
    created_at: datetime
    approved_at: datetime | None


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    """The arithmetic of one final accounts version (rules.settle's answer)."""

    households: list[HouseholdSettlement]
    sources: list[SourceSettlement]
    works: list[WorkSettlement]
    residents_total_fen: int
    planned_residents_total_fen: int
    total_cost_fen: int
    paid_total_fen: int
    refund_total_fen: int
    topup_total_fen: int
