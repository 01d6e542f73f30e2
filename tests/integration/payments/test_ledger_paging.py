"""Paged balances and arrears (issue 19, the read work): every household exactly once across
pages, in order; totals (whole plan, per building, the arrears total) unchanged by paging;
arrears.csv stays complete."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from planner.db.pool import Database
from tests.conftest import bearer
from tests.integration.payments.ledger_helpers import (
    Estate,
    MakeMember,
    amounts,
    approve_plan,
    pay,
    solve,
)


def _register() -> str:
    rows = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    for b in (1, 2, 3):
        for i in range(1, 10):
            rows.append(f"{b}栋,{i}0{i % 3 + 1},{i},{70 + i}.50,K{b}-{i},业主{b}-{i},")
    return "\n".join(rows) + "\n"


async def _estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Estate:
    estate_id = await make_estate(name="分页小区", csv=_register())
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    listed = listed["items"] if isinstance(listed, dict) else listed
    units = {h["owner_name"]: h["id"] for h in listed}
    tokens = {"admin": admin_token, "treasurer": (await make_member(estate_id, "treasurer"))[1]}
    tokens["mine"] = (
        await make_member(estate_id, "owner", household_ids=(units["业主1-1"], units["业主3-9"]))
    )[1]
    work = await client.post(
        f"/api/estates/{estate_id}/works",
        json={"title": "屋面防水", "category": "roof", "estimate_fen": 2_700_000},
        headers=bearer(admin_token),
    )
    assert work.status_code == 201, work.text
    estate = Estate(estate_id, await solve(client, estate_id, tokens["treasurer"]), tokens, units)
    await approve_plan(client, estate, estate.plan_id)
    return estate


async def _pages(
    client: httpx.AsyncClient, estate: Estate, what: str, who: str = "treasurer", **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    after: Any = None
    while True:
        query = {**params, **({} if after is None else {"after": after})}
        got = await client.get(
            f"/api/funding-plans/{estate.plan_id}/{what}", params=query, headers=estate.h(who)
        )
        assert got.status_code == 200, got.text
        body = got.json()
        answers.append(body)
        items.extend(body["items"])
        after = body["next_after"]
        if after is None:
            return items, answers
        assert len(answers) < 100


async def test_balances_and_arrears_page_through_every_household_once(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate = await _estate(client, admin_token, make_estate, make_member)
    due = await amounts(client, estate, estate.plan_id)
    for n, (hid, fen) in enumerate(sorted(due.items())):
        paid = (0, fen, fen // 2, fen + 100)[n % 4]
        if paid:
            assert (await pay(client, estate, hid, paid, f"P-{n}")).status_code == 201

    whole = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/balances",
            params={"by": "building"},
            headers=estate.h("treasurer"),
        )
    ).json()
    assert whole["next_after"] is None and len(whole["items"]) == len(due) == 27
    assert [r["household_id"] for r in whole["items"]] == sorted(due)
    assert whole["totals"]["due_fen"] == sum(due.values())
    assert whole["totals"]["balance_fen"] == sum(r["balance_fen"] for r in whole["items"])
    assert whole["totals"]["in_arrears"] == sum(1 for r in whole["items"] if r["balance_fen"] > 0)
    assert sum(b["households"] for b in whole["buildings"]) == 27
    assert sum(b["paid_fen"] for b in whole["buildings"]) == whole["totals"]["paid_fen"]

    for limit in (1, 5, 26, 27):
        items, answers = await _pages(client, estate, "balances", by="building", limit=limit)
        assert items == whole["items"], limit
        assert all(len(a["items"]) <= limit for a in answers)
        assert {a["totals"]["balance_fen"] for a in answers} == {whole["totals"]["balance_fen"]}
        assert all(a["totals"] == whole["totals"] for a in answers)
        assert all(a["buildings"] == whole["buildings"] for a in answers)

    # one building: its rows and totals, paged
    building = whole["buildings"][1]
    rows, answers = await _pages(
        client, estate, "balances", building_id=building["building_id"], limit=4
    )
    assert [r["household_id"] for r in rows] == [
        r["household_id"] for r in whole["items"] if r["building_id"] == building["building_id"]
    ]
    assert all(a["totals"]["households"] == building["households"] == 9 for a in answers)
    assert all(a["totals"]["balance_fen"] == building["balance_fen"] for a in answers)

    # an owner pages through her own two only
    mine, answers = await _pages(client, estate, "balances", who="mine", limit=1)
    assert sorted(r["household_id"] for r in mine) == sorted(
        (estate.units["业主1-1"], estate.units["业主3-9"])
    )
    assert all(a["totals"]["households"] == 2 for a in answers)

    # arrears: positive balances by building and unit, every one once, the total unchanged
    full = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/arrears", headers=estate.h("treasurer")
        )
    ).json()
    owing = [r for r in whole["items"] if r["balance_fen"] > 0]
    assert full["next_after"] is None
    assert sorted(a["household_id"] for a in full["items"]) == sorted(
        r["household_id"] for r in owing
    )
    assert full["items"] == sorted(
        full["items"], key=lambda a: (a["building"], a["unit"], a["household_id"])
    )
    assert full["total_fen"] == sum(r["balance_fen"] for r in owing)
    for limit in (1, 3, len(owing)):
        items, answers = await _pages(client, estate, "arrears", limit=limit)
        assert items == full["items"], limit
        assert all(a["total_fen"] == full["total_fen"] for a in answers)
    # the CSV download stays complete
    got = await client.get(
        f"/api/funding-plans/{estate.plan_id}/arrears.csv",
        params={"lang": "en"},
        headers=estate.h("treasurer"),
    )
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + len(owing)

    # a payment after the reads shows at once (the kept sums are brought up to date)
    first = whole["items"][0]
    assert (await pay(client, estate, first["household_id"], 123, "P-late")).status_code == 201
    again = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/balances",
            params={"by": "building", "limit": 1},
            headers=estate.h("treasurer"),
        )
    ).json()
    assert again["totals"]["paid_fen"] == whole["totals"]["paid_fen"] + 123
    assert again["items"][0]["paid_fen"] == first["paid_fen"] + 123
    assert sum(b["paid_fen"] for b in again["buildings"]) == again["totals"]["paid_fen"]

    for what in ("balances", "arrears"):
        for bad in (0, 5001, -1):
            r = await client.get(
                f"/api/funding-plans/{estate.plan_id}/{what}",
                params={"limit": bad},
                headers=estate.h("treasurer"),
            )
            assert r.status_code == 400 and r.json()["code"] == "out_of_range", (what, bad, r.text)


async def test_kept_labels_follow_the_register(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    estate = await _estate(client, admin_token, make_estate, make_member)
    path = f"/api/funding-plans/{estate.plan_id}/arrears"
    before = (await client.get(path, headers=estate.h("treasurer"))).json()
    first = before["items"][0]
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE households SET owner_name = '新业主' WHERE id = $1", first["household_id"]
        )
    after = (await client.get(path, headers=estate.h("treasurer"))).json()
    assert after["items"][0]["owner_name"] == "新业主"
    assert after["total_fen"] == before["total_fen"]
