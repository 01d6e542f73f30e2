"""Works as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Fen, Id, Out, ShortText
from planner.works.rules import BenefitRuleName, WorkBenefit, WorkStatus

Category = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Grade = Annotated[int, msgspec.Meta(ge=1, le=5, description="1 (lowest) .. 5 (highest)")]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]


class NewWork(Body):
    """A renovation item. ``scope_building_ids`` empty = the whole estate.

    ``sealed_until`` makes the bids sealed: until then nobody but the bidder sees a price.
    ``requires_motion``: the award needs a passed motion linked to this work.
    """

    title: ShortText
    category: Category
    benefit_rule: BenefitRuleName = "area"
    scope_building_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    floor_factors: dict[int, Decimal] = msgspec.field(default_factory=dict)
    estimate_fen: Fen | None = None
    urgency: Grade = 3
    difficulty: Grade = 3
    description: Description = ""
    sealed_until: AwareTime | None = None
    requires_motion: bool = False
    #: ``candidate``: a work not yet chosen (issue 18): funding and quotes leave it out until
    #: a choice round or the committee makes it ``proposed``
    status: Literal["proposed", "candidate"] = "proposed"


class WorkEdit(Body):
    """Changes to a work's details; an absent field keeps its value (``null`` is refused).

    Changing ``benefit_rule`` away from ``area_floor_factor`` without a ``floor_factors``
    clears the factor table.
    """

    title: ShortText | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    estimate_fen: Fen | msgspec.UnsetType = msgspec.UNSET
    benefit_rule: BenefitRuleName | msgspec.UnsetType = msgspec.UNSET
    scope_building_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    floor_factors: dict[int, Decimal] | msgspec.UnsetType = msgspec.UNSET


class StatusChange(Body):
    status: WorkStatus


class WorkOut(Out):
    """A work. ``cost_fen`` is the awarded total, else the estimate (what funding uses).

    A supplier sees neither the committee's estimate nor another supplier's award.
    """

    id: int
    estate_id: int
    title: str
    category: str
    description: str
    urgency: int
    difficulty: int
    scope_building_ids: list[int]
    benefit_rule: str
    floor_factors: dict[int, Decimal]
    estimate_fen: int | None
    awarded_total_fen: int | None
    awarded_quote_id: int | None
    awarded_round: int | None
    awarded_supplier_id: int | None
    cost_fen: int | None
    status: str
    sealed_until: datetime | None
    sealed: bool
    opened_at: datetime | None
    requires_motion: bool
    created_at: datetime

    def benefit(self) -> WorkBenefit:
        """The benefit rule as the funding optimiser reads it."""
        return WorkBenefit(
            benefit_rule=self.benefit_rule,  # type: ignore[arg-type]
            scope_building_ids=tuple(self.scope_building_ids),
            floor_factors=dict(self.floor_factors),
        )
