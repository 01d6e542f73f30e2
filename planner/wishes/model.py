"""Small wishes (微心愿) and partners' pledges over the API, as msgspec Structs.

What a partner unit sees of a wish (``WishOut``): its text, category, building, status and
who claimed it; never the household's owner name or area. The unit label (``unit``, e.g.
"1栋 101") is shown to the committee and staff, to the owners holding that unit, and to the
partner that claimed the wish (it has to deliver there); to other partners and other owners
it is None. ``household_id`` follows the same rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal, get_args

import msgspec

from planner.model import Body, Id, Out

#: the category keys of the needs slice (planner.needs.categories, a floor above: repeated)
WishCategory = Literal[
    "policy", "livelihood", "health", "education", "facilities", "environment", "safety", "other"
]
WISH_CATEGORIES: Final[tuple[str, ...]] = get_args(WishCategory)
WishStatus = Literal["open", "claimed", "fulfilled", "confirmed", "cancelled"]
WISH_STATUSES: Final[tuple[str, ...]] = get_args(WishStatus)
PledgeStatus = Literal["active", "withdrawn"]

WishText = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"\S")]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
PledgeFen = Annotated[
    int, msgspec.Meta(ge=1, le=10**15, description="integer fen (1/100 yuan), at least 1")
]


class NewWish(Body):
    """``POST /api/estates/{estate_id}/wishes``: an owner for one of their own units (the
    first they hold when ``household_id`` is left out); the committee or the admin on a
    resident's behalf, ``household_id`` required."""

    text: WishText
    household_id: Id | None = None
    category: WishCategory = "other"


class FulfilNote(Body):
    """``POST /api/wishes/{id}/fulfil``: what was done (optional)."""

    note: Note | None = None


class WishCreated(Out):
    id: int
    status: WishStatus


class WishRow(msgspec.Struct, frozen=True, kw_only=True):
    """A wish as stored, with its building and unit and the claiming partner's name."""

    id: int
    estate_id: int
    household_id: int
    text: str
    category: str
    status: str
    building_id: int
    building: str
    unit: str
    posted_by: int
    posted_at: datetime
    claimed_by: int | None
    claimed_by_name: str | None
    partner_kind: str | None
    claimed_at: datetime | None
    fulfilled_at: datetime | None
    fulfil_note: str | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class WishOut(Out):
    """A wish as the caller may see it (see the module's docstring)."""

    id: int
    text: str
    category: str
    status: str
    building_id: int
    building: str
    unit: str | None
    household_id: int | None
    claimed_by: int | None
    claimed_by_name: str | None
    partner_kind: str | None
    posted_at: datetime
    claimed_at: datetime | None
    fulfilled_at: datetime | None
    fulfil_note: str | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    #: what the caller may do with it now: claim, release, fulfil, confirm, cancel
    actions: list[str]


class PartnerCounts(Out):
    member_id: int
    display_name: str
    partner_kind: str
    claimed: int
    fulfilled: int
    confirmed: int


class WishSummary(Out):
    """``GET /api/estates/{estate_id}/wishes/summary``: totals by status (every status,
    zeros included) and per partner unit of the estate: ``claimed`` counts every wish it
    claimed and still holds (claimed, fulfilled or confirmed), ``fulfilled`` those fulfilled
    or confirmed, ``confirmed`` those the resident confirmed."""

    total: int
    by_status: dict[str, int]
    partners: list[PartnerCounts]


class NewPledge(Body):
    """``POST /api/works/{work_id}/pledges`` (a partner unit): at least 1 fen."""

    amount_fen: PledgeFen
    note: Note | None = None


class PledgeCreated(Out):
    id: int
    funding_source_id: int


class PledgeOut(Out):
    id: int
    work_id: int
    work_title: str
    partner_id: int
    partner_name: str
    partner_kind: str | None
    amount_fen: int
    note: str | None
    funding_source_id: int
    status: PledgeStatus
    created_at: datetime
    withdrawn_at: datetime | None
