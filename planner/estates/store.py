"""SQL for estates, buildings and households."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import asyncpg

from planner.db.store import ids_outside_estate
from planner.estates.model import BuildingOut, EstateOut, HouseholdOut
from planner.localtime import DEFAULT_TIME_ZONE


async def insert_estate(
    conn: asyncpg.Connection, name: str, district: str | None, time_zone: str
) -> EstateOut:
    row = await conn.fetchrow(
        """INSERT INTO estates (name, district, time_zone) VALUES ($1, $2, $3)
           RETURNING id, name, district, time_zone""",
        name,
        district,
        time_zone,
    )
    await conn.execute("INSERT INTO event_streams (estate_id) VALUES ($1)", row["id"])
    return EstateOut(
        id=row["id"], name=row["name"], district=row["district"], time_zone=row["time_zone"]
    )


async def update_estate(
    conn: asyncpg.Connection,
    estate_id: int,
    name: str | None,
    district: str | None,
    time_zone: str | None,
    notice_days: int | None = None,
    rule_set: str | None = None,
    variation_threshold_fen: int | None = None,
) -> bool:
    """Change the given fields (``None`` keeps the value); False if there is no such estate."""
    status = await conn.execute(
        """UPDATE estates SET name = coalesce($2, name), district = coalesce($3, district),
                              time_zone = coalesce($4, time_zone),
                              notice_days = coalesce($5, notice_days),
                              rule_set = coalesce($6, rule_set),
                              variation_threshold_fen = coalesce($7, variation_threshold_fen)
           WHERE id = $1""",
        estate_id,
        name,
        district,
        time_zone,
        notice_days,
        rule_set,
        variation_threshold_fen,
    )
    return bool(status != "UPDATE 0")


_ESTATE_SQL = """
    SELECT e.id, e.name, e.district, e.time_zone, e.notice_days, e.rule_set,
           e.variation_threshold_fen,
           (SELECT count(*) FROM buildings b WHERE b.estate_id = e.id) AS buildings,
           (SELECT count(*) FROM households h WHERE h.estate_id = e.id) AS households
    FROM estates e
"""


async def get_estate(conn: asyncpg.Connection, estate_id: int) -> EstateOut | None:
    row = await conn.fetchrow(_ESTATE_SQL + " WHERE e.id = $1", estate_id)
    return EstateOut(**dict(row)) if row else None


async def list_estates(conn: asyncpg.Connection, only: int | None) -> list[EstateOut]:
    if only is None:
        rows = await conn.fetch(_ESTATE_SQL + " ORDER BY e.id")
    else:
        rows = await conn.fetch(_ESTATE_SQL + " WHERE e.id = $1", only)
    return [EstateOut(**dict(r)) for r in rows]


async def list_buildings(conn: asyncpg.Connection, estate_id: int) -> list[BuildingOut]:
    rows = await conn.fetch(
        "SELECT id, name FROM buildings WHERE estate_id = $1 ORDER BY id", estate_id
    )
    return [BuildingOut(id=r["id"], name=r["name"]) for r in rows]


async def insert_building(
    conn: asyncpg.Connection, estate_id: int, name: str
) -> BuildingOut | None:
    row = await conn.fetchrow(
        """INSERT INTO buildings (estate_id, name) VALUES ($1, $2)
           ON CONFLICT (estate_id, name) DO NOTHING RETURNING id, name""",
        estate_id,
        name,
    )
    return BuildingOut(id=row["id"], name=row["name"]) if row else None


#: Rows of one import, COPYed in before any check against the estate; dropped at commit.
_STAGING_SQL = """
    CREATE TEMP TABLE household_import (
        line              integer NOT NULL,
        building          text NOT NULL,
        unit              text NOT NULL,
        floor             integer NOT NULL,
        area_m2           numeric(12, 2) NOT NULL,
        owner_key         text NOT NULL,
        owner_name        text NOT NULL,
        hardship_cap_fen  bigint
    ) ON COMMIT DROP
