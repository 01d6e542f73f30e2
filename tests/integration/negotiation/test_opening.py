"""Opening sealed bids is an explicit step: the running service's periodic task opens them
at their time without any read, a negotiation read opens them first if the task has not yet,
reading a work opens nothing, and however many race, ``quotes.opened`` is recorded once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from planner.negotiation.opening import open_all_due
from tests.integration.negotiation.conftest import ROUND_A1, ROUND_B1, Scene

pytestmark = pytest.mark.timeout(60)


async def _sealed_work_with_two_bids(scene: Scene) -> dict[str, Any]:
    work = await scene.work(sealed_until=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    await scene.quote(work["id"], scene.a, ROUND_A1)
    await scene.quote(work["id"], scene.b, ROUND_B1)
    return work


async def _opening_time_passes(scene: Scene, work_id: int) -> None:
    async with scene.db.transaction() as conn:
        await conn.execute(
            "UPDATE works SET sealed_until = now() - interval '1 second' WHERE id = $1", work_id
        )


async def _opened_events(scene: Scene) -> list[dict[str, Any]]:
    return [e for e in await scene.events_seen_by("committee") if e["type"] == "quotes.opened"]


async def test_the_running_service_opens_due_bids_without_any_read(scene: Scene) -> None:
    work = await _sealed_work_with_two_bids(scene)
    await _opening_time_passes(scene, work["id"])

    # Nobody reads anything: the periodic task started with the app opens the bids.
    deadline = asyncio.get_running_loop().time() + 30
    while not await _opened_events(scene):
        assert asyncio.get_running_loop().time() < deadline, "the bids were never opened"
        await asyncio.sleep(0.2)

    opened = await _opened_events(scene)
    assert len(opened) == 1
    assert opened[0]["data"]["work_id"] == work["id"]
    assert [q["total_fen"] for q in opened[0]["data"]["quotes"]] == [360_000_000, 320_000_000]
    async with scene.db.connection() as conn:
        assert await conn.fetchval("SELECT opened_at FROM works WHERE id = $1", work["id"])
    # No supplier hears of the opening (it carries every bidder's total).
    assert not [e for e in await scene.events_seen_by("a") if e["type"] == "quotes.opened"]
    assert not [e for e in await scene.events_seen_by("b") if e["type"] == "quotes.opened"]


async def test_reading_a_work_opens_nothing(scene: Scene) -> None:
    work = await _sealed_work_with_two_bids(scene)
    await _opening_time_passes(scene, work["id"])
    # Hold the work's row: any opening (which marks the row) would wait for it.
    async with scene.db.transaction() as conn:
        await conn.execute("SELECT 1 FROM works WHERE id = $1 FOR UPDATE", work["id"])
        read = await asyncio.wait_for(
            scene.client.get(f"/api/works/{work['id']}", headers=scene.committee), 10
        )
        assert read.status_code == 200
        assert read.json()["sealed"] is False and read.json()["opened_at"] is None
        assert await _opened_events(scene) == []
    # The committee's next negotiation read opens them (or the periodic task did meanwhile).
    comparison = await scene.client.get(
        f"/api/works/{work['id']}/comparison", headers=scene.committee
    )
    assert [q["total_fen"] for q in comparison.json()["quotes"]] == [360_000_000, 320_000_000]
    assert len(await _opened_events(scene)) == 1


async def test_racing_readers_and_the_task_open_the_bids_once(scene: Scene) -> None:
    work = await _sealed_work_with_two_bids(scene)
    await _opening_time_passes(scene, work["id"])
    paths = [
        f"/api/works/{work['id']}/comparison",
        f"/api/works/{work['id']}/quotes",
        f"/api/works/{work['id']}/invitations",
        f"/api/works/{work['id']}/reference-prices",
    ]
    results = await asyncio.gather(
        open_all_due(scene.db),
        *(scene.client.get(path, headers=scene.committee) for path in paths * 2),
    )
    assert all(r.status_code == 200 for r in results[1:])
    assert len(await _opened_events(scene)) == 1
    assert await open_all_due(scene.db) == 0
