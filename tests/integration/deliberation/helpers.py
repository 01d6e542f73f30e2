"""Setting up a meeting with owners for the deliberation API tests (the common steps are
in planner.testing.voting, shared with the fault storms)."""

from __future__ import annotations

from typing import Any

import httpx

from planner.db.pool import connect_raw
from planner.testing.voting import Voting, add_member, open_motion, setup_voting
from tests.conftest import bearer

__all__ = [
    "Voting",
    "add_member",
    "add_supplier",
    "event_rows",
    "open_motion",
    "setup_voting",
    "vote",
]


async def add_supplier(client: httpx.AsyncClient, admin_token: str, estate_id: int) -> int:
    response = await client.post(
        f"/api/estates/{estate_id}/suppliers",
        json={"name": "电力公司"},
        headers=bearer(admin_token),
    )
    assert response.status_code == 201, response.text
    supplier_id: int = response.json()["id"]
    return supplier_id


async def vote(
    client: httpx.AsyncClient,
    token: str,
    motion_id: int,
    choice: str,
    household_ids: list[int] | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"choice": choice}
    if household_ids is not None:
        body["household_ids"] = household_ids
    return await client.post(f"/api/motions/{motion_id}/ballots", json=body, headers=bearer(token))


async def event_rows(database_url: str, estate_id: int) -> list[dict[str, Any]]:
    """The estate's events, read on a connection of the test's own loop."""
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            "SELECT type, data, audience, at FROM events WHERE estate_id = $1 ORDER BY seq",
            estate_id,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]
