"""The live reverse auction's use cases: create, read, bid, cancel, and the schedule's steps.

Who sees what: the committee side (STAFF) sees every bidder's number, price and identity;
a supplier invited to the work sees numbers and prices only (``supplier_id`` and
``supplier_name`` null, its own row marked ``is_you``) until the auction is finished. Every
event has the audience ``auction`` (staff and the members of the suppliers invited to the
work) and names bidders by number only, with no actor, until ``auction.finished``.

Bids are serialised by the auction row's lock (FOR UPDATE); whether a bid is in its turn is
judged by PostgreSQL's ``clock_timestamp()`` under that lock and again just before commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import asyncpg

from planner.access.guards import MANAGERS, STAFF, authorize
from planner.access.model import Principal
from planner.auction import store
from planner.auction.model import (
    AuctionStatus,
    AuctionView,
    BidderOut,
    BidOut,
    BidRecord,
    NewAuction,
    NewBid,
    TurnOut,
)
from planner.auction.rules import (
    AuctionRefusal,
    Bid,
    Schedule,
    check_amount,
    judge_turn,
    max_bid_fen,
    places,
    prices,
    round_order,
    scale_lines,
    slot_at,
    step_fen,
)
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.events import append_event
from planner.negotiation import opening
from planner.negotiation import store as negotiation_store
from planner.negotiation.model import PricedRound, RoundRecord
from planner.negotiation.store import QuoteRow
from planner.negotiation.views import round_event
from planner.works import store as works_store

DEFAULT_STEP_PCT = Decimal("0.5")
AUCTION_READERS = (*STAFF, "supplier")


def _refused(refusal: AuctionRefusal, field: str = "total_fen") -> BadRequest | Conflict:
    if refusal.status == 400:
        return BadRequest(field, str(refusal), refusal.code, refusal.params)
    return Conflict(str(refusal), refusal.code, refusal.params)


def _step_settings(data: NewAuction) -> tuple[Decimal | None, int | None]:
    """The step as stored: a percentage (0 < pct ≤ 50, at most 4 places) or an amount."""
    if data.min_step_pct is not None and data.min_step_fen is not None:
        raise BadRequest(
            "min_step_fen",
            "give min_step_pct or min_step_fen, not both",
            "auction_one_step",
        )
    if data.min_step_fen is not None:
        return None, data.min_step_fen
    pct = DEFAULT_STEP_PCT if data.min_step_pct is None else data.min_step_pct
    if not pct.is_finite() or pct <= 0:
        raise BadRequest("min_step_pct", "must be greater than 0", "too_small", {"min": "0"})
    if pct > 50:
        raise BadRequest("min_step_pct", "must be at most 50", "too_large", {"max": "50"})
    if pct != pct.quantize(Decimal("0.0001")):
        raise BadRequest("min_step_pct", "at most 4 decimal places", "too_precise", {"places": 4})
    return pct.normalize(), None


def schedule_of(auction: store.AuctionRow) -> Schedule:
    return Schedule(
        starts_at=auction.starts_at,
        rounds=auction.rounds,
        bidders=auction.bidder_count,
        turn_seconds=auction.turn_seconds,
        pause_seconds=auction.pause_seconds,
    )


def _orders(start: dict[int, int], bids: list[Bid]) -> Callable[[int], list[int]]:
    cache: dict[int, list[int]] = {}

    def order_of(round_no: int) -> list[int]:
        if round_no not in cache:
            cache[round_no] = round_order(start, bids, round_no)
        return cache[round_no]

    return order_of


# ---------------------------------------------------------------- the view


async def view(
    conn: asyncpg.Connection, auction: store.AuctionRow, principal: Principal
) -> AuctionView:
    """The auction as ``principal`` may see it (staff: identities; suppliers: numbers only
    until finished)."""
    now = await store.now(conn)
    bidders = await store.list_bidders(conn, auction.id)
    bids = await store.list_bids(conn, auction.id)
    return build_view(auction, bidders, bids, principal, now)


def build_view(
    auction: store.AuctionRow,
    bidders: list[store.BidderRow],
    bids: list[Bid],
    principal: Principal,
    now: datetime,
) -> AuctionView:
    schedule = schedule_of(auction)
    start = {b.number: b.start_fen for b in bidders}
    current = prices(start, bids)
    ranks = places(start, bids)
    lowest = min(current.values())
    step = step_fen(lowest, auction.min_step_pct, auction.min_step_fen)
    revealed = auction.status == "finished" or principal.supplier_id is None
    mine = next((b for b in bidders if b.supplier_id == principal.supplier_id), None)
    slot = slot_at(schedule, now)
    status: AuctionStatus
    if auction.status in ("finished", "cancelled"):
        status = "finished" if auction.status == "finished" else "cancelled"
    else:
        status = {"before": "scheduled", "turn": "running", "pause": "pause"}.get(
            slot.kind, "running"
        )  # type: ignore[assignment]
    round_no = slot.round if auction.status != "finished" else auction.rounds
    order = round_order(start, bids, max(round_no, 1))
    turn = None
    if status == "running" and slot.kind == "turn" and slot.index is not None:
        turn_start, turn_end = schedule.turn(slot.round, slot.index)
        holder = order[slot.index]
        turn = TurnOut(
            label=holder,
            number=holder,
            round=slot.round,
            index=slot.index,
            starts_at=turn_start,
            ends_at=turn_end,
        )
    next_round_at = None
    if status == "pause" and slot.round < auction.rounds:
        next_round_at = schedule.round_start(slot.round + 1)
    elif status == "scheduled":
        next_round_at = auction.starts_at
    return AuctionView(
        auction_id=auction.id,
        work_id=auction.work_id,
        estate_id=auction.estate_id,
        status=status,
        rounds=auction.rounds,
        turn_seconds=auction.turn_seconds,
        pause_seconds=auction.pause_seconds,
        min_step_pct=_decimal_text(auction.min_step_pct),
        min_step_fen=auction.min_step_fen,
        min_bidders=auction.min_bidders,
        starts_at=auction.starts_at,
        ends_at=auction.ends_at,
        server_now=now,
        round=round_no,
        turn=turn,
        bidders=[
            BidderOut(
                number=b.number,
                price_fen=current[b.number],
                start_fen=b.start_fen,
                place=ranks[b.number],
                is_you=mine is not None and b.number == mine.number,
                supplier_id=b.supplier_id if revealed else None,
                supplier_name=b.supplier_name if revealed else None,
                quote_id=b.quote_id if revealed or b is mine else None,
                result_round=b.result_round if revealed or b is mine else None,
            )
            for b in bidders
        ],
        lowest_fen=lowest,
        step_fen=step,
        my_number=mine.number if mine else None,
        my_max_bid_fen=max_bid_fen(current[mine.number], step) if mine else None,
        order=order,
        bids=[
            BidRecord(round=b.round, number=b.number, total_fen=b.total_fen, at=b.at) for b in bids
        ],
        result_round=auction.result_round,
        next_round_at=next_round_at,
    )


def _decimal_text(value: Decimal | None) -> str | None:
    """A stored percentage as plain decimal text without trailing zeros ("0.5", "10")."""
    return None if value is None else format(value.normalize(), "f")


async def _readable(
    conn: asyncpg.Connection, auction_id: int, principal: Principal, *, lock: bool = False
) -> store.AuctionRow:
    """The auction if the caller may read it: staff of its estate, or a supplier invited to
    its work (else 404; owners and partners 403)."""
    auction = await store.get_auction(conn, auction_id, lock=lock)
    if auction is None:
        raise NotFound("auction")
    authorize(principal, auction.estate_id, AUCTION_READERS, what="auction")
    if principal.supplier_id is not None and not await works_store.is_invited(
        conn, auction.work_id, principal.supplier_id
    ):
        raise NotFound("auction")
    return auction


async def read(db: Database, auction_id: int, principal: Principal) -> AuctionView:
    async with db.connection() as conn:
        return await view(conn, await _readable(conn, auction_id, principal), principal)


async def list_for_work(db: Database, work_id: int, principal: Principal) -> list[AuctionView]:
    """The work's auctions, oldest first, as the caller may see them."""
    async with db.connection() as conn:
        work = await works_store.get_work(conn, work_id)
        if work is None:
            raise NotFound("work")
        authorize(principal, work.estate_id, AUCTION_READERS, what="work")
        if principal.supplier_id is not None and not await works_store.is_invited(
            conn, work_id, principal.supplier_id
        ):
            raise NotFound("work")
        return [await view(conn, a, principal) for a in await store.list_auctions(conn, work_id)]


