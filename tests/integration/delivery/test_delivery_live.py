"""Owners follow delivery live: milestone and progress events reach members' sockets (no money
in them); a supplier's stream carries none of them."""

from __future__ import annotations

import json

import httpx
import pytest

from planner.testing import Served, bearer
from tests.integration.live.live_helpers import Received, live_socket, read_until

pytestmark = pytest.mark.timeout(90)


async def test_owner_hears_progress_supplier_does_not(served: Served) -> None:
    world = served.world
    estate = world.estate_a
    own = world.own
    milestone_id = world.ids["milestone_id"]

    def heard_progress(r: Received) -> bool:
        return any(
            e["type"] == "progress.updated" and e["data"]["note"] == "防水层完成九成"
            for e in r.events
        )

    async with (
        live_socket(world.base_url, estate, own["owner"], after=0) as owner,
        live_socket(world.base_url, estate, own["supplier"], after=0) as supplier,
        httpx.AsyncClient(base_url=world.base_url, timeout=30) as http,
    ):
        r = await http.post(
            f"/api/milestones/{milestone_id}/progress",
            json={"percent": 90, "note": "防水层完成九成"},
            headers=bearer(own["committee"]),
        )
        assert r.status_code == 201, r.text
        heard = await read_until(owner, heard_progress)
        # the supplier's stream: a marker it may see (a quote event) comes after, nothing of ours
        marker = await http.post(
            f"/api/quotes/{world.ids['quote_id']}/counter-offers",
            json={"target_total_fen": 3_400_000, "note": "再议"},
            headers=bearer(own["committee"]),
        )
        assert marker.status_code in (200, 201), marker.text
        seen = await read_until(
            supplier, lambda r: any(e["type"].startswith("quote.") for e in r.events[-3:])
        )
    types = {e["type"] for e in heard.events}
    assert {"milestone.added", "progress.updated", "acceptance.opened"} <= types
    progress = [e for e in heard.events if e["type"] == "progress.updated"][-1]
    assert progress["data"]["percent"] == 90 and progress["data"]["milestone_id"] == milestone_id
    assert "fen" not in json.dumps(
        [
            e["data"]
            for e in heard.events
            if e["type"].startswith(("milestone.", "progress.", "acceptance.", "defect."))
        ]
    )
    assert not any(
        e["type"].startswith(("milestone.", "progress.", "acceptance.", "defect."))
        for e in seen.events
    )
