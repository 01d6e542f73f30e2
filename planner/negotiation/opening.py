"""Opening sealed bids, an explicit step: by the periodic task at the opening time, and by
the negotiation services before a read (in its own transaction), whichever comes first.

Until a work's ``sealed_until`` passes, nobody but the bidder sees a price: the API withholds
it and round events go to the audience "bidder" only. The opening is recorded in
``works.opened_at`` by a conditional UPDATE, so of all the readers and instances that notice
the time has come, exactly one emits the single "quotes.opened" event, carrying every
quote's current round and total for the committee (audience "staff").

Visibility itself depends only on the clock (``rules.can_see_prices``), so a read at the
opening time shows the prices even if the event is written a moment later. Reading the work
itself (``works.service.read_work``) opens nothing; its ``opened_at`` tells whether this step
has run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import asyncpg

from planner.access.model import Principal
from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database
from planner.events import append_event
from planner.negotiation import store
from planner.works import service as works_service
from planner.works import store as works_store
from planner.works.model import WorkOut

log = logging.getLogger("planner.negotiation")
OPENING_INTERVAL_SECONDS = 5.0


def due(work: WorkOut, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return work.sealed_until is not None and work.opened_at is None and work.sealed_until <= now


async def open_in(conn: asyncpg.Connection, work_id: int, estate_id: int) -> bool:
    """Open the work's bids in the caller's transaction; True if this call opened them."""
    if not await works_store.mark_opened(conn, work_id):
        return False
    quotes = await store.current_rounds(conn, work_id)
    await append_event(
        conn,
        estate_id=estate_id,
        type="quotes.opened",
        data={
            "work_id": work_id,
            "quotes": [
                {
                    "quote_id": q.quote_id,
                    "supplier_id": q.supplier_id,
                    "supplier_name": q.supplier_name,
                    "round": q.round,
                    "total_fen": q.total_fen,
                }
                for q in quotes
            ],
        },
        actor_id=None,
        audience="staff",
    )
    return True


async def open_if_due(db: Database, work: WorkOut) -> WorkOut:
    """Open the work's sealed bids in their own transaction if their time has come and nobody
    did yet; returns the work as it now stands."""
    if not due(work):
        return work
    async with db.transaction() as conn:
        if not await open_in(conn, work.id, work.estate_id):
            return work
        opened = await works_store.get_work(conn, work.id)
    assert opened is not None
    return opened


async def readable_work(db: Database, work_id: int, principal: Principal) -> WorkOut:
    """The work if the caller may see it (else 404/403), its bids opened first if due: every
    negotiation read goes through here, so the committee's next read after the opening time
    finds the bids open even if the periodic task has not run yet."""
    async with db.connection() as conn:
        work = await works_service.visible_work(conn, work_id, principal)
    return await open_if_due(db, work)


async def open_all_due(db: Database) -> int:
    """Open every work whose opening time has passed; returns how many this call opened."""
    opened = 0
    async with db.connection() as conn:
        work_ids = await works_store.due_for_opening(conn)
    for work_id in work_ids:
        async with db.transaction() as conn:
            work = await works_store.get_work(conn, work_id, lock=True)
            if work is not None and await open_in(conn, work.id, work.estate_id):
                opened += 1
    return opened


async def run_opener(db: Database, interval: float = OPENING_INTERVAL_SECONDS) -> None:
    """The periodic task started with the app: opens due bids every few seconds."""
    while True:
        try:
            await open_all_due(db)
        except DatabaseUnavailable as exc:  # logged once per outage by the pool
            log.debug("opening sealed bids failed; retrying: %s", exc)
        except (asyncpg.PostgresError, OSError):
            log.exception("opening sealed bids failed; retrying")
        await asyncio.sleep(interval)


async def stop_opener(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
