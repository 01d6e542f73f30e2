"""Suggestions (issue 18): owners submit for their own units (with a phone photo), the
committee enters paper sheets once, triages, marks duplicates; the triage list filters and
pages; owners see their own with the common problem's status."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest

from planner.db.pool import Database
from tests.conftest import bearer
from tests.integration.needs.intake_helpers import (
    JPEG,
    Intake,
    MakeEstate,
    MakeMember,
    events_of,
    setup_intake,
    suggest,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def intake(
    client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate, make_member: MakeMember
) -> Intake:
    return await setup_intake(client, admin_token, make_estate, make_member)


async def test_baseline_body_and_owner_defaults(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    """API.md's ``{text, category, building_id?}`` works as is; an owner's unit and its
    building are filled in; one staff event."""
    created = await suggest(client, intake.owner, intake.estate_id)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    got = (await client.get(f"/api/suggestions/{sid}", headers=bearer(intake.owner))).json()
    assert got["household_id"] == intake.households[("1栋", "101")]
    assert got["building_id"] == intake.buildings["1栋"]
    assert got["channel"] == "online" and got["state"] == "untriaged"
    by_building = await suggest(
        client, intake.committee, intake.estate_id, building_id=intake.buildings["2栋"]
    )
    assert by_building.status_code == 201, by_building.text
    events = await events_of(db, intake.estate_id, "suggestion.")
    assert [(t, a) for t, a, _ in events] == [("suggestion.submitted", "staff")] * 2
    assert events[0][2]["suggestion_id"] == sid


async def test_owner_only_for_own_units(client: httpx.AsyncClient, intake: Intake) -> None:
    theirs = intake.households[("2栋", "101")]
    refused = await suggest(client, intake.owner, intake.estate_id, household_id=theirs)
    assert refused.status_code == 403
    assert refused.json()["code"] == "household_not_yours"
    paper = await suggest(client, intake.owner, intake.estate_id, sheet_no="0001")
    assert paper.status_code == 400
    own = await suggest(
        client, intake.owner, intake.estate_id, household_id=intake.households[("1栋", "201")]
    )
    assert own.status_code == 201
    # the other owner cannot read it (hidden like a missing one); staff can
    sid = own.json()["id"]
    hidden = await client.get(f"/api/suggestions/{sid}", headers=bearer(intake.other_owner))
    assert hidden.status_code == 404
    for token in (intake.supplier, intake.partner):
        assert (await suggest(client, token, intake.estate_id)).status_code == 403
        listed = await client.get(
            f"/api/estates/{intake.estate_id}/suggestions", headers=bearer(token)
        )
        assert listed.status_code == 403


async def test_paper_sheet_never_twice(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    first = await suggest(
        client, intake.committee, intake.estate_id, sheet_no="A-017",
        household_id=intake.households[("2栋", "102")],
    )  # fmt: skip
    assert first.status_code == 201, first.text
    again = await suggest(client, intake.committee, intake.estate_id, sheet_no="A-017",
                          text="另一张")  # fmt: skip
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "sheet_no_taken"
    assert body["params"] == {"sheet_no": "A-017", "suggestion_id": first.json()["id"]}
    got = (await client.get(f"/api/suggestions/{first.json()['id']}",
                            headers=bearer(intake.committee))).json()  # fmt: skip
    assert got["channel"] == "paper" and got["sheet_no"] == "A-017"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM suggestions") == 1


async def test_photo_upload_and_access(client: httpx.AsyncClient, intake: Intake) -> None:
    base = f"/api/estates/{intake.estate_id}/suggestion-photos"
    up = await client.post(
        base, content=JPEG, headers={**bearer(intake.owner), "content-type": "image/jpeg"}
    )
    assert up.status_code == 201, up.text
    sha = up.json()["sha256"]
    assert sha == hashlib.sha256(JPEG).hexdigest()
    lying = await client.post(
        base, content=b"GIF89a....", headers={**bearer(intake.owner), "content-type": "image/png"}
    )
    assert lying.status_code == 400 and lying.json()["code"] == "photo_invalid"
    created = await suggest(client, intake.owner, intake.estate_id, photo_sha256=sha)
    assert created.status_code == 201
    unknown = await suggest(client, intake.owner, intake.estate_id, photo_sha256="0" * 64)
    assert unknown.status_code == 400 and unknown.json()["code"] == "photo_not_found"
    for token, status in (
        (intake.owner, 200),
        (intake.committee, 200),
        (intake.other_owner, 404),
        (intake.supplier, 403),
    ):
        got = await client.get(f"{base}/{sha}", headers=bearer(token))
        assert got.status_code == status, token
    got = await client.get(f"{base}/{sha}", headers=bearer(intake.committee))
    assert got.content == JPEG and got.headers["content-type"] == "image/jpeg"


async def test_triage_tags_and_self_help(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    sid = (await suggest(client, intake.owner, intake.estate_id)).json()["id"]
    url = f"/api/suggestions/{sid}"
    refused = await client.patch(url, json={"urgency": "urgent"}, headers=bearer(intake.owner))
    assert refused.status_code == 403
    tagged = await client.patch(
        url, json={"urgency": "urgent", "difficulty": "easy", "category": "safety"},
        headers=bearer(intake.committee),
    )  # fmt: skip
    assert tagged.status_code == 200, tagged.text
    row = tagged.json()
    assert (row["urgency"], row["difficulty"], row["category"], row["state"]) == (
        "urgent", "easy", "safety", "triaged",
    )  # fmt: skip
    assert row["triaged_by"] is not None and row["triaged_at"] is not None
    no_helper = await client.patch(url, json={"self_help": True}, headers=bearer(intake.committee))
    assert no_helper.status_code == 400 and no_helper.json()["code"] == "helper_required"
    helped = await client.patch(
        url, json={"self_help": True, "helper": "楼长王师傅"}, headers=bearer(intake.committee)
    )
    assert helped.json()["state"] == "self_help" and helped.json()["helper"] == "楼长王师傅"
    assert helped.json()["urgency"] == "urgent"  # untouched
    unknown = await client.patch(url, json={"colour": "red"}, headers=bearer(intake.committee))
    assert unknown.status_code == 400
    events = [t for t, _, _ in await events_of(db, intake.estate_id, "suggestion.triaged")]
    assert len(events) == 2


async def test_duplicates_kept_without_cycles(client: httpx.AsyncClient, intake: Intake) -> None:
    ids = [(await suggest(client, intake.owner, intake.estate_id)).json()["id"] for _ in range(3)]
    a, b, c = ids
    committee = bearer(intake.committee)

    async def mark(x: int, of: int) -> httpx.Response:
        return await client.post(f"/api/suggestions/{x}/duplicate", json={"of": of},
                                 headers=committee)  # fmt: skip

    assert (await mark(b, a)).json()["state"] == "duplicate"
    assert (await mark(c, b)).status_code == 200
    cycle = await mark(a, c)
    assert cycle.status_code == 409 and cycle.json()["code"] == "duplicate_cycle"
    assert (await mark(a, a)).status_code == 409
    other_estate = await client.post(
        f"/api/estates/{intake.estate_id}/suggestions", json={"text": "x", "category": "other"},
        headers=bearer(intake.admin),
    )  # fmt: skip
    assert other_estate.status_code == 201
    dupes = await client.get(
        f"/api/estates/{intake.estate_id}/suggestions", params={"state": "duplicate"},
        headers=committee,
    )  # fmt: skip
    assert {i["id"] for i in dupes.json()["items"]} == {b, c}
    assert dupes.json()["items"][0]["duplicate_of"] in (a, b)


async def test_triage_list_filters_and_pages(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    committee = bearer(intake.committee)
    made = []
    for i in range(7):
        body = {"text": f"建议{i} {'电梯' if i % 2 else '绿化'}",
                "category": "facilities" if i % 2 else "environment"}  # fmt: skip
        if i < 3:
            body["household_id"] = intake.households[("2栋", "101")]
        made.append(
            (await suggest(client, intake.committee, intake.estate_id, **body)).json()["id"]
        )
    await client.patch(f"/api/suggestions/{made[1]}", json={"urgency": "urgent"}, headers=committee)
    url = f"/api/estates/{intake.estate_id}/suggestions"
    seen: list[int] = []
    after = None
    while True:
        params = {"limit": 3} | ({"after": after} if after else {})
        page = (await client.get(url, params=params, headers=committee)).json()
        assert page["total"] == 7
        seen += [i["id"] for i in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == sorted(made, reverse=True)
    only = (await client.get(url, params={"category": "facilities"}, headers=committee)).json()
    assert only["total"] == 3
    assert (await client.get(url, params={"q": "电梯"}, headers=committee)).json()["total"] == 3
    assert (await client.get(url, params={"urgency": "urgent"}, headers=committee)).json()["items"][
        0
    ]["id"] == made[1]
    untriaged = (await client.get(url, params={"state": "untriaged"}, headers=committee)).json()
    assert untriaged["total"] == 6
    b2 = (await client.get(url, params={"building_id": intake.buildings["2栋"]},
                           headers=committee)).json()  # fmt: skip
    assert b2["total"] == 3
    bad = await client.get(url, params={"state": "lost"}, headers=committee)
    assert bad.status_code == 400
    # merged into a common problem (the problems helper writes this): item carries it
    async with db.transaction() as conn:
        pid = await conn.fetchval(
            """INSERT INTO problems (estate_id, title, category, urgency, difficulty)
               VALUES ($1, '电梯老旧', 'facilities', 'urgent', 'hard') RETURNING id""",
            intake.estate_id,
        )
        await conn.execute("UPDATE suggestions SET problem_id = $1 WHERE id = $2", pid, made[0])
    merged = (await client.get(url, params={"state": "merged"}, headers=committee)).json()
    assert merged["items"][0]["problem"] == {"id": pid, "title": "电梯老旧", "status": "collecting"}
    mine = await client.get(f"{url}/mine", headers=bearer(intake.other_owner))
    assert mine.status_code == 200
    rows = mine.json()
    assert {r["id"] for r in rows} == set(made[:3])
    assert next(r for r in rows if r["id"] == made[0])["problem"]["status"] == "collecting"


async def test_same_sheet_entered_at_once_counts_once(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    """Two committee members typing the same sheet at the same moment: one suggestion, the
    other answer is 409 with its id."""
    answers = await asyncio.gather(
        *(
            suggest(client, token, intake.estate_id, sheet_no="B-9", text=f"第{n}次录入")
            for n, token in enumerate((intake.committee, intake.admin) * 3)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409, 409, 409, 409, 409]
    made = next(a for a in answers if a.status_code == 201).json()["id"]
    assert {a.json()["params"]["suggestion_id"] for a in answers if a.status_code == 409} == {made}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM suggestions") == 1
