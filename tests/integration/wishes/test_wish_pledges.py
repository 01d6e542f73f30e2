"""Partners' pledges: a pledge is a funding source a plan solve uses for its work; who may
pledge and withdraw, and the approved plan's hold on a pledge it uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from wish_helpers import member, wish_world

from planner.testing.api import bearer

pytestmark = pytest.mark.timeout(90)


async def _work(client: httpx.AsyncClient, token: str, estate_id: int, **extra: object) -> int:
    response = await client.post(
        f"/api/estates/{estate_id}/works",
        json={"title": "加装电梯", "category": "other", "estimate_fen": 5_000_000, **extra},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    work_id: int = response.json()["id"]
    return work_id


async def _pledge(
    client: httpx.AsyncClient, token: str, work_id: int, amount: int
) -> httpx.Response:
    return await client.post(
        f"/api/works/{work_id}/pledges", json={"amount_fen": amount}, headers=bearer(token)
    )


async def test_pledge_funds_a_plan_and_withdrawal_rules(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    w = await wish_world(client, admin_token, await make_estate())
    work = await _work(client, w.committee, w.estate_id)
    made = await _pledge(client, w.bank, work, 1_000_000)
    assert made.status_code == 201, made.text
    pledge = made.json()
    school = (await _pledge(client, w.school, work, 500_000)).json()
    # the source: named after the partner, a donor, the amount, eligible for the work only
    sources = (
        await client.get(f"/api/estates/{w.estate_id}/funding-sources", headers=bearer(w.committee))
    ).json()
    source = next(s for s in sources if s["id"] == pledge["funding_source_id"])
    assert source["name"] == "建设银行芙蓉支行"
    assert source["kind"] == "donor" and source["budget_fen"] == 1_000_000
    assert source["eligible_work_ids"] == [work]
    # who may pledge and to what
    assert (await _pledge(client, w.owner, work, 100)).status_code == 403
    assert (await _pledge(client, w.committee, work, 100)).status_code == 403
    assert (await _pledge(client, w.bank, work, 0)).status_code == 400
    candidate = await _work(client, w.committee, w.estate_id, status="candidate")
    refused = await _pledge(client, w.bank, candidate, 100)
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_status"
    other_estate = await make_estate("别的小区")
    _, other_committee = await member(client, admin_token, other_estate, "committee", "他")
    foreign = await _work(client, other_committee, other_estate)
    assert (await _pledge(client, w.bank, foreign, 100)).status_code == 404
    # lists: partners their own, staff all, owners none
    mine = await client.get(f"/api/estates/{w.estate_id}/pledges", headers=bearer(w.bank))
    assert [p["id"] for p in mine.json()] == [pledge["id"]]
    everyone = await client.get(f"/api/estates/{w.estate_id}/pledges", headers=bearer(w.treasurer))
    assert {p["id"] for p in everyone.json()} == {pledge["id"], school["id"]}
    owner = await client.get(f"/api/estates/{w.estate_id}/pledges", headers=bearer(w.owner))
    assert owner.status_code == 403
    # withdrawal: only the pledging partner, once; its source gives nothing any more
    theirs = await client.post(f"/api/pledges/{school['id']}/withdraw", headers=bearer(w.bank))
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_your_pledge"
    withdrawn = await client.post(f"/api/pledges/{school['id']}/withdraw", headers=bearer(w.school))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await client.post(f"/api/pledges/{school['id']}/withdraw", headers=bearer(w.school))
    assert again.status_code == 409
    # a plan solve uses the pledge for its work
    subsidy = await client.post(
        f"/api/estates/{w.estate_id}/funding-sources",
        json={
            "name": "旧改补贴",
            "kind": "subsidy",
            "budget_fen": 3_000_000,
            "eligible_work_ids": [work],
        },
        headers=bearer(w.committee),
    )
    assert subsidy.status_code == 201, subsidy.text
    solved = await client.post(
        f"/api/estates/{w.estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"], "work_ids": [work]},
        headers=bearer(w.treasurer),
    )
    assert solved.status_code == 201, solved.text
    plan = solved.json()
    used = {s["source_id"]: s["used_fen"] for s in plan["sources"]}
    assert used[pledge["funding_source_id"]] == 1_000_000
    assert used.get(school["funding_source_id"], 0) == 0
    (row,) = plan["works"]
    assert {"source_id": pledge["funding_source_id"], "amount_fen": 1_000_000} in row["sources"]
    # a draft does not hold the pledge; the approved plan does
    approved = await client.post(
        f"/api/funding-plans/{plan['id']}/approve", headers=bearer(w.treasurer)
    )
    assert approved.status_code == 200, approved.text
    held = await client.post(f"/api/pledges/{pledge['id']}/withdraw", headers=bearer(w.bank))
    assert held.status_code == 409 and held.json()["code"] == "pledge_in_use"
    missing = await client.post("/api/pledges/9000000001/withdraw", headers=bearer(w.bank))
    assert missing.status_code == 404 and missing.json()["code"] == "pledge_not_found"
