"""Works delivery as the API takes and shows it: milestones, progress, timeline, acceptance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from planner.model import Body, Out, ShortText

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
PlannedText = Annotated[
    str,
    msgspec.Meta(
        min_length=4,
        max_length=10,
        description="2026-03 (month), 2026-Q2 (quarter), 2026-H1 (half-year) or 2026-03-15",
    ),
]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]
WeightPct = Annotated[int, msgspec.Meta(ge=1, le=100)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]


class NewMilestone(Body):
    """A milestone of an awarded (or later) work. ``weight_pct``: its share of the work's
    progress (the milestones without one share what is left of 100 equally)."""

    title: ShortText
    planned: PlannedText
    responsible_unit: ShortText
    responsible_person: ShortText
    weight_pct: WeightPct | None = None


class MilestoneEdit(Body):
    """Changes to a milestone; an absent field keeps its value."""

    title: ShortText | msgspec.UnsetType = msgspec.UNSET
    planned: PlannedText | msgspec.UnsetType = msgspec.UNSET
    responsible_unit: ShortText | msgspec.UnsetType = msgspec.UNSET
    responsible_person: ShortText | msgspec.UnsetType = msgspec.UNSET
    weight_pct: WeightPct | msgspec.UnsetType | None = msgspec.UNSET


class NewProgress(Body):
    """A progress update: the milestone's percent now (a lower one needs a ``note`` saying
    why), photos uploaded first through ``POST /api/estates/{id}/photos``."""

    percent: Percent
    note: Note = ""
    photo_sha256s: Annotated[list[Sha256], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class ProgressOut(Out):
    id: int
    milestone_id: int
    percent: int
    note: str
    photo_sha256s: list[str]
    recorded_by: int
    recorded_at: datetime


class MilestoneRow(msgspec.Struct, kw_only=True):
    id: int
    estate_id: int
    work_id: int
    title: str
    planned: str
    planned_start: date
    planned_end: date
    responsible_unit: str
    responsible_person: str
    weight_pct: int | None
    percent: int
    done_at: datetime | None
    created_at: datetime


class MilestoneOut(Out):
    """A milestone. ``planned_end``: the period's last day (estate zone); ``overdue``: not done
    after it; ``late``: done after it."""

    id: int
    work_id: int
    title: str
    planned: str
    period_kind: str
    planned_start: date
    planned_end: date
    responsible_unit: str
    responsible_person: str
    weight_pct: int | None
    percent: int
    done: bool
    done_at: datetime | None
    overdue: bool
    late: bool
    progress: list[ProgressOut] = msgspec.field(default_factory=list)


class MilestoneList(Out):
    work_id: int
    work_title: str
    work_status: str
    progress_pct: int
    items: list[MilestoneOut]


class TimelineWork(Out):
    id: int
    title: str
    status: str
    progress_pct: int
    overdue: bool
    accepted: bool
    start: date | None
    end: date | None
    milestones: list[MilestoneOut]


class UnitGoal(Out):
    """The "一张图": a responsible unit's goals in one period."""

    planned: str
    period_kind: str
    planned_end: date
    responsible_unit: str
    milestone_ids: list[int]
    done: int
    overdue: int


class Timeline(Out):
    estate_id: int
    time_zone: str
    today: date
    start: date | None
    end: date | None
    works: list[TimelineWork]
    goals: list[UnitGoal]


class NewDefect(Body):
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
    photo_sha256: Sha256 | None = None


class NewAcceptance(Body):
    """Opens the acceptance (验收) of a work, with the defects found (may be none)."""

    defects: Annotated[list[NewDefect], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


class Recheck(Body):
    fixed: bool
    note: Note = ""


class DefectOut(Out):
    id: int
    acceptance_id: int
    description: str
    photo_sha256: str | None
    fixed: bool
    recheck_note: str
    rechecked_by: int | None
    rechecked_at: datetime | None


class SignatureOut(Out):
    member_id: int
    display_name: str
    capacity: str
    signed_at: datetime


class MissingOut(Out):
    committee_signatures: int
    owner_signatures: int
    open_defects: int


class AcceptanceOut(Out):
    """An acceptance: complete (``accepted_at``) once the committee and at least two owner
    representatives signed and every defect is fixed. ``may_sign``: whether the caller may
    still sign it (and as what)."""

    id: int
    work_id: int
    work_title: str
    opened_by: int
    opened_at: datetime
    accepted_at: datetime | None
    defects: list[DefectOut]
    signatures: list[SignatureOut]
    missing: MissingOut
    may_sign: str | None = None


class AcceptanceRow(msgspec.Struct, kw_only=True):
    id: int
    estate_id: int
    work_id: int
    opened_by: int
    opened_at: datetime
    accepted_at: datetime | None
