"""Several schedule loops on one auction (as with several instances): each boundary is
announced exactly once, in order, and the result is written once (issue 20)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.auction import service
from planner.db.pool import Database
from planner.testing.api import bearer
from planner.testing.auction import quoted_work

pytestmark = pytest.mark.timeout(60)


async def test_competing_loops_announce_each_boundary_once(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    db: Database,
) -> None:
    estate_id = await make_estate()
    committee = (
        await client.post(
            f"/api/estates/{estate_id}/members",
            json={"role": "committee", "display_name": "主任"},
            headers=bearer(admin_token),
        )
    ).json()["token"]
    scene = await quoted_work(
        client, admin_token, committee, estate_id, "屋面", [800_000, 900_000, 1_000_000]
    )
    created = await client.post(
        f"/api/works/{scene.work_id}/auctions",
        json={"rounds": 2, "turn_seconds": 1, "min_step_fen": 100},
        headers=bearer(committee),
    )
    assert created.status_code == 201, created.text
    auction_id = created.json()["auction_id"]

    async def status() -> str:
        async with db.connection() as conn:
            value: str = await conn.fetchval(
                "SELECT status FROM auctions WHERE id = $1", auction_id
            )
        return value

    # four extra loops beside the app's own, hammering the same rows
    async with asyncio.timeout(30):
        while await status() != "finished":
            await asyncio.gather(*(service.take_due_steps(db) for _ in range(4)))
            await asyncio.sleep(0.005)

    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, data FROM events WHERE estate_id = $1
               AND (type LIKE 'auction.%' OR type = 'quote.revised') ORDER BY seq""",
            estate_id,
        )
        latest = await conn.fetch(
            "SELECT latest_round FROM quotes WHERE work_id = $1", scene.work_id
        )
    types = [r["type"] for r in rows]
    assert types.count("auction.scheduled") == 1
    assert types.count("auction.turn") == 2 * 3
    assert types.count("auction.round_ended") == 2
    assert types.count("auction.finished") == 1
    assert types.count("quote.revised") == 3
    assert [r["latest_round"] for r in latest] == [2, 2, 2]
    turns = [r["data"] for r in rows if r["type"] == "auction.turn"]
    assert [(t["round"], t["starts_at"]) for t in turns] == sorted(
        (t["round"], t["starts_at"]) for t in turns
    )
    # round 1's order: highest start price first
    starts = {b["number"]: b["start_fen"] for b in created.json()["bidders"]}
    assert [t["number"] for t in turns[:3]] == sorted(starts, key=lambda n: -starts[n])
