"""Shared pieces of the negotiation services: who may read a quote, how it is shown.

A supplier member sees only their own quote (anything else is 404, as if it did not exist);
while a work's bids are sealed nobody but the bidder sees a price (``rules.can_see_prices``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from planner.access.guards import STAFF, authorize
from planner.access.model import Principal
from planner.errors import BadRequest, Conflict, Forbidden
from planner.estates import store as estates_store
from planner.events import Audience, append_event
from planner.localtime import local_day
from planner.negotiation import store
from planner.negotiation.model import CounterOfferOut, LineInput, PricedRound, QuoteOut
from planner.negotiation.rules import (
    InvalidQuote,
    can_see_prices,
    check_valid_until,
    history,
    is_sealed,
    price_lines,
)
from planner.works.model import WorkOut
from planner.works.rules import QUOTING_STATUSES


def bad_request(invalid: InvalidQuote) -> BadRequest:
    """The 400 answer to input the rules refused."""
    return BadRequest(invalid.field, invalid.reason, invalid.code, invalid.params)


def priced_or_400(lines: Sequence[LineInput]) -> PricedRound:
    try:
        return price_lines(lines)
    except InvalidQuote as invalid:
        raise bad_request(invalid) from None


def not_quoting(work: WorkOut, detail: str) -> Conflict:
    """409 for a quote, revision or invitation on a work that is not approved or quoting."""
    return Conflict(
        detail,
        "wrong_status",
        {"what": "work", "status": work.status, "needed": sorted(QUOTING_STATUSES)},
    )


def sealed_conflict(work: WorkOut) -> Conflict:
    """409 for a price decision (counter-offer, award) before the bids are opened."""
    opens_at = work.sealed_until.isoformat() if work.sealed_until else None
    return Conflict(
        "the bids are sealed until their opening time", "sealed", {"opens_at": opens_at}
    )


async def estate_today(conn: asyncpg.Connection, estate_id: int) -> date:
    """Validity dates are calendar days in the estate's time zone (Asia/Shanghai unless set)."""
    return local_day(datetime.now(UTC), await estates_store.estate_time_zone(conn, estate_id))


def check_validity_or_400(valid_until: date | None, today: date) -> None:
    try:
        check_valid_until(valid_until, today)
    except InvalidQuote as invalid:
        raise bad_request(invalid) from None


def round_audience(work: WorkOut) -> Audience:
    """Round events carry prices: the bidder alone while sealed, else staff and the bidder."""
    return "bidder" if is_sealed(work.sealed_until, datetime.now(UTC)) else "supplier"


def require_supplier(principal: Principal) -> int:
    if principal.role != "supplier" or principal.supplier_id is None:
        raise Forbidden("only a supplier's negotiator submits quotes", "supplier_only")
    return principal.supplier_id


def authorize_quote_reader(principal: Principal, estate_id: int, *, what: str) -> None:
    """Staff read every quote; a supplier (checked per quote) only their own. Outside the
    estate: 404 ``<what>_not_found``, as for a missing id."""
    if principal.supplier_id is None:
        authorize(principal, estate_id, STAFF, what=what)
    else:
        authorize(principal, estate_id, ("supplier",), what=what)


async def quote_out(
    conn: asyncpg.Connection, quote: store.QuoteRow, work: WorkOut, principal: Principal
) -> QuoteOut:
    show = can_see_prices(
        viewer_supplier_id=principal.supplier_id,
        quote_supplier_id=quote.supplier_id,
        sealed_until=work.sealed_until,
        now=datetime.now(UTC),
    )
    rounds = await store.list_rounds(conn, quote.id)
    offers = await store.list_counter_offers(conn, quote.id)
    return QuoteOut(
        id=quote.id,
        work_id=quote.work_id,
        supplier_id=quote.supplier_id,
        supplier_name=quote.supplier_name,
        status=quote.status,
        latest_round=quote.latest_round,
        sealed=not show,
        rounds=history(rounds, show_prices=show),
        counter_offers=[counter_offer_out(o) for o in offers],
    )


def counter_offer_out(offer: store.CounterOfferRow) -> CounterOfferOut:
    return CounterOfferOut(
        id=offer.id,
        round=offer.round,
        target_total_fen=offer.target_total_fen,
        line_targets=list(offer.line_targets),
        note=offer.note,
        by=offer.by,
        at=offer.at,
    )


def received_event(quote: store.QuoteRow, round_no: int) -> dict[str, Any]:
    """The committee's price-free notice of a sealed bid (audience "staff"): who bid and
    which round, never a price, a line or a total."""
    return {
        "work_id": quote.work_id,
        "supplier_id": quote.supplier_id,
        "supplier_name": quote.supplier_name,
        "round": round_no,
        "received_at": datetime.now(UTC),
    }


async def notify_if_sealed(
    conn: asyncpg.Connection,
    work: WorkOut,
    quote: store.QuoteRow,
    round_no: int,
    actor_id: int | None,
) -> None:
    """While the bids are sealed, tell the committee a bid arrived (same transaction)."""
    if round_audience(work) != "bidder":
        return
    await append_event(
        conn,
        estate_id=work.estate_id,
        type="quote.received",
        data=received_event(quote, round_no),
        actor_id=actor_id,
        audience="staff",
    )


def round_event(
    quote: store.QuoteRow, round_no: int, priced: PricedRound, final: bool
) -> dict[str, Any]:
    return {
        "quote_id": quote.id,
        "work_id": quote.work_id,
        "supplier_id": quote.supplier_id,
        "supplier_name": quote.supplier_name,
        "round": round_no,
        "total_fen": priced.total_fen,
        "lines": len(priced.lines),
        "is_final": final,
    }
