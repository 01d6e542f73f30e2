"""The auction's schedule survives a restart (issue 20): the instance running it stops in
round 1, a new one catches up the boundaries it missed, exactly once, takes a bid in a later
turn and finishes the auction with the result rounds written."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import connect_raw
from planner.testing.api import bearer, create_estate
from planner.testing.auction import quoted_work
from tests.conftest import RunningService

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


async def _rows(database_url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = await connect_raw(database_url)
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def _until(predicate: Callable[[], Any], timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_a_restart_mid_auction_resumes_the_schedule(
    database_url: str, services: Callable[..., RunningService]
) -> None:
    a = services()
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as http:
        estate_id = await create_estate(http, a.admin_token, None, "竞价小区")
        committee = (
            await http.post(
                f"/api/estates/{estate_id}/members",
                json={"role": "committee", "display_name": "主任"},
                headers=bearer(a.admin_token),
            )
        ).json()["token"]
        scene = await quoted_work(
            http, a.admin_token, committee, estate_id, "二次供水", [1_000_000, 1_100_000]
        )
        created = await http.post(
            f"/api/works/{scene.work_id}/auctions",
            json={"rounds": 4, "turn_seconds": 3, "min_step_fen": 1_000, "starts_in_seconds": 1},
            headers=bearer(committee),
        )
        assert created.status_code == 201, created.text
        auction_id = created.json()["auction_id"]

    async def steps_done() -> int:
        rows = await _rows(
            database_url, "SELECT steps_done FROM auctions WHERE id = $1", auction_id
        )
        return int(rows[0]["steps_done"])

    await _until(lambda: _at_least(steps_done, 1), 15)  # round 1 began on instance a
    a.stop()
    await asyncio.sleep(3.5)  # at least one boundary passes while no instance runs
    b = services()
    tokens = {bidder.supplier_id: bidder.token for bidder in scene.bidders}
    async with httpx.AsyncClient(base_url=b.base_url, timeout=30) as http:
        first = (await http.get(f"/api/auctions/{auction_id}", headers=bearer(committee))).json()
        assert first["status"] != "finished", "the restart took longer than the auction"
        # a bid in the first whole turn after the restart, through the new instance
        placed = None
        for _ in range(100):
            view = (await http.get(f"/api/auctions/{auction_id}", headers=bearer(committee))).json()
            turn = view["turn"]
            if turn is not None:
                holder = next(b for b in view["bidders"] if b["number"] == turn["number"])
                answer = await http.post(
                    f"/api/auctions/{auction_id}/bids",
                    json={"total_fen": holder["price_fen"] - view["step_fen"]},
                    headers=bearer(tokens[holder["supplier_id"]]),
                )
                if answer.status_code == 201:
                    placed = answer.json()
                    break
            await asyncio.sleep(0.2)
        assert placed is not None, "no bid was accepted after the restart"

        async def finished() -> bool:
            rows = await _rows(
                database_url, "SELECT status FROM auctions WHERE id = $1", auction_id
            )
            return rows[0]["status"] == "finished"

        await _until(finished, 40)

    events = await _rows(
        database_url,
        """SELECT type, data FROM events WHERE estate_id = $1 AND type LIKE 'auction.%'
           ORDER BY seq""",
        estate_id,
    )
    types = [e["type"] for e in events]
    assert types.count("auction.turn") == 4 * 2  # every turn announced exactly once
    assert types.count("auction.round_ended") == 4
    assert types.count("auction.finished") == 1
    assert types[-1] == "auction.finished"
    turns = [
        (e["data"]["round"], e["data"]["starts_at"]) for e in events if e["type"] == "auction.turn"
    ]
    assert turns == sorted(turns) and len(set(turns)) == len(turns)
    assert await steps_done() == 4 * 3 + 1
    finished_data = events[-1]["data"]
    final = {b["number"]: b["final_fen"] for b in finished_data["bidders"]}
    assert placed["total_fen"] in final.values()
    quotes = await _rows(
        database_url,
        """SELECT q.id, q.latest_round, r.total_fen FROM quotes q
           JOIN rounds r ON r.quote_id = q.id AND r.round = q.latest_round
           WHERE q.work_id = $1 ORDER BY q.id""",
        scene.work_id,
    )
    assert [q["latest_round"] for q in quotes] == [2, 2]
    assert sorted(q["total_fen"] for q in quotes) == sorted(final.values())


async def _at_least(read: Callable[[], Any], value: int) -> bool:
    return bool(await read() >= value)
