"""The consultations' schedule: open at ``opens_at`` and close at ``closes_at``, by itself.

Every instance of the service runs this loop. The state is in PostgreSQL, so a restart
catches up at once (a consultation whose closing time passed while no instance ran is
opened, if it never was, then closed), and each step locks the consultation's row with
``FOR UPDATE SKIP LOCKED`` and re-checks its status under the lock, so with several
instances exactly one takes each step; the others skip the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from planner.consultation import service, store
from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database

log = logging.getLogger("planner.consultation")

#: How often each instance looks for due steps at the least; between looks it sleeps until
#: the earliest scheduled step, so a close is usually recorded within milliseconds.
TICK_SECONDS = 1.0


async def take_due_steps(db: Database) -> int:
    """Take every step that is due now, one transaction each; how many this call took."""
    taken = 0
    while True:
        async with db.connection() as conn:
            due = await store.due(conn)
        if not due:
            return taken
        progressed = False
        for consultation_id, status in due:
            try:
                async with db.transaction() as conn:
                    row = await store.lock(conn, consultation_id, skip_locked=True)
                    if row is None or row.status != status:
                        continue  # another instance has it, or took the step already
                    if status == "noticed":
                        await service.open_in(conn, row)
                    else:
                        await service.close_in(conn, row, None)
            except DatabaseUnavailable:
                raise
            except Exception:  # one broken consultation must not stop the others' steps
                log.exception("consultation %s: the %s step failed", consultation_id, status)
                continue
            taken += 1
            progressed = True
        if not progressed:
            return taken


async def run_schedule(db: Database, interval: float = TICK_SECONDS) -> None:
    """The periodic task started with the app: take what is due, then sleep until the next
    scheduled step (or ``interval``, whichever comes first: a step scheduled meanwhile, by
    this instance or another, is seen within it)."""
    while True:
        pause = interval
        try:
            await take_due_steps(db)
            async with db.connection() as conn:
                upcoming = await store.seconds_to_next_step(conn)
            if upcoming is not None:
                pause = min(interval, max(upcoming, 0.0) + 0.005)
        except DatabaseUnavailable as exc:  # logged once per outage by the pool
            log.debug("the consultation schedule failed; retrying: %s", exc)
        except (asyncpg.PostgresError, OSError):
            log.exception("the consultation schedule failed; retrying")
        await asyncio.sleep(pause)


async def stop_schedule(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
