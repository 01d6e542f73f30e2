"""Setting up a written consultation for the consultation tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from planner.testing.voting import Voting
from tests.conftest import bearer

ROWS = [
    ("1栋", "101", "80.00", "A"),
    ("1栋", "102", "90.00", "A"),
    ("1栋", "201", "100.00", "B"),
    ("2栋", "101", "95.00", "C"),
    ("2栋", "102", "60.00", "D"),
]


def at(seconds: float) -> str:
    """An ISO time with offset ``seconds`` from now, in Beijing time."""
    when = datetime.now(UTC) + timedelta(seconds=seconds)
    return when.astimezone(datetime.now().astimezone().tzinfo).isoformat()


async def create(
    client: httpx.AsyncClient,
    v: Voting,
    *,
    opens_in: float = 1.0,
    closes_in: float = 600.0,
    matters: tuple[int, ...] = (5,),
    **more: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "5栋屋面防水维修使用维修资金",
        "opens_at": at(opens_in),
        "closes_at": at(closes_in),
        "notice_days": 0,
        "motions": [{"title": f"事项{m}", "matter": m} for m in matters],
        **more,
    }
    response = await client.post(
        f"/api/estates/{v.estate_id}/consultations", json=body, headers=bearer(v.committee)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def publish(client: httpx.AsyncClient, v: Voting, consultation_id: int) -> dict[str, Any]:
    response = await client.post(
        f"/api/consultations/{consultation_id}/publish", headers=bearer(v.committee)
    )
    assert response.status_code == 200, response.text
    published: dict[str, Any] = response.json()
    return published


async def wait_status(
    client: httpx.AsyncClient, token: str, consultation_id: int, status: str, timeout: float = 10
) -> dict[str, Any]:
    """Poll until the schedule has moved the consultation to ``status``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(f"/api/consultations/{consultation_id}", headers=bearer(token))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        if found["status"] == status:
            return found
        assert asyncio.get_running_loop().time() < deadline, f"still {found['status']}"
        await asyncio.sleep(0.2)


async def open_consultation(client: httpx.AsyncClient, v: Voting, **more: Any) -> dict[str, Any]:
    created = await create(client, v, **more)
    await publish(client, v, created["id"])
    return await wait_status(client, v.committee, created["id"], "open")
