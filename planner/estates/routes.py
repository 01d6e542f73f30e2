"""Estates, their buildings and households (with the all-or-nothing CSV import)."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from planner.access.guards import MANAGERS, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest
from planner.estates import service
from planner.estates.model import (
    BuildingOut,
    EstateChange,
    EstateOut,
    HouseholdOut,
    ImportResult,
    NewBuilding,
    NewEstate,
)

#: 200,000 realistic rows are about 11 MiB; the rest of the API keeps its 1 MiB limit.
MAX_IMPORT_BYTES = 32 * 1024 * 1024


class EstateController(Controller):
    tags = ["estates"]

    @post("/api/estates", status_code=HTTP_201_CREATED)
    async def create_estate(
        self, data: JSONBody[NewEstate], principal: PrincipalDep, db: DbDep
    ) -> EstateOut:
        """Only the global admin creates estates."""
        return await service.create_estate(db, principal, data)

    @get("/api/estates")
    async def list_estates(self, principal: PrincipalDep, db: DbDep) -> list[EstateOut]:
        """The admin sees every estate; a member sees their own."""
        return await service.list_estates(db, principal)

    @get("/api/estates/{estate_id:int}")
    async def get_estate(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> EstateOut:
        return await service.get_estate(db, principal, estate_id)

    @patch("/api/estates/{estate_id:int}")
    async def change_estate(
        self,
        estate_id: FromPath[int],
        data: JSONBody[EstateChange],
        principal: PrincipalDep,
        db: DbDep,
    ) -> EstateOut:
        """The estate's admin or the global admin: name, district, time zone (IANA name)."""
        return await service.change_estate(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/buildings")
    async def list_buildings(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BuildingOut]:
        return await service.list_buildings(db, principal, estate_id)

    @post("/api/estates/{estate_id:int}/buildings", status_code=HTTP_201_CREATED)
    async def add_building(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewBuilding],
        principal: PrincipalDep,
        db: DbDep,
    ) -> BuildingOut:
        return await service.add_building(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/households")
    async def list_households(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[HouseholdOut]:
        """Staff see every household; an owner sees only their own units."""
        return await service.list_households(db, principal, estate_id)

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
        authorize(principal, estate_id, MANAGERS, what="estate")  # before the body is read
        raw = await _csv_bytes(request)
        return await service.import_households(db, principal, estate_id, raw, fixed_buildings)


async def _csv_bytes(request: Request) -> bytes:  # type: ignore[type-arg]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("file", "multipart body needs a 'file' part with the CSV", "required")
        return await upload.read()
    return await request.body()


route_handlers = [EstateController]
