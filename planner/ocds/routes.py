"""The OCDS export over HTTP (docs/ocds.md): a work's release package and record package,
and bulk release packages of an estate and of every estate the caller reads (streamed)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Stream

from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.ocds import service
from planner.settings import Settings

AnyRequest = Request[Any, Any, Any]
JSON = "application/json"


def _uri(request: AnyRequest, settings: Settings) -> str:
    """The package's ``uri``: where it was read (the public URL when one is configured)."""
    base = (
        settings.public_url.rstrip("/")
        if settings.public_url
        else str(request.base_url).rstrip("/")
    )
    return base + request.url.path


def _download(name: str) -> dict[str, str]:
    return {"content-disposition": f'inline; filename="{name}"'}


class OcdsController(Controller):
    tags = ["ocds"]

    @get("/api/works/{work_id:int}/ocds", media_type=JSON)
    async def release_package(
        self,
        work_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> Response[Any]:
        """Members but suppliers and partners: the work's OCDS 1.1 release package (bids
        only once awarded)."""
        body = await service.release_package(
            db, work_id, principal, settings.ocds_prefix, _uri(request, settings)
        )
        return Response(body, media_type=JSON, headers=_download(f"ocds-w{work_id}.json"))

    @get("/api/works/{work_id:int}/ocds/record", media_type=JSON)
    async def record_package(
        self,
        work_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> Response[Any]:
        """The work's record package: every release and the compiled release."""
        body = await service.record_package(
            db, work_id, principal, settings.ocds_prefix, _uri(request, settings)
        )
        return Response(body, media_type=JSON, headers=_download(f"ocds-w{work_id}-record.json"))

    @get("/api/estates/{estate_id:int}/ocds", media_type=JSON)
    async def estate_package(
        self,
        estate_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> Stream:
        """Every work's releases of the estate in one release package, streamed."""
        chunks = await service.bulk(
            db, principal, estate_id, settings.ocds_prefix, _uri(request, settings)
        )
        return Stream(chunks, media_type=JSON, headers=_download(f"ocds-estate-{estate_id}.json"))

    @get("/api/ocds", media_type=JSON)
    async def all_packages(
        self, request: AnyRequest, principal: PrincipalDep, db: DbDep, settings: SettingsDep
    ) -> Stream:
        """Every estate the caller reads (the global admin: all) in one release package."""
        chunks = await service.bulk(
            db, principal, None, settings.ocds_prefix, _uri(request, settings)
        )
        return Stream(chunks, media_type=JSON, headers=_download("ocds.json"))


route_handlers = [OcdsController]
