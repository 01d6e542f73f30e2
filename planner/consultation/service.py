"""Written consultations: the use cases, one transaction each, with the events they record.

A consultation is a meeting of kind ``written_consultation`` (deliberation's motions, roll,
ballot box, proxies, receipts and tallies) run by its schedule: draft → noticed (the notice
is published at least ``notice_days`` before ``opens_at``) → open (at ``opens_at``, by the
schedule) → closed (at ``closes_at``, by the schedule; early only when every owner in scope
has voted on every motion) → announced. ``schedule.py`` takes the timed steps.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.access.model import Principal
from planner.consultation import delivered, record, store
from planner.consultation.model import (
    ConsultationChange,
    ConsultationOut,
    ConsultationRow,
    NewConsultation,
    NewConsultationMotion,
    RuleSetOut,
)
from planner.db.pool import Database
from planner.deliberation import service as deliberation
from planner.deliberation import store as deliberation_store
from planner.deliberation.model import NewMeeting, NewMotion
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import store as estates_store
from planner.events import append_event, event_now, stream_head
from planner.rule_sets import RULE_SETS


def rule_sets() -> list[RuleSetOut]:
    return [RuleSetOut(**rs.describe()) for rs in RULE_SETS.values()]  # type: ignore[arg-type]


def now() -> datetime:
    """The time steps are recorded at: the demo's story clock when it plays, else now."""
    return event_now()


def _check_times(opens_at: datetime, closes_at: datetime) -> None:
    for field, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if value.tzinfo is None:
            raise BadRequest(
                field,
                "give the time with its offset, e.g. 2026-12-20T09:00:00+08:00",
                "time_without_offset",
            )
    if closes_at <= opens_at:
        raise BadRequest(
            "closes_at", "the voting window must close after it opens", "closes_before_opens"
        )


def _check_rule_set(name: str) -> None:
    if name not in RULE_SETS:
        raise BadRequest(
            "rule_set",
            f"unknown rule set {name!r}; see GET /api/rule-sets",
            "unknown_rule_set",
            {"name": name, "known": ", ".join(RULE_SETS)},
        )


async def _check_buildings(conn: asyncpg.Connection, estate_id: int, ids: list[int]) -> None:
    foreign = await estates_store.buildings_outside_estate(conn, estate_id, ids)
    if foreign:
        raise BadRequest(
            "scope_building_ids",
            f"not buildings of this estate: {foreign}",
            "not_in_estate",
            {"what": "buildings", "ids": foreign},
        )


async def _found(
    conn: asyncpg.Connection, principal: Principal, consultation_id: int, roles: tuple[str, ...]
) -> ConsultationOut:
    """The consultation with its motions, for ``roles`` of its estate; a draft is the
    committee's alone (others get the 404 of a missing one)."""
    found = await store.get_out(conn, consultation_id)
    if found is None:
        raise NotFound("consultation")
    authorize(principal, found.estate_id, roles, what="consultation")
    if found.status == "draft" and principal.role not in MANAGERS:
        raise NotFound("consultation")
    found.motions = [m.out() for m in await deliberation_store.list_motions(conn, found.id)]
    return found


async def _locked(
    conn: asyncpg.Connection, principal: Principal, consultation_id: int
) -> ConsultationRow:
    await _found(conn, principal, consultation_id, MANAGERS)
    row = await store.lock(conn, consultation_id)
    assert row is not None
    return row


def _wrong_status(row: ConsultationRow, needed: str) -> Conflict:
    return Conflict(
        f"the consultation is {row.status}, not {needed}",
        "wrong_status",
        {"what": "consultation", "status": row.status, "needed": needed},
    )


async def _event(
    conn: asyncpg.Connection, consultation_id: int, type: str, actor_id: int | None
) -> ConsultationOut:
    out = await store.get_out(conn, consultation_id)
    assert out is not None
    out.motions = [m.out() for m in await deliberation_store.list_motions(conn, out.id)]
    await append_event(
        conn,
        estate_id=out.estate_id,
        type=type,
        data=out,
        actor_id=actor_id,
        audience="staff" if out.status == "draft" else "members",
    )
    return out


async def create(
    db: Database, principal: Principal, estate_id: int, data: NewConsultation
) -> ConsultationOut:
    """A draft consultation of the (authorized) estate with its first motions."""
    _check_times(data.opens_at, data.closes_at)
    async with db.transaction() as conn:
        defaults = await store.estate_defaults(conn, estate_id)
        if defaults is None:
            raise NotFound("estate")
        notice_days, rule_set = defaults
        rule_set = data.rule_set or rule_set
        _check_rule_set(rule_set)
        await _check_buildings(conn, estate_id, data.scope_building_ids)
        meeting_id = await deliberation_store.insert_meeting(
            conn,
            estate_id,
            NewMeeting(
                title=data.title,
                kind="owners_assembly",
                scope_building_ids=data.scope_building_ids,
            ),
            [],
            principal.member_id,
            kind="written_consultation",
        )
        await store.insert_consultation(
            conn,
            meeting_id,
            estate_id,
            notice_days=notice_days if data.notice_days is None else data.notice_days,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            both_channels=data.both_channels,
            rule_set=rule_set,
            open_ballot=data.open_ballot,
            public_token=secrets.token_urlsafe(12),
        )
        meeting = await deliberation_store.get_meeting(conn, meeting_id)
        assert meeting is not None
        for motion in data.motions:
            await deliberation.create_motion_in(
                conn, meeting, _new_motion(motion), principal.member_id
            )
        return await _event(conn, meeting_id, "consultation.created", principal.member_id)


def _new_motion(motion: NewConsultationMotion) -> NewMotion:
    return NewMotion(
        title=motion.title, matter=motion.matter, text=motion.text, work_id=motion.work_id
    )


