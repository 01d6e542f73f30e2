"""Double entry of paper ballot sheets: the rules, pure (no database, no web).

In a round of entries of one sheet, each by another committee member:

- the first entry leaves the sheet ``awaiting_second``;
- an entry equal to an earlier entry of the round counts the sheet (``counted``) with that
  choice; the entries that agreed are what made it count;
- an entry equal to none leaves it ``mismatch``: nothing counts until a further member's
  entry equals one of the earlier ones.

A counted sheet entered again starts a new round (``next_round``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from planner.deliberation.rules import Choice
from planner.errors import BadRequest

#: An entry's choices, one per motion, in motion order.
Choices = list[tuple[int, Choice]]
EntryState = Literal["awaiting_second", "counted", "mismatch"]


class Verdict(NamedTuple):
    state: EntryState
    #: why, in words (a mismatch: which motions differ)
    explanation: str
    #: the positions, among the earlier entries, of those equal to the new one
    agreeing: list[int]


def complete_choices(motion_ids: Sequence[int], given: Sequence[tuple[int, Choice]]) -> Choices:
    """The entry's choices in motion order; 400 ``sheet_choices_invalid`` unless every motion
    has exactly one (and no other motion has one)."""
    seen: set[int] = set()
    extra: list[int] = []
    for motion_id, _ in given:
        if motion_id not in motion_ids or motion_id in seen:
            extra.append(motion_id)
        seen.add(motion_id)
    missing = [i for i in motion_ids if i not in seen]
    if missing or extra:
        raise BadRequest(
            "choices",
            f"every motion needs exactly one choice (missing: {missing}; "
            f"unknown or repeated: {extra})",
            "sheet_choices_invalid",
            {"missing": ", ".join(map(str, missing)), "extra": ", ".join(map(str, extra))},
        )
    by_motion = dict(given)
    return [(i, by_motion[i]) for i in motion_ids]


def judge(earlier: Sequence[Choices], choices: Choices) -> Verdict:
    """The sheet's state after an entry with ``choices`` following the round's ``earlier``
    entries (all by other members, all over the same motions)."""
    if not earlier:
        return Verdict(
            "awaiting_second", "the first entry; another committee member must enter it too", []
        )
    agreeing = [n for n, e in enumerate(earlier) if e == choices]
    number = len(earlier) + 1
    if agreeing:
        return Verdict("counted", f"entry {number} equals an earlier entry of the sheet", agreeing)
    differ = sorted(
        {m for e in earlier for (m, a), (_, b) in zip(e, choices, strict=True) if a != b}
    )
    if len(earlier) == 1:
        return Verdict(
            "mismatch",
            f"the two entries differ on motions {differ}; nothing counts until a third "
            "member's entry equals one of them",
            [],
        )
    return Verdict(
        "mismatch",
        f"entry {number} equals none of the earlier entries (differs on motions {differ}); "
        "nothing counts until another member's entry equals one of them",
        [],
    )


def next_round(state: str, round_: int) -> int:
    """The round a new entry of a sheet belongs to: a new one once the sheet counted."""
    return round_ + 1 if state == "counted" else round_