# ---------------------------------------------------------------- creating and cancelling


async def create(db: Database, work_id: int, data: NewAuction, principal: Principal) -> AuctionView:
    """Committee or admin. 409 ``auction_not_open`` (the work is not quoting or its sealed
    bids are not opened), ``auction_exists`` (one is scheduled or running),
    ``auction_too_few_bidders`` (fewer open quotes than ``min_bidders``: nothing stored)."""
    min_step_pct, min_step_fen = _step_settings(data)
    async with db.transaction() as conn:
        work = await works_store.get_work(conn, work_id, lock=True)
        if work is None:
            raise NotFound("work")
        authorize(principal, work.estate_id, MANAGERS, what="work")
        now = await store.now(conn)
        if work.status != "quoting" or (work.sealed_until is not None and now < work.sealed_until):
            raise Conflict(
                "the work's bids are not open for an auction",
                "auction_not_open",
                {
                    "status": work.status,
                    "opens_at": work.sealed_until.isoformat() if work.sealed_until else None,
                },
            )
        if opening.due(work, now):
            await opening.open_in(conn, work.id, work.estate_id)
        if await store.live_auction_for(conn, work_id) is not None:
            raise Conflict("the work already has an auction", "auction_exists")
        quotes = [
            q for q in await negotiation_store.current_rounds(conn, work_id) if q.status == "open"
        ]
        if len(quotes) < data.min_bidders:
            raise Conflict(
                f"{len(quotes)} bidders, the auction needs {data.min_bidders}",
                "auction_too_few_bidders",
                {"have": len(quotes), "need": data.min_bidders},
            )
        numbers = list(range(1, len(quotes) + 1))
        secrets.SystemRandom().shuffle(numbers)
        schedule = Schedule(
            starts_at=now + timedelta(seconds=data.starts_in_seconds),
            rounds=data.rounds,
            bidders=len(quotes),
            turn_seconds=data.turn_seconds,
            pause_seconds=data.pause_seconds,
        )
        auction_id = await store.insert_auction(
            conn,
            estate_id=work.estate_id,
            work_id=work_id,
            rounds=data.rounds,
            turn_seconds=data.turn_seconds,
            pause_seconds=data.pause_seconds,
            min_step_pct=min_step_pct,
            min_step_fen=min_step_fen,
            min_bidders=data.min_bidders,
            bidder_count=len(quotes),
            starts_at=schedule.starts_at,
            ends_at=schedule.ends_at,
            created_by=principal.member_id,
        )
        if auction_id is None:
            raise Conflict("the work already has an auction", "auction_exists")
        await store.insert_bidders(
            conn,
            auction_id,
            [
                store.NewBidder(
                    number=number,
                    supplier_id=q.supplier_id,
                    quote_id=q.quote_id,
                    start_round=q.round,
                    start_fen=q.total_fen,
                )
                for number, q in zip(numbers, quotes, strict=True)
            ],
        )
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="auction.scheduled",
            data={
                "auction_id": auction_id,
                "work_id": work_id,
                "starts_at": schedule.starts_at,
                "ends_at": schedule.ends_at,
                "rounds": data.rounds,
                "turn_seconds": data.turn_seconds,
                "bidders": len(quotes),
            },
            actor_id=principal.member_id,
            audience="auction",
        )
        auction = await store.get_auction(conn, auction_id)
        assert auction is not None
        return await view(conn, auction, principal)


