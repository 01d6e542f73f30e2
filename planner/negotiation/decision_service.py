"""The decision side: the comparison, the committee's reference prices and the award."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from planner.access.guards import MANAGERS, STAFF, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import Conflict, NotFound
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.model import (
    ComparisonOut,
    QuoteOut,
    ReceivedBid,
    ReferenceLine,
    ReferencePrices,
)
from planner.negotiation.opening import readable_work
from planner.negotiation.rules import NegotiationConflict, check_award, compare, is_sealed
from planner.negotiation.views import (
    authorize_quote_reader,
    estate_today,
    quote_out,
    sealed_conflict,
)
from planner.works import store as works_store
from planner.works.model import WorkOut
from planner.works.rules import IllegalTransition, next_status


async def _sealed_comparison(conn: asyncpg.Connection, work: WorkOut) -> ComparisonOut:
    """The committee's view before opening: who bid and which round, never a price."""
    quotes = await store.list_quotes(conn, work.id)
    return ComparisonOut(
        work_id=work.id,
        sealed=True,
        opens_at=work.sealed_until,
        bidders=len(quotes),
        quotes=[],
        rows=[],
        received=[
            ReceivedBid(
                supplier_id=q.supplier_id, supplier_name=q.supplier_name, round=q.latest_round
            )
            for q in quotes
        ],
    )


async def comparison(db: Database, work_id: int, principal: Principal) -> ComparisonOut:
    """Current rounds side by side, lowest unit price per line marked, with the committee's
    reference prices. A supplier's comparison holds only their own quote."""
    work = await readable_work(db, work_id, principal)
    authorize_quote_reader(principal, work.estate_id, what="work")
    sealed = is_sealed(work.sealed_until, datetime.now(UTC))
    async with db.connection() as conn:
        if sealed and principal.supplier_id is None:
            return await _sealed_comparison(conn, work)
        quotes = await store.current_rounds(conn, work_id, principal.supplier_id)
        references = (
            await store.list_reference_lines(conn, work_id) if principal.supplier_id is None else []
        )
    result = compare(quotes, references)
    return ComparisonOut(
        work_id=work_id,
        sealed=sealed,
        opens_at=work.sealed_until,
        bidders=len(quotes),
        quotes=list(result.quotes),
        rows=list(result.rows),
    )


async def _announce_award(
    conn: asyncpg.Connection,
    work: WorkOut,
    quote: store.QuoteRow,
    round_no: int,
    total_fen: int,
    closed: list[tuple[int, int]],
    actor_id: int,
) -> None:
    """The award to the members, to the winning bidder, and its closing to the others."""
    award = {
        "work_id": work.id,
        "quote_id": quote.id,
        "supplier_id": quote.supplier_id,
        "supplier_name": quote.supplier_name,
        "round": round_no,
        "total_fen": total_fen,
    }
    await append_event(
        conn,
        estate_id=work.estate_id,
        type="work.awarded",
        data=award,
        actor_id=actor_id,
        audience="members",
    )
    await append_event(
        conn,
        estate_id=work.estate_id,
        type="quote.awarded",
        data=award,
        actor_id=actor_id,
        audience="bidder",
        supplier_id=quote.supplier_id,
    )
    for closed_id, supplier_id in closed:
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="quote.closed",
            data={"quote_id": closed_id, "work_id": work.id, "reason": "another quote was awarded"},
            actor_id=actor_id,
            audience="bidder",
            supplier_id=supplier_id,
        )


async def award(db: Database, quote_id: int, round_no: int, principal: Principal) -> QuoteOut:
    """Accept the latest round of an open quote: its total becomes the work's cost, the
    other quotes close, the work becomes awarded. 409 for a superseded round, sealed bids,
    a work not in quoting, or a work that requires a passed motion without one."""
    async with db.transaction() as conn:
        peek = await store.get_quote(conn, quote_id)
        if peek is None or principal.supplier_id is not None:
            raise NotFound("quote")
        authorize(principal, peek.estate_id, MANAGERS, what="quote")
        work = await works_store.get_work(conn, peek.work_id, lock=True)
        quote = await store.get_quote(conn, quote_id, lock=True)
        assert work is not None and quote is not None
        if is_sealed(work.sealed_until, datetime.now(UTC)):
            raise sealed_conflict(work)
        if await store.auction_under_way(conn, work.id):
            raise store.auction_conflict()
        try:
            next_status(work.status, "awarded")
            awarded = await store.get_round(conn, quote_id, round_no)
            check_award(
                status=quote.status,
                latest_round=quote.latest_round,
                requested_round=round_no,
                valid_until=awarded.valid_until if awarded else None,
                today=await estate_today(conn, work.estate_id),
            )
        except (IllegalTransition, NegotiationConflict) as conflict:
            raise Conflict(str(conflict), conflict.code, conflict.params) from None
        assert awarded is not None
        if work.requires_motion and not await store.passed_motion_for_work(conn, work.id):
            raise Conflict("this work needs a passed motion before the award", "award_needs_motion")
        await store.set_quote_status(conn, quote_id, "awarded")
        closed = await works_store.close_open_quotes(conn, work.id, except_quote=quote_id)
        await works_store.set_awarded(conn, work.id, quote_id, round_no, awarded.total_fen)
        await _announce_award(
            conn, work, quote, round_no, awarded.total_fen, closed, principal.member_id
        )
        final = await store.get_quote(conn, quote_id)
        reread = await works_store.get_work(conn, work.id)
        assert final is not None and reread is not None
        return await quote_out(conn, final, reread, principal)


async def set_reference_prices(
    db: Database, work_id: int, data: ReferencePrices, principal: Principal
) -> list[ReferenceLine]:
    """The committee's benchmark unit prices, matched to quote lines by key or description."""
    async with db.transaction() as conn:
        work = await works_store.get_work(conn, work_id, lock=True)
        if work is None or principal.supplier_id is not None:
            raise NotFound("work")
        authorize(principal, work.estate_id, MANAGERS, what="work")
        lines = [
            ReferenceLine(
                description=r.description.strip(),
                unit_price_fen=r.unit_price_fen,
                line_key=r.line_key,
            )
            for r in data.lines
        ]
        await store.replace_reference_lines(conn, work_id, lines)
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="work.reference_prices_set",
            data={"work_id": work_id, "lines": len(lines)},
            actor_id=principal.member_id,
            audience="staff",
        )
    return lines


async def reference_prices(db: Database, work_id: int, principal: Principal) -> list[ReferenceLine]:
    """The committee's reference prices; never shown to a supplier (404)."""
    work = await readable_work(db, work_id, principal)
    if principal.supplier_id is not None:
        raise NotFound("reference prices")
    authorize(principal, work.estate_id, STAFF, what="work")
    async with db.connection() as conn:
        return await store.list_reference_lines(conn, work_id)
