"""Common problems (共性问题): the status path, supporters by head and by units, and the
district's figures, as pure functions (no database, no web framework).

Status path: collecting (收集) → listed (已纳入清单) → in_progress (处理中) → solved (已解决);
declined (不予采纳) from any unsolved state, always with a reason. Solved and declined are
final.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "collecting": frozenset({"listed", "declined"}),
    "listed": frozenset({"in_progress", "declined"}),
    "in_progress": frozenset({"solved", "declined"}),
    "solved": frozenset(),
    "declined": frozenset(),
}
#: statuses in which owners may still say "me too" and duplicates may still be merged
OPEN_STATUSES: Final[frozenset[str]] = frozenset({"collecting", "listed", "in_progress"})
#: statuses that count as "on the estate's list" (the district's 纳入清单)
ON_THE_LIST: Final[frozenset[str]] = frozenset({"listed", "in_progress", "solved"})


class IllegalMove(Exception):
    """A status change the path does not allow (409 ``illegal_transition``)."""

    code: Final = "illegal_transition"

    def __init__(self, current: str, target: str) -> None:
        allowed = sorted(TRANSITIONS.get(current, frozenset()))
        self.params: dict[str, object] = {
            "what": "problem",
            "from": current,
            "to": target,
            "allowed": allowed,
        }
        super().__init__(
            f"a problem cannot go from {current} to {target} "
            f"(allowed: {', '.join(allowed) or 'none'})"
        )


class NoteRequired(Exception):
    """Declining a problem needs its reason (400 on ``note``, code ``required``)."""


def allowed_moves(current: str) -> list[str]:
    return sorted(TRANSITIONS.get(current, frozenset()))


def next_status(current: str, target: str, note: str | None) -> str:
    """``target`` if the path allows it from ``current``; declining needs a non-blank note."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalMove(current, target)
    if target == "declined" and not (note and note.strip()):
        raise NoteRequired("give the reason the problem is declined")
    return target


class Supporter(msgspec.Struct, frozen=True):
    """One household counted for a problem: its id and its owner's key ("" = none)."""

    household_id: int
    owner_key: str


class SupportCount(msgspec.Struct, frozen=True):
    owners: int
    units: int


def person_key(supporter: Supporter) -> str:
    """The head-count identity: the owner key, or the unit itself when it has none."""
    return supporter.owner_key if supporter.owner_key else f"\x00unit:{supporter.household_id}"


def count_supporters(supporters: Iterable[Supporter]) -> SupportCount:
    """Distinct owners (units sharing an owner key are one head) and distinct units."""
    units = {s.household_id: s for s in supporters}
    return SupportCount(
        owners=len({person_key(s) for s in units.values()}),
        units=len(units),
    )


class BoardFigures(msgspec.Struct, kw_only=True):
    """What the district asks for (区里要的数字)."""

    suggestions_received: int
    suggestions_sorted: int
    self_help: int
    problems_total: int
    problems_listed: int
    problems_solved: int
    problems_urgent_solved: int
    problems_declined: int


class ProblemFact(msgspec.Struct, frozen=True):
    """The little the figures need of a (not merged) problem."""

    status: str
    urgency: str


def problem_figures(problems: Iterable[ProblemFact]) -> dict[str, int]:
    """Counts over the estate's problems (merged duplicates left out by the caller)."""
    total = listed = solved = urgent_solved = declined = 0
    for problem in problems:
        total += 1
        listed += problem.status in ON_THE_LIST
        solved += problem.status == "solved"
        urgent_solved += problem.status == "solved" and problem.urgency == "urgent"
        declined += problem.status == "declined"
    return {
        "problems_total": total,
        "problems_listed": listed,
        "problems_solved": solved,
        "problems_urgent_solved": urgent_solved,
        "problems_declined": declined,
    }
