"""Common problems' use cases: create, merge, support, move along the path, become a
candidate work. One transaction each, with its one event (audience ``members``: partners
and suppliers never hear them; no household or name in the data).

Who: the committee and the admin manage problems; every member but suppliers and partners
reads them (sources only for staff); owners (anyone holding units) say "me too".
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, STAFF, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates.store import buildings_outside_estate, estate_exists
from planner.events import append_event
from planner.needs import problem_store as store
from planner.needs.problem_model import (
    NewProblem,
    ProblemMerge,
    ProblemOut,
    ProblemStatusChange,
    ProblemWork,
    ProblemWorkOut,
)
from planner.needs.problem_rules import (
    OPEN_STATUSES,
    IllegalMove,
    NoteRequired,
    allowed_moves,
    next_status,
)
from planner.needs.problem_store import GroupCount, ProblemRow
from planner.works import store as works_store
from planner.works.model import NewWork
from planner.works.rules import InvalidBenefit, WorkBenefit, validate_benefit

#: the works' 1..5 grades for a problem's tags
URGENCY_GRADE = {"urgent": 5, "normal": 3}
DIFFICULTY_GRADE = {"hard": 4, "easy": 2}


def _out(
    row: ProblemRow,
    count: GroupCount,
    merged: list[int],
    *,
    supported: bool | None = None,
) -> ProblemOut:
    return ProblemOut(
        id=row.id,
        estate_id=row.estate_id,
        title=row.title,
        category=row.category,
        urgency=row.urgency,
        difficulty=row.difficulty,
        status=row.status,
        status_note=row.status_note,
        responsible=row.responsible,
        merged_into=row.merged_into,
        merged_problem_ids=merged,
        work_id=row.work_id,
        supporters_owners=count.owners,
        supporters_units=count.units,
        source_count=count.sources,
        allowed_moves=allowed_moves(row.status) if row.merged_into is None else [],
        created_at=row.created_at,
        updated_at=row.updated_at,
        solved_at=row.solved_at,
        supported=supported,
    )


async def _shown(
    conn: asyncpg.Connection, rows: Sequence[ProblemRow], principal: Principal
) -> list[ProblemOut]:
    """The problems as the caller sees them (counts over each group)."""
    roots = [r.id for r in rows]
    counts = await store.group_counts(conn, roots)
    merged = await store.merged_into(conn, roots)
    mine: set[int] | None = None
    if principal.household_ids or principal.role not in STAFF:
        mine = await store.supported_roots(
            conn, roots, principal.household_ids, principal.member_id
        )
    return [
        _out(
            r, counts[r.id], merged.get(r.id, []), supported=None if mine is None else r.id in mine
        )
        for r in rows
    ]


async def _one(conn: asyncpg.Connection, problem_id: int, principal: Principal) -> ProblemOut:
    row = await store.get_problem(conn, problem_id)
    assert row is not None
    (shown,) = await _shown(conn, [row], principal)
    if principal.role in STAFF:
        shown.sources = await store.sources(conn, problem_id)
    return shown


def _counts_data(shown: ProblemOut) -> dict[str, object]:
    return {
        "problem_id": shown.id,
        "title": shown.title,
        "status": shown.status,
        "supporters_owners": shown.supporters_owners,
        "supporters_units": shown.supporters_units,
    }


async def _attach(
    conn: asyncpg.Connection, estate_id: int, problem_id: int, suggestion_ids: Sequence[int]
) -> list[int]:
    """Merge the suggestions into the problem; 400 for ids outside the estate, 409 for one
    already in another problem (a duplicate problem is merged with ``problem_ids``)."""
    wanted = sorted(set(suggestion_ids))
    if len(wanted) != len(suggestion_ids):
        raise BadRequest("suggestion_ids", "a suggestion appears twice", "duplicate_in_request")
    found = await store.suggestions_for_merge(conn, estate_id, wanted)
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise BadRequest(
            "suggestion_ids",
            f"not suggestions of this estate: {unknown}",
            "not_in_estate",
            {"what": "suggestions", "ids": unknown},
        )
    group = {problem_id, *(await store.merged_into(conn, [problem_id])).get(problem_id, [])}
    elsewhere = sorted(i for i, p in found.items() if p is not None and p not in group)
    if elsewhere:
        raise Conflict(
            f"suggestions {elsewhere} are already in another common problem; merge that "
            "problem instead",
            "suggestion_in_problem",
            {"ids": elsewhere, "problem_ids": sorted({found[i] for i in elsewhere})},
        )
    added = [i for i, p in found.items() if p is None]
    await store.attach_suggestions(conn, problem_id, added)
    return added


async def create_problem(
    db: Database, estate_id: int, data: NewProblem, principal: Principal
) -> ProblemOut:
    """Committee or admin: a common problem (status collecting) from suggestions of the
    estate; one ``problem.created`` event."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    async with db.transaction() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        problem_id = await store.insert_problem(conn, estate_id, data, principal.member_id)
        await _attach(conn, estate_id, problem_id, data.suggestion_ids)
        shown = await _one(conn, problem_id, principal)
        await append_event(
            conn,
            estate_id=estate_id,
            type="problem.created",
            data={
                **_counts_data(shown),
                "category": shown.category,
                "urgency": shown.urgency,
                "difficulty": shown.difficulty,
                "responsible": shown.responsible,
                "source_count": shown.source_count,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return shown


async def _visible(
    conn: asyncpg.Connection,
    problem_id: int,
    principal: Principal,
    roles: Sequence[str],
    *,
    lock: bool = False,
) -> ProblemRow:
    row = await store.get_problem(conn, problem_id, lock=lock)
    if row is None:
        raise NotFound("problem")
    authorize(principal, row.estate_id, roles, what="problem")
    return row


def _not_merged(row: ProblemRow) -> None:
    if row.merged_into is not None:
        raise Conflict(
            f"problem {row.id} was merged into problem {row.merged_into}",
            "problem_merged",
            {"id": row.id, "into": row.merged_into},
        )


async def merge(
    db: Database, problem_id: int, data: ProblemMerge, principal: Principal
) -> ProblemOut:
    """Committee or admin: add suggestions and merge duplicate problems into this one. The
    duplicates keep their rows (``merged_into``); their sources and supporters count here.
    One ``problem.merged`` event."""
    if not data.suggestion_ids and not data.problem_ids:
        raise BadRequest("body", "name suggestions or problems to merge", "nothing_to_change")
    async with db.transaction() as conn:
        row = await _visible(conn, problem_id, principal, MANAGERS)
        if problem_id in data.problem_ids:
            raise BadRequest(
                "problem_ids",
                "a problem cannot be merged into itself",
                "invalid",
                {"reason": "itself"},
            )
        # lock the target and the duplicates in id order (two crossed merges cannot deadlock)
        locked = await store.problems_of_estate(
            conn, row.estate_id, [problem_id, *data.problem_ids], lock=True
        )
        row = next(r for r in locked if r.id == problem_id)
        _not_merged(row)
        duplicates = [r for r in locked if r.id != problem_id]
        unknown = sorted(set(data.problem_ids) - {d.id for d in duplicates})
        if unknown:
            raise BadRequest(
                "problem_ids",
                f"not problems of this estate: {unknown}",
                "not_in_estate",
                {"what": "problems", "ids": unknown},
            )
        already = [d.id for d in duplicates if d.merged_into is not None]
        if already:
            raise Conflict(
                f"problems {already} are already merged",
                "problem_merged",
                {"id": already[0], "into": duplicates[0].merged_into},
            )
        added = await _attach(conn, row.estate_id, problem_id, data.suggestion_ids)
        if duplicates:
            await store.merge_problems(conn, problem_id, [d.id for d in duplicates])
        shown = await _one(conn, problem_id, principal)
        await append_event(
            conn,
            estate_id=row.estate_id,
            type="problem.merged",
            data={
                **_counts_data(shown),
                "suggestion_ids": added,
                "problem_ids": [d.id for d in duplicates],
                "source_count": shown.source_count,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return shown


async def list_problems(
    db: Database,
    estate_id: int,
    principal: Principal,
    *,
    status: str | None,
    category: str | None,
    urgency: str | None,
) -> list[ProblemOut]:
    """The estate's common problems (merged duplicates left out), newest first."""
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        rows = await store.list_problems(
            conn, estate_id, status=status, category=category, urgency=urgency
        )
        return await _shown(conn, rows, principal)


async def read_problem(db: Database, problem_id: int, principal: Principal) -> ProblemOut:
    async with db.connection() as conn:
        await _visible(conn, problem_id, principal, MEMBERS)
        return await _one(conn, problem_id, principal)


async def support(
    db: Database, problem_id: int, principal: Principal, *, withdraw: bool = False
) -> ProblemOut:
    """An owner's "me too" for all their units (``withdraw``: take it back; their own
    suggestions keep counting). 409 without units, on a merged problem, or once the
    problem is solved or declined. A change appends one ``problem.supported`` event."""
    async with db.transaction() as conn:
        row = await _visible(conn, problem_id, principal, MEMBERS, lock=True)
        _not_merged(row)
        if not principal.household_ids:
            raise Conflict("you hold no units to support it with", "no_units_in_scope")
        if row.status not in OPEN_STATUSES:
            raise Conflict(
                f"problem is {row.status}",
                "wrong_status",
                {"what": "problem", "status": row.status, "needed": sorted(OPEN_STATUSES)},
            )
        if withdraw:
            changed = await store.remove_supporters(conn, problem_id, principal.household_ids)
        else:
            changed = await store.add_supporters(
                conn, problem_id, principal.household_ids, principal.member_id
            )
        shown = await _one(conn, problem_id, principal)
        if changed:
            await append_event(
                conn,
                estate_id=row.estate_id,
                type="problem.supported",
                data=_counts_data(shown),
                actor_id=principal.member_id,
                audience="members",
            )
    return shown


async def change_status(
    db: Database, problem_id: int, data: ProblemStatusChange, principal: Principal
) -> ProblemOut:
    """Committee or admin move a problem along its path (409 ``illegal_transition`` with
    the allowed moves; declining needs ``note``). One ``problem.status`` event, which the
    owners supporting it are shown live."""
    async with db.transaction() as conn:
        row = await _visible(conn, problem_id, principal, MANAGERS, lock=True)
        _not_merged(row)
        try:
            status = next_status(row.status, data.status, data.note)
        except IllegalMove as illegal:
            raise Conflict(str(illegal), illegal.code, illegal.params) from None
        except NoteRequired as missing:
            raise BadRequest("note", str(missing), "required") from None
        await store.set_status(conn, problem_id, status, data.note, data.responsible)
        shown = await _one(conn, problem_id, principal)
        await append_event(
            conn,
            estate_id=row.estate_id,
            type="problem.status",
            data={
                **_counts_data(shown),
                "from": row.status,
                "to": status,
                "note": data.note,
                "responsible": shown.responsible,
                "urgency": shown.urgency,
                "category": shown.category,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return shown


async def make_work(
    db: Database, problem_id: int, data: ProblemWork, principal: Principal
) -> ProblemWorkOut:
    """Committee or admin: the problem becomes a candidate work (status ``candidate``,
    with the estimate) and ``problems.work_id`` points at it. 409 if it already has one,
    is merged or declined. One ``work.created`` event (with ``problem_id``)."""
    try:
        validate_benefit(
            WorkBenefit(
                benefit_rule=data.benefit_rule,
                scope_building_ids=tuple(data.scope_building_ids),
                floor_factors={},
            )
        )
    except InvalidBenefit as invalid:
        raise BadRequest(invalid.field, invalid.reason, invalid.code, invalid.params) from None
    async with db.transaction() as conn:
        row = await _visible(conn, problem_id, principal, MANAGERS, lock=True)
        _not_merged(row)
        if row.work_id is not None:
            raise Conflict(
                f"problem {problem_id} already became work {row.work_id}",
                "problem_has_work",
                {"work_id": row.work_id},
            )
        if row.status == "declined":
            raise Conflict(
                "problem is declined",
                "wrong_status",
                {"what": "problem", "status": row.status, "needed": sorted(OPEN_STATUSES)},
            )
        unknown = await buildings_outside_estate(conn, row.estate_id, data.scope_building_ids)
        if unknown:
            raise BadRequest(
                "scope_building_ids",
                f"not buildings of this estate: {unknown}",
                "not_in_estate",
                {"what": "buildings", "ids": unknown},
            )
        new = NewWork(
            title=data.title or row.title,
            category=data.category or row.category,
            benefit_rule=data.benefit_rule,
            scope_building_ids=data.scope_building_ids,
            estimate_fen=data.estimate_fen,
            urgency=data.urgency or URGENCY_GRADE[row.urgency],
            difficulty=data.difficulty or DIFFICULTY_GRADE[row.difficulty],
            description=data.description,
            status="candidate",
        )
        work = await works_store.insert_work(conn, row.estate_id, new, principal.member_id)
        await store.set_work(conn, problem_id, work.id)
        await append_event(
            conn,
            estate_id=row.estate_id,
            type="work.created",
            data={
                "work_id": work.id,
                "title": work.title,
                "category": work.category,
                "status": work.status,
                "estimate_fen": work.estimate_fen,
                "sealed_until": None,
                "problem_id": problem_id,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return ProblemWorkOut(problem_id=problem_id, work_id=work.id, status=work.status)
