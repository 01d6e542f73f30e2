"""Auction scenes through the API (tests, the world, the benchmark): a work quoting with
several bidders' quotes, ready for a live reverse auction (issue 20)."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from planner.testing.api import bearer


class Bidder(msgspec.Struct, kw_only=True):
    supplier_id: int
    name: str
    token: str
    member_id: int
    quote_id: int
    total_fen: int


class AuctionScene(msgspec.Struct, kw_only=True):
    work_id: int
    bidders: list[Bidder]


def lines_for(total_fen: int) -> list[dict[str, Any]]:
    """Two lines adding up to ``total_fen`` (a multiple of 4 fen keeps it exact): 3/4 for
    100 m of cable (unit price rounded) and the rest for fitting."""
    cable = total_fen * 3 // 4 // 100 * 100
    return [
        {"description": "电缆", "unit": "m", "quantity": "100", "unit_price_fen": cable // 100},
        {"description": "安装", "unit": "项", "quantity": "1", "unit_price_fen": total_fen - cable},
    ]


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), f"{response.request.url}: {response.text}"
    return response.json()


async def quoted_work(
    http: httpx.AsyncClient,
    admin: str,
    committee: str,
    estate_id: int,
    title: str,
    totals: list[int],
) -> AuctionScene:
    """A work approved and quoting, with one new supplier (and negotiator) per entry of
    ``totals``, each of whom quoted that total in round 1 (no sealing)."""
    who = bearer(committee)
    work = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/works",
            json={"title": title, "category": "power", "estimate_fen": max(totals)},
            headers=who,
        )
    )
    await _ok(
        await http.post(f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=who)
    )
    bidders = []
    for index, total in enumerate(totals, start=1):
        name = f"{title}供应商{index}"
        supplier = await _ok(
            await http.post(f"/api/estates/{estate_id}/suppliers", json={"name": name}, headers=who)
        )
        negotiator = await _ok(
            await http.post(
                f"/api/estates/{estate_id}/members",
                json={"role": "supplier", "display_name": name, "supplier_id": supplier["id"]},
                headers=bearer(admin),
            )
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
                json={"lines": lines_for(total)},
                headers=bearer(negotiator["token"]),
            )
        )
        bidders.append(
            Bidder(
                supplier_id=supplier["id"],
                name=name,
                token=negotiator["token"],
                member_id=negotiator["member_id"],
                quote_id=quote["id"],
                total_fen=quote["rounds"][-1]["total_fen"],
            )
        )
    return AuctionScene(work_id=work["id"], bidders=bidders)
