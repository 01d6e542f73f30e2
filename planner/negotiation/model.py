"""Negotiation Structs: quote lines, rounds, history and the comparison.

Pure msgspec; shared by rules.py (arithmetic), store.py (rows) and routes.py (responses).
Money is integer fen; quantities are exact decimals with at most three places.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from planner.model import NAME, Body, Fen, Id, Out, ShortText, check_text_fields

QuoteStatus = Literal["open", "awarded", "closed"]


class LineInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One line as the supplier submits it: no totals, those are derived.

    Its description, unit and key are names (``planner.model.check_text_fields``).
    """

    description: Annotated[str, msgspec.Meta(extra=NAME)]
    unit: Annotated[str, msgspec.Meta(extra=NAME)]
    quantity: Decimal
    unit_price_fen: int
    line_key: Annotated[str, msgspec.Meta(extra=NAME)] | None = None

    def __post_init__(self) -> None:
        check_text_fields(self)


class PricedLine(msgspec.Struct, frozen=True, kw_only=True):
    """A line with its derived total: quantity × unit price, rounded half-up to fen."""

    line_no: int
    description: str
    unit: str
    quantity: str
    unit_price_fen: int
    total_fen: int
    line_key: str | None = None


class PricedRound(msgspec.Struct, frozen=True, kw_only=True):
    lines: tuple[PricedLine, ...]
    total_fen: int


class RoundRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A stored, immutable round (input to the history)."""

    round: int
    total_fen: int
    lines: tuple[PricedLine, ...]
    by: int | None
    at: datetime
    is_final: bool = False
    valid_until: date | None = None
    reply_note: str = ""


class RoundHistory(msgspec.Struct, frozen=True, kw_only=True):
    """A round as the history shows it, with changes against the previous and first round.

    Percentages are decimal strings with one place, rounded half away from zero; they are
    null where the base is 0 (and the previous change is null on round 1). On a sealed quote
    seen by anyone but its bidder, every price, total and change is null.
    """

    round: int
    total_fen: int | None
    lines: tuple[PricedLine, ...] | None
    change_vs_previous_fen: int | None
    change_vs_previous_pct: str | None
    change_vs_first_fen: int | None
    change_vs_first_pct: str | None
    by: int | None
    at: datetime
    is_final: bool = False
    valid_until: date | None = None
    reply_note: str | None = ""
    """The supplier's note to the committee with this round (null while sealed to others)."""


class LineTarget(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A committee's target for one line of the round it answers (by line number)."""

    line_no: int
    target_unit_price_fen: int
    note: str | None = None

    def __post_init__(self) -> None:
        check_text_fields(self)


class ReferenceLine(msgspec.Struct, frozen=True, kw_only=True):
    """A benchmark unit price for one line of a work, matched by key or description."""

    description: str
    unit_price_fen: int
    line_key: str | None = None


class QuoteForComparison(msgspec.Struct, frozen=True, kw_only=True):
    quote_id: int
    supplier_id: int
    supplier_name: str
    round: int
    total_fen: int
    lines: tuple[PricedLine, ...]
    status: str = "open"


class ComparisonCell(msgspec.Struct, frozen=True, kw_only=True):
    quote_id: int
    line_no: int
    quantity: str
    unit_price_fen: int
    total_fen: int
    lowest: bool
    deviation_fen: int | None = None
    deviation_pct: str | None = None


class ComparisonRow(msgspec.Struct, frozen=True, kw_only=True):
    """One matched line: the cells are in the order of `Comparison.quotes`, null where absent."""

    match_key: str
    line_key: str | None
    description: str
    unit: str
    cells: tuple[ComparisonCell | None, ...]
    reference_unit_price_fen: int | None = None


class ComparisonQuote(msgspec.Struct, frozen=True, kw_only=True):
    quote_id: int
    supplier_id: int
    supplier_name: str
    round: int
    total_fen: int
    lowest_total: bool
    status: str = "open"


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    quotes: tuple[ComparisonQuote, ...]
    rows: tuple[ComparisonRow, ...]


# ---------------------------------------------------------------- request and response bodies

Lines = Annotated[list[LineInput], msgspec.Meta(max_length=1000)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
# the supplier's note to the committee with a round (free text; empty: none)
ReplyNote = Annotated[str, msgspec.Meta(max_length=1000)]


class NewSupplier(Body):
    name: ShortText


class SupplierOut(Out):
    id: int
    estate_id: int
    name: str


class NewInvitation(Body):
    supplier_id: Id


class InvitationOut(Out):
    work_id: int
    supplier_id: int
    supplier_name: str
    invited_at: datetime


class NewQuote(Body):
    """Round 1 of a supplier's quote. Totals are derived; a client-supplied total is refused."""

    lines: Lines
    valid_until: date | None = None
    is_final: bool = False
    reply_note: ReplyNote = ""


class NewRound(Body):
    """The next round; ``based_on_round`` must be the latest round (else 409)."""

    based_on_round: Annotated[int, msgspec.Meta(ge=1)]
    lines: Lines
    valid_until: date | None = None
    is_final: bool = False
    reply_note: ReplyNote = ""


class NewCounterOffer(Body):
    """The committee's answer to a round (the latest unless ``round`` says otherwise)."""

    note: Note
    target_total_fen: Fen | None = None
    line_targets: Annotated[list[LineTarget], msgspec.Meta(max_length=1000)] = msgspec.field(
        default_factory=list
    )
    round: Annotated[int, msgspec.Meta(ge=1)] | None = None


class AwardBody(Body):
    round: Annotated[int, msgspec.Meta(ge=1)]


class ReferenceLineIn(Body):
    description: ShortText
    unit_price_fen: Fen
    line_key: ShortText | None = None


class ReferencePrices(Body):
    lines: Annotated[list[ReferenceLineIn], msgspec.Meta(max_length=1000)]


class CounterOfferOut(Out):
    id: int
    round: int
    target_total_fen: int | None
    line_targets: list[LineTarget]
    note: str
    by: int | None
    at: datetime


class QuoteOut(Out):
    """A quote with its full history. While bids are sealed, only the bidder sees prices."""

    id: int
    work_id: int
    supplier_id: int
    supplier_name: str
    status: str
    latest_round: int
    sealed: bool
    rounds: list[RoundHistory]
    counter_offers: list[CounterOfferOut]


class ReceivedBid(Out):
    """A sealed bid as the committee sees it before opening: who and which round, no price."""

    supplier_id: int
    supplier_name: str
    round: int


class ComparisonOut(Out):
    """The work's quotes side by side. While sealed, the committee gets no quotes at all
    (``sealed`` true, ``bidders`` counts them, ``received`` names the bidders without a
    price); a supplier only ever sees their own."""

    work_id: int
    sealed: bool
    opens_at: datetime | None
    bidders: int
    quotes: list[ComparisonQuote]
    rows: list[ComparisonRow]
    received: list[ReceivedBid] = msgspec.field(default_factory=list)
