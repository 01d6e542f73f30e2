"""Sealed bids: the committee hears that a bid arrived (``quote.received``), never its price,
and no supplier hears about another supplier's bid, in replay or live."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.settings import Settings
from tests.conftest import bearer
from tests.integration.live.live_helpers import (
    Received,
    append_events,
    live_socket,
    new_estate,
    new_member,
    read_until,
    running_app,
)
from tests.integration.negotiation.conftest import ROUND_A1, ROUND_A2, ROUND_B1, Scene

pytestmark = pytest.mark.timeout(60)

PRICE_WORDS = ("fen", "price", "total", "lines", "quantity")


def price_free(data: dict[str, Any]) -> bool:
    return not any(word in key for key in data for word in PRICE_WORDS)


async def test_the_committee_learns_of_sealed_bids_without_prices(scene: Scene) -> None:
    client = scene.client
    opening = datetime.now(UTC) + timedelta(days=3)
    work = await scene.work(sealed_until=opening.isoformat())
    quote_a = await scene.quote(work["id"], scene.a, ROUND_A1)
    await scene.quote(work["id"], scene.b, ROUND_B1)
    revised = await client.post(
        f"/api/quotes/{quote_a['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2},
        headers=scene.a,
    )
    assert revised.status_code == 201, revised.text

    for staff in ("committee", "treasurer"):
        received = [e for e in await scene.events_seen_by(staff) if e["type"] == "quote.received"]
        assert [e["audience"] for e in received] == ["staff"] * 3
        assert [(e["data"]["supplier_id"], e["data"]["round"]) for e in received] == [
            (scene.supplier_a, 1),
            (scene.supplier_b, 1),
            (scene.supplier_a, 2),
        ]
        assert {e["data"]["supplier_name"] for e in received} == {
            "国网株洲供电公司",
            "湘电安装工程",
        }
        for event in received:
            assert set(event["data"]) == {
                "work_id",
                "supplier_id",
                "supplier_name",
                "round",
                "received_at",
            }
            assert price_free(event["data"])
    # Suppliers hear nothing of it (not even of their own bid: they have the bidder event),
    # and owners take no part in prices.
    for name in ("a", "b", "owner"):
        seen = await scene.events_seen_by(name)
        assert not [e for e in seen if e["type"] == "quote.received"], name

    # The comparison counts and names the bids for staff, still without a price.
    comparison = (
        await client.get(f"/api/works/{work['id']}/comparison", headers=scene.committee)
    ).json()
    assert comparison["bidders"] == 2
    assert comparison["received"] == [
        {"supplier_id": scene.supplier_a, "supplier_name": "国网株洲供电公司", "round": 2},
        {"supplier_id": scene.supplier_b, "supplier_name": "湘电安装工程", "round": 1},
    ]
    assert comparison["quotes"] == [] and comparison["rows"] == []
    own = (await client.get(f"/api/works/{work['id']}/comparison", headers=scene.b)).json()
    assert own["received"] == []
    assert [q["supplier_id"] for q in own["quotes"]] == [scene.supplier_b]


async def test_open_bids_need_no_notice(scene: Scene) -> None:
    work = await scene.work()
    await scene.quote(work["id"], scene.a, ROUND_A1)
    types = [e["type"] for e in await scene.events_seen_by("committee")]
    assert "quote.submitted" in types and "quote.received" not in types


@pytest.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str, str]]:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    async with running_app(settings) as (base_url, app):
        yield base_url, app.state.new_admin_token, database_url


def received_notices(received: Received) -> list[dict[str, Any]]:
    return [e for e in received.events if e["type"] == "quote.received"]


async def test_live_and_replayed_notices_reach_staff_and_no_supplier(
    served: tuple[str, str, str],
) -> None:
    base_url, admin, database_url = served
    estate_id = await new_estate(base_url, admin)
    _, committee = await new_member(base_url, admin, estate_id, "committee")
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        suppliers = []
        for name in ("甲电力", "乙电力"):
            added = await http.post(
                f"/api/estates/{estate_id}/suppliers",
                json={"name": name},
                headers=bearer(committee),
            )
            assert added.status_code == 201, added.text
            suppliers.append(added.json()["id"])
        _, token_a = await new_member(
            base_url, admin, estate_id, "supplier", supplier_id=suppliers[0]
        )
        _, token_b = await new_member(
            base_url, admin, estate_id, "supplier", supplier_id=suppliers[1]
        )
        opening = datetime.now(UTC) + timedelta(days=2)
        created = await http.post(
            f"/api/estates/{estate_id}/works",
            json={
                "title": "二次供电改造",
                "category": "power",
                "sealed_until": opening.isoformat(),
            },
            headers=bearer(committee),
        )
        work_id = created.json()["id"]
        await http.post(
            f"/api/works/{work_id}/status", json={"status": "approved"}, headers=bearer(committee)
        )
        for supplier in suppliers:
            invited = await http.post(
                f"/api/works/{work_id}/invitations",
                json={"supplier_id": supplier},
                headers=bearer(committee),
            )
            assert invited.status_code == 201, invited.text

        async with (
            live_socket(base_url, estate_id, committee, after=0) as committee_ws,
            live_socket(base_url, estate_id, token_a, after=0) as a_ws,
            live_socket(base_url, estate_id, token_b, after=0) as b_ws,
        ):
            for ws in (committee_ws, a_ws, b_ws):
                await read_until(ws, lambda r: any(c["type"] == "caught_up" for c in r.controls))
            quote_a = await http.post(
                f"/api/works/{work_id}/quotes", json={"lines": ROUND_A1}, headers=bearer(token_a)
            )
            assert quote_a.status_code == 201, quote_a.text
            moved = await http.post(
                f"/api/works/{work_id}/quotes", json={"lines": ROUND_B1}, headers=bearer(token_b)
            )
            assert moved.status_code == 201, moved.text
            # A marker every member sees: once it arrives, everything before it was delivered.
            await append_events(database_url, estate_id, 1, type="test.marker", audience="all")

            def marker_seen(r: Received) -> bool:
                return any(e["type"] == "test.marker" for e in r.events)

            live_committee = await read_until(committee_ws, marker_seen)
            live_a = await read_until(a_ws, marker_seen)
            live_b = await read_until(b_ws, marker_seen)

        notices = received_notices(live_committee)
        assert [(n["data"]["supplier_id"], n["data"]["round"]) for n in notices] == [
            (suppliers[0], 1),
            (suppliers[1], 1),
        ]
        assert all(price_free(n["data"]) for n in notices)
        assert not [e for e in live_committee.events if "total_fen" in json.dumps(e["data"])]
        assert received_notices(live_a) == [] and received_notices(live_b) == []
        assert not [e for e in live_a.events if e["data"].get("supplier_id") == suppliers[1]]
        assert not [e for e in live_b.events if e["data"].get("supplier_id") == suppliers[0]]

        # Replay from the start gives each the same view.
        for token, expected in ((committee, 2), (token_a, 0), (token_b, 0)):
            async with live_socket(base_url, estate_id, token, after=0) as ws:
                replayed = await read_until(ws, marker_seen)
            assert len(received_notices(replayed)) == expected
