"""Auction Structs: the committee's settings, a bid, and the view each caller gets.

The view is the contract of /work/shared AUCTION_API (``AuctionView``): suppliers see
numbers only (``supplier_id``/``supplier_name`` null) until the auction is finished.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Out

AuctionStatus = Literal["scheduled", "running", "pause", "finished", "cancelled"]
MAX_START_DELAY_SECONDS = 30 * 24 * 3600


class NewAuction(Body):
    """The committee's settings; ``min_step_pct`` (a decimal percentage, 0.5 = 0.5 %) or
    ``min_step_fen`` (an amount), not both; neither means 0.5 %."""

    rounds: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    turn_seconds: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 120
    pause_seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)] = 0
    min_step_pct: Decimal | None = None
    min_step_fen: Annotated[int, msgspec.Meta(ge=1, le=10**15)] | None = None
    min_bidders: Annotated[int, msgspec.Meta(ge=2, le=50)] = 2
    starts_in_seconds: Annotated[int, msgspec.Meta(ge=0, le=MAX_START_DELAY_SECONDS)] = 0


class NewBid(Body):
    total_fen: Annotated[int, msgspec.Meta(ge=1, le=10**15)]


class BidOut(Out):
    bid_id: int
    auction_id: int
    round: int
    label: int
    number: int
    total_fen: int
    at: datetime


class TurnOut(Out):
    label: int
    number: int
    round: int
    index: int
    starts_at: datetime
    ends_at: datetime


class BidderOut(Out):
    number: int
    price_fen: int
    start_fen: int
    place: int
    is_you: bool
    supplier_id: int | None
    supplier_name: str | None
    quote_id: int | None
    result_round: int | None


class BidRecord(Out):
    round: int
    number: int
    total_fen: int
    at: datetime


class AuctionView(Out):
    auction_id: int
    work_id: int
    estate_id: int
    status: AuctionStatus
    rounds: int
    turn_seconds: int
    pause_seconds: int
    min_step_pct: str | None
    min_step_fen: int | None
    min_bidders: int
    starts_at: datetime
    ends_at: datetime
    server_now: datetime
    round: int
    turn: TurnOut | None
    bidders: list[BidderOut]
    lowest_fen: int
    step_fen: int
    my_number: int | None
    my_max_bid_fen: int | None
    order: list[int]
    bids: list[BidRecord]
    result_round: int | None
    next_round_at: datetime | None = None