async def cancel(db: Database, auction_id: int, principal: Principal) -> AuctionView:
    """Committee or admin, before the auction finished (else 409 ``wrong_status``). The
    quotes keep their rounds; nothing is written to them."""
    async with db.transaction() as conn:
        auction = await store.get_auction(conn, auction_id, lock=True)
        if auction is None:
            raise NotFound("auction")
        authorize(principal, auction.estate_id, MANAGERS, what="auction")
        if auction.status not in ("scheduled", "running"):
            raise Conflict(
                f"the auction is {auction.status}",
                "wrong_status",
                {"what": "auction", "status": auction.status, "needed": ["scheduled", "running"]},
            )
        await store.set_progress(
            conn, auction_id, status="cancelled", steps_done=auction.steps_done, next_step_at=None
        )
        await append_event(
            conn,
            estate_id=auction.estate_id,
            type="auction.cancelled",
            data={"auction_id": auction_id, "work_id": auction.work_id},
            actor_id=principal.member_id,
            audience="auction",
        )
        cancelled = await store.get_auction(conn, auction_id)
        assert cancelled is not None
        return await view(conn, cancelled, principal)


# ---------------------------------------------------------------- bidding


async def bid(db: Database, auction_id: int, data: NewBid, principal: Principal) -> BidOut:
    """The bidder whose turn it is lowers its own price by at least the step.

    400 ``auction_step_too_small``; 409 ``auction_not_your_turn``, ``auction_turn_over``
    (its turn's end passed, by the database clock, also when checked just before commit),
    ``auction_not_running``; a supplier who is not a bidder 403, other roles 403."""
    async with db.transaction() as conn:
        auction = await store.get_auction(conn, auction_id, lock=True)
        if auction is None:
            raise NotFound("auction")
        authorize(principal, auction.estate_id, ("supplier",), what="auction")
        bidders = await store.list_bidders(conn, auction_id)
        mine = next((b for b in bidders if b.supplier_id == principal.supplier_id), None)
        if mine is None:
            raise Forbidden("only a bidder of this auction may bid", "auction_not_bidder")
        if auction.status not in ("scheduled", "running"):
            raise Conflict(
                f"the auction is {auction.status}",
                "auction_not_running",
                {"status": auction.status},
            )
        now = await store.now(conn)
        bids = await store.list_bids(conn, auction_id)
        start = {b.number: b.start_fen for b in bidders}
        try:
            round_no, _, turn_end = judge_turn(
                schedule_of(auction), _orders(start, bids), now, mine.number
            )
            current = prices(start, bids)
            lowest = min(current.values())
            step = step_fen(lowest, auction.min_step_pct, auction.min_step_fen)
            check_amount(data.total_fen, current[mine.number], step)
        except AuctionRefusal as refusal:
            raise _refused(refusal) from None
        bid_id = await store.insert_bid(
            conn,
            auction_id=auction_id,
            round_no=round_no,
            number=mine.number,
            total_fen=data.total_fen,
            by=principal.member_id,
            at=now,
        )
        await append_event(
            conn,
            estate_id=auction.estate_id,
            type="auction.bid",
            data={
                "auction_id": auction_id,
                "work_id": auction.work_id,
                "round": round_no,
                "number": mine.number,
                "total_fen": data.total_fen,
                "lowest_fen": min(lowest, data.total_fen),
                "step_fen": step_fen(
                    min(lowest, data.total_fen), auction.min_step_pct, auction.min_step_fen
                ),
                "at": now,
            },
            actor_id=None,  # a member id would tell the other bidders who bid
            audience="auction",
        )
        if await store.now(conn) >= turn_end:  # the turn ended while the bid was written
            raise Conflict("your turn is over", "auction_turn_over", {"round": round_no})
    return BidOut(
        bid_id=bid_id,
        auction_id=auction_id,
        round=round_no,
        label=mine.number,
        number=mine.number,
        total_fen=data.total_fen,
        at=now,
    )


