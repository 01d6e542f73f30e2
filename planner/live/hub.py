"""Fan-out of committed events to the WebSocket subscribers of one instance.

The hub is pure asyncio: it neither reads the database nor touches a socket, so it
is tested by feeding it events. Each subscriber owns a bounded queue; `publish`
never awaits, so a subscriber whose socket stops draining cannot delay anyone
else. When a subscriber's queue is full the hub drops the backlog, marks the
subscriber as overflowed, and its sender closes the socket with `CLOSE_TOO_SLOW`;
the client resumes with `after=<last seq it received>` and the event table, not
memory, fills the gap.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from planner.live.frames import LiveEvent

#: Close code for a subscriber that fell behind; the reason says how to resume.
CLOSE_TOO_SLOW = 4008
#: Close code for a caller outside the estate or without a role that may listen.
CLOSE_FORBIDDEN = 4403
#: Close code for a caller without valid credentials.
CLOSE_UNAUTHENTICATED = 4401
#: Close code sent to every subscriber when the instance shuts down (RFC 6455 1012).
CLOSE_RESTARTING = 1012

DEFAULT_QUEUE_SIZE = 512

Visibility = Callable[[LiveEvent], bool]


REASON_REVOKED = "membership revoked"
REASON_SESSION_ENDED = "session ended or expired, sign in again"


def ended_reason(event: LiveEvent) -> str:
    return REASON_REVOKED if event.ends_member_id is not None else REASON_SESSION_ENDED


class SubscriberTooSlow(Exception):
    """Raised by `Subscriber.next_event` once the subscriber's queue overflowed."""


class SubscriberClosed(Exception):
    """Raised by `Subscriber.next_event` after the hub closed the subscriber."""


def _see_everything(event: LiveEvent) -> bool:
    return True


@dataclass(eq=False)
class Subscriber:
    """One listening socket: a bounded queue of events it may see, in seq order."""

    estate_id: int
    may_see: Visibility = _see_everything
    capacity: int = DEFAULT_QUEUE_SIZE
    #: who listens: the member, and the browser session when signed in by cookie (closed
    #: with `CLOSE_UNAUTHENTICATED` when either ends; see `Hub.close_member`)
    member_id: int | None = None
    session_hash: bytes | None = None
    expires_at: datetime | None = None
    overflowed: bool = False
    closed: bool = False
    close_code: int = 1000
    close_reason: str = ""
    last_offered_seq: int = 0
    _queue: deque[LiveEvent] = field(default_factory=deque)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    #: Optional fast path, set by the sender once it is live: called instead of queueing
    #: while the sender is parked with nothing queued; returns True if it took the event
    #: (it must not block). This saves a task wake-up per event and subscriber.
    deliver: Callable[[LiveEvent], bool] | None = None
    #: Who sees what, as a hashable class (see `planner.live.visibility.audience_class`):
    #: subscribers of one class see the same events, so `Hub.publish` decides once per class
    #: and event. None: decide with `may_see` for this subscriber alone.
    audience: Hashable | None = None
    #: Optional fast path for a whole published batch (see `Hub.publish`): called while the
    #: sender is parked with nothing queued, with the events this subscriber may see (seq
    #: order) and their prebuilt frames joined; returns True if it took them all.
    deliver_many: Callable[[list[LiveEvent], bytes], bool] | None = None
    _idle: bool = False
    _heartbeat_due: bool = False
    _parked: bool = False

    def offer(self, event: LiveEvent) -> None:
        """Queue `event` if visible; never blocks. A full queue marks the subscriber too slow.

        The event revoking this subscriber's member, or any event stamped at or after its
        session's expiry, closes it instead: nothing after that point reaches the socket.
        """
        if self.closed or self.overflowed:
            return
        if (event.ends_member_id is not None or self.expires_at is not None) and self.ends_access(
            event
        ):
            self.close(CLOSE_UNAUTHENTICATED, ended_reason(event))
            return
        if not self.may_see(event):
            return
        self._idle = False
        if self._parked and not self._queue and self.deliver is not None and self.deliver(event):
            self.last_offered_seq = event.seq
            return
        if len(self._queue) >= self.capacity:
            self.overflowed = True
            self._queue.clear()
            self._ready.set()
            return
        self._queue.append(event)
        self.last_offered_seq = event.seq
        self._ready.set()

    def offer_visible(self, visible: list[LiveEvent], wire: bytes) -> None:
        """Offer a batch already filtered for this subscriber's audience class, with the
        events' frames joined (``wire``, empty if not all were prebuilt): handed over in one
        call when the sender is parked and idle, else offered one by one."""
        if self.closed or self.overflowed or not visible:
            return
        self._idle = False
        if (
            wire
            and self._parked
            and not self._queue
            and self.deliver_many is not None
            and self.deliver_many(visible, wire)
        ):
            self.last_offered_seq = visible[-1].seq
            return
        for event in visible:
            self.offer(event)

    def ends_access(self, event: LiveEvent) -> bool:
        """Whether `event` comes after the end of this subscriber's member or session."""
        if event.ends_member_id is not None and event.ends_member_id == self.member_id:
            return True
        return self.expires_at is not None and event.at >= self.expires_at

    def close(self, code: int, reason: str = "") -> None:
        """Ask the sender to stop: `next_event` raises `SubscriberClosed` from now on."""
        if not self.closed:
            self.closed = True
            self.close_code = code
            self.close_reason = reason
            self._ready.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def take_nowait(self) -> LiveEvent | None:
        """The next queued event, or None when the queue is empty."""
        if self.overflowed:
            raise SubscriberTooSlow
        if self.closed:
            raise SubscriberClosed
        return self._queue.popleft() if self._queue else None

    def poke_if_idle(self) -> None:
        """Called once per heartbeat interval: a subscriber offered nothing since the last
        call gets a heartbeat (None from `next_event`), so idle sockets still hear from us."""
        if self._idle:
            self._heartbeat_due = True
            self._ready.set()
        self._idle = True

    async def next_event(self) -> LiveEvent | None:
        """Wait for the next event; None when a heartbeat is due instead.

        Raises `SubscriberTooSlow` after an overflow and `SubscriberClosed` after
        `close`, even if events were still queued: a closed subscriber sends nothing more.
        No timer per wait: one ticker per instance pokes idle subscribers, which keeps the
        cost of an event at one wake-up per subscriber.
        """
        while True:
            event = self.take_nowait()
            if event is not None:
                return event
            if self._heartbeat_due:
                self._heartbeat_due = False
                return None
            self._ready.clear()
            self._parked = True
            try:
                await self._ready.wait()
            finally:
                self._parked = False


