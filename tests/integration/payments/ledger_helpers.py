"""An estate with three households, staff, two owners and a solved plan, for the ledger
tests (issue 19)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.conftest import bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]
HOUSEHOLDS = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,张三丰,
1栋,102,1,90.50,B,钱二,
2栋,201,2,100.00,C,李四,
"""


class Estate:
    def __init__(self, estate_id: int, plan_id: int, tokens: dict[str, str], units: dict[str, int]):
        self.estate_id = estate_id
        self.plan_id = plan_id
        self.tokens = tokens
        self.units = units  # household id by owner name

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


async def make_ledger_estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    name: str,
    *,
    approve: bool = True,
) -> Estate:
    estate_id = await make_estate(name=name, csv=HOUSEHOLDS)
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    listed = listed["items"] if isinstance(listed, dict) else listed
    units = {h["owner_name"]: h["id"] for h in listed}
    tokens = {"admin": admin_token}
    for role in ("treasurer", "committee", "observer"):
        tokens[role] = (await make_member(estate_id, role))[1]
    tokens["mine"] = (
        await make_member(estate_id, "owner", household_ids=(units["张三丰"], units["钱二"]))
    )[1]
    tokens["other"] = (await make_member(estate_id, "owner", household_ids=(units["李四"],)))[1]
    work = await client.post(
        f"/api/estates/{estate_id}/works",
        json={"title": "屋面防水", "category": "roof", "estimate_fen": 1_000_000},
        headers=bearer(admin_token),
    )
    assert work.status_code == 201, work.text
    estate = Estate(estate_id, await solve(client, estate_id, tokens["treasurer"]), tokens, units)
    if approve:
        await approve_plan(client, estate, estate.plan_id)
    return estate


async def solve(client: httpx.AsyncClient, estate_id: int, token: str) -> int:
    solved = await client.post(
        f"/api/estates/{estate_id}/funding-plans",
        json={"resident_band": ["0.20", "1.00"]},
        headers=bearer(token),
    )
    assert solved.status_code == 201, solved.text
    plan_id: int = solved.json()["id"]
    return plan_id


async def approve_plan(client: httpx.AsyncClient, estate: Estate, plan_id: int) -> None:
    approved = await client.post(
        f"/api/funding-plans/{plan_id}/approve", headers=estate.h("treasurer")
    )
    assert approved.status_code == 200, approved.text


async def amounts(client: httpx.AsyncClient, estate: Estate, plan_id: int) -> dict[int, int]:
    plan = (await client.get(f"/api/funding-plans/{plan_id}", headers=estate.h("treasurer"))).json()
    return {h["household_id"]: h["amount_fen"] for h in plan["households"]}


async def pay(
    client: httpx.AsyncClient,
    estate: Estate,
    household_id: int,
    amount_fen: int,
    receipt_no: str,
    *,
    plan_id: int | None = None,
    channel: str = "cash",
    paid_on: str = "2026-11-02",
    who: str = "treasurer",
) -> httpx.Response:
    body: dict[str, Any] = {
        "household_id": household_id,
        "amount_fen": amount_fen,
        "channel": channel,
        "receipt_no": receipt_no,
        "paid_on": paid_on,
    }
    return await client.post(
        f"/api/funding-plans/{plan_id or estate.plan_id}/ledger", json=body, headers=estate.h(who)
    )
