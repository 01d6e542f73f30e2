"""Percentage changes and the history of a quote's rounds (prices withheld while sealed)."""

from __future__ import annotations

from collections.abc import Sequence

from planner.negotiation.model import (
    RoundHistory,
    RoundRecord,
)


def percent_change(old: int, new: int) -> str | None:
    """100 × (new − old) / old to one place, half away from zero; None when old is 0.

    Integer arithmetic only: tenths of a percent = 1000 × |new − old| / |old|, rounded half up
    on the magnitude, then signed (the comparison calls this thousands of times per request).
    """
    if old == 0:
        return None
    difference = new - old
    tenths, rest = divmod(1000 * abs(difference), abs(old))
    if 2 * rest >= abs(old):
        tenths += 1
    if tenths == 0:
        return "0.0"
    negative = (difference < 0) != (old < 0)
    return f"{'-' if negative else ''}{tenths // 10}.{tenths % 10}"


def history(rounds: Sequence[RoundRecord], *, show_prices: bool = True) -> list[RoundHistory]:
    """Every round in order with its change against the previous round and the first.

    With ``show_prices`` false (a sealed quote seen by anyone but its bidder) the rounds keep
    their number, author and time, and every price, total and change is withheld.
    """
    ordered = sorted(rounds, key=lambda r: r.round)
    if not show_prices:
        return [sealed_round(record) for record in ordered]
    result: list[RoundHistory] = []
    first = ordered[0].total_fen if ordered else 0
    previous: int | None = None
    for record in ordered:
        result.append(
            RoundHistory(
                round=record.round,
                total_fen=record.total_fen,
                lines=record.lines,
                change_vs_previous_fen=None if previous is None else record.total_fen - previous,
                change_vs_previous_pct=(
                    None if previous is None else percent_change(previous, record.total_fen)
                ),
                change_vs_first_fen=record.total_fen - first,
                change_vs_first_pct=percent_change(first, record.total_fen),
                by=record.by,
                at=record.at,
                is_final=record.is_final,
                valid_until=record.valid_until,
                reply_note=record.reply_note,
            )
        )
        previous = record.total_fen
    return result


def sealed_round(record: RoundRecord) -> RoundHistory:
    """A round with its prices and its reply note withheld (sealed bids before opening)."""
    return RoundHistory(
        round=record.round,
        total_fen=None,
        lines=None,
        change_vs_previous_fen=None,
        change_vs_previous_pct=None,
        change_vs_first_fen=None,
        change_vs_first_pct=None,
        by=record.by,
        at=record.at,
        is_final=record.is_final,
        valid_until=record.valid_until,
        reply_note=None,
    )