# ---------------------------------------------------------------- the schedule's steps


async def take_steps(conn: asyncpg.Connection, auction: store.AuctionRow) -> int:
    """Announce every boundary due by now (turn starts, round ends) and finish the auction
    at its end, in the caller's transaction (the auction row locked); how many steps."""
    schedule = schedule_of(auction)
    now = await store.now(conn)
    done = auction.steps_done
    status = auction.status
    bidders: list[store.BidderRow] | None = None
    bids: list[Bid] = []
    while done < schedule.step_count:
        kind, round_no, index, due_at = schedule.step(done)
        if due_at > now:
            break
        if bidders is None:
            bidders = await store.list_bidders(conn, auction.id)
            bids = await store.list_bids(conn, auction.id)
        start = {b.number: b.start_fen for b in bidders}
        base = {"auction_id": auction.id, "work_id": auction.work_id, "round": round_no}
        if kind == "turn":
            assert index is not None
            turn_start, turn_end = schedule.turn(round_no, index)
            number = round_order(start, bids, round_no)[index]
            data = {**base, "number": number, "starts_at": turn_start, "ends_at": turn_end}
            await append_event(
                conn,
                estate_id=auction.estate_id,
                type="auction.turn",
                data=data,
                actor_id=None,
                audience="auction",
            )
            status = "running"
        elif kind == "round_ended":
            next_at = schedule.round_start(round_no + 1) if round_no < auction.rounds else None
            await append_event(
                conn,
                estate_id=auction.estate_id,
                type="auction.round_ended",
                data={**base, "next_round_at": next_at},
                actor_id=None,
                audience="auction",
            )
        else:
            await _finish(conn, auction, bidders, bids)
            status = "finished"
        done += 1
    if done != auction.steps_done:
        await store.set_progress(
            conn,
            auction.id,
            status=status,
            steps_done=done,
            next_step_at=schedule.next_step_at(done),
        )
    return done - auction.steps_done


