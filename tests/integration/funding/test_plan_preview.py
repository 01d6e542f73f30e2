"""The solve form's server side (issue 16): the works a plan may cover, and a preview that
solves without storing a version, compared with the plan in force."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import Database
from planner.testing.world import LINES
from tests.conftest import bearer

pytestmark = pytest.mark.timeout(120)

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def _post(client: httpx.AsyncClient, token: str, path: str, body: Any) -> Any:
    response = await client.post(path, json=body, headers=bearer(token))
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM funding_plans) AS plans,
                      (SELECT count(*) FROM events) AS events,
                      (SELECT coalesce(max(seq), 0) FROM events) AS last_seq"""
        )
    assert row is not None
    return row["plans"], row["events"], row["last_seq"]


class Estate:
    """An estate with v1 approved over work A, then work C awarded at ¥40,000 (no source
    may fund C), and work B only estimated."""

    def __init__(self, estate_id: int, treasurer: str, works: dict[str, int]) -> None:
        self.id = estate_id
        self.treasurer = treasurer
        self.works = works


@pytest.fixture
async def estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Estate:
    estate_id = await make_estate()
    _, treasurer = await make_member(estate_id, "treasurer")
    _, committee = await make_member(estate_id, "committee")
    works: dict[str, int] = {}
    for key, title in (("A", "屋面防水"), ("B", "外墙修补"), ("C", "二次供电改造")):
        work = await _post(
            client,
            committee,
            f"/api/estates/{estate_id}/works",
            {"title": title, "category": "roof", "estimate_fen": 1_000_000},
        )
        works[key] = work["id"]
    await _post(
        client,
        treasurer,
        f"/api/estates/{estate_id}/funding-sources",
        {
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 1_600_000,
            "eligible_work_ids": [works["A"], works["B"]],
        },
    )
    v1 = await _post(
        client,
        treasurer,
        f"/api/estates/{estate_id}/funding-plans",
        {"resident_band": ["0.20", "0.30"], "work_ids": [works["A"]]},
    )
    await _post(client, treasurer, f"/api/funding-plans/{v1['id']}/approve", None)
    # C is awarded after v1: a supplier quotes ¥40,000 and the committee awards round 1
    supplier = await _post(
        client, committee, f"/api/estates/{estate_id}/suppliers", {"name": "供电公司"}
    )
    _, negotiator = await make_member(estate_id, "supplier", supplier_id=supplier["id"])
    await _post(client, committee, f"/api/works/{works['C']}/status", {"status": "approved"})
    await _post(
        client, committee, f"/api/works/{works['C']}/invitations", {"supplier_id": supplier["id"]}
    )
    quote = await _post(client, negotiator, f"/api/works/{works['C']}/quotes", {"lines": LINES})
    await _post(client, committee, f"/api/quotes/{quote['id']}/award", {"round": 1})
    return Estate(estate_id, treasurer, works)


async def test_work_choices_default_to_the_plan_in_force_and_newly_awarded(
    client: httpx.AsyncClient, estate: Estate
) -> None:
    response = await client.get(
        f"/api/estates/{estate.id}/funding-plans/work-choices", headers=bearer(estate.treasurer)
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["plan_in_force"]["version"] == 1
    assert answer["plan_in_force"]["work_ids"] == [estate.works["A"]]
    assert answer["plan_in_force"]["residents_share"] == "0.2000"
    by_id = {w["work_id"]: w for w in answer["works"]}
    a, b, c = (by_id[estate.works[k]] for k in "ABC")
    assert (a["selected"], a["in_plan_in_force"], a["newly_awarded"]) == (True, True, False)
    assert (b["selected"], b["in_plan_in_force"], b["newly_awarded"]) == (False, False, False)
    assert (c["selected"], c["newly_awarded"], c["status"]) == (True, True, "awarded")
    assert (c["cost_fen"], c["cost_kind"]) == (4_000_000, "awarded")
    assert (b["cost_fen"], b["cost_kind"]) == (1_000_000, "estimate")


async def test_a_failed_preview_stores_nothing_and_compares_with_the_plan_in_force(
    client: httpx.AsyncClient, db: Database, estate: Estate
) -> None:
    before = await _counts(db)
    response = await client.post(
        f"/api/estates/{estate.id}/funding-plans/preview",
        json={
            "resident_band": ["0.20", "0.30"],
            "work_ids": [estate.works["A"], estate.works["C"]],
        },
        headers=bearer(estate.treasurer),
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["status"] == "failed" and preview["solver_status"] == "infeasible"
    assert preview["work_ids"] == [estate.works["A"], estate.works["C"]]
    assert preview["total_cost_fen"] == 5_000_000
    # the source may fund all of A; no source may fund C: residents would need ¥40,000 of ¥50,000
    assert [p["constraint"] for p in preview["problems"]] == ["resident_band_high"]
    comparison = preview["comparison"]
    assert comparison["share"] == "0.8000"
    assert (comparison["in_force_version"], comparison["in_force_share"]) == (1, "0.2000")
    assert comparison["en"] == (
        "Residents' share would be 80.0% vs 20.0% in v1; the band allows 20–30%"
    )
    assert comparison["zh"] == "居民需承担 80.0%（现行第1版为 20.0%）；比例区间为 20%–30%"
    assert await _counts(db) == before


async def test_a_feasible_preview_honours_the_selection_and_stores_nothing(
    client: httpx.AsyncClient, db: Database, estate: Estate
) -> None:
    before = await _counts(db)
    selection = [estate.works["B"], estate.works["A"]]
    response = await client.post(
        f"/api/estates/{estate.id}/funding-plans/preview",
        json={"resident_band": ["0.20", "0.30"], "work_ids": selection},
        headers=bearer(estate.treasurer),
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["status"] == "ok" and preview["problems"] == []
    assert sorted(preview["work_ids"]) == sorted(selection)
    assert sorted(w["work_id"] for w in preview["works"]) == sorted(selection)
    assert preview["total_cost_fen"] == 2_000_000
    assert preview["residents_total_fen"] == 400_000
    assert preview["residents_share"] == "0.2000" and preview["household_count"] == 5
    assert preview["comparison"]["zh"] == "居民承担 20.0%（现行第1版为 20.0%）；比例区间为 20%–30%"
    assert await _counts(db) == before
    # saving on purpose makes the version, with the same selection
    saved = await client.post(
        f"/api/estates/{estate.id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"], "work_ids": selection},
        headers=bearer(estate.treasurer),
    )
    assert saved.status_code == 201, saved.text
    plan = saved.json()
    assert plan["version"] == 2 and plan["residents_total_fen"] == 400_000
    assert sorted(w["work_id"] for w in plan["works"]) == sorted(selection)


@pytest.mark.parametrize("which", ["unknown", "other_estate"])
async def test_a_preview_names_a_work_that_is_not_the_estates(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    estate: Estate,
    which: str,
) -> None:
    if which == "unknown":
        foreign = 9_999_999
    else:
        other = await make_estate("别的小区")
        work = await _post(
            client,
            admin_token,
            f"/api/estates/{other}/works",
            {"title": "别处的工程", "category": "roof", "estimate_fen": 1_000},
        )
        foreign = work["id"]
    before = await _counts(db)
    response = await client.post(
        f"/api/estates/{estate.id}/funding-plans/preview",
        json={"work_ids": [estate.works["A"], foreign]},
        headers=bearer(estate.treasurer),
    )
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "not_in_estate"
    assert [e["field"] for e in problem["errors"]] == ["work_ids[1]"]
    assert await _counts(db) == before
