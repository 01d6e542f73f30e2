"""SQL for questionnaire rounds (问卷) and their answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from planner.needs.questionnaire_model import AnswerOut, Question, QuestionnaireOut

_Q_SELECT = """
SELECT q.id, q.estate_id, q.title, q.questions, q.status, q.created_at, q.opened_at,
       q.closed_at,
       (SELECT count(*) FROM questionnaire_answers a WHERE a.questionnaire_id = q.id)
           AS answers_count
  FROM questionnaires q
"""


def _questionnaire(r: asyncpg.Record) -> QuestionnaireOut:
    return QuestionnaireOut(
        id=r["id"],
        estate_id=r["estate_id"],
        title=r["title"],
        questions=msgspec.convert(r["questions"], list[Question]),
        status=r["status"],
        created_at=r["created_at"],
        opened_at=r["opened_at"],
        closed_at=r["closed_at"],
        answers_count=r["answers_count"],
    )


def _answer(r: asyncpg.Record) -> AnswerOut:
    return AnswerOut(
        id=r["id"],
        questionnaire_id=r["questionnaire_id"],
        channel=r["channel"],
        sheet_no=r["sheet_no"],
        household_id=r["household_id"],
        building_id=r["building_id"],
        answers=r["answers"],
        suggestion_id=r["suggestion_id"],
        answered_at=r["answered_at"],
    )


async def insert_questionnaire(
    conn: asyncpg.Connection,
    estate_id: int,
    title: str,
    questions: list[Question],
    created_by: int,
) -> int:
    return await conn.fetchval(  # type: ignore[no-any-return]
        """INSERT INTO questionnaires (estate_id, title, questions, created_by)
           VALUES ($1, $2, $3, $4) RETURNING id""",
        estate_id,
        title,
        msgspec.to_builtins(questions),
        created_by,
    )


async def questionnaire(conn: asyncpg.Connection, questionnaire_id: int) -> QuestionnaireOut | None:
    r = await conn.fetchrow(_Q_SELECT + " WHERE q.id = $1", questionnaire_id)
    return None if r is None else _questionnaire(r)


async def lock_questionnaire(
    conn: asyncpg.Connection, questionnaire_id: int, *, shared: bool
) -> QuestionnaireOut | None:
    """The questionnaire after locking its row (``shared``: answers side by side; a status
    change waits for them)."""
    mode = "FOR SHARE" if shared else "FOR UPDATE"
    found = await conn.fetchval(
        f"SELECT id FROM questionnaires WHERE id = $1 {mode}", questionnaire_id
    )
    return None if found is None else await questionnaire(conn, questionnaire_id)


async def set_status(conn: asyncpg.Connection, questionnaire_id: int, status: str) -> None:
    column = {"open": "opened_at", "closed": "closed_at"}[status]
    await conn.execute(
        f"UPDATE questionnaires SET status = $2, {column} = now() WHERE id = $1",
        questionnaire_id,
        status,
    )


async def list_questionnaires(
    conn: asyncpg.Connection, estate_id: int, with_drafts: bool
) -> list[QuestionnaireOut]:
    rows = await conn.fetch(
        _Q_SELECT + " WHERE q.estate_id = $1 AND ($2 OR q.status <> 'draft') ORDER BY q.id DESC",
        estate_id,
        with_drafts,
    )
    return [_questionnaire(r) for r in rows]


_A_SELECT = """SELECT id, questionnaire_id, channel, sheet_no, household_id, building_id,
                      answers, suggestion_id, answered_at
                 FROM questionnaire_answers"""


async def member_answer(
    conn: asyncpg.Connection, questionnaire_id: int, member_id: int
) -> AnswerOut | None:
    r = await conn.fetchrow(
        _A_SELECT + " WHERE questionnaire_id = $1 AND member_id = $2", questionnaire_id, member_id
    )
    return None if r is None else _answer(r)


async def sheet_answer(
    conn: asyncpg.Connection, questionnaire_id: int, sheet_no: str
) -> int | None:
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT id FROM questionnaire_answers WHERE questionnaire_id = $1 AND sheet_no = $2",
        questionnaire_id,
        sheet_no,
    )


async def taken_sheets(conn: asyncpg.Connection, questionnaire_id: int) -> dict[str, int]:
    rows = await conn.fetch(
        """SELECT sheet_no, id FROM questionnaire_answers
            WHERE questionnaire_id = $1 AND sheet_no IS NOT NULL""",
        questionnaire_id,
    )
    return {r["sheet_no"]: r["id"] for r in rows}


async def insert_answer(
    conn: asyncpg.Connection,
    *,
    questionnaire_id: int,
    channel: str,
    member_id: int | None,
    sheet_no: str | None,
    household_id: int | None,
    building_id: int | None,
    answers: list[Any],
    suggestion_id: int | None,
    entered_by: int,
) -> AnswerOut | None:
    """The new answer; None when the sheet number or the member's answer exists already."""
    r = await conn.fetchrow(
        """INSERT INTO questionnaire_answers (questionnaire_id, channel, member_id, sheet_no,
                       household_id, building_id, answers, suggestion_id, entered_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING
           RETURNING id, questionnaire_id, channel, sheet_no, household_id, building_id,
                     answers, suggestion_id, answered_at""",
        questionnaire_id,
        channel,
        member_id,
        sheet_no,
        household_id,
        building_id,
        answers,
        suggestion_id,
        entered_by,
    )
    return None if r is None else _answer(r)


async def replace_answer(
    conn: asyncpg.Connection,
    answer_id: int,
    household_id: int | None,
    building_id: int | None,
    answers: list[Any],
    suggestion_id: int | None,
) -> AnswerOut:
    r = await conn.fetchrow(
        """UPDATE questionnaire_answers
              SET household_id = $2, building_id = $3, answers = $4, suggestion_id = $5,
                  answered_at = now()
            WHERE id = $1
        RETURNING id, questionnaire_id, channel, sheet_no, household_id, building_id,
                  answers, suggestion_id, answered_at""",
        answer_id,
        household_id,
        building_id,
        answers,
        suggestion_id,
    )
    return _answer(r)


async def insert_many(
    conn: asyncpg.Connection,
    questionnaire_id: int,
    rows: Sequence[tuple[str, int | None, int | None, list[Any], int | None]],
    entered_by: int,
) -> int:
    """Insert (sheet_no, household_id, building_id, answers, suggestion_id) rows as imported
    answers, in one statement; how many."""
    if not rows:
        return 0
    sheets, households, buildings, answers, suggestions = (list(c) for c in zip(*rows, strict=True))
    await conn.execute(
        """INSERT INTO questionnaire_answers (questionnaire_id, channel, sheet_no, household_id,
                       building_id, answers, suggestion_id, entered_by)
           SELECT $1, 'import', s, h, b, a::jsonb, g, $7
             FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[])
                  AS x(s, h, b, a, g)""",
        questionnaire_id,
        sheets,
        households,
        buildings,
        [msgspec.json.encode(a).decode() for a in answers],
        suggestions,
        entered_by,
    )
    return len(rows)


async def answer_sets(conn: asyncpg.Connection, questionnaire_id: int) -> list[asyncpg.Record]:
    """Every answer's channel, answers and suggestion id."""
    return await conn.fetch(  # type: ignore[no-any-return]
        """SELECT channel, answers, suggestion_id FROM questionnaire_answers
            WHERE questionnaire_id = $1""",
        questionnaire_id,
    )
