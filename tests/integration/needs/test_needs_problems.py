"""Common problems (共性问题) through the API on the real database: merging keeps supporters
and sources, duplicates are merged never deleted, counts by head and by units, the status
path and its events, the candidate work, the board, and who may do what."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import Database
from planner.testing import bearer

pytestmark = pytest.mark.timeout(60)

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def add_suggestion(
    db: Database,
    estate_id: int,
    household_id: int | None,
    text: str = "楼道灯不亮",
    category: str = "facilities",
    *,
    submitted_by: int | None = None,
    self_help: bool = False,
) -> int:
    """A suggestion row as intake would store it (intake's API lives on another branch)."""
    async with db.transaction() as conn:
        found: int = await conn.fetchval(
            """INSERT INTO suggestions (estate_id, text, category, household_id, channel,
                                        submitted_by, self_help)
               VALUES ($1, $2, $3, $4, 'online', $5, $6) RETURNING id""",
            estate_id,
            text,
            category,
            household_id,
            submitted_by,
            self_help,
        )
    return found


async def events(db: Database, estate_id: int, prefix: str) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, audience, data::text AS data FROM events
                WHERE estate_id = $1 AND type LIKE $2 ORDER BY seq""",
            estate_id,
            prefix + "%",
        )
    return [{"type": r["type"], "audience": r["audience"], **json.loads(r["data"])} for r in rows]


async def households(client: httpx.AsyncClient, admin: str, estate_id: int) -> dict[str, int]:
    """unit label (building-unit) → household id of the sample register."""
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin))
    ).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    return {f"{h['building']}-{h['unit']}": h["id"] for h in items}


async def scene(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> dict[str, Any]:
    estate_id = await make_estate()
    units = await households(client, admin_token, estate_id)
    _, committee = await make_member(estate_id, "committee")
    owner_a_id, owner_a = await make_member(
        estate_id, "owner", household_ids=(units["1栋-101"], units["1栋-201"])
    )
    _, owner_d = await make_member(estate_id, "owner", household_ids=(units["2栋-102"],))
    return {
        "estate_id": estate_id,
        "units": units,
        "committee": bearer(committee),
        "owner_a": bearer(owner_a),
        "owner_a_id": owner_a_id,
        "owner_d": bearer(owner_d),
    }


async def test_merge_keeps_supporters_and_sources(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    s = await scene(client, admin_token, make_estate, make_member)
    estate, units, committee = s["estate_id"], s["units"], s["committee"]
    # owner A holds 1栋-101 and 1栋-201 (one head, two units); B holds 1栋-102
    s1 = await add_suggestion(db, estate, units["1栋-101"])
    s2 = await add_suggestion(db, estate, units["1栋-201"], "灯坏了")
    s3 = await add_suggestion(db, estate, units["1栋-102"], "楼道太暗")
    s4 = await add_suggestion(db, estate, units["2栋-101"], "二栋楼道灯")
    s5 = await add_suggestion(db, estate, None, "纸质问卷：灯")
    created = await client.post(
        f"/api/estates/{estate}/problems",
        json={
            "title": "楼道照明",
            "category": "facilities",
            "urgency": "urgent",
            "difficulty": "easy",
            "suggestion_ids": [s1, s2, s3],
            "responsible": "物业公司",
        },
        headers=committee,
    )
    assert created.status_code == 201, created.text
    problem = created.json()
    assert problem["status"] == "collecting"
    assert (problem["supporters_owners"], problem["supporters_units"]) == (2, 3)
    assert [x["suggestion_id"] for x in problem["sources"]] == [s1, s2, s3]

    # a second problem for building 2, then merged as a duplicate
    dup = await client.post(
        f"/api/estates/{estate}/problems",
        json={
            "title": "二栋楼道灯",
            "category": "facilities",
            "urgency": "normal",
            "difficulty": "easy",
            "suggestion_ids": [s4],
        },
        headers=committee,
    )
    assert dup.status_code == 201, dup.text
    dup_id = dup.json()["id"]
    # s4 is in the duplicate: adding it to the first problem directly is 409
    taken = await client.post(
        f"/api/problems/{problem['id']}/merge", json={"suggestion_ids": [s4]}, headers=committee
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "suggestion_in_problem"
    assert taken.json()["params"]["problem_ids"] == [dup_id]
    # owner D says "me too" on the duplicate before it is merged
    me_too = await client.post(f"/api/problems/{dup_id}/support", headers=s["owner_d"])
    assert me_too.status_code == 200, me_too.text
    assert me_too.json()["supported"] is True
    assert me_too.json()["supporters_units"] == 2

    merged = await client.post(
        f"/api/problems/{problem['id']}/merge",
        json={"suggestion_ids": [s5], "problem_ids": [dup_id]},
        headers=committee,
    )
    assert merged.status_code == 200, merged.text
    body = merged.json()
    # heads: A, B, C, D; units: 1-101, 1-201, 1-102, 2-101, 2-102 (s5 has no household)
    assert (body["supporters_owners"], body["supporters_units"]) == (4, 5)
    assert body["source_count"] == 5
    assert sorted(x["suggestion_id"] for x in body["sources"]) == [s1, s2, s3, s4, s5]
    assert body["merged_problem_ids"] == [dup_id]

    # the duplicate is kept, marked merged, and left out of the list
    kept = (await client.get(f"/api/problems/{dup_id}", headers=committee)).json()
    assert kept["merged_into"] == problem["id"]
    listed = (await client.get(f"/api/estates/{estate}/problems", headers=committee)).json()
    assert [p["id"] for p in listed] == [problem["id"]]
    # acting on the merged duplicate is 409 problem_merged
    again = await client.post(
        f"/api/problems/{dup_id}/status", json={"status": "listed"}, headers=committee
    )
    assert again.status_code == 409 and again.json()["code"] == "problem_merged"

    # owner A supports it through their suggestions; D through the merged "me too"
    seen_a = (await client.get(f"/api/problems/{problem['id']}", headers=s["owner_a"])).json()
    assert seen_a["supported"] is True and seen_a["sources"] is None
    seen_d = (await client.get(f"/api/problems/{problem['id']}", headers=s["owner_d"])).json()
    assert seen_d["supported"] is True
    # D withdraws: back to 3 heads, 4 units
    withdrawn = await client.delete(f"/api/problems/{problem['id']}/support", headers=s["owner_d"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["supporters_owners"], withdrawn.json()["supporters_units"]) == (3, 4)
    assert withdrawn.json()["supported"] is False
    # A's "me too" adds no unit: their units already support it
    twice = await client.post(f"/api/problems/{problem['id']}/support", headers=s["owner_a"])
    assert twice.json()["supporters_units"] == 4

    kinds = [e["type"] for e in await events(db, estate, "problem.")]
    assert kinds == [
        "problem.created",
        "problem.created",
        "problem.supported",
        "problem.merged",
        "problem.supported",
        "problem.supported",
    ]
    for event in await events(db, estate, "problem."):
        assert event["audience"] == "members"
        assert "household_id" not in event and "households" not in event


async def test_status_path_events_and_work(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    s = await scene(client, admin_token, make_estate, make_member)
    estate, committee = s["estate_id"], s["committee"]
    sid = await add_suggestion(db, estate, s["units"]["1栋-101"], category="safety")
    created = await client.post(
        f"/api/estates/{estate}/problems",
        json={
            "title": "消防通道被占",
            "category": "safety",
            "urgency": "urgent",
            "difficulty": "hard",
            "suggestion_ids": [sid],
        },
        headers=committee,
    )
    pid = created.json()["id"]
    url = f"/api/problems/{pid}/status"
    skip = await client.post(url, json={"status": "solved"}, headers=committee)
    assert skip.status_code == 409
    assert skip.json()["code"] == "illegal_transition"
    assert skip.json()["params"]["allowed"] == ["declined", "listed"]
    no_note = await client.post(url, json={"status": "declined"}, headers=committee)
    assert no_note.status_code == 400
    assert no_note.json()["errors"][0]["field"] == "note"
    owner_try = await client.post(url, json={"status": "listed"}, headers=s["owner_a"])
    assert owner_try.status_code == 403
    for status in ("listed", "in_progress"):
        moved = await client.post(
            url, json={"status": status, "responsible": "社区网格员"}, headers=committee
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    made = await client.post(
        f"/api/problems/{pid}/work",
        json={"estimate_fen": 1_200_000, "description": "清理并划线"},
        headers=committee,
    )
    assert made.status_code == 201, made.text
    work_id = made.json()["work_id"]
    twice = await client.post(
        f"/api/problems/{pid}/work", json={"estimate_fen": 1}, headers=committee
    )
    assert twice.status_code == 409 and twice.json()["code"] == "problem_has_work"
    works = (await client.get(f"/api/estates/{estate}/works", headers=committee)).json()
    [work] = [w for w in works if w["id"] == work_id]
    assert work["status"] == "candidate" and work["estimate_fen"] == 1_200_000
    assert work["title"] == "消防通道被占" and work["category"] == "safety"

    solved = await client.post(url, json={"status": "solved"}, headers=committee)
    assert solved.json()["status"] == "solved" and solved.json()["solved_at"]
    assert solved.json()["responsible"] == "社区网格员"
    assert solved.json()["work_id"] == work_id
    final = await client.post(url, json={"status": "declined", "note": "x"}, headers=committee)
    assert final.status_code == 409 and final.json()["params"]["allowed"] == []
    support_late = await client.post(f"/api/problems/{pid}/support", headers=s["owner_d"])
    assert support_late.status_code == 409

    moves = [(e["from"], e["to"]) for e in await events(db, estate, "problem.status")]
    assert moves == [
        ("collecting", "listed"),
        ("listed", "in_progress"),
        ("in_progress", "solved"),
    ]
    [work_event] = [e for e in await events(db, estate, "work.created") if e.get("problem_id")]
    assert work_event["work_id"] == work_id and work_event["audience"] == "members"

    # a second problem declined with its reason
    other = await client.post(
        f"/api/estates/{estate}/problems",
        json={
            "title": "增设游泳池",
            "category": "facilities",
            "urgency": "normal",
            "difficulty": "hard",
            "suggestion_ids": [],
        },
        headers=committee,
    )
    declined = await client.post(
        f"/api/problems/{other.json()['id']}/status",
        json={"status": "declined", "note": "场地不足"},
        headers=committee,
    )
    assert declined.status_code == 200 and declined.json()["status_note"] == "场地不足"
    filtered = await client.get(
        f"/api/estates/{estate}/problems?status=solved&urgency=urgent", headers=s["owner_a"]
    )
    assert [p["id"] for p in filtered.json()] == [pid]
    assert filtered.json()[0]["supported"] is True


async def test_board_figures_and_access(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    s = await scene(client, admin_token, make_estate, make_member)
    estate, committee, units = s["estate_id"], s["committee"], s["units"]
    a = await add_suggestion(db, estate, units["1栋-101"], category="environment")
    b = await add_suggestion(db, estate, units["1栋-102"], category="environment")
    await add_suggestion(db, estate, units["2栋-101"], "自己修门把手", self_help=True)
    await add_suggestion(db, estate, None, "还没分类", category="other")
    ids = []
    for title, urgency, suggestion_ids in (("垃圾分类点", "urgent", [a]), ("绿化", "normal", [b])):
        made = await client.post(
            f"/api/estates/{estate}/problems",
            json={
                "title": title,
                "category": "environment",
                "urgency": urgency,
                "difficulty": "easy",
                "suggestion_ids": suggestion_ids,
                "responsible": "物业",
            },
            headers=committee,
        )
        ids.append(made.json()["id"])
    for status in ("listed", "in_progress", "solved"):
        await client.post(
            f"/api/problems/{ids[0]}/status", json={"status": status}, headers=committee
        )
    await client.post(
        f"/api/problems/{ids[1]}/status", json={"status": "listed"}, headers=committee
    )

    granted = await client.post(
        f"/api/estates/{estate}/members",
        json={"role": "partner", "display_name": "建设银行", "partner_kind": "bank"},
        headers=bearer(admin_token),
    )
    partner = granted.json()["token"]
    board = await client.get(f"/api/estates/{estate}/board", headers=bearer(partner))
    assert board.status_code == 200, board.text
    figures = board.json()["figures"]
    assert figures == {
        "suggestions_received": 4,
        "suggestions_sorted": 3,
        "self_help": 1,
        "problems_total": 2,
        "problems_listed": 2,
        "problems_solved": 1,
        "problems_urgent_solved": 1,
        "problems_declined": 0,
    }
    by_category = {c["category"]: c for c in board.json()["by_category"]}
    assert by_category["environment"] == {
        "category": "environment",
        "suggestions": 2,
        "problems": 2,
    }
    by_status = {x["status"]: x["problems"] for x in board.json()["by_status"]}
    assert by_status == {"collecting": 0, "listed": 1, "in_progress": 0, "solved": 1, "declined": 0}
    assert [p["responsible"] for p in board.json()["problems"]] == ["物业", "物业"]

    page = await client.get(f"/api/estates/{estate}/board.html", headers=committee)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "共性问题公示栏" in page.text and 'role="img"' in page.text
    assert "垃圾分类点" in page.text and "已解决" in page.text
    english = await client.get(f"/api/estates/{estate}/board.html?lang=en", headers=committee)
    assert "Common problems board" in english.text
    sheet = await client.get(f"/api/estates/{estate}/board.csv", headers=s["owner_a"])
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert ["figures", "problems_urgent_solved", "其中急事已解决（个）", "1"] in rows

    # access: suppliers may not read the board; partners may not read problems
    supplier = await client.post(
        f"/api/estates/{estate}/suppliers", json={"name": "供应商"}, headers=bearer(admin_token)
    )
    _, supplier_token = await make_member(estate, "supplier", supplier_id=supplier.json()["id"])
    for path in (
        f"/api/estates/{estate}/board",
        f"/api/estates/{estate}/problems",
        f"/api/problems/{ids[0]}",
    ):
        assert (await client.get(path, headers=bearer(supplier_token))).status_code == 403
    assert (await client.get(f"/api/problems/{ids[0]}", headers=bearer(partner))).status_code == 403
    # another estate's committee: 404 like a missing id
    other_estate = await make_estate("别的小区")
    _, stranger = await make_member(other_estate, "committee")
    for method, path in (
        ("GET", f"/api/problems/{ids[0]}"),
        ("GET", f"/api/estates/{estate}/board"),
        ("POST", f"/api/problems/{ids[1]}/status"),
    ):
        answer = await client.request(
            method,
            path,
            json={"status": "in_progress"} if method == "POST" else None,
            headers=bearer(stranger),
        )
        assert answer.status_code == 404, (path, answer.text)
    # another estate's suggestions cannot be merged in
    foreign = await add_suggestion(db, other_estate, None)
    refused = await client.post(
        f"/api/problems/{ids[1]}/merge", json={"suggestion_ids": [foreign]}, headers=committee
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "not_in_estate"


async def test_merged_problems_flatten_and_never_go_back(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    s = await scene(client, admin_token, make_estate, make_member)
    estate, units, committee = s["estate_id"], s["units"], s["committee"]
    ids = []
    for unit in ("1栋-101", "1栋-102", "2栋-101"):
        sid = await add_suggestion(db, estate, units[unit])
        made = await client.post(
            f"/api/estates/{estate}/problems",
            json={
                "title": f"电梯 {unit}",
                "category": "facilities",
                "urgency": "normal",
                "difficulty": "hard",
                "suggestion_ids": [sid],
            },
            headers=committee,
        )
        ids.append(made.json()["id"])
    a, b, c = ids
    first = await client.post(
        f"/api/problems/{a}/merge", json={"problem_ids": [b]}, headers=committee
    )
    assert first.status_code == 200 and first.json()["supporters_units"] == 2
    # B is merged: nothing merges into it, and it cannot be merged again
    into_b = await client.post(
        f"/api/problems/{b}/merge", json={"problem_ids": [a]}, headers=committee
    )
    assert into_b.status_code == 409 and into_b.json()["code"] == "problem_merged"
    again = await client.post(
        f"/api/problems/{c}/merge", json={"problem_ids": [b]}, headers=committee
    )
    assert again.status_code == 409
    itself = await client.post(
        f"/api/problems/{a}/merge", json={"problem_ids": [a]}, headers=committee
    )
    assert itself.status_code == 400
    # A (with its duplicate B) merged into C: both now point at C, whose counts hold all
    last = await client.post(
        f"/api/problems/{c}/merge", json={"problem_ids": [a]}, headers=committee
    )
    assert last.status_code == 200, last.text
    assert last.json()["merged_problem_ids"] == [a, b]
    assert (last.json()["supporters_owners"], last.json()["supporters_units"]) == (3, 3)
    assert last.json()["source_count"] == 3
    for merged in (a, b):
        kept = (await client.get(f"/api/problems/{merged}", headers=committee)).json()
        assert kept["merged_into"] == c and kept["allowed_moves"] == []
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM problems WHERE estate_id = $1", estate) == 3
        )
