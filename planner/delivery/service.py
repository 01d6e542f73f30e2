"""Works delivery's use cases: milestones, progress updates and the estate's timeline.

Each change is one transaction that appends its event (audience ``members``: owners follow
progress live; no money in these events). Milestones belong to works that are awarded or later.
Members of the estate read (not suppliers nor partner units); the committee or the admin
change. The first progress of a funded work starts it (``in_progress``, through the works
service).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.delivery import rules, store
from planner.delivery.model import (
    MilestoneEdit,
    MilestoneList,
    MilestoneOut,
    MilestoneRow,
    NewMilestone,
    NewProgress,
    ProgressOut,
)
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import photo_store
from planner.estates.store import estate_time_zone
from planner.events import append_event, event_now
from planner.works import service as works_service
from planner.works import store as works_store
from planner.works.model import WorkOut


def delivering(work: WorkOut) -> None:
    """409 unless the work is awarded or later."""
    if work.status not in rules.DELIVERY_STATUSES:
        raise Conflict(
            f"work is {work.status}; this needs awarded",
            "wrong_status",
            {"what": "work", "status": work.status, "needed": "awarded"},
        )


def _period(text: str) -> rules.Period:
    try:
        return rules.parse_period(text)
    except rules.BadPeriod as bad:
        raise BadRequest("planned", str(bad), "bad_period", {"value": text}) from None


def milestone_out(
    m: MilestoneRow, now: datetime, time_zone: str, progress: list[ProgressOut] | None = None
) -> MilestoneOut:
    return MilestoneOut(
        id=m.id,
        work_id=m.work_id,
        title=m.title,
        planned=m.planned,
        period_kind=_period(m.planned).kind,
        planned_start=m.planned_start,
        planned_end=m.planned_end,
        responsible_unit=m.responsible_unit,
        responsible_person=m.responsible_person,
        weight_pct=m.weight_pct,
        percent=m.percent,
        done=m.done_at is not None,
        done_at=m.done_at,
        overdue=rules.is_overdue(m.planned_end, m.done_at, now, time_zone),
        late=rules.done_late(m.planned_end, m.done_at, time_zone),
        progress=progress or [],
    )


def work_progress(milestones: list[MilestoneRow]) -> int:
    return rules.work_progress([(m.weight_pct, m.percent) for m in milestones])


async def _check_weights(
    conn: asyncpg.Connection, work_id: int, mine: MilestoneRow | None, weight: int | None
) -> None:
    others = [
        m.weight_pct
        for m in await store.list_milestones(conn, work_id)
        if mine is None or m.id != mine.id
    ]
    given = [*others, weight]
    if not rules.weights_fit(given):
        total = sum(w for w in given if w is not None)
        raise BadRequest(
            "weight_pct",
            f"the milestones' weights add up to {total} %",
            "weights_over_100",
            {"total": total},
        )


def _event_data(m: MilestoneRow) -> dict[str, object]:
    return {
        "milestone_id": m.id,
        "work_id": m.work_id,
        "title": m.title,
        "planned": m.planned,
        "planned_end": m.planned_end.isoformat(),
        "responsible_unit": m.responsible_unit,
        "percent": m.percent,
    }


async def add_milestone(
    db: Database, work_id: int, data: NewMilestone, principal: Principal
) -> MilestoneOut:
    """Committee or admin, on a work that is awarded or later (409 before); 400 ``bad_period``
    on a planned text that is no month, quarter, half-year or date; ``milestone.added``."""
    period = _period(data.planned)
    async with db.transaction() as conn:
        work = await works_service.work_for(conn, work_id, principal, MANAGERS, lock=True)
        delivering(work)
        await _check_weights(conn, work_id, None, data.weight_pct)
        milestone_id = await store.insert_milestone(
            conn,
            estate_id=work.estate_id,
            work_id=work_id,
            title=data.title,
            planned=rules.normalised_period(data.planned),
            start=period.start,
            end=period.end,
            unit=data.responsible_unit,
            person=data.responsible_person,
            weight_pct=data.weight_pct,
            created_by=principal.member_id,
        )
        m = await store.get_milestone(conn, milestone_id)
        assert m is not None
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="milestone.added",
            data=_event_data(m),
            actor_id=principal.member_id,
            audience="members",
        )
        zone = await estate_time_zone(conn, work.estate_id)
    return milestone_out(m, event_now(), zone)


async def _milestone_for(
    conn: asyncpg.Connection, milestone_id: int, principal: Principal, roles: tuple[str, ...]
) -> MilestoneRow:
    m = await store.get_milestone(conn, milestone_id, lock=True)
    if m is None:
        raise NotFound("milestone")
    authorize(principal, m.estate_id, roles, what="milestone")
    return m


async def edit_milestone(
    db: Database, milestone_id: int, data: MilestoneEdit, principal: Principal
) -> MilestoneOut:
    """Committee or admin; an absent field keeps its value; ``milestone.updated``."""
    async with db.transaction() as conn:
        m = await _milestone_for(conn, milestone_id, principal, MANAGERS)
        changes: dict[str, object] = {
            k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET
        }
        if "planned" in changes:
            period = _period(str(changes["planned"]))
            changes["planned"] = rules.normalised_period(str(changes["planned"]))
            changes["planned_start"] = period.start
            changes["planned_end"] = period.end
        if "weight_pct" in changes:
            weight = changes["weight_pct"]
            await _check_weights(conn, m.work_id, m, weight if isinstance(weight, int) else None)
        edited = msgspec.structs.replace(m, **changes)
        await store.update_milestone(conn, edited)
        await append_event(
            conn,
            estate_id=m.estate_id,
            type="milestone.updated",
            data=_event_data(edited),
            actor_id=principal.member_id,
            audience="members",
        )
        zone = await estate_time_zone(conn, m.estate_id)
    return milestone_out(edited, event_now(), zone)


async def list_milestones(db: Database, work_id: int, principal: Principal) -> MilestoneList:
    """Members of the work's estate (not suppliers nor partner units): the milestones by
    planned end, each with its progress updates, and the work's weighted progress."""
    async with db.connection() as conn:
        work = await works_service.work_for(conn, work_id, principal, MEMBERS)
        milestones = await store.list_milestones(conn, work_id)
        updates = await store.progress_of_work(conn, work_id)
        zone = await estate_time_zone(conn, work.estate_id)
    now = event_now()
    by_milestone: dict[int, list[ProgressOut]] = {}
    for u in updates:
        by_milestone.setdefault(u.milestone_id, []).append(u)
    return MilestoneList(
        work_id=work_id,
        work_title=work.title,
        work_status=work.status,
        progress_pct=work_progress(milestones),
        items=[milestone_out(m, now, zone, by_milestone.get(m.id)) for m in milestones],
    )


