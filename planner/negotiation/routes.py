"""Quotes in rounds and counter-offers over HTTP; wires the slice's controllers and the
periodic opening of sealed bids.

Suppliers and invitations are in ``supplier_routes.py``, the comparison, reference prices
and the award in ``decision_routes.py``; the use cases and who may see what in the
``*service.py`` modules, the opening of sealed bids in ``opening.py``.
"""

from __future__ import annotations

import asyncio

from litestar import Controller, Litestar, get, post
from litestar.params import FromPath, JSONBody

from planner.deps import DbDep, PrincipalDep
from planner.negotiation import service
from planner.negotiation.decision_routes import DecisionController
from planner.negotiation.model import CounterOfferOut, NewCounterOffer, NewQuote, NewRound, QuoteOut
from planner.negotiation.opening import run_opener, stop_opener
from planner.negotiation.supplier_routes import SupplierController


class QuoteController(Controller):
    tags = ("negotiation",)

    @post("/api/works/{work_id:int}/quotes")
    async def submit_quote(
        self, work_id: FromPath[int], data: JSONBody[NewQuote], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """A supplier's first quote for a work they are invited to (round 1). Totals are
        derived; one quote per supplier and work (a second is 409: revise it instead)."""
        return await service.submit_quote(db, work_id, data, principal)

    @post("/api/quotes/{quote_id:int}/rounds")
    async def revise_quote(
        self, quote_id: FromPath[int], data: JSONBody[NewRound], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """The next immutable round. 409 when ``based_on_round`` is not the latest, when
        the latest round was final, or when the quote is awarded or closed."""
        return await service.revise_quote(db, quote_id, data, principal)

    @post("/api/quotes/{quote_id:int}/counter-offers")
    async def counter_offer(
        self,
        quote_id: FromPath[int],
        data: JSONBody[NewCounterOffer],
        principal: PrincipalDep,
        db: DbDep,
    ) -> CounterOfferOut:
        """The committee answers the latest round with a target total and/or line targets.
        409 on a closed or awarded quote, an older round, or sealed bids before opening."""
        return await service.counter_offer(db, quote_id, data, principal)

    @get("/api/quotes/{quote_id:int}")
    async def get_quote(
        self, quote_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """Every round with its change against the previous and the first, and the
        counter-offers. Percentages are decimal strings with one place ("-52.8")."""
        return await service.read_quote(db, quote_id, principal)

    @get("/api/works/{work_id:int}/quotes")
    async def list_quotes(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[QuoteOut]:
        """Staff see every quote of the work; a supplier sees only their own."""
        return await service.list_quotes(db, work_id, principal)


_OPENER_KEY = "negotiation_opener"


async def on_startup(app: Litestar) -> None:
    """Start the periodic opening of sealed bids at their opening time (see opening.py)."""
    app.state[_OPENER_KEY] = asyncio.create_task(run_opener(app.state.db))


async def on_shutdown(app: Litestar) -> None:
    task = app.state.get(_OPENER_KEY)
    if task is not None:
        await stop_opener(task)


route_handlers = [SupplierController, QuoteController, DecisionController]
