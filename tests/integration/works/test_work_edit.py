"""Editing a work's details: PATCH /api/works/{work_id}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest

from planner.db.pool import Database
from tests.conftest import bearer
from tests.integration.negotiation.conftest import ROUND_A1, Scene

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def work_events(db: Database, estate_id: int, type_: str) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT audience, data::text AS data FROM events
               WHERE estate_id = $1 AND type = $2 ORDER BY seq""",
            estate_id,
            type_,
        )
    return [{"audience": r["audience"], **msgspec.json.decode(r["data"])} for r in rows]


async def new_work(
    client: httpx.AsyncClient, token: str, estate_id: int, **body: Any
) -> dict[str, Any]:
    payload = {"title": "屋面防水", "category": "roof", "estimate_fen": 1_000_000, **body}
    response = await client.post(
        f"/api/estates/{estate_id}/works", json=payload, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_committee_re_estimates_a_work_and_one_event_says_what_changed(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    work = await new_work(client, committee, estate_id, description="旧说明")

    response = await client.patch(
        f"/api/works/{work['id']}",
        json={"estimate_fen": 1_250_000, "title": "屋面防水（含天沟）", "description": "新说明"},
        headers=bearer(committee),
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["estimate_fen"] == 1_250_000 and edited["cost_fen"] == 1_250_000
    assert edited["title"] == "屋面防水（含天沟）" and edited["description"] == "新说明"
    assert edited["category"] == "roof" and edited["benefit_rule"] == "area"
    read = await client.get(f"/api/works/{work['id']}", headers=bearer(committee))
    assert read.json()["estimate_fen"] == 1_250_000

    [event] = await work_events(db, estate_id, "work.updated")
    assert event["audience"] == "members"
    assert event["work_id"] == work["id"]
    assert event["changes"] == {
        "estimate_fen": {"before": 1_000_000, "after": 1_250_000},
        "title": {"before": "屋面防水", "after": "屋面防水（含天沟）"},
        "description": {"before": "旧说明", "after": "新说明"},
    }

    # The same values again change nothing and append no event.
    again = await client.patch(
        f"/api/works/{work['id']}", json={"estimate_fen": 1_250_000}, headers=bearer(committee)
    )
    assert again.status_code == 200
    assert len(await work_events(db, estate_id, "work.updated")) == 1


async def test_benefit_rule_and_scope_can_be_edited_and_are_validated(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    buildings = (
        await client.get(f"/api/estates/{estate_id}/buildings", headers=bearer(committee))
    ).json()
    first = buildings[0]["id"]
    work = await new_work(client, committee, estate_id)
    url = f"/api/works/{work['id']}"

    lift = await client.patch(
        url,
        json={"benefit_rule": "area_floor_factor", "floor_factors": {"1": "0", "2": "1.5"}},
        headers=bearer(committee),
    )
    assert lift.status_code == 200, lift.text
    assert lift.json()["floor_factors"] == {"1": "0", "2": "1.5"}
    # Leaving the floor-factor rule drops its table.
    scoped = await client.patch(
        url,
        json={"benefit_rule": "building", "scope_building_ids": [first]},
        headers=bearer(committee),
    )
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["floor_factors"] == {} and scoped.json()["scope_building_ids"] == [first]

    for body, field in [
        ({"scope_building_ids": []}, "scope_building_ids"),
        ({"scope_building_ids": [999_999]}, "scope_building_ids"),
        ({"benefit_rule": "area_floor_factor"}, "floor_factors"),
        ({"benefit_rule": "by_height"}, "benefit_rule"),
        ({"floor_factors": {"1": "2"}}, "floor_factors"),
    ]:
        response = await client.patch(url, json=body, headers=bearer(committee))
        assert response.status_code == 400, (body, response.text)
        assert any(field in e["field"] for e in response.json()["errors"]), response.json()
    assert (await client.get(url, headers=bearer(committee))).json()["benefit_rule"] == "building"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"estimate_fen": "100"}', "estimate_fen"),
        (b'{"estimate_fen": 12.0}', "estimate_fen"),
        (b'{"estimate_fen": 12.5}', "estimate_fen"),
        (b'{"estimate_fen": -1}', "estimate_fen"),
        (b'{"estimate_fen": "NaN"}', "estimate_fen"),
        (b'{"estimate_fen": null}', "estimate_fen"),
        (b'{"estimate_fen": NaN}', "body"),
        (b'{"title": ""}', "title"),
        (b'{"category": "water"}', "category"),
        (b'{"status": "done"}', "status"),
        (b"{}", "body"),
    ],
)
async def test_bad_edits_are_400_naming_the_field_and_change_nothing(
    client: httpx.AsyncClient,
    db: Database,
    make_estate: Any,
    make_member: MakeMember,
    content: bytes,
    field: str,
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    work = await new_work(client, committee, estate_id)
    response = await client.patch(
        f"/api/works/{work['id']}",
        content=content,
        headers={**bearer(committee), "content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert any(field in e["field"] for e in response.json()["errors"]), response.json()
    after = (await client.get(f"/api/works/{work['id']}", headers=bearer(committee))).json()
    assert after["estimate_fen"] == 1_000_000 and after["title"] == "屋面防水"
    assert await work_events(db, estate_id, "work.updated") == []


async def test_roles_estates_and_unknown_works(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Any,
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate("别的小区")
    _, committee = await make_member(estate_id, "committee")
    work = await new_work(client, committee, estate_id)
    url = f"/api/works/{work['id']}"
    body = {"estimate_fen": 5}
    for role in ("owner", "treasurer", "observer"):
        _, token = await make_member(estate_id, role)
        assert (await client.patch(url, json=body, headers=bearer(token))).status_code == 403
    _, outsider = await make_member(other_estate, "committee")
    hidden = await client.patch(url, json=body, headers=bearer(outsider))
    assert hidden.status_code == 404 and hidden.json()["code"] == "work_not_found"
    assert (await client.patch(url, json=body)).status_code == 401
    missing = await client.patch("/api/works/999999", json=body, headers=bearer(committee))
    assert missing.status_code == 404
    by_admin = await client.patch(url, json=body, headers=bearer(admin_token))
    assert by_admin.status_code == 200 and by_admin.json()["estimate_fen"] == 5


async def test_awarded_or_rejected_works_cannot_be_edited(scene: Scene, db: Database) -> None:
    client = scene.client
    work = await scene.work()
    # Editable while quoting; the supplier never sees the estimate, in the API or the event.
    quoting = await client.patch(
        f"/api/works/{work['id']}", json={"estimate_fen": 370_000_000}, headers=scene.committee
    )
    assert quoting.status_code == 200, quoting.text
    assert (
        await client.patch(f"/api/works/{work['id']}", json={"estimate_fen": 1}, headers=scene.a)
    ).status_code == 403
    for supplier in ("a", "b"):
        seen = await scene.events_seen_by(supplier)
        assert not [e for e in seen if e["type"] == "work.updated"]
        assert not [e for e in seen if "estimate_fen" in str(e["data"])]
    assert [e["type"] for e in await scene.events_seen_by("owner")].count("work.updated") == 1

    quote = await scene.quote(work["id"], scene.a, ROUND_A1)
    awarded = await client.post(
        f"/api/quotes/{quote['id']}/award", json={"round": 1}, headers=scene.committee
    )
    assert awarded.status_code == 200, awarded.text
    refused = await client.patch(
        f"/api/works/{work['id']}", json={"estimate_fen": 1}, headers=scene.committee
    )
    assert refused.status_code == 409, refused.text
    assert (await client.get(f"/api/works/{work['id']}", headers=scene.committee)).json()[
        "cost_fen"
    ] == 360_000_000

    rejected = await client.post(
        f"/api/estates/{scene.estate_id}/works",
        json={"title": "监控补点", "category": "cameras"},
        headers=scene.committee,
    )
    rejected_id = rejected.json()["id"]
    await client.post(
        f"/api/works/{rejected_id}/status", json={"status": "rejected"}, headers=scene.committee
    )
    closed = await client.patch(
        f"/api/works/{rejected_id}", json={"title": "x"}, headers=scene.committee
    )
    assert closed.status_code == 409


async def test_a_new_estimate_makes_an_existing_funding_plan_stale(
    client: httpx.AsyncClient, make_estate: Any, make_member: MakeMember, admin_token: str
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    _, treasurer = await make_member(estate_id, "treasurer")
    work = await new_work(client, committee, estate_id)
    source = await client.post(
        f"/api/estates/{estate_id}/funding-sources",
        json={
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 2_000_000,
            "eligible_work_ids": [work["id"]],
        },
        headers=bearer(treasurer),
    )
    assert source.status_code == 201, source.text
    solved = await client.post(
        f"/api/estates/{estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"]},
        headers=bearer(committee),
    )
    assert solved.status_code == 201, solved.text
    plan_url = f"/api/funding-plans/{solved.json()['id']}"
    assert (await client.get(plan_url, headers=bearer(treasurer))).json()["stale_reasons"] == []

    edited = await client.patch(
        f"/api/works/{work['id']}", json={"estimate_fen": 1_200_000}, headers=bearer(committee)
    )
    assert edited.status_code == 200, edited.text
    reasons = (await client.get(plan_url, headers=bearer(treasurer))).json()["stale_reasons"]
    assert len(reasons) == 1
    assert f"work #{work['id']} cost changed" in reasons[0], reasons

    # who benefits is part of the plan too
    edited = await client.patch(
        f"/api/works/{work['id']}", json={"benefit_rule": "equal"}, headers=bearer(committee)
    )
    assert edited.status_code == 200, edited.text
    reasons = (await client.get(plan_url, headers=bearer(treasurer))).json()["stale_reasons"]
    assert reasons[1:] == [
        f"work #{work['id']} beneficiaries changed (benefit rule, buildings or floor factors)"
    ]

    # and so are the households: one more unit imported
    imported = await client.post(
        f"/api/estates/{estate_id}/households/import",
        content="building,unit,floor,area_m2,owner_key,owner_name\n9栋,901,9,66.60,K9,业主九\n".encode(),
        headers={**bearer(admin_token), "content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    reasons = (await client.get(plan_url, headers=bearer(treasurer))).json()["stale_reasons"]
    assert reasons[-1] == (
        "households changed since the plan was solved: 1 added "
        "(area, building, floor or hardship cap)"
    )
