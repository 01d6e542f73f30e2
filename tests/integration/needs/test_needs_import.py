"""Importing paper questionnaire answers (issue 18): CSV or XLSX, all or nothing, every fault
with its line; sheet numbers never twice (in the file or already entered); suggestions made
from the suggestion column with their category."""

from __future__ import annotations

import io

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest

from planner.db.pool import Database
from tests.conftest import bearer
from tests.integration.needs.intake_helpers import (
    Intake,
    MakeEstate,
    MakeMember,
    events_of,
    open_questionnaire,
    setup_intake,
)

pytestmark = pytest.mark.timeout(60)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def intake(
    client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate, make_member: MakeMember
) -> Intake:
    return await setup_intake(client, admin_token, make_estate, make_member)


async def _import(
    client: httpx.AsyncClient, token: str, qid: int, body: bytes, content_type: str = "text/csv"
) -> httpx.Response:
    return await client.post(
        f"/api/questionnaires/{qid}/answers/import",
        content=body,
        headers={**bearer(token), "content-type": content_type},
    )


async def _count(db: Database, table: str) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


GOOD_ZH = (
    "编号,楼栋,房号,问题1,问题2,意见建议,类别\n"
    "P-001,1栋,101,满意,电梯;停车,楼道灯经常坏,设施改造\n"
    "P-002,2栋,,3,2、4,,\n"
    "P-003,,,一般,,希望多组织义诊,health\n"
)


async def test_csv_in_chinese_headers(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    qid = await open_questionnaire(client, intake)
    done = await _import(client, intake.committee, qid, GOOD_ZH.encode())
    assert done.status_code == 201, done.text
    result = done.json()
    assert (result["imported"], result["suggestions"]) == (3, 2)
    first = (
        await client.get(
            f"/api/suggestions/{result['suggestion_ids'][0]}", headers=bearer(intake.committee)
        )
    ).json()
    assert (first["text"], first["category"], first["channel"]) == (
        "楼道灯经常坏", "facilities", "import",
    )  # fmt: skip
    assert first["household_id"] == intake.households[("1栋", "101")]
    second = (
        await client.get(
            f"/api/suggestions/{result['suggestion_ids'][1]}", headers=bearer(intake.committee)
        )
    ).json()
    assert second["category"] == "health" and second["building_id"] is None
    counted = (
        await client.get(f"/api/questionnaires/{qid}/results", headers=bearer(intake.committee))
    ).json()
    assert counted["by_channel"] == {"import": 3}
    assert [o["count"] for o in counted["questions"][0]["options"]] == [1, 1, 1]
    assert [o["count"] for o in counted["questions"][1]["options"]] == [1, 2, 0, 1]
    events = await events_of(db, intake.estate_id, "questionnaire.imported")
    assert events[0][1] == "staff" and events[0][2]["suggestions"] == 2
    # the same sheets again: every line refused, nothing written
    again = await _import(client, intake.committee, qid, GOOD_ZH.encode())
    assert again.status_code == 400
    assert [(e["line"], e["code"]) for e in again.json()["errors"]] == [
        (2, "import_sheet_taken"),
        (3, "import_sheet_taken"),
        (4, "import_sheet_taken"),
    ]
    assert await _count(db, "questionnaire_answers") == 3


async def test_all_or_nothing_errors_by_line(
    client: httpx.AsyncClient, intake: Intake, db: Database
) -> None:
    qid = await open_questionnaire(client, intake)
    bad = (
        "sheet_no,building,unit,q1,q2,suggestion,category\n"
        "1,1栋,101,满意,,好,facilities\n"
        "2,9栋,101,满意,,,\n"
        "1,1栋,102,满意,,,\n"
        "3,1栋,999,很好,,,\n"
        ",1栋,101,满意,,,\n"
        "4,1栋,101,满意;一般,,,\n"
        "5,1栋,101,满意,,x,food\n"
    )
    refused = await _import(client, intake.committee, qid, bad.encode())
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "import_invalid"
    got = [(e["line"], e["field"], e["code"]) for e in body["errors"]]
    assert got == [
        (3, "building", "unknown_building"),
        (4, "sheet_no", "import_duplicate_sheet"),
        (5, "unit", "import_unknown_unit"),
        (5, "q1", "unknown_option"),
        (6, "sheet_no", "required"),
        (7, "q1", "one_option_only"),
        (8, "category", "not_allowed"),
    ]
    assert body["params"] == {"count": 7}
    assert body["errors"][1]["params"]["other_line"] == 2
    assert await _count(db, "questionnaire_answers") == 0
    assert await _count(db, "suggestions") == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("sheet_no,colour\n1,red\n", "csv_unknown_columns"),
        ("building,unit\n1栋,101\n", "csv_missing_columns"),
        ("sheet_no,q1,问题1\n1,满意,满意\n", "csv_duplicate_columns"),
        ('sheet_no,q1\n1,"满意\n', "bad_csv"),
        ("sheet_no,q1\n", "import_empty"),
        ("sheet_no,q1\n1,满意,多余\n", "csv_field_count"),
    ],
)
async def test_malformed_files(
    client: httpx.AsyncClient, intake: Intake, db: Database, body: str, code: str
) -> None:
    qid = await open_questionnaire(client, intake)
    refused = await _import(client, intake.committee, qid, body.encode())
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["code"] == code
    assert await _count(db, "questionnaire_answers") == 0


async def test_xlsx_english_headers(client: httpx.AsyncClient, intake: Intake) -> None:
    qid = await open_questionnaire(client, intake)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Sheet_No", "Building", "Unit", "Q1", "Q2", "Suggestion", "Category"])
    sheet.append(
        [
            101,
            "2栋",
            "102",
            1,
            "Parking, Lighting".replace("Parking", "停车").replace("Lighting", "照明"),
            "增加充电桩",
            "Facilities",
        ]
    )
    sheet.append([102, "1栋", 201, "不满意", None, None, None])
    out = io.BytesIO()
    book.save(out)
    done = await _import(client, intake.committee, qid, out.getvalue(), XLSX)
    assert done.status_code == 201, done.text
    assert (done.json()["imported"], done.json()["suggestions"]) == (2, 1)
    broken = await _import(client, intake.committee, qid, b"PK\x03\x04 not a workbook", XLSX)
    assert broken.status_code == 400 and broken.json()["errors"][0]["code"] == "xlsx_unreadable"


async def test_gb18030_csv_and_access(client: httpx.AsyncClient, intake: Intake) -> None:
    qid = await open_questionnaire(client, intake)
    body = "编号,问题1,意见建议\nG-1,满意,小区门口需要减速带\n".encode("gb18030")
    for token in (intake.owner, intake.supplier, intake.partner):
        assert (await _import(client, token, qid, body)).status_code == 403
    done = await _import(client, intake.committee, qid, body)
    assert done.status_code == 201, done.text
    assert done.json()["suggestions"] == 1
