"""The decision side: the comparison, the committee's reference prices and the award."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from planner.access.guards import MANAGERS, STAFF, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import Conflict, NotFound
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.model import (
    AwardBody,
    ComparisonOut,
    QuoteOut,
    ReceivedBid,
    ReferenceLine,
    ReferencePrices,
)
from planner.negotiation.rules import NegotiationConflict, check_award, compare, is_sealed
from planner.negotiation.views import authorize_quote_reader, china_today, quote_out
from planner.works import store as works_store
from planner.works.routes import visible_work
from planner.works.rules import IllegalTransition, next_status


class DecisionController(Controller):
    tags = ("negotiation",)

    @get("/api/works/{work_id:int}/comparison")
    async def comparison(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ComparisonOut:
        """Current rounds side by side, lowest unit price per line marked, with the
        committee's reference prices. A supplier's comparison holds only their own quote."""
        work = await visible_work(db, work_id, principal)
        authorize_quote_reader(principal, work.estate_id)
        sealed = is_sealed(work.sealed_until, datetime.now(UTC))
        async with db.connection() as conn:
            if sealed and principal.supplier_id is None:
                sealed_quotes = await store.list_quotes(conn, work_id)
                return ComparisonOut(
                    work_id=work_id,
                    sealed=True,
                    opens_at=work.sealed_until,
                    bidders=len(sealed_quotes),
                    quotes=[],
                    rows=[],
                    received=[
                        ReceivedBid(
                            supplier_id=q.supplier_id,
                            supplier_name=q.supplier_name,
                            round=q.latest_round,
                        )
                        for q in sealed_quotes
                    ],
                )
            quotes = await store.current_rounds(conn, work_id, principal.supplier_id)
            references = (
                await store.list_reference_lines(conn, work_id)
                if principal.supplier_id is None
                else []
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

    @post("/api/quotes/{quote_id:int}/award", status_code=HTTP_200_OK)
    async def award(
        self, quote_id: FromPath[int], data: JSONBody[AwardBody], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """Accept the latest round of an open quote: its total becomes the work's cost, the
        other quotes close, the work becomes awarded. 409 for a superseded round, sealed
        bids, a work not in quoting, or a work that requires a passed motion without one."""
        async with db.transaction() as conn:
            peek = await store.get_quote(conn, quote_id)
            if peek is None or principal.supplier_id is not None:
                raise NotFound("quote")
            authorize(principal, peek.estate_id, MANAGERS)
            work = await works_store.get_work(conn, peek.work_id, lock=True)
            quote = await store.get_quote(conn, quote_id, lock=True)
            assert work is not None and quote is not None
            if is_sealed(work.sealed_until, datetime.now(UTC)):
                raise Conflict("the bids are sealed until their opening time")
            try:
                next_status(work.status, "awarded")
                awarded = await store.get_round(conn, quote_id, data.round)
                check_award(
                    status=quote.status,
                    latest_round=quote.latest_round,
                    requested_round=data.round,
                    valid_until=awarded.valid_until if awarded else None,
                    today=china_today(),
                )
            except (IllegalTransition, NegotiationConflict) as conflict:
                raise Conflict(str(conflict)) from None
            assert awarded is not None
            if work.requires_motion and not await store.passed_motion_for_work(conn, work.id):
                raise Conflict("this work needs a passed motion before the award")
            await store.set_quote_status(conn, quote_id, "awarded")
            closed = await store.close_open_quotes(conn, work.id, except_quote=quote_id)
            await works_store.set_awarded(conn, work.id, quote_id, data.round, awarded.total_fen)
            award_data = {
                "work_id": work.id,
                "quote_id": quote_id,
                "supplier_id": quote.supplier_id,
                "supplier_name": quote.supplier_name,
                "round": data.round,
                "total_fen": awarded.total_fen,
            }
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="work.awarded",
                data=award_data,
                actor_id=principal.member_id,
                audience="members",
            )
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="quote.awarded",
                data=award_data,
                actor_id=principal.member_id,
                audience="bidder",
                supplier_id=quote.supplier_id,
            )
            for closed_id, supplier_id in closed:
                await append_event(
                    conn,
                    estate_id=work.estate_id,
                    type="quote.closed",
                    data={
                        "quote_id": closed_id,
                        "work_id": work.id,
                        "reason": "another quote was awarded",
                    },
                    actor_id=principal.member_id,
                    audience="bidder",
                    supplier_id=supplier_id,
                )
            final = await store.get_quote(conn, quote_id)
            reread = await works_store.get_work(conn, work.id)
            assert final is not None and reread is not None
            return await quote_out(conn, final, reread, principal)

    @put("/api/works/{work_id:int}/reference-prices")
    async def set_reference_prices(
        self,
        work_id: FromPath[int],
        data: JSONBody[ReferencePrices],
        principal: PrincipalDep,
        db: DbDep,
    ) -> list[ReferenceLine]:
        """The committee's benchmark unit prices, matched to quote lines by key or description."""
        async with db.transaction() as conn:
            work = await works_store.get_work(conn, work_id, lock=True)
            if work is None or principal.supplier_id is not None:
                raise NotFound("work")
            authorize(principal, work.estate_id, MANAGERS)
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

    @get("/api/works/{work_id:int}/reference-prices")
    async def get_reference_prices(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[ReferenceLine]:
        work = await visible_work(db, work_id, principal)
        if principal.supplier_id is not None:
            raise NotFound("reference prices")
        authorize(principal, work.estate_id, STAFF)
        async with db.connection() as conn:
            return await store.list_reference_lines(conn, work_id)
