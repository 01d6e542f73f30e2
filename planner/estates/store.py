"""SQL for estates, buildings and households."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from planner.db.store import ids_outside_estate
from planner.estates.model import BuildingOut, EstateOut, HouseholdOut, HouseholdRow


async def insert_estate(conn: asyncpg.Connection, name: str, district: str | None) -> EstateOut:
    row = await conn.fetchrow(
        "INSERT INTO estates (name, district) VALUES ($1, $2) RETURNING id, name, district",
        name,
        district,
    )
    await conn.execute("INSERT INTO event_streams (estate_id) VALUES ($1)", row["id"])
    return EstateOut(id=row["id"], name=row["name"], district=row["district"])


_ESTATE_SQL = """
    SELECT e.id, e.name, e.district,
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


async def ensure_buildings(
    conn: asyncpg.Connection, estate_id: int, names: list[str]
) -> tuple[dict[str, int], int]:
    """Ids of the named buildings, creating the missing ones; returns (ids, how many created)."""
    created = await conn.fetch(
        """INSERT INTO buildings (estate_id, name) SELECT $1, n FROM unnest($2::text[]) AS n
           ON CONFLICT (estate_id, name) DO NOTHING RETURNING id""",
        estate_id,
        names,
    )
    rows = await conn.fetch(
        "SELECT id, name FROM buildings WHERE estate_id = $1 AND name = ANY($2::text[])",
        estate_id,
        names,
    )
    return {r["name"]: r["id"] for r in rows}, len(created)


async def existing_units(conn: asyncpg.Connection, estate_id: int) -> set[tuple[str, str]]:
    rows = await conn.fetch(
        """SELECT b.name, h.unit FROM households h JOIN buildings b ON b.id = h.building_id
           WHERE h.estate_id = $1""",
        estate_id,
    )
    return {(r["name"], r["unit"]) for r in rows}


async def copy_households(
    conn: asyncpg.Connection, estate_id: int, building_ids: dict[str, int], rows: list[HouseholdRow]
) -> int:
    await conn.copy_records_to_table(
        "households",
        columns=[
            "estate_id",
            "building_id",
            "unit",
            "floor",
            "area_m2",
            "owner_key",
            "owner_name",
            "hardship_cap_fen",
        ],
        records=[
            (
                estate_id,
                building_ids[r.building],
                r.unit,
                r.floor,
                r.area_m2,
                r.owner_key,
                r.owner_name,
                r.hardship_cap_fen,
            )
            for r in rows
        ],
    )
    return len(rows)


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
