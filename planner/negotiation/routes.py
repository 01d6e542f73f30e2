"""Quotes in rounds and counter-offers; wires the slice's controllers and background task.

Suppliers and invitations live in ``supplier_routes.py``; the comparison, reference prices
and the award in ``decision_routes.py``; shared reading rules in ``views.py``.

Who sees what: the committee side (STAFF roles) sees every quote of its estate's works; a
supplier member sees only works they are invited to and only their own quote (anything
else is 404, as if it did not exist). While a work's bids are sealed, nobody but the
bidder sees a price, through these routes or the events (audience "bidder"); opening is
described in ``opening.py``. Every change appends its event in the same transaction.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from litestar import Controller, Litestar, get, post
from litestar.params import FromPath, JSONBody

from planner.access.guards import MANAGERS, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, NotFound
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.decision_routes import DecisionController
from planner.negotiation.model import CounterOfferOut, NewCounterOffer, NewQuote, NewRound, QuoteOut
from planner.negotiation.opening import run_opener, stop_opener
from planner.negotiation.rules import (
    InvalidQuote,
    NegotiationConflict,
    check_counter_offer,
    check_revision,
    is_sealed,
)
from planner.negotiation.supplier_routes import SupplierController
from planner.negotiation.views import (
    authorize_quote_reader,
    check_validity_or_400,
    notify_if_sealed,
    priced_or_400,
    quote_out,
    require_supplier,
    round_audience,
    round_event,
    visible_quote,
)
from planner.works import store as works_store
from planner.works.routes import visible_work
from planner.works.rules import can_quote


class QuoteController(Controller):
    tags = ("negotiation",)

    @post("/api/works/{work_id:int}/quotes")
    async def submit_quote(
        self, work_id: FromPath[int], data: JSONBody[NewQuote], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """A supplier's first quote for a work they are invited to (round 1). Totals are
        derived; one quote per supplier and work (a second is 409: revise it instead)."""
        supplier_id = require_supplier(principal)
        priced = priced_or_400(data.lines)
        check_validity_or_400(data.valid_until)
        async with db.transaction() as conn:
            work = await works_store.get_work(conn, work_id)
            if work is None or not await works_store.is_invited(conn, work_id, supplier_id):
                raise NotFound("work")
            authorize(principal, work.estate_id, ("supplier",))
            if not can_quote(work.status):
                raise Conflict(f"the work is {work.status} and takes no quotes")
            quote_id = await store.insert_quote(conn, work.estate_id, work_id, supplier_id)
            if quote_id is None:
                raise Conflict("you already quoted for this work; send a new round instead")
            await store.insert_round(
                conn,
                quote_id=quote_id,
                round_no=1,
                priced=priced,
                valid_until=data.valid_until,
                is_final=data.is_final,
                by=principal.member_id,
            )
            quote = await store.get_quote(conn, quote_id)
            assert quote is not None
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="quote.submitted",
                data=round_event(quote, 1, priced, data.is_final),
                actor_id=principal.member_id,
                audience=round_audience(work),
                supplier_id=supplier_id,
            )
            await notify_if_sealed(conn, work, quote, 1, principal.member_id)
            return await quote_out(conn, quote, work, principal)

    @post("/api/quotes/{quote_id:int}/rounds")
    async def revise_quote(
        self, quote_id: FromPath[int], data: JSONBody[NewRound], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """The next immutable round. 409 when ``based_on_round`` is not the latest, when
        the latest round was final, or when the quote is awarded or closed."""
        supplier_id = require_supplier(principal)
        priced = priced_or_400(data.lines)
        check_validity_or_400(data.valid_until)
        async with db.transaction() as conn:
            quote = await store.get_quote(conn, quote_id, lock=True)
            if quote is None or quote.supplier_id != supplier_id:
                raise NotFound("quote")
            authorize(principal, quote.estate_id, ("supplier",))
            work = await works_store.get_work(conn, quote.work_id)
            assert work is not None
            latest = await store.get_round(conn, quote_id, quote.latest_round)
            assert latest is not None
            try:
                round_no = check_revision(
                    status=quote.status,
                    latest_round=quote.latest_round,
                    based_on_round=data.based_on_round,
                    latest_is_final=latest.is_final,
                )
            except NegotiationConflict as conflict:
                raise Conflict(str(conflict)) from None
            if not can_quote(work.status):
                raise Conflict(f"the work is {work.status} and takes no revisions")
            await store.insert_round(
                conn,
                quote_id=quote_id,
                round_no=round_no,
                priced=priced,
                valid_until=data.valid_until,
                is_final=data.is_final,
                by=principal.member_id,
            )
            quote = await store.get_quote(conn, quote_id)
            assert quote is not None
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="quote.revised",
                data={
                    **round_event(quote, round_no, priced, data.is_final),
                    "previous_total_fen": latest.total_fen,
                },
                actor_id=principal.member_id,
                audience=round_audience(work),
                supplier_id=supplier_id,
            )
            await notify_if_sealed(conn, work, quote, round_no, principal.member_id)
            return await quote_out(conn, quote, work, principal)

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
        async with db.transaction() as conn:
            quote = await store.get_quote(conn, quote_id, lock=True)
            if quote is None or principal.supplier_id is not None:
                raise NotFound("quote")
            authorize(principal, quote.estate_id, MANAGERS)
            work = await works_store.get_work(conn, quote.work_id)
            assert work is not None
            if is_sealed(work.sealed_until, datetime.now(UTC)):
                raise Conflict("the bids are sealed until their opening time")
            if quote.status != "open":
                raise Conflict(f"the quote is {quote.status}")
            round_no = data.round or quote.latest_round
            if round_no != quote.latest_round:
                raise Conflict(f"round {round_no} was superseded by round {quote.latest_round}")
            answered = await store.get_round(conn, quote_id, round_no)
            assert answered is not None
            try:
                note = check_counter_offer(
                    target_total_fen=data.target_total_fen,
                    line_targets=data.line_targets,
                    note=data.note,
                    round_lines=len(answered.lines),
                )
            except InvalidQuote as invalid:
                raise BadRequest(invalid.field, invalid.reason) from None
            offer = await store.insert_counter_offer(
                conn,
                quote_id=quote_id,
                round_no=round_no,
                target_total_fen=data.target_total_fen,
                line_targets=data.line_targets,
                note=note,
                by=principal.member_id,
            )
            await append_event(
                conn,
                estate_id=quote.estate_id,
                type="quote.countered",
                data={
                    "quote_id": quote_id,
                    "work_id": quote.work_id,
                    "counter_offer_id": offer.id,
                    "round": round_no,
                    "round_total_fen": answered.total_fen,
                    "target_total_fen": data.target_total_fen,
                    "line_targets": len(data.line_targets),
                    "note": note,
                },
                actor_id=principal.member_id,
                audience="supplier",
                supplier_id=quote.supplier_id,
            )
        return CounterOfferOut(
            id=offer.id,
            round=offer.round,
            target_total_fen=offer.target_total_fen,
            line_targets=list(offer.line_targets),
            note=offer.note,
            by=offer.by,
            at=offer.at,
        )

    @get("/api/quotes/{quote_id:int}")
    async def get_quote(
        self, quote_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """Every round with its change against the previous and the first, and the
        counter-offers. Percentages are decimal strings with one place ("-52.8")."""
        quote, work = await visible_quote(db, quote_id, principal)
        async with db.connection() as conn:
            return await quote_out(conn, quote, work, principal)

    @get("/api/works/{work_id:int}/quotes")
    async def list_quotes(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[QuoteOut]:
        """Staff see every quote of the work; a supplier sees only their own."""
        work = await visible_work(db, work_id, principal)
        authorize_quote_reader(principal, work.estate_id)
        async with db.connection() as conn:
            quotes = await store.list_quotes(conn, work_id, principal.supplier_id)
            return [await quote_out(conn, q, work, principal) for q in quotes]


_OPENER_KEY = "negotiation_opener"


async def on_startup(app: Litestar) -> None:
    """Start the periodic opening of sealed bids (see opening.py)."""
    app.state[_OPENER_KEY] = asyncio.create_task(run_opener(app.state.db))


async def on_shutdown(app: Litestar) -> None:
    task = app.state.get(_OPENER_KEY)
    if task is not None:
        await stop_opener(task)


route_handlers = [SupplierController, QuoteController, DecisionController]
