"""Milestones, progress and the timeline of a work being delivered (issue 19)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec

from planner.db.pool import Database
from planner.testing.api import bearer
from planner.testing.delivery import delivered_work

MakeMember = Callable[..., Awaitable[tuple[int, str]]]

MILESTONE = {
    "title": "材料进场",
    "planned": "2026-03",
    "responsible_unit": "湘江建设 项目部",
    "responsible_person": "王工",
}


async def events(db: Database, estate_id: int, prefix: str) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, audience, data::text AS data FROM events
               WHERE estate_id = $1 AND type LIKE $2 ORDER BY seq""",
            estate_id,
            prefix + "%",
        )
    return [
        {"type": r["type"], "audience": r["audience"], **msgspec.json.decode(r["data"])}
        for r in rows
    ]


async def test_committee_plans_milestones_and_progress_moves_the_work(
    client: httpx.AsyncClient,
    db: Database,
    admin_token: str,
    make_estate: Any,
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    _, owner = await make_member(estate_id, "owner")
    work_id = await delivered_work(client, admin_token, committee, estate_id)

    added = []
    for planned, weight in (("2026-03", 30), ("2026-q2", None), ("2026-H2", None)):
        r = await client.post(
            f"/api/works/{work_id}/milestones",
            json={**MILESTONE, "planned": planned, "weight_pct": weight},
            headers=bearer(committee),
        )
        assert r.status_code == 201, r.text
        added.append(r.json())
    assert added[0]["planned_end"] == "2026-03-31" and added[0]["period_kind"] == "month"
    assert added[1]["planned"] == "2026-Q2" and added[1]["planned_end"] == "2026-06-30"
    assert added[2]["planned_start"] == "2026-07-01" and added[2]["planned_end"] == "2026-12-31"

    # an owner may read but not plan; a bad period is 400 with its code
    r = await client.post(f"/api/works/{work_id}/milestones", json=MILESTONE, headers=bearer(owner))
    assert r.status_code == 403
    r = await client.post(
        f"/api/works/{work_id}/milestones",
        json={**MILESTONE, "planned": "2026-13"},
        headers=bearer(committee),
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_period"
    r = await client.post(
        f"/api/works/{work_id}/milestones",
        json={**MILESTONE, "weight_pct": 80},
        headers=bearer(committee),
    )
    assert r.status_code == 400 and r.json()["code"] == "weights_over_100"

    # the first progress starts the funded work
    first = added[0]["id"]
    r = await client.post(
        f"/api/milestones/{first}/progress",
        json={"percent": 50, "note": "钢管已到一半"},
        headers=bearer(committee),
    )
    assert r.status_code == 201, r.text
    work = (await client.get(f"/api/works/{work_id}", headers=bearer(committee))).json()
    assert work["status"] == "in_progress"

    # back without a note: 400; with a note: fine
    r = await client.post(
        f"/api/milestones/{first}/progress", json={"percent": 40}, headers=bearer(committee)
    )
    assert r.status_code == 400 and r.json()["code"] == "progress_decrease_needs_note"
    r = await client.post(
        f"/api/milestones/{first}/progress",
        json={"percent": 40, "note": "一批钢管退货"},
        headers=bearer(committee),
    )
    assert r.status_code == 201
    # a photo the estate does not hold: 400
    r = await client.post(
        f"/api/milestones/{first}/progress",
        json={"percent": 60, "photo_sha256s": ["0" * 64]},
        headers=bearer(committee),
    )
    assert r.status_code == 400 and r.json()["code"] == "photo_not_found"
    photo = await client.post(
        f"/api/estates/{estate_id}/photos",
        content=b"\xff\xd8\xff\xe0" + b"site photo" * 10,
        headers={**bearer(committee), "content-type": "image/jpeg"},
    )
    assert photo.status_code == 201, photo.text
    r = await client.post(
        f"/api/milestones/{first}/progress",
        json={"percent": 100, "note": "完成", "photo_sha256s": [photo.json()["sha256"]]},
        headers=bearer(committee),
    )
    assert r.status_code == 201
    assert r.json()["done"] is True and r.json()["done_at"] is not None

    listed = (await client.get(f"/api/works/{work_id}/milestones", headers=bearer(owner))).json()
    # weights: 30 given; the other two share 70 → 35 each; progress = 30 % of the work
    assert listed["progress_pct"] == 30
    assert [len(m["progress"]) for m in listed["items"]] == [3, 0, 0]
    assert listed["items"][0]["progress"][-1]["photo_sha256s"] == [photo.json()["sha256"]]

    # edit: the period changes and its end with it
    r = await client.patch(
        f"/api/milestones/{added[1]['id']}",
        json={"planned": "2026-04-15", "responsible_unit": "金桂苑物业服务中心"},
        headers=bearer(committee),
    )
    assert r.status_code == 200, r.text
    assert r.json()["planned_end"] == "2026-04-15" and r.json()["period_kind"] == "day"

    seen = await events(db, estate_id, "milestone.")
    assert [e["type"] for e in seen] == [
        "milestone.added",
        "milestone.added",
        "milestone.added",
        "milestone.done",
        "milestone.updated",
    ]
    progress = await events(db, estate_id, "progress.")
    assert len(progress) == 3 and {e["audience"] for e in seen + progress} == {"members"}
    assert not any("fen" in key for e in progress for key in e)


async def test_overdue_and_the_timeline(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    _, owner = await make_member(estate_id, "owner")
    work_id = await delivered_work(client, admin_token, committee, estate_id, title="管道更换")
    for planned, title in (("2020-Q1", "旧节点"), ("2099-H1", "远期节点")):
        r = await client.post(
            f"/api/works/{work_id}/milestones",
            json={**MILESTONE, "planned": planned, "title": title},
            headers=bearer(committee),
        )
        assert r.status_code == 201
        assert r.json()["overdue"] is (planned == "2020-Q1")
    timeline = await client.get(f"/api/estates/{estate_id}/timeline", headers=bearer(owner))
    assert timeline.status_code == 200, timeline.text
    body = timeline.json()
    [work] = body["works"]
    assert work["id"] == work_id and work["overdue"] is True
    assert work["start"] == "2020-01-01" and work["end"] == "2099-06-30"
    assert [(g["planned"], g["overdue"]) for g in body["goals"]] == [("2020-Q1", 1), ("2099-H1", 0)]
    for lang, word in (("zh", "一张图"), ("en", "timeline")):
        page = await client.get(
            f"/api/estates/{estate_id}/timeline.html?lang={lang}", headers=bearer(owner)
        )
        assert page.status_code == 200 and word in page.text and "管道更换" in page.text
        assert "<svg" in page.text


async def test_milestones_need_an_awarded_work_and_members(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate("别的小区")
    _, committee = await make_member(estate_id, "committee")
    _, stranger = await make_member(other_estate, "committee")
    work = await client.post(
        f"/api/estates/{estate_id}/works",
        json={"title": "未定", "category": "roof"},
        headers=bearer(committee),
    )
    r = await client.post(
        f"/api/works/{work.json()['id']}/milestones", json=MILESTONE, headers=bearer(committee)
    )
    assert r.status_code == 409 and r.json()["code"] == "wrong_status"
    r = await client.get(f"/api/works/{work.json()['id']}/milestones", headers=bearer(stranger))
    assert r.status_code == 404 and r.json()["code"] == "work_not_found"
    r = await client.get(f"/api/estates/{estate_id}/timeline", headers=bearer(stranger))
    assert r.status_code == 404


async def test_capabilities_for_the_delivery_screens(
    client: httpx.AsyncClient, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    expected = {
        "committee": {"delivery.view", "delivery.manage", "acceptance.sign"},
        "owner": {"delivery.view", "acceptance.sign"},
        "treasurer": {"delivery.view"},
        "observer": {"delivery.view"},
    }
    for role, has in expected.items():
        _, token = await make_member(estate_id, role)
        me = (await client.get("/api/me", headers=bearer(token))).json()
        held = {c for c in me["capabilities"] if c.startswith(("delivery.", "acceptance."))}
        assert held == has, role


async def test_a_done_milestone_reopens_with_a_note_and_weights_can_be_cleared(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any, make_member: MakeMember
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    work_id = await delivered_work(client, admin_token, committee, estate_id, status="awarded")
    r = await client.post(
        f"/api/works/{work_id}/milestones",
        json={**MILESTONE, "weight_pct": 100},
        headers=bearer(committee),
    )
    milestone_id = r.json()["id"]
    done = await client.post(
        f"/api/milestones/{milestone_id}/progress", json={"percent": 100}, headers=bearer(committee)
    )
    assert done.json()["done"] is True
    # an awarded (not funded) work stays awarded
    work = (await client.get(f"/api/works/{work_id}", headers=bearer(committee))).json()
    assert work["status"] == "awarded"
    back = await client.post(
        f"/api/milestones/{milestone_id}/progress",
        json={"percent": 80, "note": "验收前发现渗漏，返工"},
        headers=bearer(committee),
    )
    assert back.status_code == 201
    assert back.json()["done"] is False and back.json()["done_at"] is None
    cleared = await client.patch(
        f"/api/milestones/{milestone_id}", json={"weight_pct": None}, headers=bearer(committee)
    )
    assert cleared.status_code == 200 and cleared.json()["weight_pct"] is None
    refused = await client.patch(
        f"/api/milestones/{milestone_id}", json={"title": None}, headers=bearer(committee)
    )
    assert refused.status_code == 400
    unknown = await client.post(
        f"/api/milestones/{milestone_id}/progress",
        json={"percent": 90, "extra": 1},
        headers=bearer(committee),
    )
    assert unknown.status_code == 400
    for bad in (101, -1, 50.5, "50"):
        r = await client.post(
            f"/api/milestones/{milestone_id}/progress",
            json={"percent": bad, "note": "x"},
            headers=bearer(committee),
        )
        assert r.status_code == 400, bad
