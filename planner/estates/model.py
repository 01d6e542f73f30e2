"""Estates, buildings and households as the API shows them."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from planner.model import Body, Out, ShortText


class NewEstate(Body):
    name: ShortText
    district: ShortText | None = None


class EstateOut(Out):
    id: int
    name: str
    district: str | None
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
