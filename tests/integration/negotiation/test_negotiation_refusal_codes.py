"""Every refusal of the works and negotiation routes names a stable code and its params
beside the English sentence (clients translate the code, never the sentence)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.integration.negotiation.conftest import ROUND_A1, ROUND_A2, ROUND_B1, Scene


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def test_quote_and_round_conflicts_carry_their_codes(scene: Scene) -> None:
    client = scene.client
    work = await scene.work()
    quote_a = await scene.quote(work["id"], scene.a, ROUND_A1)
    await scene.quote(work["id"], scene.b, ROUND_B1)
    rounds = f"/api/quotes/{quote_a['id']}/rounds"

    again = await client.post(
        f"/api/works/{work['id']}/quotes", json={"lines": ROUND_A1}, headers=scene.a
    )
    problem(again, 409, "already_quoted")
    by_committee = await client.post(
        f"/api/works/{work['id']}/quotes", json={"lines": ROUND_A1}, headers=scene.committee
    )
    problem(by_committee, 403, "supplier_only")
    stale = await client.post(
        rounds, json={"based_on_round": 2, "lines": ROUND_A2}, headers=scene.a
    )
    assert problem(stale, 409, "stale_round")["params"] == {"round": 2, "latest": 1}
    final = await client.post(
        rounds, json={"based_on_round": 1, "lines": ROUND_A2, "is_final": True}, headers=scene.a
    )
    assert final.status_code == 201, final.text
    after_final = await client.post(
        rounds, json={"based_on_round": 2, "lines": ROUND_A2}, headers=scene.a
    )
    assert problem(after_final, 409, "round_final")["params"] == {"round": 2}
    old_offer = await client.post(
        f"/api/quotes/{quote_a['id']}/counter-offers",
        json={"round": 1, "target_total_fen": 1, "note": "x"},
        headers=scene.committee,
    )
    problem(old_offer, 409, "stale_round")
    bad_line = await client.post(
        f"/api/quotes/{quote_a['id']}/counter-offers",
        json={"note": "x", "line_targets": [{"line_no": 9, "target_unit_price_fen": 1}]},
        headers=scene.committee,
    )
    entry = problem(bad_line, 400, "no_such_line")["errors"][0]
    assert entry["field"] == "line_targets[0].line_no" and entry["params"] == {"lines": 4}
    old_award = await client.post(
        f"/api/quotes/{quote_a['id']}/award", json={"round": 1}, headers=scene.committee
    )
    problem(old_award, 409, "stale_round")
    missing = await client.get("/api/quotes/999999", headers=scene.committee)
    problem(missing, 404, "quote_not_found")

    awarded = await client.post(
        f"/api/quotes/{quote_a['id']}/award", json={"round": 2}, headers=scene.committee
    )
    assert awarded.status_code == 200, awarded.text
    closed = await client.post(
        rounds, json={"based_on_round": 2, "lines": ROUND_A2}, headers=scene.a
    )
    assert problem(closed, 409, "wrong_status")["params"] == {
        "what": "quote",
        "status": "awarded",
        "needed": "open",
    }


async def test_work_and_invitation_conflicts_carry_their_codes(scene: Scene) -> None:
    client = scene.client
    work = await scene.work()
    invite_again = await client.post(
        f"/api/works/{work['id']}/invitations",
        json={"supplier_id": scene.supplier_a},
        headers=scene.committee,
    )
    problem(invite_again, 409, "already_invited")
    status = f"/api/works/{work['id']}/status"
    by_status = await client.post(status, json={"status": "awarded"}, headers=scene.committee)
    problem(by_status, 409, "award_via_quote")
    backwards = await client.post(status, json={"status": "proposed"}, headers=scene.committee)
    params = problem(backwards, 409, "illegal_transition")["params"]
    assert (params["from"], params["to"]) == ("quoting", "proposed")
    duplicate = await client.post(
        f"/api/estates/{scene.estate_id}/suppliers",
        json={"name": "国网株洲供电公司"},
        headers=scene.committee,
    )
    problem(duplicate, 409, "already_exists")
    nothing = await client.patch(f"/api/works/{work['id']}", json={}, headers=scene.committee)
    problem(nothing, 400, "nothing_to_change")
    outside = await client.patch(
        f"/api/works/{work['id']}", json={"scope_building_ids": [999999]}, headers=scene.committee
    )
    assert problem(outside, 400, "not_in_estate")["params"]["ids"] == [999999]

    rejected = await client.post(status, json={"status": "rejected"}, headers=scene.committee)
    assert rejected.status_code == 200, rejected.text
    late = await client.post(
        f"/api/works/{work['id']}/quotes", json={"lines": ROUND_A1}, headers=scene.a
    )
    assert problem(late, 409, "wrong_status")["params"]["status"] == "rejected"
    edit = await client.patch(
        f"/api/works/{work['id']}", json={"title": "x"}, headers=scene.committee
    )
    problem(edit, 409, "wrong_status")


async def test_sealed_bids_refuse_price_decisions_with_sealed(scene: Scene) -> None:
    opens = datetime.now(UTC) + timedelta(hours=1)
    work = await scene.work(sealed_until=opens.isoformat())
    quote = await scene.quote(work["id"], scene.a, ROUND_A1)
    for path, body in [
        (f"/api/quotes/{quote['id']}/award", {"round": 1}),
        (f"/api/quotes/{quote['id']}/counter-offers", {"target_total_fen": 1, "note": "x"}),
    ]:
        refused = await scene.client.post(path, json=body, headers=scene.committee)
        assert problem(refused, 409, "sealed")["params"]["opens_at"]
