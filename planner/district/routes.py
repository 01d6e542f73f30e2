"""The district over HTTP: the global admin's district members and their estates, and the
district's overview (JSON, CSV, XLSX). Estate routes refuse district members (their
principal has no estate: ``planner.access.guards.in_estate``)."""

from __future__ import annotations

import asyncio
from typing import Literal

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_201_CREATED

from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.district import exports, service
from planner.district.model import (
    DistrictMemberCreated,
    DistrictMemberOut,
    EstateAssignment,
    NewDistrictMember,
    Overview,
)
from planner.district.rules import BandFilter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Lang = Literal["zh", "en"]


class DistrictMemberController(Controller):
    tags = ["district"]

    @post("/api/district-members", status_code=HTTP_201_CREATED)
    async def add(
        self,
        data: JSONBody[NewDistrictMember],
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> DistrictMemberCreated:
        """The global admin adds a district member (区/街道/社区 staff) reading these estates;
        the token is shown once and stored hashed."""
        grant = await service.add_member(db, principal, data)
        return DistrictMemberCreated(
            member_id=grant.member_id,
            token=grant.token,
            login_url=f"{settings.base_url}/login?token={grant.token}",
            estate_ids=grant.estate_ids,
        )

    @get("/api/district-members")
    async def list_members(self, principal: PrincipalDep, db: DbDep) -> list[DistrictMemberOut]:
        """Every district member with its estates (the global admin)."""
        return await service.list_members(db, principal)

    @put("/api/district-members/{district_member_id:int}/estates")
    async def set_estates(
        self,
        district_member_id: FromPath[int],
        data: JSONBody[EstateAssignment],
        principal: PrincipalDep,
        db: DbDep,
    ) -> dict[str, list[int]]:
        """Replace the member's estates (the global admin); its next overview shows them."""
        estate_ids = await service.set_estates(db, principal, district_member_id, data)
        return {"estate_ids": estate_ids}

    @post("/api/district-members/{district_member_id:int}/revoke", status_code=200)
    async def revoke(
        self, district_member_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> dict[str, bool]:
        """Revoke the member's token and sessions and end its assignments (the global
        admin); ``revoked`` is false when it was revoked already."""
        return {"revoked": await service.revoke_member(db, principal, district_member_id)}


class DistrictOverviewController(Controller):
    tags = ["district"]

    @get("/api/district/overview")
    async def overview(
        self,
        principal: PrincipalDep,
        db: DbDep,
        sort: FromQuery[str] = "name",
        area: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        band: FromQuery[BandFilter | None] = None,
    ) -> Overview:
        """One row per assigned estate (the global admin: every estate): decisions, tenders
        and savings, funding against the residents' band, collection, final accounts and
        needs, aggregates only; ``sort`` by a row field (``-`` first: descending), filter by
        ``area`` (片区), ``q`` (in the name), ``band`` (below, within, above, outside)."""
        return await service.overview(db, principal, sort=sort, area=area, q=q, band=band)

    @get("/api/district/overview.csv", media_type="text/csv")
    async def overview_csv(
        self,
        principal: PrincipalDep,
        db: DbDep,
        sort: FromQuery[str] = "name",
        area: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        band: FromQuery[BandFilter | None] = None,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The overview's rows as CSV with a totals row (the same filters)."""
        figures = await service.overview(db, principal, sort=sort, area=area, q=q, band=band)
        return Response(
            exports.overview_csv(figures, lang),
            media_type="text/csv",
            headers={
                "content-disposition": f'attachment; filename="{exports.filename(figures, "csv")}"'
            },
        )

    @get("/api/district/overview.xlsx", media_type=XLSX_TYPE)
    async def overview_xlsx(
        self,
        principal: PrincipalDep,
        db: DbDep,
        sort: FromQuery[str] = "name",
        area: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        band: FromQuery[BandFilter | None] = None,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The same as XLSX, totals as ``=SUM`` formulas carrying their values."""
        figures = await service.overview(db, principal, sort=sort, area=area, q=q, band=band)
        content = await asyncio.to_thread(exports.overview_xlsx, figures, lang)
        return Response(
            content,
            media_type=XLSX_TYPE,
            headers={
                "content-disposition": f'attachment; filename="{exports.filename(figures, "xlsx")}"'
            },
        )


route_handlers = [DistrictMemberController, DistrictOverviewController]
