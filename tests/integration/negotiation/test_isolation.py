"""Supplier isolation, sealed bids and their opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.negotiation.conftest import ROUND_A1, ROUND_A2, ROUND_B1, Scene


async def test_a_supplier_sees_only_its_own_quote(scene: Scene) -> None:
    client = scene.client
    work = await scene.work()
    other = await client.post(
        f"/api/estates/{scene.estate_id}/works",
        json={"title": "监控补点", "category": "security", "benefit_rule": "equal"},
        headers=scene.committee,
    )
    assert other.status_code == 201
    quote_a = await scene.quote(work["id"], scene.a, ROUND_A1)
    quote_b = await scene.quote(work["id"], scene.b, ROUND_B1)

    # B cannot read, list, compare, revise or award A's quote: it does not exist for B.
    assert (await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.b)).status_code == 404
    listed = (await client.get(f"/api/works/{work['id']}/quotes", headers=scene.b)).json()
    assert [q["id"] for q in listed] == [quote_b["id"]]
    comparison = (await client.get(f"/api/works/{work['id']}/comparison", headers=scene.b)).json()
    assert [q["quote_id"] for q in comparison["quotes"]] == [quote_b["id"]]
    assert all(len(row["cells"]) == 1 for row in comparison["rows"])
    revise = await client.post(
        f"/api/quotes/{quote_a['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2},
        headers=scene.b,
    )
    assert revise.status_code == 404
    for path, body in [
        (f"/api/quotes/{quote_a['id']}/award", {"round": 1}),
        (f"/api/quotes/{quote_a['id']}/counter-offers", {"target_total_fen": 1, "note": "x"}),
    ]:
        assert (await client.post(path, json=body, headers=scene.b)).status_code == 404
    assert (
        await client.get(f"/api/works/{work['id']}/reference-prices", headers=scene.b)
    ).status_code == 404

    # Works it is not invited to do not exist for it either.
    assert (
        await client.get(f"/api/works/{other.json()['id']}", headers=scene.b)
    ).status_code == 404
    assert (
        await client.get(f"/api/works/{other.json()['id']}/quotes", headers=scene.b)
    ).status_code == 404
    works = (await client.get(f"/api/estates/{scene.estate_id}/works", headers=scene.b)).json()
    assert [w["id"] for w in works] == [work["id"]]
    assert works[0]["estimate_fen"] is None
    suppliers = (
        await client.get(f"/api/estates/{scene.estate_id}/suppliers", headers=scene.b)
    ).json()
    assert [s["id"] for s in suppliers] == [scene.supplier_b]

    # No event of A's quote reaches B.
    b_events = await scene.events_seen_by("b")
    assert not [e for e in b_events if e["data"].get("quote_id") == quote_a["id"]]
    assert not [e for e in b_events if e["data"].get("supplier_id") == scene.supplier_a]

    # Owners take part in works, not in prices; the treasurer reads quotes.
    assert (
        await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.owner)
    ).status_code == 403
    assert (
        await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.treasurer)
    ).status_code == 200


async def test_sealed_bids_stay_with_the_bidder_until_opening(scene: Scene) -> None:
    client = scene.client
    opening = datetime.now(UTC) + timedelta(days=3)
    work = await scene.work(sealed_until=opening.isoformat())
    assert work["sealed"] is True
    quote_a = await scene.quote(work["id"], scene.a, ROUND_A1)
    quote_b = await scene.quote(work["id"], scene.b, ROUND_B1)
    revised = await client.post(
        f"/api/quotes/{quote_a['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2},
        headers=scene.a,
    )
    assert revised.status_code == 201
    assert revised.json()["rounds"][1]["change_vs_first_pct"] == "-30.6"

    # The committee sees that bids exist, never a price.
    for_committee = (
        await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.committee)
    ).json()
    assert for_committee["sealed"] is True
    assert [r["round"] for r in for_committee["rounds"]] == [1, 2]
    assert all(r["total_fen"] is None and r["lines"] is None for r in for_committee["rounds"])
    listed = (await client.get(f"/api/works/{work['id']}/quotes", headers=scene.committee)).json()
    assert all(r["total_fen"] is None for q in listed for r in q["rounds"])
    comparison = (
        await client.get(f"/api/works/{work['id']}/comparison", headers=scene.committee)
    ).json()
    assert comparison["sealed"] is True and comparison["bidders"] == 2
    assert comparison["quotes"] == [] and comparison["rows"] == []
    for path, body in [
        (f"/api/quotes/{quote_a['id']}/award", {"round": 2}),
        (f"/api/quotes/{quote_a['id']}/counter-offers", {"target_total_fen": 1, "note": "x"}),
    ]:
        assert (await client.post(path, json=body, headers=scene.committee)).status_code == 409
    # B sees its own prices, and A's quote not at all.
    own = (await client.get(f"/api/quotes/{quote_b['id']}", headers=scene.b)).json()
    assert own["rounds"][0]["total_fen"] == 320_000_000
    assert (await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.b)).status_code == 404

    # Round events went to the bidder alone: no price reached the committee or a rival.
    committee_events = await scene.events_seen_by("committee")
    assert not [e for e in committee_events if "total_fen" in e["data"]]
    assert not [
        e for e in await scene.events_seen_by("b") if e["data"].get("quote_id") == quote_a["id"]
    ]
    assert [
        e["type"]
        for e in await scene.events_seen_by("a")
        if e["data"].get("quote_id") == quote_a["id"]
    ] == ["quote.submitted", "quote.revised"]

    # The opening time passes: everything becomes visible at once, as one event.
    async with scene.db.transaction() as conn:
        await conn.execute(
            "UPDATE works SET sealed_until = now() - interval '1 second' WHERE id = $1", work["id"]
        )
    comparison = (
        await client.get(f"/api/works/{work['id']}/comparison", headers=scene.committee)
    ).json()
    assert comparison["sealed"] is False
    assert [q["total_fen"] for q in comparison["quotes"]] == [250_000_000, 320_000_000]
    for_committee = (
        await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.committee)
    ).json()
    assert [r["total_fen"] for r in for_committee["rounds"]] == [360_000_000, 250_000_000]
    opened = [e for e in await scene.events_seen_by("committee") if e["type"] == "quotes.opened"]
    assert len(opened) == 1
    assert [(q["quote_id"], q["round"], q["total_fen"]) for q in opened[0]["data"]["quotes"]] == [
        (quote_a["id"], 2, 250_000_000),
        (quote_b["id"], 1, 320_000_000),
    ]
    # Suppliers still never see a rival: not through the opening, nor afterwards.
    assert not [e for e in await scene.events_seen_by("b") if e["type"] == "quotes.opened"]
    assert (await client.get(f"/api/quotes/{quote_a['id']}", headers=scene.b)).status_code == 404
    b_comparison = (await client.get(f"/api/works/{work['id']}/comparison", headers=scene.b)).json()
    assert [q["quote_id"] for q in b_comparison["quotes"]] == [quote_b["id"]]

    # After opening, rounds are ordinary again: the committee hears of them.
    third = await client.post(
        f"/api/quotes/{quote_b['id']}/rounds",
        json={"based_on_round": 1, "lines": ROUND_A2},
        headers=scene.b,
    )
    assert third.status_code == 201
    last = (await scene.events_seen_by("committee"))[-1]
    assert last["type"] == "quote.revised" and last["audience"] == "supplier"


async def test_the_periodic_opener_opens_due_works_once(scene: Scene) -> None:
    from planner.negotiation.opening import open_all_due

    work = await scene.work(sealed_until=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    await scene.quote(work["id"], scene.a, ROUND_A1)
    assert await open_all_due(scene.db) == 0
    async with scene.db.transaction() as conn:
        await conn.execute(
            "UPDATE works SET sealed_until = now() - interval '1 second' WHERE id = $1", work["id"]
        )
    assert await open_all_due(scene.db) == 1
    assert await open_all_due(scene.db) == 0
    await scene.client.get(f"/api/works/{work['id']}", headers=scene.committee)
    opened = [e for e in await scene.events_seen_by("committee") if e["type"] == "quotes.opened"]
    assert len(opened) == 1
