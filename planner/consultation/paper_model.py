"""Request and response bodies of paper ballots: sheets, photos, double entry, conflicts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.deliberation.rules import Choice
from planner.model import Body, Id, Out

#: Where a sheet's double entry stands (its current round): not entered yet, one entry
#: waiting for a second member's, counted (two members' entries agree; the ballots are
#: recorded) or mismatch (they differ: nothing counts until a third member's entry agrees
#: with one of them).
SheetState = Literal["not_entered", "awaiting_second", "counted", "mismatch"]
EntryState = Literal["awaiting_second", "counted", "mismatch"]
PhotoMediaType = Literal["image/jpeg", "image/png", "image/webp"]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
SheetCodeText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, description="the sheet's code, as printed")
]


class SheetUnit(Out):
    household_id: int
    building_id: int
    building: str
    unit: str
    #: "1栋-101"
    label: str
    area_m2: str


class SheetOut(Out):
    """One owner's paper ballot sheet: the signed code (also in its QR) and the owner's units
    in the consultation's scope."""

    code: str
    sheet_no: int
    owner_key: str
    owner_name: str
    household_ids: list[int]
    units: list[SheetUnit]
    state: SheetState
    round: int


class SheetList(Out):
    items: list[SheetOut]


class PhotoOut(Out):
    sha256: str
    size: int
    media_type: PhotoMediaType


class PaperChoice(Body):
    motion_id: Id
    choice: Choice


class NewPaperEntry(Body):
    """One committee member's entry of a signed sheet: a choice for every motion of the
    consultation, and optionally the photo (uploaded first) of the signed sheet."""

    code: SheetCodeText
    choices: Annotated[list[PaperChoice], msgspec.Meta(min_length=1, max_length=20)]
    photo_sha256: Sha256 | None = None


class PaperEntryResult(Out):
    code: str
    owner_key: str
    sheet_no: int
    state: EntryState
    entry_id: int
    #: the entry's number in its round (1, 2, 3, ...) and the round (1 unless the sheet was
    #: counted and entered again)
    entry_no: int
    round: int
    household_ids: list[int]
    #: why the sheet is in its state, in words (a mismatch: which motions differ)
    explanation: str = ""
    #: when this entry counted the sheet: the paper ballots recorded (each unit, each motion)
    ballot_ids: list[int] = msgspec.field(default_factory=list)


class PaperEntryOut(Out):
    entry_id: int
    round: int
    entry_no: int
    entered_by: int
    entered_by_name: str
    entered_at: datetime
    choices: list[PaperChoice]
    photo_sha256: str | None
    #: the sheet's state right after this entry
    state: EntryState


class PaperSheetOut(Out):
    """A sheet with every entry made of it (all rounds, oldest first)."""

    code: str
    sheet_no: int
    owner_key: str
    state: SheetState
    round: int
    household_ids: list[int]
    entries: list[PaperEntryOut]


class PaperSheetList(Out):
    items: list[PaperSheetOut]


class ChannelBallot(Out):
    ballot_id: int
    choice: Choice
    cast_at: datetime
    cast_by: int
    by_proxy: bool = False


class ChannelConflict(Out):
    """A unit that voted on a motion online and on paper: the last ballot of each channel
    and which of them counts under the consultation's both-channels rule."""

    motion_id: int
    household_id: int
    label: str
    online: ChannelBallot
    paper: ChannelBallot
    counted: Literal["online", "paper"] | None


class ConflictList(Out):
    both_channels: Literal["last", "paper"]
    items: list[ChannelConflict]


class SheetUnitRow(msgspec.Struct, frozen=True, kw_only=True):
    """A unit of an owner in scope (store → service)."""

    owner_key: str
    owner_name: str
    household_id: int
    building_id: int
    building: str
    unit: str
    area_m2: str


class SheetRow(msgspec.Struct, kw_only=True):
    consultation_id: int
    sheet_no: int
    owner_key: str
    state: SheetState
    round: int


class EntryRow(msgspec.Struct, kw_only=True):
    id: int
    round: int
    entry_no: int
    entered_by: int
    entered_by_name: str
    entered_at: datetime
    choices: list[tuple[int, Choice]]
    photo_sha256: str | None
    state: EntryState
    sheet_no: int = 0
