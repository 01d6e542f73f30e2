"""Public disclosure (公示) over the API: what the estate's money did, as msgspec Structs.

Everyone but suppliers and partners reads the aggregates; an owner also reads her own
households' lines (``mine``); the public page (no sign-in) has the aggregates only."""

from __future__ import annotations

from datetime import datetime

import msgspec

from planner.deliberation.model import ChainHead
from planner.model import Out


class DisclosedWork(Out):
    work_id: int
    title: str
    #: the plan's cost of the work (the budget the owners approved)
    estimate_fen: int
    #: the awarded total (None before an award)
    awarded_fen: int | None
    variations_fen: int
    variations_count: int
    #: the approved final accounts' cost, else award + approved variations (None: no award)
    final_cost_fen: int | None


class DisclosedSource(Out):
    source_id: int
    name: str
    #: what the plan in force takes from the source
    promised_fen: int
    #: what the approved final accounts take (None before them)
    final_fen: int | None
    #: promised − final: returned to the source (None before the final accounts)
    unspent_fen: int | None


class Collection(Out):
    households: int
    due_fen: int
    collected_fen: int
    #: the sum of positive balances, and how many households owe
    arrears_fen: int
    households_in_arrears: int
    #: from the approved final accounts (None before them)
    refunds_due_fen: int | None
    topups_due_fen: int | None


class MyLine(Out):
    """One of the owner's own households (never anyone else's)."""

    household_id: int
    building: str | None
    unit: str | None
    due_fen: int
    paid_fen: int
    balance_fen: int
    final_fen: int | None
    refund_fen: int | None
    topup_fen: int | None


class Disclosure(Out):
    """``GET /api/estates/{estate_id}/disclosure`` (and, without ``mine`` and the token,
    ``GET /api/public/disclosures/{token}``)."""

    estate_id: int
    estate_name: str
    time_zone: str
    #: the estate's wall clock, with its offset
    generated_at: datetime
    plan_id: int | None
    plan_version: int | None
    final_accounts_id: int | None
    final_accounts_version: int | None
    final_accounts_approved_at: datetime | None
    total_estimate_fen: int
    total_final_fen: int | None
    works: list[DisclosedWork]
    sources: list[DisclosedSource]
    residents_planned_fen: int
    residents_final_fen: int | None
    collection: Collection
    chain_head: ChainHead
    published: bool
    #: members only (the public page's address); None before the committee publishes
    public_token: str | None = None
    #: an owner's own households; None for every other reader
    mine: list[MyLine] | None = None


class Published(Out):
    """``POST /api/estates/{estate_id}/disclosure/publish``."""

    estate_id: int
    token: str
    public_url: str
    published_at: datetime
    first: bool


class Publication(msgspec.Struct, frozen=True, kw_only=True):
    estate_id: int
    token: str
    published_at: datetime


class WorkFigures(msgspec.Struct, frozen=True, kw_only=True):
    """A work's award and its approved variations (sum and count), as the store reads them."""

    work_id: int
    title: str
    awarded_fen: int | None
    variations_fen: int
    variations_count: int
