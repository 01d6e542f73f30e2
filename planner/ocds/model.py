"""The OCDS builder's input: plain Structs gathered from the other slices (service.py), so
``build.py`` needs no database. Money in fen; the builder turns it into yuan."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class Line(msgspec.Struct, frozen=True, kw_only=True):
    """A priced line of a round (``negotiation.model.PricedLine``)."""

    line_no: int
    description: str
    unit: str
    #: a decimal string ("12.5")
    quantity: str
    unit_price_fen: int
    total_fen: int
    line_key: str | None = None


class Round(msgspec.Struct, frozen=True, kw_only=True):
    """One immutable round of a quote."""

    round: int
    total_fen: int
    at: datetime
    lines: tuple[Line, ...]
    is_final: bool = False
    valid_until: date | None = None


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """A supplier's quote for the work with every round (``status``: open, awarded, closed)."""

    quote_id: int
    supplier_id: int
    status: str
    rounds: tuple[Round, ...]


class Supplier(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    invited_at: datetime


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """A funding source of the estate (a subsidy, the maintenance fund, ...)."""

    id: int
    name: str
    kind: str


class Share(msgspec.Struct, frozen=True, kw_only=True):
    source_id: int
    amount_fen: int


class Budget(msgspec.Struct, frozen=True, kw_only=True):
    """The work in the plan in force: ``sum(shares) + residents_fen == cost_fen``."""

    plan_id: int
    plan_version: int
    approved_at: datetime
    cost_fen: int
    residents_fen: int
    shares: tuple[Share, ...]


class Award(msgspec.Struct, frozen=True, kw_only=True):
    quote_id: int
    supplier_id: int
    round: int
    total_fen: int
    #: when the committee awarded (the ``work.awarded`` event; the round's time without one)
    at: datetime


class Auction(msgspec.Struct, frozen=True, kw_only=True):
    """A live reverse auction that followed the sealed bids (the ``auction`` slice)."""

    id: int
    status: str
    rounds: int
    started_at: datetime | None = None
    ended_at: datetime | None = None


class Milestone(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    planned_start: date
    planned_end: date
    percent: int
    done_at: datetime | None
    created_at: datetime


class Variation(msgspec.Struct, frozen=True, kw_only=True):
    """An approved variation (变更) of the contract."""

    id: int
    amount_fen: int
    reason: str
    decided_at: datetime


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    """The work's final cost in the approved final accounts (决算)."""

    final_accounts_id: int
    version: int
    approved_at: datetime
    final_cost_fen: int


class Work(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    description: str
    category: str
    status: str
    estimate_fen: int | None
    created_at: datetime
    sealed_until: datetime | None
    opened_at: datetime | None


class Tender(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the export says about one work; ``now`` decides whether bids are sealed."""

    estate_id: int
    estate_name: str
    time_zone: str
    now: datetime
    work: Work
    suppliers: tuple[Supplier, ...] = ()
    invitations: tuple[Invitation, ...] = ()
    quotes: tuple[Quote, ...] = ()
    sources: tuple[Source, ...] = ()
    budget: Budget | None = None
    award: Award | None = None
    auction: Auction | None = None
    milestones: tuple[Milestone, ...] = ()
    variations: tuple[Variation, ...] = ()
    settlement: Settlement | None = None
    #: when the committee rejected the work (``work.status`` ``rejected``)
    rejected_at: datetime | None = None
