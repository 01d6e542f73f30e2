"""Estates, buildings and households as the API shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from planner.localtime import DEFAULT_TIME_ZONE
from planner.model import Body, Fen, Out, ShortText

#: An IANA time zone name; the service checks it against zoneinfo (400 ``unknown_time_zone``).
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
#: The notice period (公告期) of the estate's written consultations, in days.
NoticeDays = Annotated[int, msgspec.Meta(ge=0, le=90)]
#: A rule set's name (``GET /api/rule-sets``); the service checks it (400 ``unknown_rule_set``).
RuleSetName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class NewEstate(Body):
    name: ShortText
    district: ShortText | None = None
    #: What people read (minutes, notices, exports, the web pages) shows times in this zone.
    time_zone: TimeZoneName = DEFAULT_TIME_ZONE


class EstateChange(Body):
    """PATCH of an estate: only the fields given change."""

    name: ShortText | None = None
    district: ShortText | None = None
    time_zone: TimeZoneName | None = None
    #: days between a consultation's notice and its voting (the default of new ones)
    notice_days: NoticeDays | None = None
    #: the rule set new consultations are decided by
    rule_set: RuleSetName | None = None
    #: above this (fen) a variation (变更) needs a passed motion; at or below it the
    #: committee approves (issue 19)
    variation_threshold_fen: Fen | None = None


class EstateOut(Out):
    id: int
    name: str
    district: str | None
    time_zone: str = DEFAULT_TIME_ZONE
    notice_days: int = 15
    rule_set: str = "civil_code_2021"
    variation_threshold_fen: int = 5_000_000
    buildings: int = 0
    households: int = 0


class NewBuilding(Body):
    name: ShortText


class BuildingOut(Out):
    id: int
    name: str


class HouseholdRow(msgspec.Struct, frozen=True, kw_only=True):
    """One validated row of a household import (line = line number in the file)."""

    line: int
    building: str
    unit: str
    floor: int
    area_m2: Decimal
    owner_key: str
    owner_name: str
    hardship_cap_fen: int | None


class HouseholdOut(Out):
    id: int
    building_id: int
    building: str
    unit: str
    floor: int
    area_m2: str
    owner_key: str
    owner_name: str
    hardship_cap_fen: int | None


class ImportResult(Out):
    households_created: int
    buildings_created: int
    buildings: list[BuildingOut]


class StagedImport(msgspec.Struct, frozen=True, kw_only=True):
    """A validated household file, ready for COPY: ``copy_csv`` holds one CSV line per row
    (``planner.estates.csv_rules.STAGED_COLUMNS``, a missing hardship cap left empty = NULL)."""

    rows: int
    buildings: list[str]
    copy_csv: bytes
