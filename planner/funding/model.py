"""Funding over the API: sources, solve requests and plan versions, as msgspec Structs.

The optimiser's own inputs and result are in :mod:`planner.funding.engine`; a plan version
(:class:`PlanOut`) carries the engine's result as it was stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from planner.funding.engine import (
    DEFAULT_BAND,
    Explanation,
    FundingPlanResult,
    HouseholdPlan,
    Policy,
    Problem,
    SourceKind,
    SourceUse,
    WorkPlan,
)
from planner.model import Body, Fen, Id, Out, ShortText

# A version's status: "draft" (solved, not approved), "approved" (the plan in force: at
# most one per estate), "superseded" (was approved, replaced by a later approval; kept and
# readable, its payment notices void) or "failed" (no plan; the reasons are stored).
PlanStatus = Literal["draft", "approved", "superseded", "failed"]


class NewSource(Body):
    """``POST /api/estates/{estate_id}/funding-sources``.

    ``pledges`` maps a work id (JSON object key) to a fixed amount in fen; a pledged work
    must also be listed in ``eligible_work_ids``.
    """

    name: ShortText
    budget_fen: Fen
    kind: SourceKind = "other"
    eligible_work_ids: Annotated[list[Id], msgspec.Meta(max_length=1000)] = msgspec.field(
        default_factory=list
    )
    max_share: Decimal | None = None
    pledges: dict[Id, Fen] = msgspec.field(default_factory=dict)


class SourceUpdate(Body):
    """``PATCH /api/funding-sources/{source_id}``: change only the fields given.

    ``eligible_work_ids`` replaces the list; ``pledges`` replaces every pledge (``{}``
    clears them); ``max_share: null`` removes the limit. Existing plan versions keep the
    values they were solved with; re-solve to use the new ones.
    """

    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    kind: SourceKind | msgspec.UnsetType = msgspec.UNSET
    budget_fen: Fen | msgspec.UnsetType = msgspec.UNSET
    max_share: Decimal | msgspec.UnsetType | None = msgspec.UNSET
    eligible_work_ids: Annotated[list[Id], msgspec.Meta(max_length=1000)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    pledges: dict[Id, Fen] | msgspec.UnsetType = msgspec.UNSET


class SourceFields(msgspec.Struct, frozen=True, kw_only=True):
    """A source's editable fields as a change leaves them (what the store writes)."""

    name: str
    kind: str
    budget_fen: int
    max_share: Decimal | None
    pledges: dict[int, int]
    eligible_work_ids: list[int]


class SourceOut(Out):
    id: int
    estate_id: int
    name: str
    kind: str
    budget_fen: int
    max_share: str | None
    eligible_work_ids: list[int]
    pledges: dict[int, int]
    created_at: datetime


class SolveRequest(Body):
    """``POST /api/estates/{estate_id}/funding-plans``: solve and store a new version.

    ``work_ids`` limits the plan to those works (default: every work of the estate that
    is not rejected and has a cost). ``time_limit_s`` may only shorten the service's limit.
    """

    policy: Policy = "minimum"
    resident_band: tuple[Decimal, Decimal] = DEFAULT_BAND
    target_share: Decimal | None = None
    work_ids: Annotated[list[Id], msgspec.Meta(max_length=1000)] | None = None
    time_limit_s: Annotated[float, msgspec.Meta(gt=0, le=600)] | None = None


class WorkChoice(Out):
    """A work the solve form offers: its status and the cost a plan would use.

    ``cost_kind``: "awarded" (the awarded total) or "estimate" (None: no cost yet, it
    cannot be chosen). ``in_plan_in_force``: the approved version covers it;
    ``newly_awarded``: awarded and not covered by the approved version. ``selected`` is the
    form's default: the works of the plan in force plus the newly awarded ones (with no
    plan in force: every work with a cost).
    """

    work_id: int
    title: str
    status: str
    cost_fen: int | None
    cost_kind: Literal["awarded", "estimate"] | None
    in_plan_in_force: bool
    newly_awarded: bool
    selected: bool


class PlanInForceSummary(Out):
    """The approved version, as the solve form compares a new attempt with it."""

    id: int
    version: int
    total_cost_fen: int
    residents_total_fen: int
    residents_share: str
    resident_band: list[str]
    work_ids: list[int]


