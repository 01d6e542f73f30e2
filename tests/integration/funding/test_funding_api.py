"""Funding through the HTTP API: sources, solving versions, 422 explanations, approval."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from planner.db.pool import Database
from tests.conftest import RunningService, bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def add_work(client: httpx.AsyncClient, token: str, estate_id: int, **body: Any) -> int:
    payload = {"title": "屋面防水", "category": "roof", "estimate_fen": 1_000_000, **body}
    response = await client.post(
        f"/api/estates/{estate_id}/works", json=payload, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    work_id: int = response.json()["id"]
    return work_id


async def add_source(client: httpx.AsyncClient, token: str, estate_id: int, **body: Any) -> int:
    payload = {"name": "区财政补贴", "kind": "subsidy", **body}
    response = await client.post(
        f"/api/estates/{estate_id}/funding-sources", json=payload, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    source_id: int = response.json()["id"]
    return source_id


async def solve(
    client: httpx.AsyncClient, token: str, estate_id: int, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/estates/{estate_id}/funding-plans", json=body, headers=bearer(token)
    )


async def event_types(db: Database, estate_id: int) -> list[str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT type FROM events WHERE estate_id = $1 ORDER BY seq", estate_id
        )
    return [r["type"] for r in rows]


def check_sums(plan: dict[str, Any]) -> None:
    assert plan["residents_total_fen"] == sum(w["residents_fen"] for w in plan["works"])
    assert plan["residents_total_fen"] == sum(h["amount_fen"] for h in plan["households"])
    for work in plan["works"]:
        assert (
            sum(s["amount_fen"] for s in work["sources"]) + work["residents_fen"]
            == work["cost_fen"]
        )


async def test_solve_approve_freeze_and_new_version(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    _, committee = await make_member(estate_id, "committee")
    work_id = await add_work(client, admin_token, estate_id)
    source_id = await add_source(
        client, treasurer, estate_id, budget_fen=2_000_000, eligible_work_ids=[work_id]
    )
    listed = await client.get(
        f"/api/estates/{estate_id}/funding-sources", headers=bearer(committee)
    )
    assert [s["id"] for s in listed.json()] == [source_id]

    response = await solve(client, committee, estate_id, resident_band=["0.20", "0.30"])
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["version"] == 1 and plan["status"] == "draft"
    assert plan["residents_total_fen"] == 200_000 and plan["residents_share"] == "0.2000"
    assert plan["works"][0]["sources"] == [{"source_id": source_id, "amount_fen": 800_000}]
    assert plan["sources"] == [
        {"source_id": source_id, "used_fen": 800_000, "budget_fen": 2_000_000}
    ]
    assert len(plan["households"]) == 5
    exempt = [h for h in plan["households"] if h["capped"]]
    assert exempt and exempt[0]["amount_fen"] == 0
    check_sums(plan)
    assert plan["timings"]["highs_seconds"] >= 0

    # committee may solve but not approve; the treasurer approves once
    denied = await client.post(
        f"/api/funding-plans/{plan['id']}/approve", headers=bearer(committee)
    )
    assert denied.status_code == 403
    approved = await client.post(
        f"/api/funding-plans/{plan['id']}/approve", headers=bearer(treasurer)
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    again = await client.post(f"/api/funding-plans/{plan['id']}/approve", headers=bearer(treasurer))
    assert again.status_code == 409

    # the database itself refuses to alter an approved plan
    async with db.connection() as conn:
        with pytest.raises(asyncpg.RaiseError):
            await conn.execute(
                "UPDATE funding_plans SET residents_total_fen = 1 WHERE id = $1", plan["id"]
            )

    # a changed cost makes a new draft; the approved version stays as it was
    cameras = await add_work(client, admin_token, estate_id, title="监控", estimate_fen=500_000)
    await add_source(
        client,
        treasurer,
        estate_id,
        name="驻区银行",
        budget_fen=500_000,
        eligible_work_ids=[cameras],
    )
    second = await solve(client, treasurer, estate_id)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2 and second.json()["status"] == "draft"
    assert second.json()["residents_total_fen"] == 300_000
    first = (await client.get(f"/api/funding-plans/{plan['id']}", headers=bearer(treasurer))).json()
    assert first["status"] == "approved" and first["residents_total_fen"] == 200_000
    assert any("was added" in reason for reason in first["stale_reasons"])
    latest = await client.get(
        f"/api/funding-plans/{second.json()['id']}", headers=bearer(treasurer)
    )
    assert latest.json()["stale_reasons"] == []
    versions = await client.get(
        f"/api/estates/{estate_id}/funding-plans", headers=bearer(treasurer)
    )
    assert [(v["version"], v["status"]) for v in versions.json()] == [
        (2, "draft"),
        (1, "approved"),
    ]
    types = await event_types(db, estate_id)
    assert types.count("plan.solved") == 2 and types.count("plan.approved") == 1


async def test_infeasible_plan_is_422_with_the_shortfall_and_stored_as_failed(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    work_id = await add_work(client, admin_token, estate_id)
    source_id = await add_source(
        client, treasurer, estate_id, budget_fen=658_000, eligible_work_ids=[work_id]
    )
    response = await solve(client, treasurer, estate_id)
    assert response.status_code == 422, response.text
    body = response.json()
    (problem,) = body["details"]["problems"]
    assert problem["constraint"] == "resident_band_high"
    assert problem["amount_fen"] == 42_000
    assert "34.2% > 30%" in problem["zh"] and "¥420.00" in problem["en"]
    assert "34.2%" in body["detail"]
    stored = await client.get(
        f"/api/funding-plans/{body['details']['plan_id']}", headers=bearer(treasurer)
    )
    assert stored.json()["status"] == "failed"
    assert stored.json()["solver_status"] == "infeasible"
    conflict = await client.post(
        f"/api/funding-plans/{body['details']['plan_id']}/approve", headers=bearer(treasurer)
    )
    assert conflict.status_code == 409
    assert "plan.failed" in await event_types(db, estate_id)
    # widening the band makes it feasible
    widened = await solve(client, treasurer, estate_id, resident_band=["0.20", "0.35"])
    assert widened.status_code == 201
    assert widened.json()["residents_total_fen"] == 342_000
    # so does a bigger budget; the earlier version then reports itself stale
    patched = await client.patch(
        f"/api/funding-sources/{source_id}", json={"budget_fen": 800_000}, headers=bearer(treasurer)
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["budget_fen"] == 800_000
    assert patched.json()["eligible_work_ids"] == [work_id]
    raised = await solve(client, treasurer, estate_id)
    assert raised.status_code == 201 and raised.json()["residents_total_fen"] == 200_000
    old = await client.get(f"/api/funding-plans/{widened.json()['id']}", headers=bearer(treasurer))
    assert old.json()["stale_reasons"] == [
        f"source #{source_id} budget changed from ¥6,580.00 to ¥8,000.00"
    ]
    bad = await client.patch(
        f"/api/funding-sources/{source_id}",
        json={"pledges": {"999999": 5}},
        headers=bearer(treasurer),
    )
    assert bad.status_code == 400
    _, observer = await make_member(estate_id, "observer")
    denied = await client.patch(
        f"/api/funding-sources/{source_id}", json={"budget_fen": 1}, headers=bearer(observer)
    )
    assert denied.status_code == 403


async def test_time_limit_turns_into_a_stored_failure(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    await add_work(client, admin_token, estate_id)
    response = await solve(client, treasurer, estate_id, time_limit_s=0.000001)
    assert response.status_code == 422
    assert response.json()["details"]["solver_status"] == "timeout"


async def test_roles_and_owner_view(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate("别的小区")
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    households = households["items"] if isinstance(households, dict) else households
    mine = households[0]["id"]
    _, owner = await make_member(estate_id, "owner", household_ids=(mine,))
    _, observer = await make_member(estate_id, "observer")
    _, outsider = await make_member(other_estate, "treasurer")
    _, treasurer = await make_member(estate_id, "treasurer")
    work_id = await add_work(client, admin_token, estate_id)
    await add_source(client, treasurer, estate_id, budget_fen=800_000, eligible_work_ids=[work_id])
    plan = (await solve(client, treasurer, estate_id)).json()
    url = f"/api/funding-plans/{plan['id']}"

    seen = (await client.get(url, headers=bearer(owner))).json()
    assert [h["household_id"] for h in seen["households"]] == [mine]
    assert seen["residents_total_fen"] == plan["residents_total_fen"]
    assert len((await client.get(url, headers=bearer(observer))).json()["households"]) == 5
    assert (await client.get(url, headers=bearer(outsider))).status_code == 404
    assert (await solve(client, observer, estate_id)).status_code == 403
    assert (await solve(client, owner, estate_id)).status_code == 403
    assert (await solve(client, outsider, estate_id)).status_code == 404
    assert (await client.post(f"{url}/approve", headers=bearer(observer))).status_code == 403
    assert (await client.get("/api/funding-plans/999999", headers=bearer(owner))).status_code == 404


async def test_changed_and_removed_households_make_a_plan_stale(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    work_id = await add_work(client, admin_token, estate_id)
    await add_source(client, treasurer, estate_id, budget_fen=800_000, eligible_work_ids=[work_id])
    plan = (await solve(client, treasurer, estate_id)).json()
    url = f"/api/funding-plans/{plan['id']}"
    assert (await client.get(url, headers=bearer(treasurer))).json()["stale_reasons"] == []
    async with db.transaction() as conn:  # no route edits a unit yet: the table does
        ids = await conn.fetch(
            "SELECT id FROM households WHERE estate_id = $1 ORDER BY id", estate_id
        )
        await conn.execute(
            "UPDATE households SET hardship_cap_fen = 12_300 WHERE id = $1", ids[0]["id"]
        )
        await conn.execute(
            "UPDATE households SET area_m2 = area_m2 + 0.01 WHERE id = $1", ids[1]["id"]
        )
        await conn.execute("DELETE FROM households WHERE id = $1", ids[2]["id"])
    reasons = (await client.get(url, headers=bearer(treasurer))).json()["stale"]
    assert [r["kind"] for r in reasons] == ["households"]
    assert reasons[0]["en"] == (
        "households changed since the plan was solved: 1 removed, 2 changed "
        "(area, building, floor or hardship cap)"
    )
    assert reasons[0]["zh"].startswith("方案计算后住户有变：移除 1 户、变更 2 户")


async def test_bad_input_is_400_with_the_field(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate("别的小区")
    _, treasurer = await make_member(estate_id, "treasurer")
    work_id = await add_work(client, admin_token, estate_id)
    foreign = await add_work(client, admin_token, other_estate)
    url = f"/api/estates/{estate_id}/funding-sources"

    async def post(body: dict[str, Any]) -> httpx.Response:
        return await client.post(url, json=body, headers=bearer(treasurer))

    response = await post({"name": "x", "budget_fen": 1, "eligible_work_ids": [foreign]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "eligible_work_ids[0]"
    response = await post(
        {"name": "x", "budget_fen": 1, "eligible_work_ids": [], "pledges": {str(work_id): 5}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == f"pledges.{work_id}"
    response = await post({"name": "x", "budget_fen": 1, "max_share": "1.5"})
    assert response.status_code == 400
    response = await post({"name": "x", "budget_fen": -1})
    assert response.status_code == 400
    response = await solve(client, treasurer, estate_id, resident_band=["0.30", "0.20"])
    assert response.status_code == 400
    response = await solve(client, treasurer, estate_id, policy="target")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "target_share"
    response = await solve(client, treasurer, estate_id, surprise=1)
    assert response.status_code == 400


@pytest.mark.slow
@pytest.mark.exclusive
async def test_the_service_keeps_answering_while_a_plan_is_solved(
    service: Callable[..., RunningService],
) -> None:
    """The solve runs in a worker process: the real server's loop keeps serving meanwhile.

    (Litestar's in-process test client serialises requests, so this needs a real server.)
    """
    running = service()
    token = running.admin_token
    rows = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    for i in range(12_000):
        cap = "0" if i % 40 == 0 else ("30000" if i % 41 == 0 else "")
        area = ("58.60", "86.50", "102.40", "126.80")[i % 4]
        rows.append(f"{i % 20 + 1}栋,{i},{i % 18 + 1},{area},K{i},业主{i},{cap}")
    async with httpx.AsyncClient(base_url=running.base_url, timeout=120) as client:
        created = await client.post("/api/estates", json={"name": "大小区"}, headers=bearer(token))
        estate_id = created.json()["id"]
        imported = await client.post(
            f"/api/estates/{estate_id}/households/import",
            content=("\n".join(rows) + "\n").encode(),
            headers={**bearer(token), "content-type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text
        power = await add_work(client, token, estate_id, estimate_fen=170_000_000)
        cameras = await add_work(client, token, estate_id, title="监控", estimate_fen=8_000_000)
        await add_source(
            client, token, estate_id, budget_fen=130_000_000, eligible_work_ids=[power, cameras]
        )
        started = time.perf_counter()
        solving = asyncio.create_task(solve(client, token, estate_id))
        latencies: list[float] = []
        while not solving.done():
            asked = time.perf_counter()
            health = await client.get("/health")
            latencies.append(time.perf_counter() - asked)
            assert health.status_code == 200
            await asyncio.sleep(0.05)
        response = await solving
        elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    check_sums(response.json())
    assert len(latencies) >= 3, (elapsed, latencies)
    # health answers in a fraction of the solve's time, all along
    assert max(latencies) < max(0.5, elapsed / 4), (elapsed, latencies)


async def test_openapi_lists_the_funding_paths(client: httpx.AsyncClient) -> None:
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/estates/{estate_id}/funding-sources",
        "/api/funding-sources/{source_id}",
        "/api/estates/{estate_id}/funding-plans",
        "/api/funding-plans/{plan_id}",
        "/api/funding-plans/{plan_id}/approve",
    ):
        assert path in paths, sorted(paths)


async def test_errors_carry_their_codes(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    """The codes a client translates: each refusal of the funding routes names its own."""

    async def code(response: httpx.Response, status: int) -> tuple[str, dict[str, Any]]:
        assert response.status_code == status, response.text
        body = response.json()
        return body["code"], body["params"]

    estate_id = await make_estate()
    work_id = await add_work(client, admin_token, estate_id)
    _, treasurer = await make_member(estate_id, "treasurer")
    headers = bearer(treasurer)
    source_id = await add_source(client, treasurer, estate_id, budget_fen=1)
    source_url = f"/api/funding-sources/{source_id}"
    foreign = await add_work(client, admin_token, await make_estate("别的小区"))
    moved = await client.patch(source_url, json={"eligible_work_ids": [foreign]}, headers=headers)
    assert await code(moved, 400) == ("not_in_estate", {"what": "work", "id": foreign})
    pledge = await client.patch(source_url, json={"pledges": {str(work_id): 5}}, headers=headers)
    assert (await code(pledge, 400))[0] == "pledge_not_eligible"
    share = await client.patch(source_url, json={"max_share": "1.5"}, headers=headers)
    assert (await code(share, 400))[0] == "not_a_share"
    precise = await client.post(
        f"/api/estates/{estate_id}/funding-sources",
        json={"name": "x", "budget_fen": 1, "max_share": "0.12345"},
        headers=headers,
    )
    assert await code(precise, 400) == ("too_precise", {"places": 4})
    nowhere = await client.post(
        "/api/estates/999999/funding-sources",
        json={"name": "x", "budget_fen": 1},
        headers=bearer(admin_token),
    )
    assert (await code(nowhere, 404))[0] == "estate_not_found"
    unknown = await client.patch("/api/funding-sources/999999", json={}, headers=headers)
    assert (await code(unknown, 404))[0] == "funding_source_not_found"
    band = await solve(client, treasurer, estate_id, resident_band=["0.30", "0.20"])
    assert (await code(band, 400))[0] == "bad_range"
    target = await solve(client, treasurer, estate_id, policy="target")
    assert (await code(target, 400))[0] == "required"
    no_cost = await add_work(client, admin_token, estate_id, estimate_fen=None)
    uncosted = await solve(client, treasurer, estate_id, work_ids=[no_cost])
    assert await code(uncosted, 400) == ("works_without_cost", {"ids": [no_cost]})
    timeout = await solve(client, treasurer, estate_id, time_limit_s=0.000001)
    assert (await code(timeout, 422))[0] == "solve_timeout"
    plan = await solve(client, treasurer, estate_id, resident_band=["0.00", "1.00"])
    assert plan.status_code == 201, plan.text
    approve = f"/api/funding-plans/{plan.json()['id']}/approve"
    assert (await client.post(approve, headers=headers)).status_code == 200
    again = await client.post(approve, headers=headers)
    assert await code(again, 409) == ("plan_not_draft", {"status": "approved"})
    absent = await client.get("/api/funding-plans/999999", headers=headers)
    assert (await code(absent, 404))[0] == "funding_plan_not_found"
