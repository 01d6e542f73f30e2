"""Request and response bodies of written consultations (书面征求意见)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.deliberation.model import Matter, MotionOut
from planner.model import Body, Id, LongText, Out, ShortText

ConsultationStatus = Literal["draft", "noticed", "open", "closed", "announced"]
#: Which ballot counts for a unit that voted online and on paper: its last one received
#: before the close ("last"), or its paper ballot whenever it has one ("paper").
BothChannels = Literal["last", "paper"]
NoticeDays = Annotated[int, msgspec.Meta(ge=0, le=90)]
RuleSetName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
BuildingIds = Annotated[list[Id], msgspec.Meta(max_length=500)]


class NewConsultationMotion(Body):
    title: ShortText
    matter: Matter
    text: LongText = ""
    work_id: Id | None = None


class NewConsultation(Body):
    """Times are ISO 8601 with an offset ("2026-12-20T09:00:00+08:00"). ``notice_days`` and
    ``rule_set`` default to the estate's settings; ``scope_building_ids`` empty: the estate."""

    title: ShortText
    opens_at: datetime
    closes_at: datetime
    scope_building_ids: BuildingIds = msgspec.field(default_factory=list)
    notice_days: NoticeDays | None = None
    both_channels: BothChannels = "last"
    rule_set: RuleSetName | None = None
    open_ballot: bool = False
    motions: Annotated[list[NewConsultationMotion], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class ConsultationChange(Body):
    """PATCH while draft: only the fields given change."""

    title: ShortText | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    scope_building_ids: BuildingIds | None = None
    notice_days: NoticeDays | None = None
    both_channels: BothChannels | None = None
    rule_set: RuleSetName | None = None
    open_ballot: bool | None = None


class ConsultationOut(Out):
    id: int
    estate_id: int
    title: str
    status: ConsultationStatus
    scope_building_ids: list[int]
    notice_days: int
    opens_at: datetime
    closes_at: datetime
    both_channels: BothChannels
    rule_set: str
    open_ballot: bool
    published_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    #: None when it closed by itself at ``closes_at``
    closed_by: int | None
    announced_at: datetime | None
    created_at: datetime
    #: the address part of its public pages (notice, turnout, result), no sign-in needed
    public_token: str
    motions: list[MotionOut] = msgspec.field(default_factory=list)
    #: the final digest of the recountable record (``GET .../record``), fixed at the close;
    #: ``planner recount FILE --expect-digest`` checks a downloaded record against it
    record_digest: str | None = None


class RuleSetOut(Out):
    """A named rule set; fractions as "a/b" strings, ``strict``: more than, else at least."""

    name: str
    title_zh: str
    title_en: str
    source: str
    quorum: dict[str, object] | None
    special_matters: list[int]
    special: dict[str, object]
    ordinary: dict[str, object]


class ConsultationRow(msgspec.Struct, kw_only=True):
    """The consultation's own row (the scheduler's and the checks' view)."""

    id: int
    estate_id: int
    status: ConsultationStatus
    notice_days: int
    opens_at: datetime
    closes_at: datetime
    rule_set: str
    both_channels: BothChannels
    open_ballot: bool
