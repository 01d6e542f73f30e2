"""One approved funding plan per estate (issue 15, item 3).

Approving a version supersedes the plan in force in the same transaction: the old one is
kept and readable as "superseded", its notices are void (已作废), what households paid is
carried to the new plan, and owners see only the notice of the plan in force. Two drafts
solved over the same plan: the first approval wins, the other is 409
``plan_in_force_changed`` — also when the two requests race on two instances.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from planner.db.embedded import EmbeddedPostgres
from planner.db.migrate import available_migrations, migrate
from planner.db.pool import Database, connect_raw
from tests.conftest import RunningService, bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def _setup(client: httpx.AsyncClient, admin: str, token: str, estate_id: int) -> int:
    """A roof work (added by the admin) and a subsidy for it; returns the work's id."""
    work = await _created(
        await client.post(
            f"/api/estates/{estate_id}/works",
            json={"title": "屋面防水", "category": "roof", "estimate_fen": 1_000_000},
            headers=bearer(admin),
        )
    )
    await _created(
        await client.post(
            f"/api/estates/{estate_id}/funding-sources",
            json={
                "name": "区财政补贴",
                "kind": "subsidy",
                "budget_fen": 700_000,
                "eligible_work_ids": [work["id"]],
            },
            headers=bearer(token),
        )
    )
    return int(work["id"])


async def _solve(client: httpx.AsyncClient, token: str, estate_id: int, low: str) -> int:
    plan = await _created(
        await client.post(
            f"/api/estates/{estate_id}/funding-plans",
            json={"resident_band": [low, "0.40"]},
            headers=bearer(token),
        )
    )
    assert plan["status"] == "draft"
    return int(plan["id"])


def _code(response: httpx.Response, status: int) -> tuple[str, dict[str, Any]]:
    assert response.status_code == status, response.text
    body = response.json()
    return body["code"], body["params"]


async def _approved_count(db: Database, estate_id: int) -> int:
    async with db.connection() as conn:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM funding_plans WHERE estate_id = $1 AND status = 'approved'",
            estate_id,
        )
    return count


