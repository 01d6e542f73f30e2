"""A work that is being delivered (awarded, then funded), made through the API, for the
delivery tests, the e2e tests and the world."""

from __future__ import annotations

from typing import Any

import httpx

from planner.testing.api import bearer

QUOTE_LINES = [
    {"description": "材料", "unit": "项", "quantity": "1", "unit_price_fen": 2_000_000},
    {"description": "安装", "unit": "项", "quantity": "1", "unit_price_fen": 1_000_000},
]


async def _ok(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


async def delivered_work(
    http: httpx.AsyncClient,
    admin: str,
    committee: str,
    estate_id: int,
    *,
    title: str = "屋面防水",
    scope_building_ids: list[int] | None = None,
    status: str = "funded",
) -> int:
    """A new work of the estate awarded to a new supplier's quote, then moved to ``status``
    (``awarded``, ``funded`` or ``in_progress``): its id."""
    supplier = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/suppliers",
            json={"name": f"{title}施工队"},
            headers=bearer(admin),
        )
    )
    negotiator = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/members",
            json={
                "role": "supplier",
                "display_name": f"{title}报价人",
                "supplier_id": supplier["id"],
            },
            headers=bearer(admin),
        )
    )
    work = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/works",
            json={
                "title": title,
                "category": "repair",
                "estimate_fen": 3_000_000,
                "scope_building_ids": scope_building_ids or [],
            },
            headers=bearer(committee),
        )
    )
    work_id: int = work["id"]
    await _ok(
        await http.post(
            f"/api/works/{work_id}/status", json={"status": "approved"}, headers=bearer(committee)
        ),
        200,
    )
    await _ok(
        await http.post(
            f"/api/works/{work_id}/invitations",
            json={"supplier_id": supplier["id"]},
            headers=bearer(committee),
        )
    )
    quote = await _ok(
        await http.post(
            f"/api/works/{work_id}/quotes",
            json={"lines": QUOTE_LINES},
            headers=bearer(negotiator["token"]),
        )
    )
    await _ok(
        await http.post(
            f"/api/quotes/{quote['id']}/award", json={"round": 1}, headers=bearer(committee)
        ),
        200,
    )
    path = ["funded", "in_progress"]
    for step in path[: path.index(status) + 1] if status in path else []:
        await _ok(
            await http.post(
                f"/api/works/{work_id}/status", json={"status": step}, headers=bearer(committee)
            ),
            200,
        )
    return work_id
