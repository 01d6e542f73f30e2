"""The small wish's status path and who may move it (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import Conflict, Forbidden
from planner.wishes.model import WISH_STATUSES
from planner.wishes.rules import (
    MOVES,
    available_actions,
    check_act,
    check_pledgeable,
    check_withdrawal,
    next_status,
    sees_unit,
    summary_counts,
)

ROLES = ("admin", "committee", "owner", "supplier", "treasurer", "observer", "partner")
ACTIONS = tuple(MOVES)


def test_the_happy_path() -> None:
    status = "open"
    for action in ("claim", "fulfil", "confirm"):
        status = next_status(status, action)
    assert status == "confirmed"
    assert next_status("claimed", "release") == "open"
    assert next_status("open", "cancel") == "cancelled"
    assert next_status("claimed", "cancel") == "cancelled"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", "fulfil"),
        ("open", "confirm"),
        ("claimed", "claim"),
        ("claimed", "confirm"),
        ("fulfilled", "cancel"),
        ("fulfilled", "release"),
        ("confirmed", "confirm"),
        ("cancelled", "claim"),
    ],
)
def test_illegal_moves_are_409(status: str, action: str) -> None:
    with pytest.raises(Conflict) as raised:
        next_status(status, action)
    assert raised.value.code == "illegal_transition"


def _act(action: str, status: str, role: str, member: int, holds: bool, by: int | None) -> str:
    return check_act(action, status, role=role, member_id=member, holds_unit=holds, claimed_by=by)


def test_who_may() -> None:
    assert _act("claim", "open", "partner", 7, False, None) == "claimed"
    with pytest.raises(Forbidden):
        _act("claim", "open", "committee", 7, False, None)
    with pytest.raises(Forbidden) as other:
        _act("fulfil", "claimed", "partner", 8, False, 7)
    assert other.value.code == "not_your_claim"
    assert _act("fulfil", "claimed", "partner", 7, False, 7) == "fulfilled"
    assert _act("confirm", "fulfilled", "owner", 3, True, 7) == "confirmed"
    assert _act("confirm", "fulfilled", "committee", 3, False, 7) == "confirmed"
    with pytest.raises(Forbidden) as foreign:
        _act("confirm", "fulfilled", "owner", 3, False, 7)
    assert foreign.value.code == "not_your_wish"
    with pytest.raises(Forbidden):
        _act("confirm", "fulfilled", "partner", 7, False, 7)


@given(
    status=st.sampled_from(WISH_STATUSES),
    role=st.sampled_from(ROLES),
    member=st.integers(1, 3),
    holds=st.booleans(),
    by=st.one_of(st.none(), st.integers(1, 3)),
)
def test_offered_actions_are_exactly_the_allowed_ones(
    status: str, role: str, member: int, holds: bool, by: int | None
) -> None:
    """What the web offers as a button is what the service lets through, and no more."""
    offered = available_actions(
        status, role=role, member_id=member, holds_unit=holds, claimed_by=by
    )
    for action in ACTIONS:
        try:
            _act(action, status, role, member, holds, by)
            allowed = True
        except (Forbidden, Conflict):
            allowed = False
        assert allowed == (action in offered), (action, status, role)


@given(st.lists(st.sampled_from(WISH_STATUSES), max_size=50))
def test_summary_counts_add_up(statuses: list[str]) -> None:
    counts = summary_counts(statuses, WISH_STATUSES)
    assert set(counts) == set(WISH_STATUSES)
    assert sum(counts.values()) == len(statuses)


def test_the_unit_is_shown_to_the_claimer_not_to_other_partners() -> None:
    assert sees_unit(role="partner", member_id=7, holds_unit=False, claimed_by=7)
    assert not sees_unit(role="partner", member_id=8, holds_unit=False, claimed_by=7)
    assert not sees_unit(role="owner", member_id=1, holds_unit=False, claimed_by=None)
    assert sees_unit(role="owner", member_id=1, holds_unit=True, claimed_by=None)
    assert sees_unit(role="committee", member_id=1, holds_unit=False, claimed_by=None)


def test_pledge_rules() -> None:
    check_pledgeable("approved")
    for status in ("candidate", "rejected", "done"):
        with pytest.raises(Conflict):
            check_pledgeable(status)
    check_withdrawal("active", 0)
    with pytest.raises(Conflict) as used:
        check_withdrawal("active", 1)
    assert used.value.code == "pledge_in_use"
    with pytest.raises(Conflict):
        check_withdrawal("withdrawn", 0)


def test_list_filters() -> None:
    from planner.errors import BadRequest
    from planner.wishes.rules import WISH_STATUS_VALUES, list_filters

    assert WISH_STATUS_VALUES == WISH_STATUSES
    assert list_filters("", "") == (None, False)
    assert list_filters("open", "true") == ("open", True)
    assert list_filters("claimed", "0") == ("claimed", False)
    for status, mine in (("bogus", ""), ("", "maybe")):
        with pytest.raises(BadRequest):
            list_filters(status, mine)