async def test_approving_v2_supersedes_v1_voids_its_notices_and_owners_see_v2_only(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    households = households["items"] if isinstance(households, dict) else households
    payer = next(h for h in households if h["unit"] == "101" and h["building"] == "1栋")
    _, treasurer = await make_member(estate_id, "treasurer")
    _, owner = await make_member(estate_id, "owner", household_ids=(payer["id"],))
    await _setup(client, admin_token, treasurer, estate_id)
    staff = bearer(treasurer)

    v1 = await _solve(client, treasurer, estate_id, "0.20")
    await _created(await client.post(f"/api/funding-plans/{v1}/approve", headers=staff))
    paid = await client.put(
        f"/api/funding-plans/{v1}/payments/{payer['id']}",
        json={"paid_fen": 10_000, "reference": "收据 001"},
        headers=staff,
    )
    assert paid.status_code == 200, paid.text

    v2 = await _solve(client, treasurer, estate_id, "0.25")
    approved = await _created(await client.post(f"/api/funding-plans/{v2}/approve", headers=staff))
    assert approved["status"] == "approved"

    # v1 is kept and readable, superseded by v2; exactly one approved version
    old = await _created(await client.get(f"/api/funding-plans/{v1}", headers=staff))
    assert old["status"] == "superseded"
    assert approved["replaces_plan_id"] == v1
    assert (old["superseded_by"], old["superseded_by_version"]) == (v2, 2)
    assert old["approved_at"] is not None and old["superseded_at"] is not None
    assert old["residents_total_fen"] > 0 and old["households"]
    listed = (
        await client.get(f"/api/estates/{estate_id}/funding-plans", headers=bearer(owner))
    ).json()
    assert [(p["version"], p["status"]) for p in listed] == [(2, "approved"), (1, "superseded")]
    assert await _approved_count(db, estate_id) == 1
    # a superseded plan is never approved again, takes no payments
    again = await client.post(f"/api/funding-plans/{v1}/approve", headers=staff)
    assert _code(again, 409) == ("plan_not_draft", {"status": "superseded"})
    late = await client.put(
        f"/api/funding-plans/{v1}/payments/{payer['id']}", json={"paid_fen": 1}, headers=staff
    )
    assert _code(late, 409) == ("plan_not_approved", {"status": "superseded"})

    # staff: v1's notices are void (single and per building), v2's are the payment demand
    void = await client.get(f"/api/funding-plans/{v1}/notices/{payer['id']}", headers=staff)
    assert void.status_code == 200, void.text
    assert 'data-plan-status="superseded"' in void.text
    assert "已作废" in void.text and "VOID" not in void.text and "第2版" in void.text
    assert "缴费状态" not in void.text and "草稿" not in void.text
    assert "VOID" in void.headers["content-disposition"]
    void_en = await client.get(
        f"/api/funding-plans/{v1}/notices/{payer['id']}", params={"lang": "en"}, headers=staff
    )
    assert "VOID: superseded by plan v2" in void_en.text and "已作废" not in void_en.text
    building = await client.get(
        f"/api/funding-plans/{v1}/notices",
        params={"building_id": payer["building_id"]},
        headers=staff,
    )
    pages = building.text.count('<section class="notice"')
    assert pages >= 2 and building.text.count('data-plan-status="superseded"') == pages
    assert building.text.count('class="watermark"') == pages
    in_force = await client.get(f"/api/funding-plans/{v2}/notices/{payer['id']}", headers=staff)
    assert 'data-plan-status="approved"' in in_force.text
    assert "已作废" not in in_force.text and "watermark" not in in_force.text.split("</style>")[1]
    # what was paid against v1 counts against v2
    assert "已缴 ¥100.00" in in_force.text
    standing = (await client.get(f"/api/funding-plans/{v2}/payments", headers=staff)).json()
    carried = next(p for p in standing if p["household_id"] == payer["id"])
    assert (carried["paid_fen"], carried["reference"]) == (10_000, "收据 001")
    csv_v1 = await client.get(f"/api/funding-plans/{v1}/export.csv", headers=staff)
    assert "已作废" in csv_v1.content.decode("utf-8-sig").splitlines()[0]

    # the owner sees the notice of the plan in force only: v1's is 404
    mine = await client.get(f"/api/funding-plans/{v2}/notices/{payer['id']}", headers=bearer(owner))
    assert mine.status_code == 200 and "已作废" not in mine.text
    gone = await client.get(f"/api/funding-plans/{v1}/notices/{payer['id']}", headers=bearer(owner))
    assert gone.status_code == 404, gone.text
    # a draft solved after v2's approval is not the owner's notice either (staff see it)
    v3 = await _solve(client, treasurer, estate_id, "0.30")
    draft = await client.get(
        f"/api/funding-plans/{v3}/notices/{payer['id']}", headers=bearer(owner)
    )
    assert draft.status_code == 404
    staff_draft = await client.get(f"/api/funding-plans/{v3}/notices/{payer['id']}", headers=staff)
    assert staff_draft.status_code == 200 and "草稿" in staff_draft.text

    # the events: plan.superseded (with the payments carried) then plan.approved
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, data FROM events WHERE estate_id = $1
                 AND type IN ('plan.superseded', 'plan.approved') ORDER BY seq""",
            estate_id,
        )
    events = [(r["type"], r["data"]) for r in rows]
    assert [t for t, _ in events] == ["plan.approved", "plan.superseded", "plan.approved"]
    assert events[0][1]["supersedes"] is None
    assert events[1][1] == {
        "plan_id": v1,
        "version": 1,
        "superseded_by": v2,
        "superseded_by_version": 2,
        "payments_carried": 1,
        "payments_left": 0,
    }
    assert (events[2][1]["plan_id"], events[2][1]["supersedes"]) == (v2, v1)


async def test_a_draft_solved_before_another_approval_is_409_and_the_database_holds_one(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    await _setup(client, admin_token, treasurer, estate_id)
    staff = bearer(treasurer)
    # three drafts over no plan: the first approval wins, the others are refused
    first, second, third = [await _solve(client, treasurer, estate_id, "0.20") for _ in range(3)]
    await _created(await client.post(f"/api/funding-plans/{second}/approve", headers=staff))
    for loser, version in ((first, 1), (third, 3)):
        refused = await client.post(f"/api/funding-plans/{loser}/approve", headers=staff)
        assert _code(refused, 409) == ("plan_in_force_changed", {"version": 2, "draft": version})
    # a draft solved now replaces version 2
    fourth = await _solve(client, treasurer, estate_id, "0.25")
    await _created(await client.post(f"/api/funding-plans/{fourth}/approve", headers=staff))
    statuses = {
        p["id"]: p["status"]
        for p in (await client.get(f"/api/estates/{estate_id}/funding-plans", headers=staff)).json()
    }
    assert statuses == {
        first: "draft",
        second: "superseded",
        third: "draft",
        fourth: "approved",
    }
    # below the service, the database refuses a second plan in force and a way back
    async with db.connection() as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                """UPDATE funding_plans SET status = 'approved', approved_at = now()
                   WHERE id = $1""",
                first,
            )
        with pytest.raises(asyncpg.RaiseError):
            await conn.execute("UPDATE funding_plans SET status = 'approved' WHERE id = $1", second)
        with pytest.raises(asyncpg.RaiseError):
            await conn.execute(
                "UPDATE funding_plans SET residents_total_fen = 1 WHERE id = $1", second
            )
    assert await _approved_count(db, estate_id) == 1


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_racing_approvals_on_two_instances_exactly_one_wins(
    services: Callable[..., RunningService],
) -> None:
    """Two drafts solved over the same plan, approved at once through two ``planner serve``
    instances, six rounds: each time one 200 and one 409, and one approved version."""
    a = services()
    b = services()
    token = a.admin_token
    async with (
        httpx.AsyncClient(base_url=a.base_url, timeout=60) as on_a,
        httpx.AsyncClient(base_url=b.base_url, timeout=60) as on_b,
    ):
        estate = await _created(
            await on_a.post("/api/estates", json={"name": "并发小区"}, headers=bearer(token))
        )
        estate_id = int(estate["id"])
        rows = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
        rows += [f"1栋,{i}01,{i},{80 + i}.00,K{i},业主{i}," for i in range(1, 9)]
        await _created(
            await on_a.post(
                f"/api/estates/{estate_id}/households/import",
                content=("\n".join(rows) + "\n").encode(),
                headers={**bearer(token), "content-type": "text/csv"},
            )
        )
        await _setup(on_a, token, token, estate_id)
        in_force: int | None = None
        for round_no in range(6):
            left = await _solve(on_a, token, estate_id, "0.20")
            right = await _solve(on_b, token, estate_id, "0.25")
            answers = await asyncio.gather(
                on_a.post(f"/api/funding-plans/{left}/approve", headers=bearer(token)),
                on_b.post(f"/api/funding-plans/{right}/approve", headers=bearer(token)),
            )
            statuses = sorted(r.status_code for r in answers)
            assert statuses == [200, 409], (round_no, [r.text for r in answers])
            loser = next(r for r in answers if r.status_code == 409)
            assert loser.json()["code"] == "plan_in_force_changed", loser.text
            winner = next(r for r in answers if r.status_code == 200).json()
            assert winner["replaces_plan_id"] == in_force
            plans = (
                await on_b.get(f"/api/estates/{estate_id}/funding-plans", headers=bearer(token))
            ).json()
            approved = [p["id"] for p in plans if p["status"] == "approved"]
            assert approved == [winner["id"]], (round_no, plans)
            if in_force is not None:
                assert {p["id"]: p["status"] for p in plans}[in_force] == "superseded"
            in_force = winner["id"]


async def test_the_migration_chains_plans_approved_before_it(pg: EmbeddedPostgres) -> None:
    """An estate that approved three versions before 0009 keeps the last one in force; each
    earlier one is superseded by the next approved; a waiting draft stays approvable."""
    admin = await connect_raw(pg.url())
    try:
        await admin.execute("DROP DATABASE IF EXISTS plan_chain WITH (FORCE)")
        await admin.execute("CREATE DATABASE plan_chain")
    finally:
        await admin.close()
    conn = await connect_raw(pg.url("plan_chain"))
    try:
        shipped = available_migrations()
        before = [m for m in shipped if m[0] < "0009"]
        await migrate(conn, before)
        estate = await conn.fetchval("INSERT INTO estates (name) VALUES ('旧小区') RETURNING id")
        ids = []
        for version, (status, day) in enumerate(
            [("approved", 3), ("approved", 1), ("approved", 2), ("draft", None)], start=1
        ):
            ids.append(
                await conn.fetchval(
                    """INSERT INTO funding_plans (estate_id, version, status, policy, inputs,
                                                  result, solver_status, approved_at)
                       VALUES ($1, $2, $3, 'minimum', '{}', '{}', 'optimal',
                               CASE WHEN $4::int IS NULL THEN NULL
                                    ELSE timestamptz '2024-09-01' + $4::int * interval '1 day'
                               END)
                       RETURNING id""",
                    estate,
                    version,
                    status,
                    day,
                )
            )
        await migrate(conn, shipped)
        rows = await conn.fetch(
            """SELECT id, status, superseded_by, replaces_plan_id FROM funding_plans
               ORDER BY version"""
        )
        # approved in the order v2 (day 1), v3 (day 2), v1 (day 3): v1 stays in force
        assert [tuple(r) for r in rows] == [
            (ids[0], "approved", None, None),
            (ids[1], "superseded", ids[2], None),
            (ids[2], "superseded", ids[0], None),
            (ids[3], "draft", None, ids[0]),
        ]
    finally:
        await conn.close()
