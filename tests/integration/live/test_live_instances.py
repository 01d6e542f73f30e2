"""Several `planner serve` processes on one PostgreSQL all deliver every event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from live_helpers import (
    events_up_to,
    live_socket,
    new_estate,
    new_member,
    read_until,
)

from tests.conftest import RunningService

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


async def test_client_on_instance_a_sees_a_change_made_through_instance_b(
    service: Callable[..., RunningService],
) -> None:
    # The poll is slowed down so the doorbell (NOTIFY) is what delivers the event.
    a = service(extra_env={"PLANNER_LIVE_POLL_S": "60"})
    b = service(extra_env={"PLANNER_LIVE_POLL_S": "60"})
    estate_id = await new_estate(a.base_url, a.admin_token)
    _, committee = await new_member(a.base_url, a.admin_token, estate_id, "committee")
    async with live_socket(a.base_url, estate_id, committee) as ws:
        hello = await read_until(ws, lambda r: any(c["type"] == "caught_up" for c in r.controls))
        head = hello.controls[0]["head"]
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with httpx.AsyncClient(base_url=b.base_url, timeout=10) as http:
            response = await http.post(
                f"/api/estates/{estate_id}/buildings",
                json={"name": "9栋"},
                headers={"Authorization": f"Bearer {committee}"},
            )
            assert response.status_code == 201, response.text
        got = await read_until(ws, events_up_to(head + 1), timeout=5)
        assert loop.time() - started < 2
        assert got.events[-1]["type"] == "building.added"
        assert got.events[-1]["data"]["name"] == "9栋"
        assert got.seqs == [head + 1]
