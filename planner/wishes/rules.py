"""The small wish's status path and who may move it (pure).

    open ──claim──▶ claimed ──fulfil──▶ fulfilled ──confirm──▶ confirmed
      ▲               │
      └───release─────┘          cancel: open | claimed → cancelled

* claim: a partner unit, only an open wish (a wish claimed by another partner is 409);
* release, fulfil: only the partner that claimed it (another partner: 403 ``not_your_claim``);
* confirm (the resident confirms receipt): an owner holding the wish's unit, or the
  committee / the admin;
* cancel: the same, before the wish is fulfilled.

A move not on the path is 409 ``illegal_transition``.
"""

from __future__ import annotations

from typing import Final, Literal

from planner.errors import BadRequest, Conflict, Forbidden
from planner.wishes.model import WISH_STATUSES

WishAction = Literal["claim", "release", "fulfil", "confirm", "cancel"]

#: action → (the statuses it starts from, the status it leads to)
MOVES: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "claim": (("open",), "claimed"),
    "release": (("claimed",), "open"),
    "fulfil": (("claimed",), "fulfilled"),
    "confirm": (("fulfilled",), "confirmed"),
    "cancel": (("open", "claimed"), "cancelled"),
}
PARTNER_ACTIONS: Final = frozenset({"claim", "release", "fulfil"})
RESIDENT_ACTIONS: Final = frozenset({"confirm", "cancel"})
MANAGER_ROLES: Final = frozenset({"admin", "committee"})
#: roles that post wishes: owners for their own units, managers on a resident's behalf
POSTER_ROLES: Final = ("admin", "committee", "owner")


def next_status(status: str, action: str) -> str:
    """The status after ``action``, or 409 ``illegal_transition``."""
    sources, target = MOVES[action]
    if status not in sources:
        raise Conflict(
            f"wish cannot go from {status} to {target}",
            "illegal_transition",
            {"what": "wish", "from": status, "to": target},
        )
    return target


def may_act(
    action: str,
    *,
    role: str,
    member_id: int,
    holds_unit: bool,
    claimed_by: int | None,
) -> bool:
    """Whether a member (``role``, holding the wish's unit or not) may take ``action`` on a
    wish claimed by ``claimed_by``, regardless of its status."""
    if action == "claim":
        return role == "partner"
    if action in PARTNER_ACTIONS:
        return role == "partner" and claimed_by == member_id
    return role in MANAGER_ROLES or (role == "owner" and holds_unit)


def check_act(
    action: str,
    status: str,
    *,
    role: str,
    member_id: int,
    holds_unit: bool,
    claimed_by: int | None,
) -> str:
    """The status after ``action`` by this member: 403 when they may not take it (another
    partner's claim: ``not_your_claim``; an owner of another unit: ``not_your_wish``),
    409 when the wish's status does not allow it. Claiming a wish another partner holds is
    409 (it is no longer open)."""
    if action in PARTNER_ACTIONS:
        if role != "partner":
            raise Forbidden(f"role {role} may not do this", "role_not_allowed", {"role": role})
        if action != "claim" and claimed_by != member_id:
            if claimed_by is None:
                next_status(status, action)  # an open wish: 409, it is not claimed
            raise Forbidden("another partner unit claimed this wish", "not_your_claim")
    elif not may_act(
        action, role=role, member_id=member_id, holds_unit=holds_unit, claimed_by=claimed_by
    ):
        if role == "owner":
            raise Forbidden("this wish is not for one of your units", "not_your_wish")
        raise Forbidden(f"role {role} may not do this", "role_not_allowed", {"role": role})
    return next_status(status, action)


def available_actions(
    status: str, *, role: str, member_id: int, holds_unit: bool, claimed_by: int | None
) -> list[str]:
    """The actions this member may take on the wish now (for the web's buttons)."""
    return [
        action
        for action, (sources, _) in MOVES.items()
        if status in sources
        and may_act(
            action, role=role, member_id=member_id, holds_unit=holds_unit, claimed_by=claimed_by
        )
    ]


def sees_unit(*, role: str, member_id: int, holds_unit: bool, claimed_by: int | None) -> bool:
    """Whether the member sees the wish's unit label and household: staff and managers,
    the owners holding it, and the partner that claimed it (to deliver)."""
    if role == "partner":
        return claimed_by == member_id
    if role == "owner":
        return holds_unit
    return role in ("admin", "committee", "treasurer", "observer")


WISH_STATUS_VALUES: Final = WISH_STATUSES
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"", "false", "0", "no"})


def list_filters(status: str, mine: str) -> tuple[str | None, bool]:
    """The list's query (``?status=&mine=``): an empty value is no filter; 400 for a status
    that is not one, or ``mine`` that is not true/false (1/0, yes/no)."""
    if status and status not in WISH_STATUS_VALUES:
        raise BadRequest(
            "status",
            f"not a wish status; one of {', '.join(WISH_STATUS_VALUES)}",
            "not_allowed",
        )
    flag = mine.strip().lower()
    if flag not in _TRUE | _FALSE:
        raise BadRequest("mine", "true or false", "not_allowed")
    return (status or None), flag in _TRUE


def summary_counts(statuses: list[str], all_statuses: tuple[str, ...]) -> dict[str, int]:
    """Totals by status, every status present (zeros included)."""
    counts = dict.fromkeys(all_statuses, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


# Pledges: a partner unit pledges money to a work the estate is pursuing. Not to a candidate
# (not yet chosen: no funding plan covers it), nor a rejected or done work.
PLEDGEABLE_WORK_STATUSES: Final = (
    "proposed",
    "approved",
    "quoting",
    "awarded",
    "funded",
    "in_progress",
)


def check_pledgeable(work_status: str) -> None:
    """409 ``wrong_status`` unless a pledge may go to a work of this status."""
    if work_status not in PLEDGEABLE_WORK_STATUSES:
        raise Conflict(
            f"work is {work_status}; this needs {' | '.join(PLEDGEABLE_WORK_STATUSES)}",
            "wrong_status",
            {
                "what": "work",
                "status": work_status,
                "needed": " | ".join(PLEDGEABLE_WORK_STATUSES),
            },
        )


def check_withdrawal(pledge_status: str, used_by_plan_in_force_fen: int) -> None:
    """A pledge may be withdrawn once, and only while the approved plan (if any) does not
    use its source: 409 ``wrong_status`` / ``pledge_in_use`` otherwise."""
    if pledge_status != "active":
        raise Conflict(
            f"pledge is {pledge_status}; this needs active",
            "wrong_status",
            {"what": "pledge", "status": pledge_status, "needed": "active"},
        )
    if used_by_plan_in_force_fen > 0:
        raise Conflict(
            "the approved funding plan uses this pledge; it cannot be withdrawn",
            "pledge_in_use",
        )
