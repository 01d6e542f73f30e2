"""SQL of the auction slice: auctions, their bidders (numbers fixed at creation) and the
append-only bids. Times that decide a bid come from PostgreSQL's ``clock_timestamp()``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg
import msgspec

from planner.auction.rules import Bid


class AuctionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    estate_id: int
    work_id: int
    status: str
    rounds: int
    turn_seconds: int
    pause_seconds: int
    min_step_pct: Decimal | None
    min_step_fen: int | None
    min_bidders: int
    bidder_count: int
    starts_at: datetime
    ends_at: datetime
    steps_done: int
    next_step_at: datetime | None
    result_round: int | None


class BidderRow(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    supplier_id: int
    supplier_name: str
    quote_id: int
    start_round: int
    start_fen: int
    result_round: int | None


class NewBidder(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    supplier_id: int
    quote_id: int
    start_round: int
    start_fen: int


_AUCTION = """SELECT id, estate_id, work_id, status, rounds, turn_seconds, pause_seconds,
                     min_step_pct, min_step_fen, min_bidders, bidder_count, starts_at, ends_at,
                     steps_done, next_step_at, result_round
              FROM auctions"""


async def now(conn: asyncpg.Connection) -> datetime:
    """The database's clock at this moment (not the transaction's start)."""
    at: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return at


async def insert_auction(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    work_id: int,
    rounds: int,
    turn_seconds: int,
    pause_seconds: int,
    min_step_pct: Decimal | None,
    min_step_fen: int | None,
    min_bidders: int,
    bidder_count: int,
    starts_at: datetime,
    ends_at: datetime,
    created_by: int,
) -> int | None:
    """The new auction's id; None when the work already has a scheduled or running one."""
    auction_id: int | None = await conn.fetchval(
        """INSERT INTO auctions (estate_id, work_id, rounds, turn_seconds, pause_seconds,
                                 min_step_pct, min_step_fen, min_bidders, bidder_count,
                                 starts_at, ends_at, next_step_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $12)
           ON CONFLICT (work_id) WHERE status IN ('scheduled', 'running') DO NOTHING
           RETURNING id""",
        estate_id,
        work_id,
        rounds,
        turn_seconds,
        pause_seconds,
        min_step_pct,
        min_step_fen,
        min_bidders,
        bidder_count,
        starts_at,
        ends_at,
        created_by,
    )
    return auction_id


async def insert_bidders(
    conn: asyncpg.Connection, auction_id: int, bidders: list[NewBidder]
) -> None:
    await conn.executemany(
        """INSERT INTO auction_bidders (auction_id, number, supplier_id, quote_id, start_round,
                                        start_fen)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (auction_id, b.number, b.supplier_id, b.quote_id, b.start_round, b.start_fen)
            for b in bidders
        ],
    )


async def live_auction_for(conn: asyncpg.Connection, work_id: int) -> int | None:
    """The work's scheduled or running auction, if any."""
    auction_id: int | None = await conn.fetchval(
        "SELECT id FROM auctions WHERE work_id = $1 AND status IN ('scheduled', 'running')",
        work_id,
    )
    return auction_id


async def get_auction(
    conn: asyncpg.Connection, auction_id: int, *, lock: bool = False, skip_locked: bool = False
) -> AuctionRow | None:
    """One auction; ``lock`` keeps its row locked until the transaction ends (bids and the
    schedule's steps are serialised by it); ``skip_locked`` answers None when another
    transaction holds it."""
    suffix = ""
    if lock:
        suffix = " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"
    row = await conn.fetchrow(_AUCTION + " WHERE id = $1" + suffix, auction_id)
    return AuctionRow(**dict(row)) if row else None


async def list_auctions(conn: asyncpg.Connection, work_id: int) -> list[AuctionRow]:
    rows = await conn.fetch(_AUCTION + " WHERE work_id = $1 ORDER BY id", work_id)
    return [AuctionRow(**dict(r)) for r in rows]


async def list_bidders(conn: asyncpg.Connection, auction_id: int) -> list[BidderRow]:
    rows = await conn.fetch(
        """SELECT b.number, b.supplier_id, s.name AS supplier_name, b.quote_id, b.start_round,
                  b.start_fen, b.result_round
           FROM auction_bidders b JOIN suppliers s ON s.id = b.supplier_id
           WHERE b.auction_id = $1 ORDER BY b.number""",
        auction_id,
    )
    return [BidderRow(**dict(r)) for r in rows]


async def list_bids(conn: asyncpg.Connection, auction_id: int) -> list[Bid]:
    rows = await conn.fetch(
        """SELECT round, number, total_fen, at FROM auction_bids
           WHERE auction_id = $1 ORDER BY id""",
        auction_id,
    )
    return [
        Bid(round=r["round"], number=r["number"], total_fen=r["total_fen"], at=r["at"])
        for r in rows
    ]


async def insert_bid(
    conn: asyncpg.Connection,
    *,
    auction_id: int,
    round_no: int,
    number: int,
    total_fen: int,
    by: int,
    at: datetime,
) -> int:
    bid_id: int = await conn.fetchval(
        """INSERT INTO auction_bids (auction_id, round, number, total_fen, by_member_id, at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        auction_id,
        round_no,
        number,
        total_fen,
        by,
        at,
    )
    return bid_id


async def set_progress(
    conn: asyncpg.Connection,
    auction_id: int,
    *,
    status: str,
    steps_done: int,
    next_step_at: datetime | None,
) -> None:
    await conn.execute(
        """UPDATE auctions SET status = $2, steps_done = $3, next_step_at = $4,
                  finished_at = CASE WHEN $2 = 'finished' THEN clock_timestamp() END,
                  cancelled_at = CASE WHEN $2 = 'cancelled' THEN clock_timestamp() END
           WHERE id = $1""",
        auction_id,
        status,
        steps_done,
        next_step_at,
    )


async def set_result_rounds(
    conn: asyncpg.Connection, auction_id: int, rounds: dict[int, int]
) -> None:
    """Each bidder's result round (by number) and the auction's highest."""
    await conn.executemany(
        "UPDATE auction_bidders SET result_round = $3 WHERE auction_id = $1 AND number = $2",
        [(auction_id, number, round_no) for number, round_no in rounds.items()],
    )
    await conn.execute(
        "UPDATE auctions SET result_round = $2 WHERE id = $1", auction_id, max(rounds.values())
    )


async def due(conn: asyncpg.Connection, limit: int = 100) -> list[int]:
    """Auctions with a boundary due now, soonest first."""
    rows = await conn.fetch(
        """SELECT id FROM auctions
           WHERE next_step_at IS NOT NULL AND next_step_at <= clock_timestamp()
           ORDER BY next_step_at LIMIT $1""",
        limit,
    )
    return [r["id"] for r in rows]


async def seconds_to_next_step(conn: asyncpg.Connection) -> float | None:
    value = await conn.fetchval(
        """SELECT extract(epoch FROM min(next_step_at) - clock_timestamp())::float8
           FROM auctions WHERE next_step_at IS NOT NULL"""
    )
    return None if value is None else float(value)
