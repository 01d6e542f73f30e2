"""Questionnaire rounds (问卷): the committee drafts a few fixed questions, publishes and
closes the round; owners answer once each (replaceable until the close); the committee
enters paper sheets by number (never twice) or imports a file of them (all-or-nothing);
answers are counted per question and option.

A text answer to the question marked ``suggestion`` becomes a suggestion (channel online,
paper or import) with the answer's category, unit and building. Replacing an online answer
updates its suggestion's text while nobody has triaged it (afterwards the triaged text
stays, so tags and merges keep meaning what they meant); an answer that drops its text
keeps the suggestion (suggestions are never deleted).

Owners answer only while the round is open; paper entry and import run while it is open or
closed (sheets collected before the close are entered after it), never on a draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, SUGGESTERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, Forbidden, NotFound, PlannerError, field_error
from planner.estates import store as estates_store
from planner.events import append_event
from planner.needs import import_rules, questionnaire_rules, suggestion_store
from planner.needs import questionnaire_store as store
from planner.needs.questionnaire_model import (
    AnswerOut,
    ImportResult,
    NewAnswer,
    NewQuestionnaire,
    QuestionnaireOut,
    QuestionnaireResults,
)
from planner.needs.suggestion_service import unit_building

#: files above this many bytes are parsed off the event loop
_THREAD_AT = 64 * 1024


def _wrong_status(status: str, needed: str) -> Conflict:
    return Conflict(
        f"questionnaire is {status}; this needs {needed}",
        "wrong_status",
        {"what": "questionnaire", "status": status, "needed": needed},
    )


async def _found(
    conn: asyncpg.Connection,
    principal: Principal,
    questionnaire_id: int,
    roles: tuple[str, ...],
    lock: str | None = None,
) -> QuestionnaireOut:
    if lock is None:
        q = await store.questionnaire(conn, questionnaire_id)
    else:
        q = await store.lock_questionnaire(conn, questionnaire_id, shared=lock == "share")
    if q is None:
        raise NotFound("questionnaire")
    authorize(principal, q.estate_id, roles, what="questionnaire")
    if q.status == "draft" and principal.role not in MANAGERS:
        raise NotFound("questionnaire")
    return q


async def create(
    db: Database, principal: Principal, estate_id: int, data: NewQuestionnaire
) -> QuestionnaireOut:
    authorize(principal, estate_id, MANAGERS, what="estate")
    questionnaire_rules.check_questions(data.questions)
    async with db.transaction() as conn:
        new_id = await store.insert_questionnaire(
            conn, estate_id, data.title, data.questions, principal.member_id
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="questionnaire.created",
            data={"questionnaire_id": new_id, "title": data.title},
            actor_id=principal.member_id,
            audience="staff",
        )
        q = await store.questionnaire(conn, new_id)
    assert q is not None
    return q


async def change_status(
    db: Database, principal: Principal, questionnaire_id: int, to: str
) -> QuestionnaireOut:
    """draft → open (``questionnaire.opened``), open → closed (``questionnaire.closed``);
    audience members. Anything else: 409 ``wrong_status``."""
    needed = {"open": "draft", "closed": "open"}[to]
    async with db.transaction() as conn:
        q = await _found(conn, principal, questionnaire_id, MANAGERS, lock="update")
        if q.status != needed:
            raise _wrong_status(q.status, needed)
        await store.set_status(conn, questionnaire_id, to)
        await append_event(
            conn,
            estate_id=q.estate_id,
            type=f"questionnaire.{'opened' if to == 'open' else 'closed'}",
            data={"questionnaire_id": questionnaire_id, "title": q.title},
            actor_id=principal.member_id,
            audience="members",
        )
        changed = await store.questionnaire(conn, questionnaire_id)
    assert changed is not None
    return changed


async def list_for(db: Database, principal: Principal, estate_id: int) -> list[QuestionnaireOut]:
    """Members: the estate's rounds, newest first (drafts only for the committee)."""
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        return await store.list_questionnaires(conn, estate_id, principal.role in MANAGERS)


async def get(db: Database, principal: Principal, questionnaire_id: int) -> QuestionnaireOut:
    """The round with the caller's own online answer (``mine``)."""
    async with db.connection() as conn:
        q = await _found(conn, principal, questionnaire_id, MEMBERS)
        mine = await store.member_answer(conn, questionnaire_id, principal.member_id)
    q.mine = mine
    return q