class WorkChoices(Out):
    """``GET /api/estates/{estate_id}/funding-plans/work-choices``: what a plan may cover."""

    plan_in_force: PlanInForceSummary | None
    works: list[WorkChoice]


class PlanComparison(Out):
    """A solve attempt's residents' share beside the plan in force's and the band.

    ``share``: the attempt's share (a plan) or the share the band would need / the most
    residents can pay (no plan), exact decimal string with four places; None when the
    solver gave no such figure. ``zh``/``en`` say it in a sentence, e.g. "Residents' share
    would be 75.3% vs 22.8% in v1; the band allows 20–30%".
    """

    share: str | None
    in_force_version: int | None
    in_force_share: str | None
    resident_band: list[str]
    zh: str
    en: str


class PlanPreview(Out):
    """``POST /api/estates/{estate_id}/funding-plans/preview``: a solve that stores nothing.

    ``status`` "ok" with the plan's figures (no households: only their count), or
    "failed" with ``failure_reason`` and ``problems`` (as a failed version would store
    them). Always 200 when the request is valid; a version is made only by ``POST
    /api/estates/{estate_id}/funding-plans``.
    """

    status: Literal["ok", "failed"]
    solver_status: str
    policy: str
    resident_band: list[str]
    target_share: str | None
    work_ids: list[int]
    total_cost_fen: int
    residents_total_fen: int | None
    residents_share: str | None
    household_count: int
    works: list[WorkPlan]
    sources: list[SourceUse]
    explanation: Explanation | None
    failure_reason: str | None
    problems: list[Problem]
    comparison: PlanComparison | None


class PlanSummary(Out):
    id: int
    estate_id: int
    version: int
    status: PlanStatus
    policy: str
    solver_status: str
    total_cost_fen: int | None
    residents_total_fen: int | None
    created_at: datetime
    created_by: int | None
    approved_at: datetime | None
    approved_by: int | None
    superseded_by: int | None
    superseded_at: datetime | None


class StaleReason(msgspec.Struct, frozen=True, kw_only=True):
    """One way the estate changed since a plan was solved, in both languages.

    ``kind``: cost, no_cost, beneficiaries, households, source_added, source_removed,
    budget or source_rules; ``subject_id`` the work or source concerned (None for
    households).
    """

    kind: str
    zh: str
    en: str
    subject_id: int | None = None


class PlanOut(Out):
    """A plan version as the API returns it (API.md "Funding" plus audit fields).

    A failed version has ``status`` "failed", empty works/sources/households and the
    reason in ``failure_reason`` and ``problems``. A superseded one names the version
    that replaced it (``superseded_by``: plan id, ``superseded_by_version``); a draft names
    the plan in force when it was solved (``replaces_plan_id``), which approving it
    supersedes.
    """

    id: int
    estate_id: int
    version: int
    status: PlanStatus
    policy: str
    resident_band: list[str]
    target_share: str | None
    solver_status: str
    total_cost_fen: int | None
    residents_total_fen: int | None
    residents_share: str | None
    works: list[WorkPlan]
    sources: list[SourceUse]
    households: list[HouseholdPlan]
    explanation: Explanation | None
    failure_reason: str | None
    problems: list[Problem]
    timings: dict[str, float]
    # why this version no longer matches the estate (re-solve prompt): English sentences,
    # and the same reasons in both languages with their kind and subject
    stale_reasons: list[str]
    stale: list[StaleReason]
    created_at: datetime
    created_by: int | None
    approved_at: datetime | None
    approved_by: int | None
    replaces_plan_id: int | None
    superseded_by: int | None
    superseded_by_version: int | None
    superseded_at: datetime | None


class PlanRecord(msgspec.Struct, kw_only=True):
    """A stored plan version as the store reads it (``inputs`` without its households)."""

    id: int
    estate_id: int
    version: int
    status: PlanStatus
    policy: str
    inputs: dict[str, Any]
    result: FundingPlanResult | None
    solver_status: str
    failure_reason: str | None
    problems: list[Problem]
    timings: dict[str, float]
    created_at: datetime
    created_by: int | None
    approved_at: datetime | None
    approved_by: int | None
    replaces_plan_id: int | None = None
    superseded_by: int | None = None
    superseded_by_version: int | None = None
    superseded_at: datetime | None = None


class PlanInForce(msgspec.Struct, frozen=True, kw_only=True):
    """The estate's approved version, the one its households are asked to pay."""

    id: int
    version: int
