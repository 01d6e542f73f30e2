"""Who sees prices, and which revisions and awards a quote's state allows (else 409)."""

from __future__ import annotations

from datetime import date, datetime


class NegotiationConflict(Exception):
    """A request that contradicts the quote's state (the API answers 409 with `code`)."""

    def __init__(self, message: str, code: str, params: dict[str, object] | None = None) -> None:
        self.code = code
        self.params = params or {}
        super().__init__(message)


def is_sealed(sealed_until: datetime | None, now: datetime) -> bool:
    """A work's bids are sealed while now is before its opening time."""
    return sealed_until is not None and now < sealed_until


def can_see_prices(
    *,
    viewer_supplier_id: int | None,
    quote_supplier_id: int,
    sealed_until: datetime | None,
    now: datetime,
) -> bool:
    """Before opening only the bidder sees a quote's prices, not even the committee."""
    if viewer_supplier_id is not None:
        return viewer_supplier_id == quote_supplier_id
    return not is_sealed(sealed_until, now)


def check_revision(
    *, status: str, latest_round: int, based_on_round: int, latest_is_final: bool
) -> int:
    """Return the number of the new round, or raise NegotiationConflict (409)."""
    if status != "open":
        raise NegotiationConflict(
            f"the quote is {status} and can no longer be revised",
            "wrong_status",
            {"what": "quote", "status": status, "needed": "open"},
        )
    if latest_is_final:
        raise NegotiationConflict(
            f"round {latest_round} was marked final", "round_final", {"round": latest_round}
        )
    if based_on_round != latest_round:
        raise NegotiationConflict(
            f"based on round {based_on_round}, but the latest round is {latest_round}",
            "stale_round",
            {"round": based_on_round, "latest": latest_round},
        )
    return latest_round + 1


def check_award(
    *,
    status: str,
    latest_round: int,
    requested_round: int,
    valid_until: date | None = None,
    today: date | None = None,
) -> None:
    """Only the latest, still valid round of an open quote may be awarded; else 409."""
    if status != "open":
        raise _not_open(status)
    if requested_round < 1 or requested_round > latest_round:
        raise NegotiationConflict(
            f"the quote has no round {requested_round}",
            "round_not_found",
            {"round": requested_round},
        )
    if requested_round != latest_round:
        raise _superseded(requested_round, latest_round)
    if valid_until is not None and today is not None and valid_until < today:
        raise NegotiationConflict(
            f"round {requested_round} was valid until {valid_until}",
            "round_expired",
            {"round": requested_round, "valid_until": valid_until.isoformat()},
        )


def check_countered_round(*, status: str, latest_round: int, requested_round: int | None) -> int:
    """The round a counter-offer answers: the latest round (the default) of an open quote;
    else NegotiationConflict (409)."""
    if status != "open":
        raise _not_open(status)
    round_no = requested_round or latest_round
    if round_no != latest_round:
        raise _superseded(round_no, latest_round)
    return round_no


def _not_open(status: str) -> NegotiationConflict:
    return NegotiationConflict(
        f"the quote is {status}",
        "wrong_status",
        {"what": "quote", "status": status, "needed": "open"},
    )


def _superseded(round_no: int, latest_round: int) -> NegotiationConflict:
    return NegotiationConflict(
        f"round {round_no} was superseded by round {latest_round}",
        "stale_round",
        {"round": round_no, "latest": latest_round},
    )