"""
_COPY_CHUNK = 256 * 1024


async def stage_households(
    conn: asyncpg.Connection, copy_csv: bytes, columns: Sequence[str]
) -> None:
    """COPY a validated file (CSV, ``columns`` in order) into this transaction's staging table.

    The bytes go out in chunks, so the event loop serves other requests between them.
    """
    await conn.execute(_STAGING_SQL)

    async def chunks() -> AsyncIterator[bytes]:
        view = memoryview(copy_csv)
        for start in range(0, len(view), _COPY_CHUNK):
            yield bytes(view[start : start + _COPY_CHUNK])

    await conn.copy_to_table(
        "household_import", source=chunks(), columns=list(columns), format="csv"
    )
    await conn.execute("ANALYZE household_import")  # row counts for the joins that follow


async def first_staged_unknown_building(
    conn: asyncpg.Connection, estate_id: int
) -> tuple[int, str] | None:
    """(line, building) of the first staged row whose building the estate does not have."""
    row = await conn.fetchrow(
        """SELECT s.line, s.building FROM household_import s
           WHERE NOT EXISTS (SELECT 1 FROM buildings b
                             WHERE b.estate_id = $1 AND b.name = s.building)
           ORDER BY s.line LIMIT 1""",
        estate_id,
    )
    return (row["line"], row["building"]) if row else None


async def first_staged_taken_unit(
    conn: asyncpg.Connection, estate_id: int
) -> tuple[int, str, str] | None:
    """(line, building, unit) of the first staged row whose unit the estate already has."""
    row = await conn.fetchrow(
        """SELECT s.line, s.building, s.unit FROM household_import s
           JOIN buildings b ON b.estate_id = $1 AND b.name = s.building
           JOIN households h ON h.building_id = b.id AND h.unit = s.unit
           ORDER BY s.line LIMIT 1""",
        estate_id,
    )
    return (row["line"], row["building"], row["unit"]) if row else None


async def insert_staged_households(conn: asyncpg.Connection, estate_id: int) -> tuple[int, int]:
    """Create the staged rows' missing buildings, then the households, in file order.

    Returns (households created, buildings created).
    """
    created = await conn.fetchval(
        """WITH made AS (
               INSERT INTO buildings (estate_id, name)
               SELECT $1, n FROM (SELECT DISTINCT building AS n FROM household_import) AS d
               ORDER BY n
               ON CONFLICT (estate_id, name) DO NOTHING RETURNING 1)
           SELECT count(*) FROM made""",
        estate_id,
    )
    status = await conn.execute(
        """INSERT INTO households (estate_id, building_id, unit, floor, area_m2, owner_key,
                                   owner_name, hardship_cap_fen)
           SELECT $1, b.id, s.unit, s.floor, s.area_m2, s.owner_key, s.owner_name,
                  s.hardship_cap_fen
           FROM household_import s JOIN buildings b ON b.estate_id = $1 AND b.name = s.building
           ORDER BY s.line""",
        estate_id,
    )
    return int(status.split()[-1]), int(created)


_HOUSEHOLD_SQL = """
    SELECT h.id, h.building_id, b.name AS building, h.unit, h.floor, h.area_m2::text AS area_m2,
           h.owner_key, h.owner_name, h.hardship_cap_fen
    FROM households h JOIN buildings b ON b.id = h.building_id
"""


async def list_households(
    conn: asyncpg.Connection, estate_id: int, only: list[int] | None = None
) -> list[HouseholdOut]:
    if only is None:
        rows = await conn.fetch(_HOUSEHOLD_SQL + " WHERE h.estate_id = $1 ORDER BY h.id", estate_id)
    else:
        rows = await conn.fetch(
            _HOUSEHOLD_SQL + " WHERE h.estate_id = $1 AND h.id = ANY($2::bigint[]) ORDER BY h.id",
            estate_id,
            only,
        )
    return [HouseholdOut(**dict(r)) for r in rows]


# Ownership questions every slice asks about an estate: asked here once, called from there.


async def estate_exists(conn: asyncpg.Connection, estate_id: int) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM estates WHERE id = $1", estate_id))


async def estate_name(conn: asyncpg.Connection, estate_id: int) -> str | None:
    name: str | None = await conn.fetchval("SELECT name FROM estates WHERE id = $1", estate_id)
    return name


async def estate_time_zone(conn: asyncpg.Connection, estate_id: int) -> str:
    """The estate's IANA time zone (the default zone if there is no such estate)."""
    zone: str | None = await conn.fetchval("SELECT time_zone FROM estates WHERE id = $1", estate_id)
    return zone or DEFAULT_TIME_ZONE


async def households_outside_estate(
    conn: asyncpg.Connection, estate_id: int, household_ids: Sequence[int]
) -> list[int]:
    """The ids among ``household_ids`` that are not households of the estate, in given order."""
    return await ids_outside_estate(conn, "households", estate_id, household_ids)


async def buildings_outside_estate(
    conn: asyncpg.Connection, estate_id: int, building_ids: Sequence[int]
) -> list[int]:
    """The ids among ``building_ids`` that are not buildings of the estate, in given order."""
    return await ids_outside_estate(conn, "buildings", estate_id, building_ids)


async def variation_threshold(conn: asyncpg.Connection, estate_id: int) -> int:
    """Above this (fen) a variation needs a passed motion (``estates.variation_threshold_fen``)."""
    value: int = await conn.fetchval(
        "SELECT variation_threshold_fen FROM estates WHERE id = $1", estate_id
    )
    return value
