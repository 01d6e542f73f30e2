"""The auctions' clock: announce each turn and round end on time and finish each auction at
its end, by itself (the model is ``planner.consultation.schedule``).

Every instance runs this loop. The state is in PostgreSQL (``steps_done``, ``next_step_at``),
so a restart catches up at once (the boundaries it slept through are announced in order,
then the auction goes on or finishes), and each step locks the auction's row with
``FOR UPDATE SKIP LOCKED`` and re-checks under the lock, so with several instances exactly
one announces each boundary. Between steps the loop sleeps until the next boundary (at most
``TICK_SECONDS``); ``wake()`` cuts the sleep short when this instance creates an auction.
Bids never wait for this loop: whose turn it is follows from the settings and the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from planner.auction import service, store
from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database

log = logging.getLogger("planner.auction")

TICK_SECONDS = 1.0
#: a row another instance (or a bid) holds is retried this soon
RETRY_SECONDS = 0.01

#: one wake-up per event loop (tests run several apps in one process, each on its loop)
_wakeups: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}


def wake() -> None:
    """Make this instance's loop look for due steps now (after a commit that added some)."""
    event = _wakeups.get(asyncio.get_running_loop())
    if event is not None:
        event.set()


async def run_schedule(db: Database, interval: float = TICK_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    wakeup = _wakeups[loop] = asyncio.Event()
    try:
        await _run(db, interval, wakeup)
    finally:
        _wakeups.pop(loop, None)


async def _run(db: Database, interval: float, wakeup: asyncio.Event) -> None:
    while True:
        pause = interval
        wakeup.clear()  # before looking: a wake() during the look is not lost
        try:
            await service.take_due_steps(db)
            async with db.connection() as conn:
                upcoming = await store.seconds_to_next_step(conn)
            if upcoming is not None:
                pause = min(interval, max(upcoming, RETRY_SECONDS))
        except DatabaseUnavailable as exc:  # logged once per outage by the pool
            log.debug("the auction schedule failed; retrying: %s", exc)
        except (asyncpg.PostgresError, OSError):
            log.exception("the auction schedule failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), pause)


async def stop_schedule(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
