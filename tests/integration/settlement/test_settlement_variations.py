"""Variations (变更) over HTTP: only of awarded works; at or below the estate's threshold the
committee approves; above it (alone or with the approved ones) a passed motion must be
linked, else 409; the work's final cost is the award plus the approved variations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import Database
from planner.testing.settlement import awarded_work
from tests.conftest import bearer

pytestmark = pytest.mark.timeout(120)

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def _motion(db: Database, estate_id: int, passed: bool) -> int:
    """A closed motion of the estate with its tally of record (passed or not): the
    deliberation tests cover how a tally is reached."""
    async with db.transaction() as conn:
        meeting_id = await conn.fetchval(
            """INSERT INTO meetings (estate_id, title, kind)
               VALUES ($1, '业主大会', 'owners_assembly') RETURNING id""",
            estate_id,
        )
        motion_id: int = await conn.fetchval(
            """INSERT INTO motions (meeting_id, estate_id, title, matter, status, final_tally)
               VALUES ($1, $2, '屋面变更', 5, 'closed', $3::text::jsonb) RETURNING id""",
            meeting_id,
            estate_id,
            '{"passed": true}' if passed else '{"passed": false}',
        )
    return motion_id


async def test_variations_threshold_decision_and_final_cost(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    _, treasurer = await make_member(estate_id, "treasurer")
    _, owner = await make_member(estate_id, "owner")
    who = bearer(committee)

    async def post(path: str, body: Any, token: str = committee) -> httpx.Response:
        return await client.post(path, json=body, headers=bearer(token))

    # before the award: 409
    proposed = await post(
        f"/api/estates/{estate_id}/works",
        {"title": "外墙", "category": "walls", "estimate_fen": 100_000},
    )
    early = await post(
        f"/api/works/{proposed.json()['id']}/variations", {"amount_fen": 1000, "reason": "x"}
    )
    assert early.status_code == 409 and early.json()["code"] == "work_not_awarded"

    work_id = await awarded_work(client, admin_token, committee, estate_id, "屋面防水")
    path = f"/api/works/{work_id}/variations"
    # bad input and roles
    zero = await post(path, {"amount_fen": 0, "reason": "无"})
    assert zero.status_code == 400 and zero.json()["code"] == "zero_amount"
    assert (await post(path, {"amount_fen": 1.5, "reason": "无"})).status_code == 400
    assert (await post(path, {"amount_fen": 100, "reason": "无", "x": 1})).status_code == 400
    assert (await post(path, {"amount_fen": 100, "reason": "无"}, owner)).status_code == 403
    assert (await post(path, {"amount_fen": 100, "reason": "无"}, treasurer)).status_code == 403

    for quantity in ("NaN", "Infinity", "1.2345", "1e12"):
        line = {"description": "x", "unit": "m", "quantity": quantity, "unit_price_fen": 1}
        bad = await post(path, {"amount_fen": 100, "reason": "无", "lines": [line]})
        assert bad.status_code == 400, (quantity, bad.text)
    # below the default threshold (¥50,000): the committee approves
    small = await post(
        path,
        {
            "amount_fen": 860_000,
            "reason": "屋面基层破损，增加找平层",
            "lines": [
                {
                    "description": "找平层",
                    "unit": "m2",
                    "quantity": "200.0",
                    "unit_price_fen": 4_300,
                }
            ],
        },
    )
    assert small.status_code == 201, small.text
    assert small.json() == {"id": small.json()["id"], "status": "proposed", "needs_decision": False}
    approved = await post(f"/api/variations/{small.json()['id']}/approve", None)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    listing = (await client.get(path, headers=bearer(owner))).json()
    assert listing["awarded_total_fen"] == 4_000_000
    assert listing["final_cost_fen"] == 4_860_000
    assert listing["threshold_fen"] == 5_000_000
    twice = await post(f"/api/variations/{small.json()['id']}/approve", None)
    assert twice.status_code == 409 and twice.json()["code"] == "wrong_status"

    # the estate's admin lowers the threshold to ¥10,000
    patched = await client.patch(
        f"/api/estates/{estate_id}",
        json={"variation_threshold_fen": 1_000_000},
        headers=bearer(admin_token),
    )
    assert patched.status_code == 200 and patched.json()["variation_threshold_fen"] == 1_000_000

    large = await post(path, {"amount_fen": 2_000_000, "reason": "增加防水卷材一层"})
    assert large.json()["needs_decision"] is True
    large_id = large.json()["id"]
    refused = await post(f"/api/variations/{large_id}/approve", None)
    assert refused.status_code == 409 and refused.json()["code"] == "variation_needs_decision"
    assert refused.json()["params"] == {"amount_fen": 2_000_000, "threshold_fen": 1_000_000}
    failed = await _motion(db, estate_id, passed=False)
    not_passed = await post(f"/api/variations/{large_id}/approve", {"motion_id": failed})
    assert not_passed.status_code == 409 and not_passed.json()["code"] == "motion_not_passed"
    other_estate = await make_estate("别的小区")
    foreign = await _motion(db, other_estate, passed=True)
    elsewhere = await post(f"/api/variations/{large_id}/approve", {"motion_id": foreign})
    assert elsewhere.status_code == 400 and elsewhere.json()["code"] == "not_in_estate"
    passed = await _motion(db, estate_id, passed=True)
    ok = await post(f"/api/variations/{large_id}/approve", {"motion_id": passed})
    assert ok.status_code == 200, ok.text
    assert ok.json()["motion_id"] == passed
    assert (await client.get(path, headers=who)).json()["final_cost_fen"] == 6_860_000

    # small on its own, but the work's approved variations already pass the threshold
    cumulative = await post(path, {"amount_fen": -300_000, "reason": "取消一处检修口"})
    assert cumulative.json()["needs_decision"] is True
    # a rejected variation never counts
    rejected = await post(
        f"/api/variations/{cumulative.json()['id']}/reject", {"reason": "与合同不符"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    read = await client.get(f"/api/variations/{cumulative.json()['id']}", headers=who)
    assert read.json()["decision_note"] == "与合同不符"
    assert (await client.get(path, headers=who)).json()["final_cost_fen"] == 6_860_000
    # another estate's committee cannot see it
    _, stranger = await make_member(other_estate, "committee")
    hidden = await client.get(f"/api/variations/{large_id}", headers=bearer(stranger))
    assert hidden.status_code == 404 and hidden.json()["code"] == "variation_not_found"
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT type, audience FROM events WHERE estate_id = $1 AND type LIKE 'variation.%'",
            estate_id,
        )
    assert {r["type"] for r in rows} == {
        "variation.proposed",
        "variation.approved",
        "variation.rejected",
    }
    assert {r["audience"] for r in rows} == {"members"}
