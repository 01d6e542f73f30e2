"""Live reverse auctions over HTTP (issue 20; the contract is docs/auction.md): create,
list, read, bid, cancel. The schedule (turns, round ends, the finish) starts with the app."""

from __future__ import annotations

import asyncio

from litestar import Controller, Litestar, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.auction import schedule, service
from planner.auction.model import AuctionView, BidOut, NewAuction, NewBid
from planner.deps import DbDep, PrincipalDep

_SCHEDULE_KEY = "auction_schedule"


class AuctionController(Controller):
    tags = ["auction"]

    @post("/api/works/{work_id:int}/auctions", status_code=HTTP_201_CREATED)
    async def create_auction(
        self, work_id: FromPath[int], data: JSONBody[NewAuction], principal: PrincipalDep, db: DbDep
    ) -> AuctionView:
        """Committee or admin: an auction among the work's bidders after the opening.
        409 ``auction_not_open``, ``auction_exists``, ``auction_too_few_bidders``."""
        created = await service.create(db, work_id, data, principal)
        schedule.wake()
        return created

    @get("/api/works/{work_id:int}/auctions")
    async def list_auctions(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[AuctionView]:
        """The work's auctions as the caller may see them (suppliers: numbers only)."""
        return await service.list_for_work(db, work_id, principal)

    @get("/api/auctions/{auction_id:int}")
    async def get_auction(
        self, auction_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> AuctionView:
        """Staff see identities; an invited supplier sees numbers only until the end."""
        return await service.read(db, auction_id, principal)

    @post("/api/auctions/{auction_id:int}/bids", status_code=HTTP_201_CREATED)
    async def place_bid(
        self, auction_id: FromPath[int], data: JSONBody[NewBid], principal: PrincipalDep, db: DbDep
    ) -> BidOut:
        """The bidder whose turn it is; 400 ``auction_step_too_small``, 409
        ``auction_not_your_turn`` / ``auction_turn_over`` / ``auction_not_running``."""
        return await service.bid(db, auction_id, data, principal)

    @post("/api/auctions/{auction_id:int}/cancel", status_code=HTTP_200_OK)
    async def cancel_auction(
        self, auction_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> AuctionView:
        """Committee or admin, before the end; the quotes keep their rounds."""
        return await service.cancel(db, auction_id, principal)


async def on_startup(app: Litestar) -> None:
    """Start the auctions' schedule (see schedule.py)."""
    app.state[_SCHEDULE_KEY] = asyncio.create_task(schedule.run_schedule(app.state.db))


async def on_shutdown(app: Litestar) -> None:
    task = app.state.get(_SCHEDULE_KEY)
    if task is not None:
        await schedule.stop_schedule(task)


route_handlers = [AuctionController]
