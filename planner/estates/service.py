"""The estates use cases: estates, buildings, households and the all-or-nothing CSV import.

Each runs in one transaction with the events it records.
"""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec

from planner.access.guards import ESTATE_READERS, MANAGERS, MEMBERS, STAFF, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.estates import store
from planner.estates.csv_rules import STAGED_COLUMNS, CsvProblem, stage_households
from planner.estates.model import (
    BuildingOut,
    EstateChange,
    EstateOut,
    HouseholdOut,
    ImportResult,
    NewBuilding,
    NewEstate,
)
from planner.estates.natural_order import natural_key
from planner.events import append_event
from planner.localtime import is_time_zone
from planner.rule_sets import RULE_SETS


async def create_estate(db: Database, principal: Principal, data: NewEstate) -> EstateOut:
    """Only the global admin creates estates."""
    if not principal.is_global_admin:
        raise Forbidden("only the admin creates estates", "admin_only")
    _check_time_zone(data.time_zone)
    async with db.transaction() as conn:
        estate = await store.insert_estate(conn, data.name, data.district, data.time_zone)
        await append_event(
            conn,
            estate_id=estate.id,
            type="estate.created",
            data={"name": data.name, "district": data.district, "time_zone": data.time_zone},
            actor_id=principal.member_id,
            audience="all",
        )
    return estate


async def change_estate(
    db: Database, principal: Principal, estate_id: int, data: EstateChange
) -> EstateOut:
    """The estate's admin (or the global admin) renames it or sets its district, time zone,
    notice period (days, 0..90) or rule set (400 ``unknown_rule_set``); the last two are the
    defaults of its new written consultations."""
    authorize(principal, estate_id, ("admin",), what="estate")
    if data.time_zone is not None:
        _check_time_zone(data.time_zone)
    if data.rule_set is not None and data.rule_set not in RULE_SETS:
        raise BadRequest(
            "rule_set",
            f"unknown rule set {data.rule_set!r}; see GET /api/rule-sets",
            "unknown_rule_set",
            {"name": data.rule_set, "known": ", ".join(RULE_SETS)},
        )
    async with db.transaction() as conn:
        updated = await store.update_estate(
            conn,
            estate_id,
            data.name,
            data.district,
            data.time_zone,
            data.notice_days,
            data.rule_set,
            data.variation_threshold_fen,
        )
        if not updated:
            raise NotFound("estate")
        changed = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        if changed:
            await append_event(
                conn,
                estate_id=estate_id,
                type="estate.changed",
                data=changed,
                actor_id=principal.member_id,
                audience="all",
            )
        estate = await store.get_estate(conn, estate_id)
    if estate is None:
        raise NotFound("estate")
    return estate


def _check_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise BadRequest(
            "time_zone",
            f"not a time zone zoneinfo knows: {name!r} (e.g. Asia/Shanghai)",
            "unknown_time_zone",
            {"value": name},
        )


async def list_estates(db: Database, principal: Principal) -> list[EstateOut]:
    """The admin sees every estate; a member sees their own; a district member none here
    (its estates' figures are in ``planner.district``)."""
    if principal.estate_id is None and not principal.is_global_admin:
        return []
    async with db.connection() as conn:
        return await store.list_estates(
            conn, None if principal.is_global_admin else principal.estate_id
        )


async def get_estate(db: Database, principal: Principal, estate_id: int) -> EstateOut:
    authorize(principal, estate_id, ESTATE_READERS, what="estate")
    async with db.connection() as conn:
        estate = await store.get_estate(conn, estate_id)
    if estate is None:
        raise NotFound("estate")
    return estate


async def list_buildings(db: Database, principal: Principal, estate_id: int) -> list[BuildingOut]:
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        buildings = await store.list_buildings(conn, estate_id)
    return sorted(buildings, key=lambda b: natural_key(b.name))


async def add_building(
    db: Database, principal: Principal, estate_id: int, data: NewBuilding
) -> BuildingOut:
    """Managers add a building; a name the estate already has is a 409."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    async with db.transaction() as conn:
        await _require_estate(conn, estate_id)
        building = await store.insert_building(conn, estate_id, data.name)
        if building is None:
            raise Conflict(
                f"building {data.name} already exists",
                "already_exists",
                {"what": "building", "name": data.name},
            )
        await append_event(
            conn,
            estate_id=estate_id,
            type="building.added",
            data={"building_id": building.id, "name": building.name},
            actor_id=principal.member_id,
            audience="members",
        )
    return building


async def list_households(db: Database, principal: Principal, estate_id: int) -> list[HouseholdOut]:
    """Staff see every household; an owner sees only their own units."""
    authorize(principal, estate_id, MEMBERS, what="estate")
    only = None if principal.role in STAFF else list(principal.household_ids)
    async with db.connection() as conn:
        households = await store.list_households(conn, estate_id, only)
    return sorted(households, key=lambda h: (natural_key(h.building), natural_key(h.unit)))


async def import_households(
    db: Database, principal: Principal, estate_id: int, raw: bytes, fixed_buildings: bool
) -> ImportResult:
    """Import a household CSV (UTF-8, with or without BOM): every row or none.

    The first bad row refuses the whole file with 400 naming ``line N.column``, its code
    and reason; nothing is written. A unit the estate already has is a fault, and with
    ``fixed_buildings`` so is a building it does not have; other buildings are created.
    The route authorizes the caller (managers) before it reads the body.

    Decoding and validating run in a worker thread, so other requests are served meanwhile
    (200,000 rows take about a second of CPU); the rows are then COPYed into a staging table
    and checked against the estate in SQL, all in one transaction.
    """
    try:
        staged = await asyncio.to_thread(stage_households, raw)
    except CsvProblem as problem:
        raise _refused(problem) from None
    async with db.transaction() as conn:
        await _require_estate(conn, estate_id)
        await store.stage_households(conn, staged.copy_csv, STAGED_COLUMNS)
        if fixed_buildings:
            unknown = await store.first_staged_unknown_building(conn, estate_id)
            if unknown is not None:
                line, building = unknown
                raise _refused(
                    CsvProblem(
                        line,
                        "building",
                        f"unknown building {building}",
                        "unknown_building",
                        building=building,
                    )
                )
        taken = await store.first_staged_taken_unit(conn, estate_id)
        if taken is not None:
            line, building, unit = taken
            raise _refused(
                CsvProblem(
                    line,
                    "unit",
                    f"unit {building} {unit} already exists",
                    "already_exists",
                    what="unit",
                    building=building,
                    unit=unit,
                )
            )
        try:
            count, created = await store.insert_staged_households(conn, estate_id)
        except asyncpg.UniqueViolationError:
            # another import took some of these units after the check above; it committed
            raise Conflict(
                "another import added some of these units meanwhile; nothing was stored",
                "conflict",
            ) from None
        await append_event(
            conn,
            estate_id=estate_id,
            type="households.imported",
            data={"households": count, "buildings_created": created},
            actor_id=principal.member_id,
            audience="staff",
        )
        buildings = await store.list_buildings(conn, estate_id)
    return ImportResult(households_created=count, buildings_created=created, buildings=buildings)


def _refused(problem: CsvProblem) -> BadRequest:
    return BadRequest(problem.field, problem.reason, problem.code, problem.params)


async def _require_estate(conn: asyncpg.Connection, estate_id: int) -> None:
    if not await store.estate_exists(conn, estate_id):
        raise NotFound("estate")
