"""The disclosure (公示) over HTTP: the members' reading and printable notice, the
committee's publishing, and the public page and notice by token (no sign-in: the access
middleware lets requests without credentials through; 404 for an unknown token)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from planner.consultation.outreach_routes import public_base
from planner.consultation.print_rules import Lang
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.disclosure import service
from planner.disclosure.model import Disclosure, Published
from planner.disclosure.page import render

AnyRequest = Request[Any, Any, Any]


class DisclosureController(Controller):
    tags = ["disclosure"]

    @get("/api/estates/{estate_id:int}/disclosure")
    async def read(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> Disclosure:
        """Members (not suppliers, not partners): works, sources, the residents' total and
        the collection's aggregates; an owner also her own households' lines (``mine``)."""
        return await service.read(db, estate_id, principal)

    @get("/api/estates/{estate_id:int}/disclosure.html", media_type=MediaType.HTML)
    async def notice(
        self,
        estate_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """Members: the printable notice (aggregates only; the QR code once published)."""
        found = await service.read(db, estate_id, principal)
        url = (
            service.public_address(public_base(request, settings), found.public_token)
            if found.public_token
            else None
        )
        return render(found, lang, url)

    @post("/api/estates/{estate_id:int}/disclosure/publish", status_code=HTTP_200_OK)
    async def publish(
        self,
        estate_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> Published:
        """Committee: the public link (made the first time, the same after)."""
        return await service.publish(db, estate_id, principal, public_base(request, settings))

    @get("/api/public/disclosures/{token:str}")
    async def public(self, token: FromPath[str], db: DbDep) -> Disclosure:
        """No sign-in: the aggregates only (no household)."""
        return await service.read_public(db, token)

    @get("/api/public/disclosures/{token:str}/notice.html", media_type=MediaType.HTML)
    async def public_notice(
        self,
        token: FromPath[str],
        request: AnyRequest,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """No sign-in: the printable notice."""
        found = await service.read_public(db, token)
        url = service.public_address(public_base(request, settings), token)
        return render(found, lang, url)


route_handlers = [DisclosureController]
