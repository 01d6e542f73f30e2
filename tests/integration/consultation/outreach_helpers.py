"""Ballots by all three channels for the turnout, public page and announcement tests.

Paper ballots go through the ballot box's own ``record_batch`` with ``channel="paper"`` (what
paper entries do once two entries agree), in a transaction on the test's database.
"""

from __future__ import annotations

import httpx

from planner.db.pool import Database
from planner.deliberation import store as deliberation_store
from planner.deliberation.ballot_box import PendingCast, record_batch
from planner.deliberation.model import RollUnit
from planner.testing.voting import Voting
from tests.conftest import bearer


async def vote_online(client: httpx.AsyncClient, token: str, motion_id: int, choice: str) -> None:
    cast = await client.post(
        f"/api/motions/{motion_id}/ballots", json={"choice": choice}, headers=bearer(token)
    )
    assert cast.status_code == 201, cast.text


async def vote_by_proxy(
    client: httpx.AsyncClient,
    v: Voting,
    consultation_id: int,
    unit: str,
    proxy_key: str,
    motion_ids: list[int],
    choice: str,
) -> None:
    """``unit``'s owner authorises owner ``proxy_key`` in writing; the proxy votes for it."""
    proxy_id, proxy_token = v.owners[proxy_key]
    made = await client.post(
        f"/api/estates/{v.estate_id}/delegations",
        json={
            "household_ids": [v.households[unit]],
            "proxy_member_id": proxy_id,
            "reference": "委托书-001",
            "meeting_id": consultation_id,
        },
        headers=bearer(v.committee),
    )
    assert made.status_code == 201, made.text
    for motion_id in motion_ids:
        cast = await client.post(
            f"/api/motions/{motion_id}/ballots",
            json={"choice": choice, "household_ids": [v.households[unit]]},
            headers=bearer(proxy_token),
        )
        assert cast.status_code == 201, cast.text


async def vote_on_paper(
    db: Database, committee_id: int, household_id: int, motion_id: int, choice: str
) -> None:
    async with db.transaction() as conn:
        motion = await deliberation_store.get_motion(conn, motion_id, lock=True)
        assert motion is not None
        row = await conn.fetchrow(
            """SELECT household_id, person_key, area FROM motion_units
               WHERE motion_id = $1 AND household_id = $2""",
            motion_id,
            household_id,
        )
        unit = RollUnit(
            household_id=row["household_id"], person_key=row["person_key"], area=row["area"]
        )
        pending = PendingCast(
            member_id=committee_id,
            choice=choice,  # type: ignore[arg-type]
            units=[unit],
            delegation_ids=[None],
            channel="paper",
        )
        outcome = await record_batch(conn, motion, [pending])
        assert not isinstance(outcome[0], Exception), outcome


async def member_id(client: httpx.AsyncClient, token: str) -> int:
    found: int = (await client.get("/api/me", headers=bearer(token))).json()["member_id"]
    return found


async def three_channels(
    client: httpx.AsyncClient, v: Voting, db: Database, opened: dict[str, object]
) -> None:
    """A votes yes online (1栋 101, 102), B votes yes for C's 2栋 101 as C's proxy, D's paper
    ballot says no (2栋 102); B's own 1栋 201 does not vote. On every motion."""
    cid = opened["id"]
    assert isinstance(cid, int)
    motions = [m["id"] for m in opened["motions"]]  # type: ignore[attr-defined]
    for motion_id in motions:
        await vote_online(client, v.owners["A"][1], motion_id, "yes")
    await vote_by_proxy(client, v, cid, "2栋/101", "B", motions, "yes")
    committee = await member_id(client, v.committee)
    for motion_id in motions:
        await vote_on_paper(db, committee, v.households["2栋/102"], motion_id, "no")