async def add_progress(
    db: Database, milestone_id: int, data: NewProgress, principal: Principal
) -> MilestoneOut:
    """Committee or admin. The percent never goes back without a note (400
    ``progress_decrease_needs_note``); photos must be the estate's (400 ``photo_not_found``);
    100 % marks the milestone done. The first progress of a funded work starts it
    (``in_progress``). Events: ``progress.updated`` and, at 100 %, ``milestone.done``."""
    photos = list(dict.fromkeys(data.photo_sha256s))
    async with db.transaction() as conn:
        m = await _milestone_for(conn, milestone_id, principal, MANAGERS)
        work = await works_store.get_work(conn, m.work_id, lock=True)
        assert work is not None
        delivering(work)
        if rules.decrease_needs_note(m.percent, data.percent, data.note):
            raise BadRequest(
                "note",
                f"progress goes back from {m.percent} % to {data.percent} %: say why",
                "progress_decrease_needs_note",
                {"previous": m.percent, "percent": data.percent},
            )
        missing = await photo_store.photos_missing(conn, m.estate_id, photos)
        if missing:
            raise BadRequest(
                "photo_sha256s", "no photo with this hash in the estate", "photo_not_found"
            )
        now = event_now()
        first = not await store.work_has_progress(conn, work.id)
        await store.insert_progress(
            conn,
            estate_id=m.estate_id,
            milestone_id=m.id,
            percent=data.percent,
            note=data.note,
            photos=photos,
            recorded_by=principal.member_id,
            at=now,
        )
        done_at = (m.done_at or now) if data.percent == 100 else None
        await store.set_percent(conn, m.id, data.percent, done_at)
        updated = msgspec.structs.replace(m, percent=data.percent, done_at=done_at)
        all_milestones = await store.list_milestones(conn, work.id)
        if first and work.status == "funded":
            await works_service.move_status(conn, work, "in_progress", principal.member_id)
        await append_event(
            conn,
            estate_id=m.estate_id,
            type="progress.updated",
            data={
                **_event_data(updated),
                "previous_percent": m.percent,
                "note": data.note,
                "photos": len(photos),
                "work_progress_pct": work_progress(all_milestones),
            },
            actor_id=principal.member_id,
            audience="members",
        )
        if done_at is not None and m.done_at is None:
            await append_event(
                conn,
                estate_id=m.estate_id,
                type="milestone.done",
                data=_event_data(updated),
                actor_id=principal.member_id,
                audience="members",
            )
        zone = await estate_time_zone(conn, m.estate_id)
    return milestone_out(updated, now, zone)
