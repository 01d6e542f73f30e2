"""Estates, their buildings and households (with the all-or-nothing CSV import)."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from planner.access.guards import MANAGERS, MEMBERS, STAFF, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.estates import store
from planner.estates.csv_rules import CsvProblem, decode_csv, parse_households
from planner.estates.model import (
    BuildingOut,
    EstateOut,
    HouseholdOut,
    ImportResult,
    NewBuilding,
    NewEstate,
)
from planner.events import append_event

MAX_IMPORT_BYTES = 8 * 1024 * 1024


class EstateController(Controller):
    tags = ["estates"]

    @post("/api/estates", status_code=HTTP_201_CREATED)
    async def create_estate(
        self, data: JSONBody[NewEstate], principal: PrincipalDep, db: DbDep
    ) -> EstateOut:
        """Only the global admin creates estates."""
        if not principal.is_global_admin:
            raise Forbidden("only the admin creates estates")
        async with db.transaction() as conn:
            estate = await store.insert_estate(conn, data.name, data.district)
            await append_event(
                conn,
                estate_id=estate.id,
                type="estate.created",
                data={"name": data.name, "district": data.district},
                actor_id=principal.member_id,
                audience="all",
            )
        return estate

    @get("/api/estates")
    async def list_estates(self, principal: PrincipalDep, db: DbDep) -> list[EstateOut]:
        """The admin sees every estate; a member sees their own."""
        async with db.connection() as conn:
            return await store.list_estates(
                conn, None if principal.is_global_admin else principal.estate_id
            )

    @get("/api/estates/{estate_id:int}")
    async def get_estate(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> EstateOut:
        authorize(
            principal,
            estate_id,
            ("admin", "committee", "owner", "supplier", "treasurer", "observer"),
        )
        async with db.connection() as conn:
            estate = await store.get_estate(conn, estate_id)
        if estate is None:
            raise NotFound("estate")
        return estate

    @get("/api/estates/{estate_id:int}/buildings")
    async def list_buildings(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BuildingOut]:
        authorize(principal, estate_id, MEMBERS)
        async with db.connection() as conn:
            return await store.list_buildings(conn, estate_id)

    @post("/api/estates/{estate_id:int}/buildings", status_code=HTTP_201_CREATED)
    async def add_building(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewBuilding],
        principal: PrincipalDep,
        db: DbDep,
    ) -> BuildingOut:
        authorize(principal, estate_id, MANAGERS)
        async with db.transaction() as conn:
            await _require_estate(conn, estate_id)
            building = await store.insert_building(conn, estate_id, data.name)
            if building is None:
                raise Conflict(f"building {data.name} already exists")
            await append_event(
                conn,
                estate_id=estate_id,
                type="building.added",
                data={"building_id": building.id, "name": building.name},
                actor_id=principal.member_id,
                audience="members",
            )
        return building

    @get("/api/estates/{estate_id:int}/households")
    async def list_households(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[HouseholdOut]:
        """Staff see every household; an owner sees only their own units."""
        authorize(principal, estate_id, MEMBERS)
        only = None if principal.role in STAFF else list(principal.household_ids)
        async with db.connection() as conn:
            return await store.list_households(conn, estate_id, only)

    @post(
        "/api/estates/{estate_id:int}/households/import",
        status_code=HTTP_201_CREATED,
        request_max_body_size=MAX_IMPORT_BYTES,
    )
    async def import_households(
        self,
        estate_id: FromPath[int],
        request: Request,  # type: ignore[type-arg]
        principal: PrincipalDep,
        db: DbDep,
        fixed_buildings: FromQuery[bool] = False,
    ) -> ImportResult:
        """CSV (raw ``text/csv`` body or a multipart ``file``), UTF-8 with or without BOM.

        One bad row rejects the whole file with its line number and reason; nothing is written.
        With ``fixed_buildings=true`` a building the estate does not have is a fault.
        """
        authorize(principal, estate_id, MANAGERS)
        raw = await _csv_bytes(request)
        try:
            rows = parse_households(decode_csv(raw))
        except CsvProblem as problem:
            raise BadRequest(problem.field, problem.reason) from None
        async with db.transaction() as conn:
            await _require_estate(conn, estate_id)
            known = {b.name for b in await store.list_buildings(conn, estate_id)}
            if fixed_buildings:
                for row in rows:
                    if row.building not in known:
                        raise BadRequest(
                            f"line {row.line}.building", f"unknown building {row.building}"
                        )
            taken = await store.existing_units(conn, estate_id)
            for row in rows:
                if (row.building, row.unit) in taken:
                    raise BadRequest(
                        f"line {row.line}.unit", f"unit {row.building} {row.unit} already exists"
                    )
            names = sorted({r.building for r in rows})
            ids, created = await store.ensure_buildings(conn, estate_id, names)
            count = await store.copy_households(conn, estate_id, ids, rows)
            await append_event(
                conn,
                estate_id=estate_id,
                type="households.imported",
                data={"households": count, "buildings_created": created},
                actor_id=principal.member_id,
                audience="staff",
            )
            buildings = await store.list_buildings(conn, estate_id)
        return ImportResult(
            households_created=count, buildings_created=created, buildings=buildings
        )


async def _require_estate(conn: asyncpg.Connection, estate_id: int) -> None:
    if not await conn.fetchval("SELECT 1 FROM estates WHERE id = $1", estate_id):
        raise NotFound("estate")


async def _csv_bytes(request: Request) -> bytes:  # type: ignore[type-arg]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("file", "multipart body needs a 'file' part with the CSV")
        return await upload.read()
    return await request.body()


route_handlers = [EstateController]
