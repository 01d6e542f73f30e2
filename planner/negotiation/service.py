"""Quotes in rounds and counter-offers: the use cases, one transaction each with its events.

Suppliers and invitations are in ``supplier_service.py``; the comparison, reference prices
and the award in ``decision_service.py``; opening sealed bids in ``opening.py``.

Who sees what: the committee side (STAFF roles) sees every quote of its estate's works; a
supplier member sees only works they are invited to and only their own quote (anything
else is 404, as if it did not exist). While a work's bids are sealed, nobody but the
bidder sees a price, here or in the events (audience "bidder"). Every read opens the
work's sealed bids first if their time has come (``opening.readable_work``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from planner.access.guards import MANAGERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import Conflict, NotFound
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.model import (
    CounterOfferOut,
    NewCounterOffer,
    NewQuote,
    NewRound,
    PricedRound,
    QuoteOut,
)
from planner.negotiation.opening import readable_work
from planner.negotiation.rules import (
    InvalidQuote,
    NegotiationConflict,
    check_counter_offer,
    check_countered_round,
    check_revision,
    is_sealed,
)
from planner.negotiation.views import (
    authorize_quote_reader,
    bad_request,
    check_validity_or_400,
    counter_offer_out,
    estate_today,
    not_quoting,
    notify_if_sealed,
    priced_or_400,
    quote_out,
    require_supplier,
    round_audience,
    round_event,
    sealed_conflict,
)
from planner.works import store as works_store
from planner.works.model import WorkOut
from planner.works.rules import can_quote


async def _record_round(
    conn: asyncpg.Connection,
    *,
    work: WorkOut,
    quote_id: int,
    round_no: int,
    priced: PricedRound,
    data: NewQuote | NewRound,
    principal: Principal,
    event_type: str,
    event_extra: dict[str, Any],
) -> QuoteOut:
    """Write the round, announce it (to the bidder alone while sealed, with the committee's
    price-free notice) and return the quote as its bidder sees it."""
    await store.insert_round(
        conn,
        quote_id=quote_id,
        round_no=round_no,
        priced=priced,
        valid_until=data.valid_until,
        is_final=data.is_final,
        by=principal.member_id,
        reply_note=data.reply_note,
    )
    quote = await store.get_quote(conn, quote_id)
    assert quote is not None
    await append_event(
        conn,
        estate_id=work.estate_id,
        type=event_type,
        data={**round_event(quote, round_no, priced, data.is_final), **event_extra},
        actor_id=principal.member_id,
        audience=round_audience(work),
        supplier_id=quote.supplier_id,
    )
    await notify_if_sealed(conn, work, quote, round_no, principal.member_id)
    return await quote_out(conn, quote, work, principal)


async def submit_quote(
    db: Database, work_id: int, data: NewQuote, principal: Principal
) -> QuoteOut:
    """A supplier's first quote for a work they are invited to (round 1). Totals are
    derived; one quote per supplier and work (a second is 409: revise it instead)."""
    supplier_id = require_supplier(principal)
    priced = priced_or_400(data.lines)
    async with db.transaction() as conn:
        work = await works_store.get_work(conn, work_id)
        if work is None or not await works_store.is_invited(conn, work_id, supplier_id):
            raise NotFound("work")
        authorize(principal, work.estate_id, ("supplier",), what="work")
        check_validity_or_400(data.valid_until, await estate_today(conn, work.estate_id))
        if not can_quote(work.status):
            raise not_quoting(work, f"the work is {work.status} and takes no quotes")
        quote_id = await store.insert_quote(conn, work.estate_id, work_id, supplier_id)
        if quote_id is None:
            raise Conflict(
                "you already quoted for this work; send a new round instead", "already_quoted"
            )
        return await _record_round(
            conn,
            work=work,
            quote_id=quote_id,
            round_no=1,
            priced=priced,
            data=data,
            principal=principal,
            event_type="quote.submitted",
            event_extra={},
        )


async def revise_quote(
    db: Database, quote_id: int, data: NewRound, principal: Principal
) -> QuoteOut:
    """The next immutable round. 409 when ``based_on_round`` is not the latest, when the
    latest round was final, or when the quote is awarded or closed."""
    supplier_id = require_supplier(principal)
    priced = priced_or_400(data.lines)
    async with db.transaction() as conn:
        quote = await store.get_quote(conn, quote_id, lock=True)
        if quote is None or quote.supplier_id != supplier_id:
            raise NotFound("quote")
        authorize(principal, quote.estate_id, ("supplier",), what="quote")
        check_validity_or_400(data.valid_until, await estate_today(conn, quote.estate_id))
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
            raise Conflict(str(conflict), conflict.code, conflict.params) from None
        if not can_quote(work.status):
            raise not_quoting(work, f"the work is {work.status} and takes no revisions")
        if await store.auction_under_way(conn, work.id):
            raise store.auction_conflict()
        return await _record_round(
            conn,
            work=work,
            quote_id=quote_id,
            round_no=round_no,
            priced=priced,
            data=data,
            principal=principal,
            event_type="quote.revised",
            event_extra={"previous_total_fen": latest.total_fen},
        )


async def counter_offer(
    db: Database, quote_id: int, data: NewCounterOffer, principal: Principal
) -> CounterOfferOut:
    """The committee answers the latest round with a target total and/or line targets.
    409 on a closed or awarded quote, an older round, or sealed bids before opening."""
    async with db.transaction() as conn:
        quote = await store.get_quote(conn, quote_id, lock=True)
        if quote is None or principal.supplier_id is not None:
            raise NotFound("quote")
        authorize(principal, quote.estate_id, MANAGERS, what="quote")
        work = await works_store.get_work(conn, quote.work_id)
        assert work is not None
        if is_sealed(work.sealed_until, datetime.now(UTC)):
            raise sealed_conflict(work)
        if await store.auction_under_way(conn, work.id):
            raise store.auction_conflict()
        try:
            round_no = check_countered_round(
                status=quote.status, latest_round=quote.latest_round, requested_round=data.round
            )
        except NegotiationConflict as conflict:
            raise Conflict(str(conflict), conflict.code, conflict.params) from None
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
            raise bad_request(invalid) from None
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
    return counter_offer_out(offer)


async def read_quote(db: Database, quote_id: int, principal: Principal) -> QuoteOut:
    """Every round with its change against the previous and the first, and the
    counter-offers; a supplier reads only their own quote (else 404)."""
    async with db.connection() as conn:
        quote = await store.get_quote(conn, quote_id)
    if quote is None or (
        principal.supplier_id is not None and quote.supplier_id != principal.supplier_id
    ):
        raise NotFound("quote")
    authorize_quote_reader(principal, quote.estate_id, what="quote")
    work = await readable_work(db, quote.work_id, principal)
    async with db.connection() as conn:
        return await quote_out(conn, quote, work, principal)


async def list_quotes(db: Database, work_id: int, principal: Principal) -> list[QuoteOut]:
    """Staff see every quote of the work; a supplier sees only their own."""
    work = await readable_work(db, work_id, principal)
    authorize_quote_reader(principal, work.estate_id, what="work")
    async with db.connection() as conn:
        quotes = await store.list_quotes(conn, work_id, principal.supplier_id)
        return [await quote_out(conn, q, work, principal) for q in quotes]
