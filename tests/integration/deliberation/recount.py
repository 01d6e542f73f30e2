"""An independent recount straight from the tables (used by the concurrency tests and
bench/vote_storm.py): households in the motion's frozen scope and the append-only ballots."""

from __future__ import annotations

from typing import Any

from planner.db.pool import connect_raw
from planner.deliberation.rules import Ballot, Counts, Tally, UnitInScope, count, tally

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
    """An independent recount straight from households and the append-only ballots table."""
    conn = await connect_raw(database_url)
    try:
        units = [
            UnitInScope(household_id=r["id"], owner_key=r["owner_key"], area_m2=r["area_m2"])
            for r in await conn.fetch(
                """SELECT h.id, h.owner_key, h.area_m2 FROM households h
                   JOIN motion_units u ON u.household_id = h.id WHERE u.motion_id = $1""",
                motion_id,
            )
        ]
        ballots = [
            Ballot(seq=r["id"], household_ids=(r["household_id"],), choice=r["choice"])
            for r in await conn.fetch(
                "SELECT id, household_id, choice FROM ballots WHERE motion_id = $1", motion_id
            )
        ]
        running = await conn.fetchrow(
            """SELECT total_area, total_owners, total_units, participating_units, yes_area,
                      no_area, abstain_area, yes_owners, no_owners, abstain_owners
               FROM motions WHERE id = $1""",
            motion_id,
        )
    finally:
        await conn.close()
    return tally(matter, units, ballots), count(units, ballots), dict(running), len(ballots)
