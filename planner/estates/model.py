"""Estates, buildings and households as the API shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from planner.localtime import DEFAULT_TIME_ZONE
from planner.model import Body, Out, ShortText

#: An IANA time zone name; the service checks it against zoneinfo (400 ``unknown_time_zone``).
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


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


class EstateOut(Out):
    id: int
    name: str
    district: str | None
    time_zone: str = DEFAULT_TIME_ZONE
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