async def _place(
    conn: asyncpg.Connection,
    principal: Principal,
    estate_id: int,
    data: NewAnswer,
    paper: bool,
) -> tuple[int | None, int | None]:
    """The answer's (household, building), checked."""
    household_id = data.household_id
    if not paper:
        if household_id is None and principal.household_ids:
            household_id = principal.household_ids[0]
        if household_id is not None and household_id not in principal.household_ids:
            raise Forbidden("owners answer for their own units only", "household_not_yours")
    return household_id, await unit_building(conn, estate_id, household_id, data.building_id)


async def answer(
    db: Database, principal: Principal, questionnaire_id: int, data: NewAnswer
) -> AnswerOut:
    """An owner's online answer (new or replacing theirs; open rounds only), or, with
    ``sheet_no``, the committee's entry of a paper sheet (409 ``answer_sheet_taken`` when
    the round has that number already). See the module doc for the suggestion it makes."""
    paper = data.sheet_no is not None
    async with db.transaction() as conn:
        q = await _found(conn, principal, questionnaire_id, SUGGESTERS, lock="share")
        if paper:
            if principal.role not in MANAGERS:
                raise BadRequest(
                    "sheet_no", "only the committee enters paper sheets", "not_allowed"
                )
            if q.status == "draft":
                raise _wrong_status(q.status, "open")
        elif q.status != "open":
            raise _wrong_status(q.status, "open")
        answers = questionnaire_rules.check_answers(q.questions, data.answers)
        household_id, building_id = await _place(conn, principal, q.estate_id, data, paper)
        at = questionnaire_rules.suggestion_index(q.questions)
        text = answers[at] if at is not None else None
        category = data.category or "other"
        previous = (
            None
            if paper
            else await store.member_answer(conn, questionnaire_id, principal.member_id)
        )
        if paper:
            assert data.sheet_no is not None
            existing = await store.sheet_answer(conn, questionnaire_id, data.sheet_no)
            if existing is not None:
                raise _sheet_taken(data.sheet_no, existing)
        suggestion_id = previous.suggestion_id if previous is not None else None
        if isinstance(text, str):
            if suggestion_id is None:
                suggestion_id = await _new_suggestion(
                    conn,
                    principal,
                    q,
                    text,
                    category,
                    building_id,
                    household_id,
                    "paper" if paper else "online",
                )
            else:
                current = await suggestion_store.suggestion(conn, suggestion_id)
                if current is not None and current.state == "untriaged":
                    await suggestion_store.update_text(conn, suggestion_id, text, category)
        if previous is not None:
            saved = await store.replace_answer(
                conn, previous.id, household_id, building_id, answers, suggestion_id
            )
        else:
            inserted = await store.insert_answer(
                conn,
                questionnaire_id=questionnaire_id,
                channel="paper" if paper else "online",
                member_id=None if paper else principal.member_id,
                sheet_no=data.sheet_no,
                household_id=household_id,
                building_id=building_id,
                answers=answers,
                suggestion_id=suggestion_id,
                entered_by=principal.member_id,
            )
            if inserted is None:  # a race with the same sheet or member
                raise Conflict("the answer was entered meanwhile; reload", "conflict")
            saved = inserted
        await append_event(
            conn,
            estate_id=q.estate_id,
            type="questionnaire.answered",
            data={
                "questionnaire_id": questionnaire_id,
                "answer_id": saved.id,
                "channel": saved.channel,
                "replaced": previous is not None,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return saved


def _sheet_taken(sheet_no: str, answer_id: int) -> Conflict:
    return Conflict(
        f"sheet {sheet_no} of this questionnaire was already entered (answer {answer_id})",
        "answer_sheet_taken",
        {"sheet_no": sheet_no, "answer_id": answer_id},
    )


async def _new_suggestion(
    conn: asyncpg.Connection,
    principal: Principal,
    q: QuestionnaireOut,
    text: str,
    category: str,
    building_id: int | None,
    household_id: int | None,
    channel: str,
) -> int:
    new_id = await suggestion_store.insert_suggestion(
        conn,
        estate_id=q.estate_id,
        text=text,
        category=category,
        building_id=building_id,
        household_id=household_id,
        channel=channel,
        sheet_no=None,
        photo_sha256=None,
        submitted_by=principal.member_id,
        questionnaire_id=q.id,
    )
    assert new_id is not None
    await append_event(
        conn,
        estate_id=q.estate_id,
        type="suggestion.submitted",
        data={
            "suggestion_id": new_id,
            "category": category,
            "channel": channel,
            "building_id": building_id,
            "questionnaire_id": q.id,
        },
        actor_id=principal.member_id,
        audience="staff",
    )
    return new_id


async def results(
    db: Database, principal: Principal, questionnaire_id: int
) -> QuestionnaireResults:
    """Members: every answer counted per question and option, and by channel."""
    async with db.connection() as conn:
        q = await _found(conn, principal, questionnaire_id, MEMBERS)
        rows = await store.answer_sets(conn, questionnaire_id)
    by_channel: dict[str, int] = {}
    for r in rows:
        by_channel[r["channel"]] = by_channel.get(r["channel"], 0) + 1
    return QuestionnaireResults(
        questionnaire_id=questionnaire_id,
        answers_total=len(rows),
        by_channel=by_channel,
        suggestions=sum(r["suggestion_id"] is not None for r in rows),
        questions=questionnaire_rules.count_results(q.questions, (r["answers"] for r in rows)),
    )


def _rejected(faults: list[import_rules.ImportFault]) -> PlannerError:
    errors = [{**field_error(f.field, f.code, f.reason, f.params), "line": f.line} for f in faults]
    first = faults[0]
    detail = (
        f"{len(faults)} faults in the file; nothing was imported (first: line {first.line}, "
        f"{first.field}: {first.reason})"
    )
    return PlannerError(detail, errors, code="import_invalid", params={"count": len(faults)})


async def import_answers(
    db: Database,
    principal: Principal,
    questionnaire_id: int,
    content_type: str,
    read_body: Callable[[], Awaitable[bytes]],
) -> ImportResult:
    """Committee or admin: a CSV or XLSX file of paper answers (columns:
    ``planner.needs.import_rules``), all or nothing: any fault refuses the whole file with
    400 ``import_invalid`` listing every fault ``{line, field, code, params}``. Each row
    becomes an answer (channel import) and, with a suggestion text, a suggestion. One
    ``questionnaire.imported`` event (staff)."""
    async with db.connection() as conn:  # refused before the body is read
        await _found(conn, principal, questionnaire_id, MANAGERS)
    content = await read_body()
    async with db.transaction() as conn:
        q = await _found(conn, principal, questionnaire_id, MANAGERS, lock="update")
        if q.status == "draft":
            raise _wrong_status(q.status, "open")
        households = await estates_store.list_households(conn, q.estate_id)
        buildings = {b.name: b.id for b in await estates_store.list_buildings(conn, q.estate_id)}
        units = {(h.building, h.unit): (h.id, h.building_id) for h in households}
        taken = await store.taken_sheets(conn, questionnaire_id)
        args = (content, content_type, q.questions, buildings, units, taken)
        try:
            if len(content) < _THREAD_AT:
                rows = import_rules.parse_file(*args)
            else:
                rows = await asyncio.to_thread(import_rules.parse_file, *args)
        except import_rules.ImportRejected as rejected:
            raise _rejected(rejected.faults) from None
        with_text = [r for r in rows if r.suggestion is not None]
        ids = await suggestion_store.insert_many(
            conn,
            q.estate_id,
            [(r.suggestion or "", r.category, r.building_id, r.household_id) for r in with_text],
            channel="import",
            submitted_by=principal.member_id,
            questionnaire_id=questionnaire_id,
        )
        by_line = {r.line: i for r, i in zip(with_text, ids, strict=True)}
        await store.insert_many(
            conn,
            questionnaire_id,
            [
                (r.sheet_no, r.household_id, r.building_id, r.answers, by_line.get(r.line))
                for r in rows
            ],
            principal.member_id,
        )
        await append_event(
            conn,
            estate_id=q.estate_id,
            type="questionnaire.imported",
            data={
                "questionnaire_id": questionnaire_id,
                "answers": len(rows),
                "suggestions": len(ids),
                "first_suggestion_id": ids[0] if ids else None,
                "last_suggestion_id": ids[-1] if ids else None,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return ImportResult(
        questionnaire_id=questionnaire_id,
        imported=len(rows),
        suggestions=len(ids),
        suggestion_ids=ids,
    )
