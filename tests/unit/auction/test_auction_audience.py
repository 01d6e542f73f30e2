"""The audience ``auction``: staff and the members of the suppliers invited to the event's
work; a socket learns a new invitation from the ``supplier.invited`` event it is shown."""

from __future__ import annotations

from datetime import UTC, datetime

from planner.access.model import Principal
from planner.live.frames import make_live_event
from planner.live.visibility import may_see, viewer


def who(role: str, supplier_id: int | None = None) -> Principal:
    return Principal(
        member_id=1,
        estate_id=1,
        role=role,  # type: ignore[arg-type]
        display_name="x",
        supplier_id=supplier_id,
    )


def event(type_: str, audience: str, data: dict[str, object], supplier_id: int | None = None):  # type: ignore[no-untyped-def]
    return make_live_event(
        estate_id=1,
        seq=1,
        type=type_,
        at=datetime.now(UTC),
        actor_id=None,
        audience=audience,
        supplier_id=supplier_id,
        data=data,
    )


BID = event("auction.bid", "auction", {"auction_id": 1, "work_id": 7, "number": 2})


def test_staff_and_invited_suppliers_see_auction_events() -> None:
    assert BID.work_id == 7
    for role in ("admin", "committee", "treasurer", "observer"):
        assert may_see(who(role), BID)
    assert not may_see(who("owner"), BID)
    assert not may_see(who("partner"), BID)
    assert may_see(who("supplier", 10), BID, {7})
    assert not may_see(who("supplier", 10), BID, {8})
    assert not may_see(who("supplier", 10), BID)


def test_a_socket_learns_its_invitations() -> None:
    invited: set[int] = set()
    see = viewer(who("supplier", 10), invited)
    assert not see(BID)
    other = event("supplier.invited", "supplier", {"work_id": 7}, supplier_id=11)
    assert not see(other) and invited == set()
    mine = event("supplier.invited", "supplier", {"work_id": 7}, supplier_id=10)
    assert see(mine) and invited == {7}
    assert see(BID)