async def list_for_estate(
    db: Database, principal: Principal, estate_id: int
) -> list[ConsultationOut]:
    async with db.connection() as conn:
        found = await store.list_for_estate(conn, estate_id, drafts=principal.role in MANAGERS)
        for c in found:
            c.motions = [m.out() for m in await deliberation_store.list_motions(conn, c.id)]
        return found


async def get(db: Database, principal: Principal, consultation_id: int) -> ConsultationOut:
    """The consultation; an owner's first opening counts as the notice's delivery to them."""
    async with db.connection() as conn:
        found = await _found(conn, principal, consultation_id, MEMBERS)
    await delivered.note_online(db, principal, found)
    return found


async def change(
    db: Database, principal: Principal, consultation_id: int, data: ConsultationChange
) -> ConsultationOut:
    """Change a draft (409 once published)."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, consultation_id)
        if row.status != "draft":
            raise _wrong_status(row, "draft")
        _check_times(data.opens_at or row.opens_at, data.closes_at or row.closes_at)
        if data.rule_set is not None:
            _check_rule_set(data.rule_set)
        if data.scope_building_ids is not None:
            await _check_buildings(conn, row.estate_id, data.scope_building_ids)
        await store.update_draft(conn, consultation_id, data)
        return await _event(conn, consultation_id, "consultation.changed", principal.member_id)


async def add_motion(
    db: Database, principal: Principal, consultation_id: int, data: NewConsultationMotion
) -> ConsultationOut:
    """A motion of a draft consultation (409 once published)."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, consultation_id)
        if row.status != "draft":
            raise _wrong_status(row, "draft")
        meeting = await deliberation_store.lock_meeting(conn, consultation_id)
        assert meeting is not None
        await deliberation.create_motion_in(conn, meeting, _new_motion(data), principal.member_id)
        return await _event(conn, consultation_id, "consultation.changed", principal.member_id)


async def publish(db: Database, principal: Principal, consultation_id: int) -> ConsultationOut:
    """draft → noticed: the notice is posted. 409 without motions or when ``opens_at`` is
    sooner than the notice period allows (``notice_too_short``, with the earliest time)."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, consultation_id)
        if row.status != "draft":
            raise _wrong_status(row, "draft")
        if not await deliberation_store.list_motions(conn, consultation_id):
            raise Conflict("add at least one motion before publishing", "no_motions")
        at = now()
        earliest = at + timedelta(days=row.notice_days)
        if row.opens_at < earliest:
            raise Conflict(
                f"the notice must be posted {row.notice_days} days before voting opens; "
                f"move opens_at to {earliest.isoformat()} or later",
                "notice_too_short",
                {"days": row.notice_days, "earliest": earliest.isoformat()},
            )
        await store.freeze_motion_rules(conn, consultation_id)
        await store.set_status(conn, consultation_id, "noticed", at, principal.member_id)
        return await _event(conn, consultation_id, "consultation.published", principal.member_id)


async def open_in(conn: asyncpg.Connection, row: ConsultationRow) -> ConsultationOut:
    """noticed → open in the caller's transaction (the schedule's step): the meeting and
    every motion open, each motion's roll frozen."""
    meeting = await deliberation_store.lock_meeting(conn, row.id)
    assert meeting is not None
    await deliberation.move_meeting_in(conn, meeting, "open", None)
    for motion in await deliberation_store.list_motions(conn, row.id):
        if motion.status == "draft":
            locked = await deliberation_store.get_motion(conn, motion.id, lock=True)
            assert locked is not None
            await deliberation.open_motion_in(conn, locked, None)
    await store.set_status(conn, row.id, "open", None, None)
    return await _event(conn, row.id, "consultation.opened", None)


async def close_in(
    conn: asyncpg.Connection, row: ConsultationRow, actor_id: int | None
) -> ConsultationOut:
    """open → closed in the caller's transaction: every motion's recount becomes its tally
    of record; ``consultation.closed`` carries the chain head it was closed at. The
    recountable record is sealed then (its digest kept, see ``record.seal_in``)."""
    meeting = await deliberation_store.lock_meeting(conn, row.id)
    assert meeting is not None
    await deliberation.move_meeting_in(conn, meeting, "closed", actor_id)
    await store.set_status(conn, row.id, "closed", None, actor_id)
    out = await _event(conn, row.id, "consultation.closed", actor_id)
    seq, head = await stream_head(conn, row.estate_id)
    await deliberation_store.set_close_head(conn, "meeting", row.id, seq, head)
    out.record_digest = await record.seal_in(conn, row.id)
    return out


async def close_early(db: Database, principal: Principal, consultation_id: int) -> ConsultationOut:
    """The committee closes an open consultation before ``closes_at``, which the rules allow
    only once every owner in scope has voted on every motion (409 ``early_close_refused``)."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, consultation_id)
        if row.status != "open":
            raise _wrong_status(row, "open")
        if datetime.now(UTC) < row.closes_at and not await store.everyone_voted(
            conn, consultation_id
        ):
            raise Conflict(
                "it may close before its closing time only when every owner in scope has voted",
                "early_close_refused",
                {"closes_at": row.closes_at.isoformat()},
            )
        return await close_in(conn, row, principal.member_id)


async def announce(db: Database, principal: Principal, consultation_id: int) -> ConsultationOut:
    """closed → announced: the result notice (表决结果公告) is published; the time is kept."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, consultation_id)
        if row.status != "closed":
            raise _wrong_status(row, "closed")
        await store.set_status(conn, consultation_id, "announced", now(), principal.member_id)
        return await _event(conn, consultation_id, "consultation.announced", principal.member_id)