class Hub:
    """Per-estate sets of subscribers on this instance."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._by_estate: dict[int, set[Subscriber]] = {}
        self.dropped_too_slow = 0

    def subscribe(
        self,
        estate_id: int,
        may_see: Visibility = _see_everything,
        capacity: int | None = None,
        *,
        member_id: int | None = None,
        session_hash: bytes | None = None,
        expires_at: datetime | None = None,
        audience: Hashable | None = None,
    ) -> Subscriber:
        subscriber = Subscriber(
            estate_id=estate_id,
            may_see=may_see,
            capacity=capacity or self.queue_size,
            member_id=member_id,
            session_hash=session_hash,
            expires_at=expires_at,
            audience=audience,
        )
        self._by_estate.setdefault(estate_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        members = self._by_estate.get(subscriber.estate_id)
        if members is None:
            return
        members.discard(subscriber)
        if not members:
            del self._by_estate[subscriber.estate_id]

    def publish(self, estate_id: int, events: Iterable[LiveEvent]) -> None:
        """Offer `events` (already in seq order) to every subscriber of the estate.

        Runs without awaiting, so all subscribers see the same events in the same order
        and none waits for another. Visibility is decided once per audience class and event,
        and the frames a class may see are joined once, so a subscriber whose sender is idle
        takes the whole batch in one call (one write to its socket). A subscriber whose
        access may end within the batch (a revocation in it, a session that expires) is
        offered event by event.
        """
        members = self._by_estate.get(estate_id)
        if not members:
            return
        batch = list(events)
        if not batch:
            return
        cutting = any(event.ends_member_id is not None for event in batch)
        by_class: dict[Hashable, tuple[list[LiveEvent], bytes]] = {}
        for subscriber in list(members):
            was_overflowed = subscriber.overflowed
            audience = subscriber.audience
            if audience is None or cutting or subscriber.expires_at is not None:
                for event in batch:
                    subscriber.offer(event)
            else:
                seen = by_class.get(audience)
                if seen is None:
                    visible = [e for e in batch if subscriber.may_see(e)]
                    wire = (
                        b"".join(e.wire for e in visible) if all(e.wire for e in visible) else b""
                    )
                    seen = by_class[audience] = (visible, wire)
                subscriber.offer_visible(*seen)
            if subscriber.overflowed and not was_overflowed:
                self.dropped_too_slow += 1

    def poke_idle(self) -> None:
        """Once per heartbeat interval: idle subscribers get a heartbeat."""
        for subscriber in self.subscribers():
            subscriber.poke_if_idle()

    def close_member(self, member_id: int) -> int:
        """Close every subscriber of a revoked member; return how many."""
        return self._close_where(lambda s: s.member_id == member_id, REASON_REVOKED)

    def close_session(self, session_hash: bytes) -> int:
        """Close every subscriber signed in by an ended browser session; return how many."""
        return self._close_where(lambda s: s.session_hash == session_hash, REASON_SESSION_ENDED)

    def _close_where(self, ended: Callable[[Subscriber], bool], reason: str) -> int:
        closing = [s for s in self.subscribers() if not s.closed and ended(s)]
        for subscriber in closing:
            subscriber.close(CLOSE_UNAUTHENTICATED, reason)
        return len(closing)

    def close_all(self, code: int, reason: str = "") -> None:
        for subscriber in self.subscribers():
            subscriber.close(code, reason)

    def estates(self) -> list[int]:
        """Estates with at least one subscriber on this instance."""
        return list(self._by_estate)

    def has_subscribers(self, estate_id: int) -> bool:
        return bool(self._by_estate.get(estate_id))

    def subscribers(self, estate_id: int | None = None) -> Iterator[Subscriber]:
        if estate_id is not None:
            yield from list(self._by_estate.get(estate_id, ()))
            return
        for members in list(self._by_estate.values()):
            yield from list(members)

    def __len__(self) -> int:
        return sum(len(members) for members in self._by_estate.values())
