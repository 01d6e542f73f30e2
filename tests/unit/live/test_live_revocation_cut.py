"""The hub's cut at a revocation (issue 15, item 1): a subscriber meets ``member.revoked``
for its member, or an event stamped after its session's expiry, and closes with 4401 before
any later event; notifications close a member's or a session's subscribers at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from planner.live.frames import LiveEvent, make_live_event
from planner.live.hub import CLOSE_UNAUTHENTICATED, Hub, SubscriberClosed

pytestmark = pytest.mark.timeout(5)

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def event(seq: int, type: str = "building.added", at: datetime = AT, **data: object) -> LiveEvent:
    return make_live_event(
        estate_id=1,
        seq=seq,
        type=type,
        at=at,
        actor_id=None,
        audience="staff" if type.startswith("member.") else "all",
        supplier_id=None,
        data=data or {"n": seq},
    )


def test_the_revocation_event_names_the_member_it_ends() -> None:
    assert event(1, "member.revoked", member_id=7).ends_member_id == 7
    assert event(2, "member.added", member_id=7).ends_member_id is None
    assert event(3).ends_member_id is None


async def test_nothing_after_the_members_revocation_is_queued() -> None:
    hub = Hub()
    revoked = hub.subscribe(1, member_id=7)
    other = hub.subscribe(1, member_id=8)
    hub.publish(1, [event(1), event(2, "member.revoked", member_id=7), event(3), event(4)])
    assert revoked.closed and revoked.close_code == CLOSE_UNAUTHENTICATED
    assert revoked.close_reason == "membership revoked"
    with pytest.raises(SubscriberClosed):
        await revoked.next_event()
    assert revoked.last_offered_seq == 1
    assert [(await other.next_event()).seq for _ in range(4)] == [1, 2, 3, 4]  # type: ignore[union-attr]


def test_an_expired_sessions_subscriber_takes_nothing_stamped_after_expiry() -> None:
    hub = Hub()
    expires = AT + timedelta(seconds=5)
    session = hub.subscribe(1, member_id=7, session_hash=b"s", expires_at=expires)
    hub.publish(1, [event(1, at=AT), event(2, at=expires), event(3, at=AT)])
    assert session.closed and session.last_offered_seq == 1
    assert session.close_reason.startswith("session ended")


def test_notifications_close_a_members_or_a_sessions_subscribers() -> None:
    hub = Hub()
    by_token = hub.subscribe(1, member_id=7)
    by_cookie = hub.subscribe(1, member_id=7, session_hash=b"a")
    other_session = hub.subscribe(1, member_id=9, session_hash=b"b")
    assert hub.close_session(b"a") == 1
    assert by_cookie.closed and not by_token.closed and not other_session.closed
    assert hub.close_member(7) == 1
    assert by_token.closed and by_token.close_code == CLOSE_UNAUTHENTICATED
    assert not other_session.closed
