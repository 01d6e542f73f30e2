"""What the paper-ballot benchmarks share: an estate of one-unit owners, committee members
and a published consultation, made through the HTTP API of a running service."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from planner.testing.api import bearer, create_estate
from planner.testing.voting import add_member, csv_of


async def estate(
    http: httpx.AsyncClient, admin: str, owners: int, committee: int
) -> tuple[int, list[str]]:
    """An estate of ``owners`` one-unit owners in buildings of 100 units; committee tokens."""
    rows = [
        (f"{1 + i // 100}栋", f"{1 + (i % 100) // 4}{i % 4 + 1:02d}", "88.50", f"o{i:05d}")
        for i in range(owners)
    ]
    estate_id = await create_estate(http, admin, csv_of(rows), name="纸票小区")
    tokens = []
    for n in range(committee):
        _, token = await add_member(
            http, admin, estate_id, "committee", display_name=f"委员{n + 1}"
        )
        tokens.append(token)
    return estate_id, tokens


async def consultation(
    http: httpx.AsyncClient, token: str, estate_id: int, *, opens_in: float, motions: int
) -> dict[str, Any]:
    """A published consultation opening in ``opens_in`` seconds, open for a day."""
    opens = datetime.now(UTC) + timedelta(seconds=opens_in)
    made = await http.post(
        f"/api/estates/{estate_id}/consultations",
        json={
            "title": "5栋屋面防水维修使用维修资金",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + timedelta(days=1)).isoformat(),
            "notice_days": 0,
            "motions": [{"title": f"事项{n + 1}", "matter": 5} for n in range(motions)],
        },
        headers=bearer(token),
    )
    made.raise_for_status()
    found: dict[str, Any] = made.json()
    published = await http.post(f"/api/consultations/{found['id']}/publish", headers=bearer(token))
    published.raise_for_status()
    return found


async def wait_open(http: httpx.AsyncClient, token: str, consultation_id: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = await http.get(f"/api/consultations/{consultation_id}", headers=bearer(token))
        if got.json()["status"] == "open":
            return
        await asyncio.sleep(0.2)
    raise SystemExit("the consultation did not open")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]
