"""Works delivery as pure functions: planned periods, overdue flags, weighted progress and
what an acceptance still lacks.

No database and no web framework here (import-linter checks it).

A planned period is written ``2026-03`` (a month), ``2026-Q2`` (a quarter), ``2026-H1`` (a
half-year) or ``2026-03-15`` (a day). It ends on its last day in the estate's zone; a milestone
not done by the end of that day is overdue.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Final, Literal

import msgspec

from planner.localtime import local_day

PeriodKind = Literal["month", "quarter", "half", "day"]

#: statuses in which a work is being delivered: milestones and acceptance belong to them
DELIVERY_STATUSES: Final[frozenset[str]] = frozenset({"awarded", "funded", "in_progress", "done"})
#: an acceptance needs at least this many owner representatives' signatures
OWNER_SIGNATURES_NEEDED: Final[int] = 2
#: and at least this many committee members' (or the admin's)
COMMITTEE_SIGNATURES_NEEDED: Final[int] = 1

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class Period(msgspec.Struct, frozen=True):
    """A planned period: its kind, first and last day (both included)."""

    kind: PeriodKind
    start: date
    end: date


class BadPeriod(ValueError):
    """The text is not a month, quarter, half-year or date (400, code ``bad_period``)."""


def _year(text: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2200:
        raise BadPeriod(f"year {year} is outside 2000..2200")
    return year


def _months(year: int, first: int, last: int, kind: PeriodKind) -> Period:
    end_day = calendar.monthrange(year, last)[1]
    return Period(kind, date(year, first, 1), date(year, last, end_day))


def parse_period(text: str) -> Period:
    """``2026-03`` → March 2026; ``2026-Q2`` → April–June; ``2026-H1`` → January–June;
    ``2026-03-15`` → that day. Anything else raises ``BadPeriod``."""
    text = text.strip().upper()
    if m := _MONTH.match(text):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise BadPeriod(f"month {month} is outside 1..12")
        return _months(_year(m[1]), month, month, "month")
    if m := _QUARTER.match(text):
        q = int(m[2])
        return _months(_year(m[1]), 3 * q - 2, 3 * q, "quarter")
    if m := _HALF.match(text):
        h = int(m[2])
        return _months(_year(m[1]), 6 * h - 5, 6 * h, "half")
    if m := _DAY.match(text):
        try:
            day = date(_year(m[1]), int(m[2]), int(m[3]))
        except ValueError as bad:
            raise BadPeriod(str(bad)) from None
        return Period("day", day, day)
    raise BadPeriod(f"{text!r} is not YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY-MM-DD")


def normalised_period(text: str) -> str:
    """The period as stored and shown (``2026-q2`` → ``2026-Q2``)."""
    return text.strip().upper()


def is_overdue(end: date, done_at: datetime | None, now: datetime, time_zone: str | None) -> bool:
    """Not done and the period's last day (in the estate's zone) is over."""
    return done_at is None and local_day(now, time_zone) > end


def done_late(end: date, done_at: datetime | None, time_zone: str | None) -> bool:
    """Done, but after the period's last day."""
    return done_at is not None and local_day(done_at, time_zone) > end


def weights(given: Sequence[int | None]) -> list[Fraction]:
    """Each milestone's weight: its ``weight_pct`` when given; the milestones without one share
    what the given weights leave of 100 equally (all equal when none is given; nothing when
    the given weights already reach 100)."""
    if not given:
        return []
    fixed = sum(w for w in given if w is not None)
    free = [w for w in given if w is None]
    if len(free) == len(given):
        return [Fraction(1)] * len(given)
    share = Fraction(max(0, 100 - fixed), len(free)) if free else Fraction(0)
    return [Fraction(w) if w is not None else share for w in given]


def work_progress(milestones: Sequence[tuple[int | None, int]]) -> int:
    """A work's progress in whole percent (rounded down): the milestones' percents weighted by
    ``weights``; 0 without milestones; 100 only when every weighted milestone is done."""
    ws = weights([w for w, _ in milestones])
    total = sum(ws, Fraction(0))
    if total == 0:
        return 0
    weighted = sum((w * p for w, (_, p) in zip(ws, milestones, strict=True)), Fraction(0))
    return int(weighted / total)


def weights_fit(given: Sequence[int | None]) -> bool:
    """The given weights add up to at most 100."""
    return sum(w for w in given if w is not None) <= 100


def decrease_needs_note(previous: int, percent: int, note: str) -> bool:
    """Progress may go back only with a note saying why."""
    return percent < previous and not note.strip()


class Missing(msgspec.Struct, frozen=True, kw_only=True):
    """What an acceptance still lacks before it can complete."""

    committee_signatures: int
    owner_signatures: int
    open_defects: int

    @property
    def complete(self) -> bool:
        return (
            self.committee_signatures == 0 and self.owner_signatures == 0 and not self.open_defects
        )


def missing(committee_signed: int, owners_signed: int, open_defects: int) -> Missing:
    """The signatures and defect fixes an acceptance still needs."""
    return Missing(
        committee_signatures=max(0, COMMITTEE_SIGNATURES_NEEDED - committee_signed),
        owner_signatures=max(0, OWNER_SIGNATURES_NEEDED - owners_signed),
        open_defects=open_defects,
    )


def is_owner_representative(
    held_building_ids: Sequence[int], scope_building_ids: Sequence[int]
) -> bool:
    """An owner represents the owners of a work when they hold a unit in its scope (any unit
    of the estate when the work has no scope)."""
    if not held_building_ids:
        return False
    if not scope_building_ids:
        return True
    return bool(set(held_building_ids) & set(scope_building_ids))
