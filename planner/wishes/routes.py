"""Small wishes (微心愿) and partners' pledges over HTTP.

Who may do what is in ``rules.py`` and the services; what a partner unit sees of a wish in
``model.py`` (never an owner's name or area; the unit label only after it claimed the wish).
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.deps import DbDep, PrincipalDep
from planner.wishes import pledge_service, service
from planner.wishes.model import (
    FulfilNote,
    NewPledge,
    NewWish,
    PledgeCreated,
    PledgeOut,
    WishCreated,
    WishOut,
    WishSummary,
)


class WishController(Controller):
    tags = ("wishes",)

    @post("/api/estates/{estate_id:int}/wishes", status_code=HTTP_201_CREATED)
    async def post_wish(
        self, estate_id: FromPath[int], data: JSONBody[NewWish], principal: PrincipalDep, db: DbDep
    ) -> WishCreated:
        """An owner for their own unit; the committee or the admin with ``household_id``."""
        return await service.post_wish(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/wishes")
    async def list_wishes(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        status: FromQuery[str] = "",
        mine: FromQuery[str] = "",
    ) -> list[WishOut]:
        """Members (not suppliers) and partner units, newest first. ``status``: open,
        claimed, fulfilled, confirmed or cancelled (empty: all); ``mine=true``: a partner's
        claimed wishes, for others the wishes of the units they hold."""
        return await service.list_wishes(db, estate_id, principal, status, mine)

    @get("/api/estates/{estate_id:int}/wishes/summary")
    async def wish_summary(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> WishSummary:
        """Totals by status and per partner unit (claimed, fulfilled, confirmed)."""
        return await service.summary(db, estate_id, principal)

    @get("/api/wishes/{wish_id:int}")
    async def get_wish(self, wish_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WishOut:
        return await service.read_wish(db, wish_id, principal)

    @post("/api/wishes/{wish_id:int}/claim", status_code=HTTP_200_OK)
    async def claim(self, wish_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WishOut:
        """A partner unit claims an open wish (409 once another holds it)."""
        return await service.act(db, wish_id, "claim", principal)

    @post("/api/wishes/{wish_id:int}/release", status_code=HTTP_200_OK)
    async def release(self, wish_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WishOut:
        """The claiming partner gives the wish back (claimed → open)."""
        return await service.act(db, wish_id, "release", principal)

    @post("/api/wishes/{wish_id:int}/fulfil", status_code=HTTP_200_OK)
    async def fulfil(
        self,
        wish_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        data: JSONBody[FulfilNote | None] = None,
    ) -> WishOut:
        """The claiming partner marks it fulfilled (claimed → fulfilled), with a note."""
        note = data.note if data is not None else None
        return await service.act(db, wish_id, "fulfil", principal, note)

    @post("/api/wishes/{wish_id:int}/confirm", status_code=HTTP_200_OK)
    async def confirm(self, wish_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WishOut:
        """The resident (an owner holding its unit) or the committee confirms receipt."""
        return await service.act(db, wish_id, "confirm", principal)

    @post("/api/wishes/{wish_id:int}/cancel", status_code=HTTP_200_OK)
    async def cancel(self, wish_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WishOut:
        """The resident or the committee withdraws a wish before it is fulfilled."""
        return await service.act(db, wish_id, "cancel", principal)


class PledgeController(Controller):
    tags = ("wishes",)

    @post("/api/works/{work_id:int}/pledges", status_code=HTTP_201_CREATED)
    async def make_pledge(
        self, work_id: FromPath[int], data: JSONBody[NewPledge], principal: PrincipalDep, db: DbDep
    ) -> PledgeCreated:
        """A partner unit pledges money to a work; it becomes a funding source for it."""
        return await pledge_service.make_pledge(db, work_id, data, principal)

    @get("/api/estates/{estate_id:int}/pledges")
    async def list_pledges(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[PledgeOut]:
        """Staff see every pledge; a partner unit its own."""
        return await pledge_service.list_pledges(db, estate_id, principal)

    @post("/api/pledges/{pledge_id:int}/withdraw", status_code=HTTP_200_OK)
    async def withdraw_pledge(
        self, pledge_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> PledgeOut:
        """The pledging partner, while the approved plan does not use it (409 otherwise)."""
        return await pledge_service.withdraw_pledge(db, pledge_id, principal)


route_handlers = [WishController, PledgeController]