async def _finish(
    conn: asyncpg.Connection,
    auction: store.AuctionRow,
    bidders: list[store.BidderRow],
    bids: list[Bid],
) -> None:
    """Write each bidder's final price as the next round of its quote (lines scaled
    proportionally, ``rules.scale_lines``; an idle bidder's round repeats its price), then
    reveal who is who (``auction.finished``)."""
    final = prices({b.number: b.start_fen for b in bidders}, bids)
    results: list[tuple[store.BidderRow, QuoteRow, RoundRecord, int]] = []
    for bidder in bidders:
        quote = await negotiation_store.get_quote(conn, bidder.quote_id, lock=True)
        if quote is None or quote.status != "open":
            continue  # closed meanwhile (the work was awarded or rejected): nothing to write
        latest = await negotiation_store.get_round(conn, quote.id, quote.latest_round)
        assert latest is not None
        results.append((bidder, quote, latest, quote.latest_round + 1))
    written = {bidder.number: round_no for bidder, _, _, round_no in results}
    if written:
        await store.set_result_rounds(conn, auction.id, written)
    # the reveal comes first: the round events after it name the supplier to itself
    await append_event(
        conn,
        estate_id=auction.estate_id,
        type="auction.finished",
        data={
            "auction_id": auction.id,
            "work_id": auction.work_id,
            "bidders": [
                {
                    "number": b.number,
                    "supplier_id": b.supplier_id,
                    "supplier_name": b.supplier_name,
                    "start_fen": b.start_fen,
                    "final_fen": final[b.number],
                    "result_round": written.get(b.number),
                }
                for b in bidders
            ],
            "result_round": max(written.values()) if written else None,
        },
        actor_id=None,
        audience="auction",
    )
    for bidder, quote, latest, round_no in results:
        total = final[bidder.number]
        lines = latest.lines if total == latest.total_fen else scale_lines(latest.lines, total)
        priced = PricedRound(lines=tuple(lines), total_fen=total)
        await negotiation_store.insert_round(
            conn,
            quote_id=quote.id,
            round_no=round_no,
            priced=priced,
            valid_until=latest.valid_until,
            is_final=False,
            by=None,
        )
        await append_event(
            conn,
            estate_id=auction.estate_id,
            type="quote.revised",
            data={
                **round_event(quote, round_no, priced, False),
                "previous_total_fen": latest.total_fen,
                "auction_id": auction.id,
            },
            actor_id=None,
            audience="supplier",
            supplier_id=quote.supplier_id,
        )


async def take_due_steps(db: Database) -> int:
    """Take the due steps of every auction, one transaction each (rows another instance
    holds are skipped: it takes them); how many steps this call took."""
    taken = 0
    async with db.connection() as conn:
        due = await store.due(conn)
    for auction_id in due:
        async with db.transaction() as conn:
            auction = await store.get_auction(conn, auction_id, lock=True, skip_locked=True)
            if auction is None or auction.next_step_at is None:
                continue
            taken += await take_steps(conn, auction)
    return taken
