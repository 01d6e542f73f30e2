"""Request and answer bodies of suggestions (意见建议), their photos and their triage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Id, Out
from planner.needs.categories import Difficulty, NeedCategory, Urgency

SuggestionText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
SheetNo = Annotated[
    str, msgspec.Meta(min_length=1, max_length=50, pattern=r"\S", extra={"text": "name"})
]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
HelperName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S", extra={"text": "name"})
]
Channel = Literal["online", "paper", "import", "grid", "meeting"]
#: how far triage has come: untriaged (nobody looked), triaged (tagged), self_help (residents
#: solve it), merged (into a common problem), duplicate (of another suggestion)
SuggestionState = Literal["untriaged", "triaged", "self_help", "merged", "duplicate"]
PhotoMediaType = Literal["image/jpeg", "image/png", "image/webp"]


class NewSuggestion(Body):
    """``channel`` defaults to ``paper`` with a ``sheet_no``, else ``online``; owners may give
    only ``online``."""

    text: SuggestionText
    category: NeedCategory
    building_id: Id | None = None
    household_id: Id | None = None
    photo_sha256: Sha256 | None = None
    sheet_no: SheetNo | None = None
    channel: Channel | None = None


class SuggestionCreated(Out):
    id: int


class TriageChange(Body):
    """Only the fields given change. ``self_help`` true needs a ``helper`` (given now or
    already recorded); false clears the helper."""

    category: NeedCategory | None = None
    urgency: Urgency | None = None
    difficulty: Difficulty | None = None
    self_help: bool | None = None
    helper: HelperName | None = None


class DuplicateMark(Body):
    of: Id


class ProblemRef(Out):
    id: int
    title: str
    status: str


class SuggestionRow(Out):
    """One suggestion as the store reads it (with its common problem when merged)."""

    id: int
    estate_id: int
    text: str
    category: str
    building_id: int | None
    building_name: str | None
    household_id: int | None
    unit: str | None
    channel: str
    sheet_no: str | None
    photo_sha256: str | None
    submitted_by: int | None
    submitted_at: datetime
    urgency: str | None
    difficulty: str | None
    triaged_by: int | None
    triaged_at: datetime | None
    self_help: bool
    helper: str | None
    duplicate_of: int | None
    questionnaire_id: int | None
    state: SuggestionState
    problem: ProblemRef | None


class SuggestionPage(Out):
    items: list[SuggestionRow]
    #: pass as ``after`` for the next page; null on the last page
    next_after: int | None
    #: how many suggestions match the filters (all pages)
    total: int


class SuggestionFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The triage list's filters (all optional; ``q`` matches the text, case-insensitive)."""

    category: str | None = None
    state: SuggestionState | None = None
    urgency: str | None = None
    difficulty: str | None = None
    building_id: int | None = None
    channel: str | None = None
    q: str | None = None


class SuggestionPhotoOut(Out):
    sha256: str
    size: int
    media_type: PhotoMediaType
