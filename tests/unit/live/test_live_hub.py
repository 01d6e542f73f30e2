"""The fan-out hub: ordering, visibility, and slow subscribers dropped without delaying others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from planner.live.frames import LiveEvent, make_live_event
from planner.live.hub import Hub, SubscriberClosed, SubscriberTooSlow

pytestmark = pytest.mark.timeout(5)

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def event(seq: int, *, estate_id: int = 1, supplier_id: int | None = None) -> LiveEvent:
    return make_live_event(
        estate_id=estate_id,
        seq=seq,
        type="quote.revised" if supplier_id else "ballot.cast",
        at=AT,
        actor_id=7,
        audience="bidder" if supplier_id else "members",
        supplier_id=supplier_id,
        data={"n": seq},
    )


async def drain(subscriber_next: object, count: int) -> list[int]:
    assert callable(subscriber_next)
    seqs = []
    for _ in range(count):
        got = await asyncio.wait_for(subscriber_next(), 1)
        assert got is not None
        seqs.append(got.seq)
    return seqs


async def test_every_subscriber_receives_events_in_seq_order() -> None:
    hub = Hub(queue_size=100)
    first, second = hub.subscribe(1), hub.subscribe(1)
    hub.publish(1, [event(1), event(2)])
    hub.publish(1, [event(3)])
    assert await drain(first.next_event, 3) == [1, 2, 3]
    assert await drain(second.next_event, 3) == [1, 2, 3]


async def test_events_of_another_estate_are_not_delivered() -> None:
    hub = Hub()
    mine = hub.subscribe(1)
    hub.publish(2, [event(1, estate_id=2)])
    assert mine.take_nowait() is None


async def test_visibility_filter_applies_per_subscriber() -> None:
    hub = Hub()
    supplier_a = hub.subscribe(1, may_see=lambda e: e.supplier_id in (None, 10))
    staff = hub.subscribe(1)
    hub.publish(1, [event(1), event(2, supplier_id=11), event(3, supplier_id=10)])
    assert await drain(supplier_a.next_event, 2) == [1, 3]
    assert supplier_a.take_nowait() is None
    assert await drain(staff.next_event, 3) == [1, 2, 3]


async def test_slow_subscriber_is_dropped_and_others_keep_everything() -> None:
    hub = Hub(queue_size=4)
    slow = hub.subscribe(1)
    fast = hub.subscribe(1)
    received: list[int] = []

    async def read_fast() -> None:
        while len(received) < 50:
            got = await fast.next_event()  # the module's timeout guards against a hang
            assert got is not None
            received.append(got.seq)

    reader = asyncio.create_task(read_fast())
    for seq in range(1, 51):
        hub.publish(1, [event(seq)])
        await asyncio.sleep(0)  # the fast reader drains between events, the slow one never
    await asyncio.wait_for(reader, 1)
    assert received == list(range(1, 51))
    assert slow.overflowed
    assert slow.pending == 0  # the backlog is dropped, not kept growing
    with pytest.raises(SubscriberTooSlow):
        await asyncio.wait_for(slow.next_event(), 1)
    assert hub.dropped_too_slow == 1


async def test_publish_never_waits_for_a_subscriber() -> None:
    hub = Hub(queue_size=10_000)
    for _ in range(1000):
        hub.subscribe(1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    hub.publish(1, [event(seq) for seq in range(1, 11)])
    assert loop.time() - started < 0.5
    assert all(s.pending == 10 for s in hub.subscribers(1))


async def test_waiting_subscriber_wakes_on_publish() -> None:
    hub = Hub()
    subscriber = hub.subscribe(1)
    waiter = asyncio.create_task(subscriber.next_event())
    await asyncio.sleep(0.01)
    hub.publish(1, [event(1)])
    got = await asyncio.wait_for(waiter, 1)
    assert got is not None and got.seq == 1


async def test_close_wakes_the_sender_and_stops_delivery() -> None:
    hub = Hub()
    subscriber = hub.subscribe(1)
    waiter = asyncio.create_task(subscriber.next_event())
    await asyncio.sleep(0.01)
    hub.close_all(1012, "restarting")
    with pytest.raises(SubscriberClosed):
        await asyncio.wait_for(waiter, 1)
    assert subscriber.close_code == 1012


async def test_unsubscribe_forgets_the_estate_when_empty() -> None:
    hub = Hub()
    subscriber = hub.subscribe(5)
    assert hub.estates() == [5] and hub.has_subscribers(5)
    hub.unsubscribe(subscriber)
    hub.unsubscribe(subscriber)
    assert hub.estates() == [] and len(hub) == 0
    hub.publish(5, [event(1, estate_id=5)])


async def test_an_idle_subscriber_gets_a_heartbeat_after_a_quiet_interval() -> None:
    hub = Hub()
    quiet, busy = hub.subscribe(1), hub.subscribe(1)
    hub.poke_idle()  # the interval starts: nobody is due yet
    assert quiet.take_nowait() is None
    hub.publish(1, [event(1)])
    assert (await asyncio.wait_for(busy.next_event(), 1)) is not None
    assert (await asyncio.wait_for(quiet.next_event(), 1)) is not None
    hub.publish(1, [event(2)])
    hub.poke_idle()  # both were offered an event in this interval: no heartbeat
    got = await asyncio.wait_for(quiet.next_event(), 1)
    assert got is not None and got.seq == 2
    hub.poke_idle()  # a whole interval without events
    assert await asyncio.wait_for(quiet.next_event(), 1) is None


async def test_audience_classes_decide_once_and_hand_over_whole_batches() -> None:
    from planner.access.model import Principal
    from planner.live.visibility import audience_class, may_see

    hub = Hub(queue_size=100)
    calls: list[tuple[str, list[int], bytes]] = []
    people = {
        "owner": Principal(member_id=1, estate_id=1, role="owner", display_name="甲"),
        "supplier10": Principal(
            member_id=2, estate_id=1, role="supplier", display_name="乙", supplier_id=10
        ),
        "supplier11": Principal(
            member_id=3, estate_id=1, role="supplier", display_name="丙", supplier_id=11
        ),
    }
    subscribers = {}
    for name, principal in people.items():
        subscriber = hub.subscribe(
            1, lambda e, p=principal: may_see(p, e), audience=audience_class(principal)
        )

        def take(events: list[LiveEvent], wire: bytes, name: str = name) -> bool:
            calls.append((name, [e.seq for e in events], wire))
            return True

        subscriber.deliver_many = take
        subscriber._parked = True
        subscribers[name] = subscriber
    batch = [event(1), event(2, supplier_id=10), event(3), event(4, supplier_id=11)]
    hub.publish(1, batch)
    got = {name: (seqs, wire) for name, seqs, wire in calls}
    assert got["owner"] == ([1, 3], batch[0].wire + batch[2].wire)
    assert got["supplier10"] == ([2], batch[1].wire)
    assert got["supplier11"] == ([4], batch[3].wire)
    # a sender that is busy gets the same events queued, one by one
    subscribers["owner"]._parked = False
    hub.publish(1, [event(5), event(6, supplier_id=10)])
    assert await drain(subscribers["owner"].next_event, 1) == [5]
    assert subscribers["owner"].pending == 0
