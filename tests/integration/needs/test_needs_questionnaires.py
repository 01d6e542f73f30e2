"""Questionnaire rounds (issue 18): the committee drafts and publishes a few fixed questions,
owners answer once (replaceable until the close), paper sheets are entered once, the results
are counted per question and option, and the suggestion question's text becomes a
suggestion."""

from __future__ import annotations

import httpx
import pytest

from planner.db.pool import Database
from tests.conftest import bearer
from tests.integration.needs.intake_helpers import (
    QUESTIONS,
    Intake,
    MakeEstate,
    MakeMember,
    events_of,
    open_questionnaire,
    setup_intake,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def intake(
    client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate, make_member: MakeMember
) -> Intake:
    return await setup_intake(client, admin_token, make_estate, make_member)


async def test_draft_publish_close(client: httpx.AsyncClient, intake: Intake, db: Database) -> None:
    base = f"/api/estates/{intake.estate_id}/questionnaires"
    owner_made = await client.post(
        base, json={"title": "t", "questions": QUESTIONS}, headers=bearer(intake.owner)
    )
    assert owner_made.status_code == 403
    bad = await client.post(
        base,
        json={"title": "t", "questions": [{"text": "?", "kind": "single", "options": ["只一项"]}]},
        headers=bearer(intake.committee),
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "questions[0].options"
    too_many = await client.post(
        base,
        json={"title": "t", "questions": [{"text": f"{i}", "kind": "text"} for i in range(21)]},
        headers=bearer(intake.committee),
    )
    assert too_many.status_code == 400
    created = await client.post(
        base, json={"title": "问卷", "questions": QUESTIONS}, headers=bearer(intake.committee)
    )
    qid = created.json()["id"]
    assert created.json()["status"] == "draft"
    # owners do not see drafts
    hidden = await client.get(f"/api/questionnaires/{qid}", headers=bearer(intake.owner))
    assert hidden.status_code == 404
    assert (await client.get(base, headers=bearer(intake.owner))).json() == []
    early = await client.post(
        f"/api/questionnaires/{qid}/answers",
        json={"answers": [[0], None, None]},
        headers=bearer(intake.owner),
    )
    assert early.status_code == 404
    opened = await client.post(
        f"/api/questionnaires/{qid}/publish", headers=bearer(intake.committee)
    )
    assert opened.json()["status"] == "open"
    again = await client.post(
        f"/api/questionnaires/{qid}/publish", headers=bearer(intake.committee)
    )
    assert again.status_code == 409 and again.json()["code"] == "wrong_status"
    closed = await client.post(f"/api/questionnaires/{qid}/close", headers=bearer(intake.committee))
    assert closed.json()["status"] == "closed"
    late = await client.post(
        f"/api/questionnaires/{qid}/answers",
        json={"answers": [[0], None, None]},
        headers=bearer(intake.owner),
    )
    assert late.status_code == 409
    kinds = [(t, a) for t, a, _ in await events_of(db, intake.estate_id, "questionnaire.")]
    assert kinds == [
        ("questionnaire.created", "staff"),
        ("questionnaire.opened", "members"),
        ("questionnaire.closed", "members"),
    ]


async def test_owner_answers_once_replaceable(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    qid = await open_questionnaire(client, intake)
    url = f"/api/questionnaires/{qid}/answers"
    first = await client.post(
        url,
        json={"answers": [[2], [0, 3], "电梯太旧了"], "category": "facilities"},
        headers=bearer(intake.owner),
    )
    assert first.status_code == 201, first.text
    sid = first.json()["suggestion_id"]
    assert sid is not None
    second = await client.post(
        url, json={"answers": [[0], [1], "电梯太旧，常停运"]}, headers=bearer(intake.owner)
    )
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"] and second.json()["suggestion_id"] == sid
    s = (await client.get(f"/api/suggestions/{sid}", headers=bearer(intake.owner))).json()
    assert s["text"] == "电梯太旧，常停运" and s["questionnaire_id"] == qid
    assert s["household_id"] == intake.households[("1栋", "101")]
    wrong = await client.post(
        url, json={"answers": [[0, 1], None, None]}, headers=bearer(intake.other_owner)
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "one_option_only"
    short = await client.post(url, json={"answers": [[0]]}, headers=bearer(intake.other_owner))
    assert short.status_code == 400 and short.json()["code"] == "answers_count"
    beyond = await client.post(
        url, json={"answers": [[7], None, None]}, headers=bearer(intake.other_owner)
    )
    assert beyond.status_code == 400 and beyond.json()["code"] == "unknown_option"
    typed = await client.post(
        url, json={"answers": ["满意", None, None]}, headers=bearer(intake.other_owner)
    )
    assert typed.status_code == 400
    ok = await client.post(
        url, json={"answers": [[0], None, None]}, headers=bearer(intake.other_owner)
    )
    assert ok.status_code == 201 and ok.json()["suggestion_id"] is None
    for token in (intake.supplier, intake.partner):
        refused = await client.post(url, json={"answers": [[0], None, None]}, headers=bearer(token))
        assert refused.status_code == 403
    mine = (await client.get(f"/api/questionnaires/{qid}", headers=bearer(intake.owner))).json()
    assert mine["mine"]["answers"] == [[0], [1], "电梯太旧，常停运"]
    results = (
        await client.get(f"/api/questionnaires/{qid}/results", headers=bearer(intake.owner))
    ).json()
    assert results["answers_total"] == 2 and results["suggestions"] == 1
    q0 = results["questions"][0]
    assert [o["count"] for o in q0["options"]] == [2, 0, 0] and q0["answered"] == 2
    assert results["questions"][1]["answered"] == 1
    assert results["questions"][2]["options"] == [] and results["questions"][2]["answered"] == 1


async def test_paper_entry_never_twice(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    qid = await open_questionnaire(client, intake)
    url = f"/api/questionnaires/{qid}/answers"
    body = {
        "answers": [[1], [2], "希望增加垃圾分类指导"],
        "sheet_no": "No.0042",
        "household_id": intake.households[("2栋", "102")],
        "category": "environment",
    }
    owner_paper = await client.post(url, json=body, headers=bearer(intake.owner))
    assert owner_paper.status_code == 400
    entered = await client.post(url, json=body, headers=bearer(intake.committee))
    assert entered.status_code == 201, entered.text
    assert entered.json()["channel"] == "paper"
    again = await client.post(url, json=body, headers=bearer(intake.admin))
    assert again.status_code == 409
    assert again.json()["code"] == "answer_sheet_taken"
    assert again.json()["params"] == {"sheet_no": "No.0042", "answer_id": entered.json()["id"]}
    # paper sheets may still be entered after the close
    await client.post(f"/api/questionnaires/{qid}/close", headers=bearer(intake.committee))
    later = await client.post(
        url, json={**body, "sheet_no": "No.0043"}, headers=bearer(intake.committee)
    )
    assert later.status_code == 201
    s = (
        await client.get(
            f"/api/suggestions/{entered.json()['suggestion_id']}", headers=bearer(intake.committee)
        )
    ).json()
    assert (s["channel"], s["category"], s["building_id"]) == (
        "paper", "environment", intake.buildings["2栋"],
    )  # fmt: skip
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM questionnaire_answers") == 2
