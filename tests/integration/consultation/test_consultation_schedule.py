"""The schedule closes a consultation by itself at ``closes_at``: exactly once with two
instances on one database, and after a restart that slept through the closing time (issue 17)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from planner.db.pool import connect_raw
from planner.testing.voting import Voting, setup_voting
from tests.conftest import RunningService, bearer
from tests.integration.consultation.helpers import ROWS, create, publish


async def _steps(database_url: str, estate_id: int) -> dict[str, int]:
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            """SELECT type, count(*) AS n FROM events WHERE estate_id = $1
               AND type IN ('consultation.opened', 'consultation.closed', 'meeting.opened',
                            'meeting.closed', 'motion.opened', 'motion.closed')
               GROUP BY type""",
            estate_id,
        )
    finally:
        await conn.close()
    return {r["type"]: r["n"] for r in rows}


async def _statuses(database_url: str, estate_id: int) -> list[dict[str, Any]]:
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            """SELECT id, status, closed_by, closed_at, closes_at, opened_at, opens_at
               FROM consultations WHERE estate_id = $1 ORDER BY id""",
            estate_id,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def _until(predicate: Callable[[], Any], timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_two_instances_close_each_consultation_exactly_once(
    database_url: str, services: Callable[..., RunningService]
) -> None:
    a, b = services(), services()
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as client:
        v: Voting = await setup_voting(client, a.admin_token, None, ROWS)
        ids = []
        for _ in range(8):
            created = await create(client, v, opens_in=2, closes_in=5, matters=(5, 9))
            await publish(client, v, created["id"])
            ids.append(created["id"])

    async def all_closed() -> bool:
        return all(s["status"] == "closed" for s in await _statuses(database_url, v.estate_id))

    await _until(all_closed, 30)
    steps = await _steps(database_url, v.estate_id)
    assert steps == {
        "consultation.opened": 8,
        "consultation.closed": 8,
        "meeting.opened": 8,
        "meeting.closed": 8,
        "motion.opened": 16,
        "motion.closed": 16,
    }
    for s in await _statuses(database_url, v.estate_id):
        assert s["closed_by"] is None
        assert s["closed_at"] >= s["closes_at"]
    assert a.process.poll() is None and b.process.poll() is None


async def test_a_restart_does_not_skip_the_close(
    database_url: str, services: Callable[..., RunningService], tmp_path: Any
) -> None:
    first = services()
    async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as client:
        v = await setup_voting(client, first.admin_token, None, ROWS)
        opened = await create(client, v, opens_in=1.5, closes_in=6)
        await publish(client, v, opened["id"])
        # a second one whose whole window passes while no instance runs
        missed = await create(client, v, opens_in=3, closes_in=5)
        await publish(client, v, missed["id"])

        async def first_open() -> bool:
            statuses = await _statuses(database_url, v.estate_id)
            return statuses[0]["status"] == "open"

        await _until(first_open, 20)
        motion_id = (
            await client.get(f"/api/consultations/{opened['id']}", headers=bearer(v.committee))
        ).json()["motions"][0]["id"]
        cast = await client.post(
            f"/api/motions/{motion_id}/ballots",
            json={"choice": "yes"},
            headers=bearer(v.owners["B"][1]),
        )
        assert cast.status_code == 201, cast.text
    first.stop()
    await asyncio.sleep(6.5)  # both windows close while nothing runs
    before = await _statuses(database_url, v.estate_id)
    assert [s["status"] for s in before] == ["open", "noticed"]

    again = services(data_dir=tmp_path / "again")
    del again  # the schedule runs as it starts

    async def both_closed() -> bool:
        return all(s["status"] == "closed" for s in await _statuses(database_url, v.estate_id))

    await _until(both_closed, 20)
    after = await _statuses(database_url, v.estate_id)
    assert all(s["closed_by"] is None for s in after)
    assert after[1]["opened_at"] is not None  # opened, then closed: nobody could vote
    steps = await _steps(database_url, v.estate_id)
    assert steps["consultation.closed"] == 2 and steps["motion.closed"] == 2
    conn = await connect_raw(database_url)
    try:
        tally = await conn.fetchval("SELECT final_tally FROM motions WHERE id = $1", motion_id)
    finally:
        await conn.close()
    assert tally["participating_units"] == 1
