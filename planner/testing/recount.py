"""An independent recount straight from the tables (the vote concurrency tests and
bench/vote_storm.py): households in the motion's frozen scope and the append-only ballots."""

from __future__ import annotations

from typing import Any

from planner.deliberation.rules import Ballot, Counts, Tally, UnitInScope, count, tally
from planner.testing import store

#: The tally fields an API answer or a pushed tally must share with the recount.
TALLY_FIELDS = (
    "total_area_m2",
    "participating_area_m2",
    "yes_area_m2",
    "no_area_m2",
    "abstain_area_m2",
    "total_owners",
    "participating_owners",
    "yes_owners",
    "no_owners",
    "abstain_owners",
    "quorum_met",
    "passed",
)


async def recount_from_tables(
    database_url: str, motion_id: int, matter: int
) -> tuple[Tally, Counts, dict[str, Any], int]:
    """The tally and counts recomputed from households and ballots, the motion's running
    counts as stored, and the number of ballot rows."""
    async with store.connected(database_url) as conn:
        scope = await store.motion_scope(conn, motion_id)
        stored = await store.motion_ballots(conn, motion_id)
        running = await store.motion_running_counts(conn, motion_id)
    units = [
        UnitInScope(household_id=u.household_id, owner_key=u.owner_key, area_m2=u.area_m2)
        for u in scope
    ]
    ballots = [Ballot(seq=b.id, household_ids=(b.household_id,), choice=b.choice) for b in stored]
    return tally(matter, units, ballots), count(units, ballots), running, len(ballots)
