"""Suppliers, invitations, quotes in rounds, counter-offers, comparison and award.

Who sees what: the committee side (STAFF roles) sees every quote of its estate's works; a
supplier member sees only works they are invited to and only their own quote (anything
else is 404, as if it did not exist). While a work's bids are sealed, nobody but the
bidder sees a price, through these routes or the events (audience "bidder"); opening is
described in ``opening.py``. Every change appends its event in the same transaction.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import asyncpg
from litestar import Controller, Litestar, get, post, put
from litestar.status_codes import HTTP_200_OK

from planner.access.guards import ANY_MEMBER, MANAGERS, STAFF, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.live.events import Audience, append_event
from planner.negotiation import store
from planner.negotiation.model import (
    AwardBody,
    ComparisonOut,
    CounterOfferOut,
    InvitationOut,
    NewCounterOffer,
    NewInvitation,
    NewQuote,
    NewRound,
    NewSupplier,
    PricedRound,
    QuoteOut,
    ReferenceLine,
    ReferencePrices,
    SupplierOut,
)
from planner.negotiation.opening import run_opener, stop_opener
from planner.negotiation.rules import (
    InvalidQuote,
    NegotiationConflict,
    can_see_prices,
    check_award,
    check_counter_offer,
    check_revision,
    check_valid_until,
    compare,
    history,
    is_sealed,
    price_lines,
)
from planner.works import store as works_store
from planner.works.model import WorkOut
from planner.works.routes import visible_work
from planner.works.rules import IllegalTransition, can_quote, next_status

CHINA = timezone(timedelta(hours=8), "CST")


def _priced(lines: Any) -> PricedRound:
    try:
        return price_lines(lines)
    except InvalidQuote as invalid:
        raise BadRequest(invalid.field, invalid.reason) from None


def _today() -> date:
    """Validity dates are calendar days in China Standard Time (UTC+8)."""
    return datetime.now(CHINA).date()


def _check_validity(valid_until: date | None) -> None:
    try:
        check_valid_until(valid_until, _today())
    except InvalidQuote as invalid:
        raise BadRequest(invalid.field, invalid.reason) from None


def _round_audience(work: WorkOut) -> Audience:
    """Round events carry prices: the bidder alone while sealed, else staff and the bidder."""
    return "bidder" if is_sealed(work.sealed_until, datetime.now(UTC)) else "supplier"


def _require_supplier(principal: Principal) -> int:
    if principal.role != "supplier" or principal.supplier_id is None:
        raise Forbidden("only a supplier's negotiator submits quotes")
    return principal.supplier_id


def _read_quotes(principal: Principal, estate_id: int) -> None:
    """Staff read every quote; a supplier (checked per quote) only their own."""
    if principal.supplier_id is None:
        authorize(principal, estate_id, STAFF)
    else:
        authorize(principal, estate_id, ("supplier",))


async def _visible_quote(
    db: Database, quote_id: int, principal: Principal
) -> tuple[store.QuoteRow, WorkOut]:
    async with db.connection() as conn:
        quote = await store.get_quote(conn, quote_id)
    if quote is None or (
        principal.supplier_id is not None and quote.supplier_id != principal.supplier_id
    ):
        raise NotFound("quote")
    _read_quotes(principal, quote.estate_id)
    work = await visible_work(db, quote.work_id, principal)
    return quote, work


async def _quote_out(
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
        counter_offers=[
            CounterOfferOut(
                id=o.id,
                round=o.round,
                target_total_fen=o.target_total_fen,
                line_targets=list(o.line_targets),
                note=o.note,
                by=o.by,
                at=o.at,
            )
            for o in offers
        ],
    )


def _round_event(
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


class SupplierController(Controller):
    tags = ("negotiation",)

    @post("/api/estates/{estate_id:int}/suppliers")
    async def add_supplier(
        self, estate_id: int, data: NewSupplier, principal: PrincipalDep, db: DbDep
    ) -> SupplierOut:
        """Committee or admin; a second supplier of the same name is 409."""
        authorize(principal, estate_id, MANAGERS)
        async with db.transaction() as conn:
            if not await conn.fetchval("SELECT 1 FROM estates WHERE id = $1", estate_id):
                raise NotFound("estate")
            supplier = await store.insert_supplier(conn, estate_id, data.name.strip())
            if supplier is None:
                raise Conflict(f"supplier {data.name} already exists")
            await append_event(
                conn,
                estate_id=estate_id,
                type="supplier.added",
                data={"supplier_id": supplier.id, "name": supplier.name},
                actor_id=principal.member_id,
                audience="staff",
            )
        return SupplierOut(id=supplier.id, estate_id=estate_id, name=supplier.name)

    @get("/api/estates/{estate_id:int}/suppliers")
    async def list_suppliers(
        self, estate_id: int, principal: PrincipalDep, db: DbDep
    ) -> list[SupplierOut]:
        """A supplier member sees only their own company."""
        authorize(principal, estate_id, ANY_MEMBER)
        async with db.connection() as conn:
            rows = await store.list_suppliers(conn, estate_id, principal.supplier_id)
        return [SupplierOut(id=r.id, estate_id=r.estate_id, name=r.name) for r in rows]

    @post("/api/works/{work_id:int}/invitations")
    async def invite(
        self, work_id: int, data: NewInvitation, principal: PrincipalDep, db: DbDep
    ) -> InvitationOut:
        """Invite a supplier of the estate; the first invitation moves an approved work to
        quoting. Only approved or quoting works take invitations (else 409)."""
        async with db.transaction() as conn:
            work = await works_store.get_work(conn, work_id, lock=True)
            if work is None:
                raise NotFound("work")
            authorize(principal, work.estate_id, MANAGERS)
            supplier = await store.get_supplier(conn, data.supplier_id)
            if supplier is None or supplier.estate_id != work.estate_id:
                raise BadRequest("supplier_id", "not a supplier of this estate")
            if not can_quote(work.status):
                raise Conflict(f"the work is {work.status}; invitations need it approved")
            invited_at = await store.insert_invitation(
                conn, work_id, supplier.id, principal.member_id
            )
            if invited_at is None:
                raise Conflict(f"{supplier.name} is already invited")
            if work.status == "approved":
                await works_store.set_status(conn, work_id, "quoting")
                await append_event(
                    conn,
                    estate_id=work.estate_id,
                    type="work.status_changed",
                    data={"work_id": work_id, "from": "approved", "to": "quoting"},
                    actor_id=principal.member_id,
                    audience="members",
                )
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="supplier.invited",
                data={
                    "work_id": work_id,
                    "title": work.title,
                    "supplier_id": supplier.id,
                    "supplier_name": supplier.name,
                    "sealed_until": work.sealed_until,
                },
                actor_id=principal.member_id,
                audience="supplier",
                supplier_id=supplier.id,
            )
        return InvitationOut(
            work_id=work_id,
            supplier_id=supplier.id,
            supplier_name=supplier.name,
            invited_at=invited_at,
        )

    @get("/api/works/{work_id:int}/invitations")
    async def list_invitations(
        self, work_id: int, principal: PrincipalDep, db: DbDep
    ) -> list[InvitationOut]:
        work = await visible_work(db, work_id, principal)
        _read_quotes(principal, work.estate_id)
        async with db.connection() as conn:
            rows = await store.list_invitations(conn, work_id, principal.supplier_id)
        return [InvitationOut(work_id=work_id, **r) for r in rows]


class QuoteController(Controller):
    tags = ("negotiation",)

    @post("/api/works/{work_id:int}/quotes")
    async def submit_quote(
        self, work_id: int, data: NewQuote, principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """A supplier's first quote for a work they are invited to (round 1). Totals are
        derived; one quote per supplier and work (a second is 409: revise it instead)."""
        supplier_id = _require_supplier(principal)
        priced = _priced(data.lines)
        _check_validity(data.valid_until)
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
                data=_round_event(quote, 1, priced, data.is_final),
                actor_id=principal.member_id,
                audience=_round_audience(work),
                supplier_id=supplier_id,
            )
            return await _quote_out(conn, quote, work, principal)

    @post("/api/quotes/{quote_id:int}/rounds")
    async def revise_quote(
        self, quote_id: int, data: NewRound, principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """The next immutable round. 409 when ``based_on_round`` is not the latest, when
        the latest round was final, or when the quote is awarded or closed."""
        supplier_id = _require_supplier(principal)
        priced = _priced(data.lines)
        _check_validity(data.valid_until)
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
                    **_round_event(quote, round_no, priced, data.is_final),
                    "previous_total_fen": latest.total_fen,
                },
                actor_id=principal.member_id,
                audience=_round_audience(work),
                supplier_id=supplier_id,
            )
            return await _quote_out(conn, quote, work, principal)

    @post("/api/quotes/{quote_id:int}/counter-offers")
    async def counter_offer(
        self, quote_id: int, data: NewCounterOffer, principal: PrincipalDep, db: DbDep
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
    async def get_quote(self, quote_id: int, principal: PrincipalDep, db: DbDep) -> QuoteOut:
        """Every round with its change against the previous and the first, and the
        counter-offers. Percentages are decimal strings with one place ("-52.8")."""
        quote, work = await _visible_quote(db, quote_id, principal)
        async with db.connection() as conn:
            return await _quote_out(conn, quote, work, principal)

    @get("/api/works/{work_id:int}/quotes")
    async def list_quotes(self, work_id: int, principal: PrincipalDep, db: DbDep) -> list[QuoteOut]:
        """Staff see every quote of the work; a supplier sees only their own."""
        work = await visible_work(db, work_id, principal)
        _read_quotes(principal, work.estate_id)
        async with db.connection() as conn:
            quotes = await store.list_quotes(conn, work_id, principal.supplier_id)
            return [await _quote_out(conn, q, work, principal) for q in quotes]

    @get("/api/works/{work_id:int}/comparison")
    async def comparison(self, work_id: int, principal: PrincipalDep, db: DbDep) -> ComparisonOut:
        """Current rounds side by side, lowest unit price per line marked, with the
        committee's reference prices. A supplier's comparison holds only their own quote."""
        work = await visible_work(db, work_id, principal)
        _read_quotes(principal, work.estate_id)
        sealed = is_sealed(work.sealed_until, datetime.now(UTC))
        async with db.connection() as conn:
            if sealed and principal.supplier_id is None:
                bidders = len(await store.list_quotes(conn, work_id))
                return ComparisonOut(
                    work_id=work_id,
                    sealed=True,
                    opens_at=work.sealed_until,
                    bidders=bidders,
                    quotes=[],
                    rows=[],
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
        self, quote_id: int, data: AwardBody, principal: PrincipalDep, db: DbDep
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
                    today=_today(),
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
            return await _quote_out(conn, final, reread, principal)

    @put("/api/works/{work_id:int}/reference-prices")
    async def set_reference_prices(
        self, work_id: int, data: ReferencePrices, principal: PrincipalDep, db: DbDep
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
        self, work_id: int, principal: PrincipalDep, db: DbDep
    ) -> list[ReferenceLine]:
        work = await visible_work(db, work_id, principal)
        if principal.supplier_id is not None:
            raise NotFound("reference prices")
        authorize(principal, work.estate_id, STAFF)
        async with db.connection() as conn:
            return await store.list_reference_lines(conn, work_id)


_OPENER_KEY = "negotiation_opener"


async def on_startup(app: Litestar) -> None:
    """Start the periodic opening of sealed bids (see opening.py)."""
    app.state[_OPENER_KEY] = asyncio.create_task(run_opener(app.state.db))


async def on_shutdown(app: Litestar) -> None:
    task = app.state.get(_OPENER_KEY)
    if task is not None:
        await stop_opener(task)


route_handlers = [SupplierController, QuoteController]
