"""The OCDS export over HTTP on a real estate: a sealed tender (no bid, no bidder), an
awarded one with two bidders' rounds, the plan in force's breakdown by source, and the
settlement story (variation, final accounts) with delivery milestones. Every package and
release validates against OCDS 1.1.5 with the bid and budget breakdown extensions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.settlement_chapter import play_settlement
from planner.testing.api import bearer
from planner.testing.auction import quoted_work
from planner.testing.settlement import QUOTE_LINES, awarded_work
from tests.unit.ocds.ocds_validation import errors_of_package, errors_of_record_package

pytestmark = pytest.mark.timeout(180)


async def _supplier(
    admin: Caller, committee: Caller, estate_id: int, name: str
) -> tuple[int, Caller]:
    supplier = await committee.post(f"/api/estates/{estate_id}/suppliers", {"name": name})
    made = await admin.post(
        f"/api/estates/{estate_id}/members",
        {"role": "supplier", "display_name": f"{name}报价人", "supplier_id": supplier["id"]},
    )
    return supplier["id"], Caller(committee.http, made["token"], made["member_id"])


async def _ocds(client: httpx.AsyncClient, path: str, token: str) -> Any:
    response = await client.get(path, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


async def test_ocds_packages_validate_and_hide_sealed_bids(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: Callable[..., Awaitable[tuple[int, str]]],
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    people = {}
    for role, name in (("committee", "王主任"), ("treasurer", "李会计")):
        made = await admin.post(
            f"/api/estates/{estate_id}/members", {"role": role, "display_name": name}
        )
        people[role] = Caller(client, made["token"], made["member_id"])
    committee, treasurer = people["committee"], people["treasurer"]

    # an awarded work (one bidder), and two more works for the plan
    pipes = await awarded_work(client, admin_token, committee.token, estate_id, "给排水管网改造")
    works = {"pipes": pipes}
    for key, title, fen in (("roof", "屋面防水", 23_600_000), ("signage", "导视标牌", 3_860_000)):
        work = await committee.post(
            f"/api/estates/{estate_id}/works",
            {"title": title, "category": key, "estimate_fen": fen},
        )
        works[key] = work["id"]
    source = await treasurer.post(
        f"/api/estates/{estate_id}/funding-sources",
        {
            "name": "老旧小区改造补贴",
            "kind": "subsidy",
            "budget_fen": 10_000_000,
            "eligible_work_ids": list(works.values()),
        },
    )
    plan = await treasurer.post(
        f"/api/estates/{estate_id}/funding-plans", {"resident_band": ["0.20", "0.90"]}
    )
    await treasurer.post(f"/api/funding-plans/{plan['id']}/approve")

    # the pipes: milestones (one done) and the settlement
    first = await committee.post(
        f"/api/works/{pipes}/milestones",
        {
            "title": "进场",
            "planned": "2026-03",
            "responsible_unit": "施工方",
            "responsible_person": "赵工",
        },
    )
    await committee.post(
        f"/api/works/{pipes}/milestones",
        {
            "title": "完工",
            "planned": "2026-Q2",
            "responsible_unit": "施工方",
            "responsible_person": "赵工",
        },
    )
    await committee.post(f"/api/milestones/{first['id']}/progress", {"percent": 100})
    figures = await play_settlement(committee, treasurer, estate_id, plan["id"], works, admin=admin)

    # an awarded tender with two bidders and two rounds each
    tender = await committee.post(
        f"/api/estates/{estate_id}/works",
        {"title": "电梯加装", "category": "lift", "estimate_fen": 5_000_000},
    )
    await committee.post(f"/api/works/{tender['id']}/status", {"status": "approved"})
    quotes = []
    for name, factor in (("甲电梯公司", 1), ("乙电梯公司", 2)):
        supplier_id, bidder = await _supplier(admin, committee, estate_id, name)
        await committee.post(f"/api/works/{tender['id']}/invitations", {"supplier_id": supplier_id})
        lines = [
            {**line, "unit_price_fen": line["unit_price_fen"] + factor * 101}
            for line in QUOTE_LINES
        ]
        quote = await bidder.post(f"/api/works/{tender['id']}/quotes", {"lines": lines})
        lower = [{**line, "unit_price_fen": line["unit_price_fen"] - 7} for line in lines]
        await bidder.post(
            f"/api/quotes/{quote['id']}/rounds", {"based_on_round": 1, "lines": lower}
        )
        quotes.append(quote["id"])
    await committee.post(f"/api/quotes/{quotes[0]}/award", {"round": 2})

    # a sealed tender: one bid in, sealed for a day
    sealed = await committee.post(
        f"/api/estates/{estate_id}/works",
        {
            "title": "外墙保温",
            "category": "facade",
            "estimate_fen": 9_000_000,
            "sealed_until": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
    )
    await committee.post(f"/api/works/{sealed['id']}/status", {"status": "approved"})
    supplier_id, bidder = await _supplier(admin, committee, estate_id, "丙保温公司")
    await committee.post(f"/api/works/{sealed['id']}/invitations", {"supplier_id": supplier_id})
    await bidder.post(f"/api/works/{sealed['id']}/quotes", {"lines": QUOTE_LINES})

    # a rejected proposal
    rejected = await committee.post(
        f"/api/estates/{estate_id}/works", {"title": "喷泉", "category": "other"}
    )
    await committee.post(f"/api/works/{rejected['id']}/status", {"status": "rejected"})

    _, owner = await make_member(estate_id, "owner")
    packages = {}
    for work_id in (*works.values(), tender["id"], sealed["id"], rejected["id"]):
        package = await _ocds(client, f"/api/works/{work_id}/ocds", owner)
        assert errors_of_package(package) == [], work_id
        assert {r["ocid"] for r in package["releases"]} == {f"ocds-gongsh-w{work_id}"}
        record = await _ocds(client, f"/api/works/{work_id}/ocds/record", committee.token)
        assert errors_of_record_package(record) == [], work_id
        packages[work_id] = (package, record["records"][0]["compiledRelease"])

    # sealed: no bids, no bidder's name, no price, no count
    package, compiled = packages[sealed["id"]]
    text = json.dumps(package, ensure_ascii=False)
    assert "bids" not in compiled and "丙保温公司" not in text and "numberOfTenderers" not in text
    assert compiled["tender"]["status"] == "active"
    assert compiled["tender"]["tenderPeriod"]["endDate"]

    _, compiled = packages[rejected["id"]]
    assert compiled["tender"]["status"] == "cancelled" and compiled["tag"] == ["compiled"]

    # awarded: every round of both bidders; the award relates to the winning round
    _, compiled = packages[tender["id"]]
    details = compiled["bids"]["details"]
    assert sorted(d["id"] for d in details) == sorted(
        f"bid-{q}-r{n}" for q in quotes for n in (1, 2)
    )
    assert compiled["awards"][0]["relatedBids"] == [f"bid-{quotes[0]}-r2"]
    assert (
        compiled["tender"]["status"] == "complete" and compiled["tender"]["numberOfTenderers"] == 2
    )
    names = {p["name"] for p in compiled["parties"]}
    assert {"甲电梯公司", "乙电梯公司", "金桂苑业主委员会"} <= names

    # the plan in force's breakdown by source, exact in yuan
    raw = (await client.get(f"/api/works/{works['roof']}/ocds/record", headers=bearer(owner))).text
    roof = json.loads(raw, parse_float=Decimal)["records"][0]["compiledRelease"]
    planned = {w["work_id"]: w for w in plan["works"]}[works["roof"]]
    budget = roof["planning"]["budget"]
    assert budget["amount"] == {"amount": Decimal(planned["cost_fen"]) / 100, "currency": "CNY"}
    breakdown = {b["id"]: b["amount"]["amount"] for b in budget["budgetBreakdown"]}
    shares = {
        f"source-{s['source_id']}": Decimal(s["amount_fen"]) / 100 for s in planned["sources"]
    }
    assert {k: v for k, v in breakdown.items() if k != "owners"} == {
        k: v for k, v in shares.items() if v
    }
    assert breakdown["owners"] == Decimal(planned["residents_fen"]) / 100
    assert sum(breakdown.values()) == budget["amount"]["amount"]
    assert f"source-{source['id']}" in {p["id"] for p in roof["parties"]}

    # the pipes: milestones and the settlement's transaction in the contract
    _, compiled = packages[pipes]
    (contract,) = compiled["contracts"]
    assert [m["status"] for m in contract["milestones"]] == ["met", "scheduled"]
    (transaction,) = contract["implementation"]["transactions"]
    assert transaction["id"] == f"settlement-{figures['final_accounts_id']}"
    assert contract["status"] == "terminated" and contract.get("amendments")

    # bulk: the estate's package (streamed) and the global admin's
    bulk = await _ocds(client, f"/api/estates/{estate_id}/ocds", treasurer.token)
    assert errors_of_package(bulk) == []
    assert {r["ocid"] for r in bulk["releases"]} == {f"ocds-gongsh-w{w}" for w in packages}
    everything = await _ocds(client, "/api/ocds", admin_token)
    assert errors_of_package(everything) == []
    assert len(everything["releases"]) == len(bulk["releases"])

    # suppliers and partners never read it
    partner = await admin.post(
        f"/api/estates/{estate_id}/members", {"role": "partner", "display_name": "物业公司"}
    )
    for token in (bidder.token, partner["token"]):
        for path in (
            f"/api/works/{tender['id']}/ocds",
            f"/api/estates/{estate_id}/ocds",
            "/api/ocds",
        ):
            assert (await client.get(path, headers=bearer(token))).status_code == 403, path


async def test_an_auction_is_in_the_tender_and_its_rounds_are_bids(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    made = await admin.post(
        f"/api/estates/{estate_id}/members", {"role": "committee", "display_name": "王主任"}
    )
    committee = Caller(client, made["token"], made["member_id"])
    scene = await quoted_work(
        client, admin_token, committee.token, estate_id, "配电改造", [1_000_000, 960_000]
    )
    auction = await committee.post(
        f"/api/works/{scene.work_id}/auctions", {"rounds": 1, "turn_seconds": 1}
    )
    for _ in range(100):  # the service's schedule ends it (two idle turns of a second)
        state = await committee.get(f"/api/auctions/{auction['auction_id']}")
        if state["status"] == "finished":
            break
        await asyncio.sleep(0.2)
    assert state["status"] == "finished", state
    low = min(scene.bidders, key=lambda b: b.total_fen)
    await committee.post(f"/api/quotes/{low.quote_id}/award", {"round": state["result_round"]})

    package = await _ocds(client, f"/api/works/{scene.work_id}/ocds", committee.token)
    assert errors_of_package(package) == []
    ocid = f"ocds-gongsh-w{scene.work_id}"
    update = next(
        r for r in package["releases"] if r["id"] == f"{ocid}-auction-{auction['auction_id']}"
    )
    assert update["tag"] == ["tenderUpdate"]
    assert "electronicAuction" in update["tender"]["submissionMethod"]
    record = await _ocds(client, f"/api/works/{scene.work_id}/ocds/record", committee.token)
    assert errors_of_record_package(record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert "auction" in compiled["tender"]["procurementMethodDetails"]
    rounds = {d["id"] for d in compiled["bids"]["details"]}
    assert {f"bid-{b.quote_id}-r{state['result_round']}" for b in scene.bidders} <= rounds
    assert compiled["awards"][0]["relatedBids"] == [f"bid-{low.quote_id}-r{state['result_round']}"]
