"""Settlement scenes through the API (tests, e2e, benchmarks): an awarded work, an approved
plan. ``QUOTE_LINES`` quote ¥40,000 (4,000,000 fen)."""

from __future__ import annotations

from typing import Any

import httpx

from planner.testing.api import bearer

#: a quote of ¥40,000: 100 m of cable at ¥300 and ¥10,000 of fitting
QUOTE_LINES = [
    {"description": "电缆", "unit": "m", "quantity": "100", "unit_price_fen": 30_000},
    {"description": "安装", "unit": "项", "quantity": "1", "unit_price_fen": 1_000_000},
]


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), f"{response.request.url}: {response.text}"
    return response.json()


async def awarded_work(
    http: httpx.AsyncClient,
    admin: str,
    committee: str,
    estate_id: int,
    title: str,
    lines: list[dict[str, Any]] | None = None,
) -> int:
    """A work approved, quoted by a new supplier (``lines``, default ``QUOTE_LINES``) and awarded
    in round 1; returns its id."""
    who = bearer(committee)
    supplier = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/suppliers", json={"name": f"{title}承包商"}, headers=who
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
            json={"title": title, "category": "roof", "estimate_fen": 4_000_000},
            headers=who,
        )
    )
    await _ok(
        await http.post(f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=who)
    )
    await _ok(
        await http.post(
            f"/api/works/{work['id']}/invitations",
            json={"supplier_id": supplier["id"]},
            headers=who,
        )
    )
    quote = await _ok(
        await http.post(
            f"/api/works/{work['id']}/quotes",
            json={"lines": lines or QUOTE_LINES},
            headers=bearer(negotiator["token"]),
        )
    )
    await _ok(await http.post(f"/api/quotes/{quote['id']}/award", json={"round": 1}, headers=who))
    return int(work["id"])


async def approved_plan(
    http: httpx.AsyncClient, treasurer: str, estate_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    """Solve a plan (``body``: the solve request) and approve it; returns the plan."""
    plan = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/funding-plans", json=body, headers=bearer(treasurer)
        )
    )
    await _ok(
        await http.post(f"/api/funding-plans/{plan['id']}/approve", headers=bearer(treasurer))
    )
    return dict(plan)
