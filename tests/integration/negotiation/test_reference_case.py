"""The reference case through the API: ¥3,600,000 → ¥1,700,000 in three rounds (−52.8 %)."""

from __future__ import annotations

from tests.integration.negotiation.conftest import (
    ROUND_A1,
    ROUND_A2,
    ROUND_A3,
    ROUND_B1,
    Scene,
)


async def test_power_retrofit_negotiated_from_3_6m_to_1_7m(scene: Scene) -> None:
    client = scene.client
    work = await scene.work()
    work_id = work["id"]

    quote_a = await scene.quote(work_id, scene.a, ROUND_A1)
    assert quote_a["rounds"][0]["total_fen"] == 360_000_000
    assert [line["total_fen"] for line in quote_a["rounds"][0]["lines"]] == [
        90_000_000,
        160_000_000,
        80_000_000,
        30_000_000,
    ]
    assert quote_a["rounds"][0]["lines"][1]["quantity"] == "2"
    quote_b = await scene.quote(work_id, scene.b, ROUND_B1)
    assert quote_b["rounds"][0]["total_fen"] == 320_000_000
    qa = quote_a["id"]

    # The committee answers round 1; the supplier sees it and answers with round 2.
    offer = await client.post(
        f"/api/quotes/{qa}/counter-offers",
        json={
            "target_total_fen": 250_000_000,
            "note": "变压器单价高于市场价",
            "line_targets": [{"line_no": 2, "target_unit_price_fen": 65_000_000}],
        },
        headers=scene.committee,
    )
    assert offer.status_code == 201, offer.text
    seen_by_a = (await client.get(f"/api/quotes/{qa}", headers=scene.a)).json()
    assert seen_by_a["counter_offers"][0]["target_total_fen"] == 250_000_000
    assert seen_by_a["counter_offers"][0]["line_targets"][0]["line_no"] == 2
    second = await client.post(
        f"/api/quotes/{qa}/rounds", json={"based_on_round": 1, "lines": ROUND_A2}, headers=scene.a
    )
    assert second.status_code == 201, second.text

    offer = await client.post(
        f"/api/quotes/{qa}/counter-offers",
        json={"target_total_fen": 170_000_000, "note": "参照同类小区"},
        headers=scene.committee,
    )
    assert offer.status_code == 201, offer.text
    assert offer.json()["round"] == 2
    third = await client.post(
        f"/api/quotes/{qa}/rounds",
        json={
            "based_on_round": 2,
            "lines": ROUND_A3,
            "is_final": True,
            "valid_until": "2099-12-31",
        },
        headers=scene.a,
    )
    assert third.status_code == 201, third.text

    # A stale revision is refused, and so is anything after the final round.
    stale = await client.post(
        f"/api/quotes/{qa}/rounds", json={"based_on_round": 2, "lines": ROUND_A3}, headers=scene.a
    )
    assert stale.status_code == 409

    history = (await client.get(f"/api/quotes/{qa}", headers=scene.committee)).json()
    assert history["status"] == "open" and history["sealed"] is False
    rounds = history["rounds"]
    assert [r["round"] for r in rounds] == [1, 2, 3]
    assert [r["total_fen"] for r in rounds] == [360_000_000, 250_000_000, 170_000_000]
    assert [r["change_vs_previous_fen"] for r in rounds] == [None, -110_000_000, -80_000_000]
    assert [r["change_vs_previous_pct"] for r in rounds] == [None, "-30.6", "-32.0"]
    assert [r["change_vs_first_fen"] for r in rounds] == [0, -110_000_000, -190_000_000]
    assert [r["change_vs_first_pct"] for r in rounds] == ["0.0", "-30.6", "-52.8"]
    assert all(r["by"] == scene.principals["a"].member_id for r in rounds)
    assert rounds[0]["at"] <= rounds[1]["at"] <= rounds[2]["at"]
    assert rounds[2]["is_final"] is True
    assert [r["valid_until"] for r in rounds] == [None, None, "2099-12-31"]
    assert [o["round"] for o in history["counter_offers"]] == [1, 2]

    # Reference prices and the comparison, line by line.
    ref = await client.put(
        f"/api/works/{work_id}/reference-prices",
        json={
            "lines": [
                {"description": "变压器", "line_key": "transformer", "unit_price_fen": 50_000_000}
            ]
        },
        headers=scene.committee,
    )
    assert ref.status_code == 200, ref.text
    comparison = (
        await client.get(f"/api/works/{work_id}/comparison", headers=scene.committee)
    ).json()
    assert comparison["sealed"] is False
    assert [
        (q["quote_id"], q["round"], q["total_fen"], q["lowest_total"]) for q in comparison["quotes"]
    ] == [(qa, 3, 170_000_000, True), (quote_b["id"], 1, 320_000_000, False)]
    rows = {row["line_key"]: row for row in comparison["rows"]}
    assert list(rows) == ["cable", "transformer", "switchgear", "labour"]
    assert [c["lowest"] for c in rows["cable"]["cells"]] == [True, False]
    transformer = rows["transformer"]
    assert transformer["reference_unit_price_fen"] == 50_000_000
    assert [c["deviation_fen"] for c in transformer["cells"]] == [-5_000_000, 35_000_000]
    assert [c["deviation_pct"] for c in transformer["cells"]] == ["-10.0", "70.0"]

    # Award: a superseded round is refused; the latest one becomes the work's cost.
    superseded = await client.post(
        f"/api/quotes/{qa}/award", json={"round": 2}, headers=scene.committee
    )
    assert superseded.status_code == 409
    awarded = await client.post(
        f"/api/quotes/{qa}/award", json={"round": 3}, headers=scene.committee
    )
    assert awarded.status_code == 200, awarded.text
    assert awarded.json()["status"] == "awarded"
    work = (await client.get(f"/api/works/{work_id}", headers=scene.committee)).json()
    assert work["status"] == "awarded"
    assert (
        work["awarded_total_fen"],
        work["awarded_quote_id"],
        work["awarded_round"],
        work["cost_fen"],
    ) == (170_000_000, qa, 3, 170_000_000)
    closed = (await client.get(f"/api/quotes/{quote_b['id']}", headers=scene.committee)).json()
    assert closed["status"] == "closed"
    assert (
        await client.post(
            f"/api/quotes/{quote_b['id']}/award", json={"round": 1}, headers=scene.committee
        )
    ).status_code == 409

    # The loser learns the outcome but never the winner's price.
    work_for_b = (await client.get(f"/api/works/{work_id}", headers=scene.b)).json()
    assert work_for_b["status"] == "awarded"
    assert work_for_b["awarded_total_fen"] is None and work_for_b["estimate_fen"] is None
    work_for_a = (await client.get(f"/api/works/{work_id}", headers=scene.a)).json()
    assert work_for_a["awarded_total_fen"] == 170_000_000

    # Every step is on record, and each side sees its own part.
    committee_events = [e["type"] for e in await scene.events_seen_by("committee")]
    assert committee_events[-13:] == [
        "work.created",
        "work.status_changed",
        "work.status_changed",
        "supplier.invited",
        "supplier.invited",
        "quote.submitted",
        "quote.submitted",
        "quote.countered",
        "quote.revised",
        "quote.countered",
        "quote.revised",
        "work.reference_prices_set",
        "work.awarded",
    ]
    b_events = await scene.events_seen_by("b")
    assert all(e["data"].get("quote_id") != qa for e in b_events), b_events
    assert "quote.closed" in [e["type"] for e in b_events]
    a_events = [e["type"] for e in await scene.events_seen_by("a")]
    assert a_events.count("quote.countered") == 2 and "quote.awarded" in a_events
    owner_events = [e["type"] for e in await scene.events_seen_by("owner")]
    assert "work.awarded" in owner_events and "quote.revised" not in owner_events
