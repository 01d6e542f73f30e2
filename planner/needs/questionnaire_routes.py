"""Questionnaire rounds (问卷) over HTTP: drafting, publishing, closing, answers (online and
paper), the import of paper answers and the counted results (issue 18)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.deps import DbDep, PrincipalDep
from planner.needs import questionnaire_service as service
from planner.needs.questionnaire_model import (
    AnswerOut,
    ImportResult,
    NewAnswer,
    NewQuestionnaire,
    QuestionnaireOut,
    QuestionnaireResults,
)

#: An import body may be this large (about 20,000 rows of answers).
MAX_IMPORT_BODY = 16 * 1024 * 1024


class QuestionnaireController(Controller):
    tags = ["needs"]

    @post("/api/estates/{estate_id:int}/questionnaires", status_code=HTTP_201_CREATED)
    async def create(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewQuestionnaire],
        principal: PrincipalDep,
        db: DbDep,
    ) -> QuestionnaireOut:
        """Committee or admin: a draft round of 1-20 questions (``single``/``multi`` with 2-20
        options, ``text``; at most one text question marked ``suggestion``)."""
        return await service.create(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/questionnaires")
    async def list_rounds(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[QuestionnaireOut]:
        """Members: the estate's rounds, newest first (drafts: the committee only)."""
        return await service.list_for(db, principal, estate_id)

    @get("/api/questionnaires/{questionnaire_id:int}")
    async def one(
        self, questionnaire_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuestionnaireOut:
        """Members: the round and the caller's own online answer (``mine``)."""
        return await service.get(db, principal, questionnaire_id)

    @post("/api/questionnaires/{questionnaire_id:int}/publish", status_code=HTTP_200_OK)
    async def publish(
        self, questionnaire_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuestionnaireOut:
        """Committee or admin: draft → open (409 ``wrong_status`` otherwise); event
        ``questionnaire.opened`` (members)."""
        return await service.change_status(db, principal, questionnaire_id, "open")

    @post("/api/questionnaires/{questionnaire_id:int}/close", status_code=HTTP_200_OK)
    async def close(
        self, questionnaire_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuestionnaireOut:
        """Committee or admin: open → closed; event ``questionnaire.closed`` (members)."""
        return await service.change_status(db, principal, questionnaire_id, "closed")

    @post("/api/questionnaires/{questionnaire_id:int}/answers", status_code=HTTP_201_CREATED)
    async def answer(
        self,
        questionnaire_id: FromPath[int],
        data: JSONBody[NewAnswer],
        principal: PrincipalDep,
        db: DbDep,
    ) -> AnswerOut:
        """Owners (and committee members for themselves): one answer per member while the
        round is open, replaced by a later one. Committee or admin with ``sheet_no``: a
        paper sheet (open or closed round; 409 ``answer_sheet_taken`` for a number already
        entered). ``answers``: one per question: option indexes (0-based), a text, or null.
        The suggestion question's text becomes a suggestion."""
        return await service.answer(db, principal, questionnaire_id, data)

    @post(
        "/api/questionnaires/{questionnaire_id:int}/answers/import",
        status_code=HTTP_201_CREATED,
        request_max_body_size=MAX_IMPORT_BODY,
    )
    async def import_answers(
        self,
        questionnaire_id: FromPath[int],
        request: Request[Any, Any, Any],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ImportResult:
        """Committee or admin: paper answers as a raw CSV (``text/csv``, UTF-8 or GB18030)
        or XLSX body, all or nothing: 400 ``import_invalid`` with every fault ``{line,
        field, code, params}`` in ``errors``. Columns: sheet_no (编号), building (楼栋),
        unit (房号), q1…qN (问题1…), suggestion (意见建议), category (类别); see
        docs/needs_intake.md."""
        declared = request.headers.get("content-type", "")
        return await service.import_answers(db, principal, questionnaire_id, declared, request.body)

    @get("/api/questionnaires/{questionnaire_id:int}/results")
    async def results(
        self, questionnaire_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> QuestionnaireResults:
        """Members: answers counted per question and option, by channel, and how many
        became suggestions."""
        return await service.results(db, principal, questionnaire_id)


route_handlers = [QuestionnaireController]
