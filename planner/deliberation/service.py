"""Meetings and motions: the use cases, one transaction each, with the events they record.

Casting is the ballot box's (``ballot_box``), proxies are ``delegation_service``'s. Callers
that name an estate authorize first; the rest authorize here, once the meeting or motion
(and so its estate) is read, so a missing one and another estate's both answer 404.
"""

from __future__ import annotations

import logging
from typing import Literal, NamedTuple, Protocol, TypeVar

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.deliberation import ballot_box, ballot_store, commitment_store, commitments, store
from planner.deliberation.minutes import MinutesInput, MotionMinutes
from planner.deliberation.model import (
    BallotRecord,
    ChainHead,
    ChannelTurnout,
    MeetingOut,
    MotionOut,
    MotionRow,
    NewMeeting,
    NewMotion,
    ReceiptList,
    TallyOut,
    tally_out,
)
from planner.deliberation.rules import Tally, count, decide, format_area
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import store as estates_store
from planner.events import append_event, stream_head
from planner.works import store as works_store

log = logging.getLogger("planner.deliberation")


class _OfEstate(Protocol):
    @property
    def estate_id(self) -> int: ...


Found = TypeVar("Found", bound=_OfEstate)


def authorized(
    found: Found | None, what: str, principal: Principal, roles: tuple[str, ...]
) -> Found:
    """``found`` if it exists (else 404 ``<what>_not_found``) and the principal holds one of
    ``roles`` in its estate (another estate's: the same 404; a role not in ``roles``: 403)."""
    if found is None:
        raise NotFound(what)
    authorize(principal, found.estate_id, roles, what=what)
    return found


async def _meeting(
    conn: asyncpg.Connection, principal: Principal, meeting_id: int, roles: tuple[str, ...]
) -> MeetingOut:
    return authorized(await store.get_meeting(conn, meeting_id), "meeting", principal, roles)


async def _motion(
    conn: asyncpg.Connection, principal: Principal, motion_id: int, roles: tuple[str, ...]
) -> MotionRow:
    return authorized(await store.get_motion(conn, motion_id), "motion", principal, roles)


# Meetings


async def create_meeting(
    db: Database, principal: Principal, estate_id: int, data: NewMeeting
) -> MeetingOut:
    """A scheduled meeting of the (authorized) estate; 400 for buildings or works of another."""
    agenda = [(a, None) if isinstance(a, str) else (a.text, a.work_id) for a in data.agenda]
    async with db.transaction() as conn:
        if not await estates_store.estate_exists(conn, estate_id):
            raise NotFound("estate")
        foreign = await estates_store.buildings_outside_estate(
            conn, estate_id, data.scope_building_ids
        )
        if foreign:
            raise BadRequest(
                "scope_building_ids",
                f"not buildings of this estate: {foreign}",
                "not_in_estate",
                {"what": "buildings", "ids": foreign},
            )
        works = [w for _, w in agenda if w is not None]
        if works and (bad := await works_store.works_outside_estate(conn, estate_id, works)):
            raise BadRequest(
                "agenda",
                f"not works of this estate: {bad}",
                "not_in_estate",
                {"what": "works", "ids": bad},
            )
        meeting_id = await store.insert_meeting(conn, estate_id, data, agenda, principal.member_id)
        meeting = await store.get_meeting(conn, meeting_id)
        assert meeting is not None
        await append_event(
            conn,
            estate_id=estate_id,
            type="meeting.created",
            data=meeting,
            actor_id=principal.member_id,
            audience="members",
        )
    return meeting


async def list_meetings(db: Database, estate_id: int) -> list[MeetingOut]:
    async with db.connection() as conn:
        return await store.list_meetings(conn, estate_id)


async def get_meeting(db: Database, principal: Principal, meeting_id: int) -> MeetingOut:
    """The meeting with its agenda and motions, for the members of its estate."""
    async with db.connection() as conn:
        return await _meeting(conn, principal, meeting_id, MEMBERS)


class _Step(NamedTuple):
    needed: str  # the status the meeting must have
    refusal: str  # the 409's sentence, with {status}
    event: str


_MEETING_STEPS: dict[str, _Step] = {
    "open": _Step("scheduled", "meeting is {status}", "meeting.opened"),
    "closed": _Step("open", "meeting is {status}, not open", "meeting.closed"),
}


async def move_meeting(
    db: Database, principal: Principal, meeting_id: int, to: Literal["open", "closed"]
) -> MeetingOut:
    """scheduled → open, or open → closed (closing every motion still open, each with its
    ``motion.closed``, before the ``meeting.closed``); 409 from any other status. Once closed,
    the minutes are available."""
    step = _MEETING_STEPS[to]
    async with db.transaction() as conn:
        meeting = authorized(
            await store.lock_meeting(conn, meeting_id), "meeting", principal, MANAGERS
        )
        refuse_consultation(meeting)
        if meeting.status != step.needed:
            raise Conflict(
                step.refusal.format(status=meeting.status),
                "wrong_status",
                {"what": "meeting", "status": meeting.status, "needed": step.needed},
            )
        return await move_meeting_in(conn, meeting, to, principal.member_id)


def refuse_consultation(meeting: MeetingOut) -> None:
    """409 for a written consultation's meeting: its own routes and schedule run it."""
    if meeting.kind == "written_consultation":
        raise Conflict(
            "this is a written consultation: it opens and closes on its schedule; "
            "use /api/consultations",
            "managed_by_consultation",
        )


async def move_meeting_in(
    conn: asyncpg.Connection,
    meeting: MeetingOut,
    to: Literal["open", "closed"],
    actor_id: int | None,
) -> MeetingOut:
    """Move a locked meeting whose status allows it, in the caller's transaction (closing
    every motion still open first); ``actor_id`` None: the service's own schedule did it."""
    step = _MEETING_STEPS[to]
    if to == "closed":
        for motion in await store.list_motions(conn, meeting.id):
            if motion.status == "open":
                await close_motion_in(conn, motion, actor_id)
    await store.set_meeting_status(conn, meeting.id, to)
    moved = await store.get_meeting(conn, meeting.id)
    assert moved is not None
    await append_event(
        conn,
        estate_id=meeting.estate_id,
        type=step.event,
        data=moved,
        actor_id=actor_id,
        audience="members",
    )
    if to == "closed":  # the head the minutes print
        seq, head = await stream_head(conn, meeting.estate_id)
        await store.set_close_head(conn, "meeting", meeting.id, seq, head)
    return moved


async def minutes(db: Database, principal: Principal, meeting_id: int) -> MinutesInput:
    """What the minutes show, once the meeting is closed; 409 before."""
    async with db.connection() as conn:
        meeting = await _meeting(conn, principal, meeting_id, MEMBERS)
        if meeting.status != "closed":
            raise Conflict(
                "minutes are made when the meeting closes",
                "not_yet_available",
                {"when": "meeting_closed"},
            )
        motions = []
        for motion in await store.list_motions(conn, meeting_id):
            final = Tally(**motion.final_tally) if motion.final_tally is not None else None
            receipts = (
                await ballot_store.counted_receipts(conn, motion.id)
                if motion.status == "closed"
                else []
            )
            motions.append(MotionMinutes(motion=motion.out(), tally=final, receipts=receipts))
        head = await store.close_head(conn, "meeting", meeting_id)
        return MinutesInput(
            estate_name=await estates_store.estate_name(conn, meeting.estate_id) or "",
            meeting=meeting,
            building_names=await store.building_names(conn, meeting.scope_building_ids),
            attendance=await ballot_store.attendance(conn, meeting_id),
            motions=motions,
            chain_head=ChainHead(seq=head[0], hash=head[1].hex()) if head else None,
            time_zone=await estates_store.estate_time_zone(conn, meeting.estate_id),
        )


# Motions


async def create_motion(
    db: Database, principal: Principal, meeting_id: int, data: NewMotion
) -> MotionOut:
    """A draft motion, while the meeting is scheduled or open; the matter fixes the rule."""
    async with db.transaction() as conn:
        meeting = authorized(
            await store.lock_meeting(conn, meeting_id), "meeting", principal, MANAGERS
        )
        refuse_consultation(meeting)
        if meeting.status == "closed":
            raise Conflict("meeting is closed", "meeting_closed")
        return await create_motion_in(conn, meeting, data, principal.member_id)


async def create_motion_in(
    conn: asyncpg.Connection, meeting: MeetingOut, data: NewMotion, actor_id: int
) -> MotionOut:
    """A draft motion of a locked meeting, in the caller's transaction."""
    if data.work_id is not None and await works_store.works_outside_estate(
        conn, meeting.estate_id, [data.work_id]
    ):
        raise BadRequest("work_id", "not a work of this estate", "not_in_estate", {"what": "work"})
    motion_id = await store.insert_motion(conn, meeting.id, meeting.estate_id, data, actor_id)
    motion = await store.get_motion(conn, motion_id)
    assert motion is not None
    await append_event(
        conn,
        estate_id=meeting.estate_id,
        type="motion.created",
        data=motion.out(),
        actor_id=actor_id,
        audience="members",
    )
    return motion.out()


async def get_motion(db: Database, principal: Principal, motion_id: int) -> MotionOut:
    async with db.connection() as conn:
        return (await _motion(conn, principal, motion_id, MEMBERS)).out()


async def open_motion(db: Database, principal: Principal, motion_id: int) -> MotionOut:
    """draft → open, freezing the roll of units in the meeting's scope; the meeting must be
    open. The ``motion.opened`` event carries the empty tally."""
    async with db.transaction() as conn:
        await _motion(conn, principal, motion_id, MANAGERS)
        motion = await store.get_motion(conn, motion_id, lock=True)
        if motion is None:
            raise NotFound("motion")
        await _refuse_consultation_motion(conn, motion)
        if motion.status != "draft":
            raise Conflict(
                f"motion is already {motion.status}",
                "wrong_status",
                {"what": "motion", "status": motion.status, "needed": "draft"},
            )
        if motion.meeting_status != "open":
            raise Conflict(
                f"the meeting is {motion.meeting_status}; open it first",
                "meeting_not_open",
                {"status": motion.meeting_status},
            )
        return await open_motion_in(conn, motion, principal.member_id)


async def _refuse_consultation_motion(conn: asyncpg.Connection, motion: MotionRow) -> None:
    meeting = await store.get_meeting(conn, motion.meeting_id)
    assert meeting is not None
    refuse_consultation(meeting)


async def open_motion_in(
    conn: asyncpg.Connection, motion: MotionRow, actor_id: int | None
) -> MotionOut:
    """Open a locked draft motion in the caller's transaction: freeze the roll of the units
    in scope; ``motion.opened`` carries the empty tally and the roll's digest."""
    motion_id = motion.id
    secret = commitments.new_secret()
    await store.open_motion(conn, motion_id, motion.estate_id, motion.scope_building_ids, secret)
    opened = await store.get_motion(conn, motion_id)
    assert opened is not None
    start = await ballot_box.recount(conn, opened)
    roll = await commitment_store.roll_entries(conn, motion_id)
    await append_event(
        conn,
        estate_id=motion.estate_id,
        type="motion.opened",
        data={
            "motion": opened.out(),
            "tally": tally_out(motion_id, "open", start, redact=opened.hide_results),
            "roll_digest": commitments.roll_digest(
                secret, motion_id, ((u.household_id, u.person_key, u.area) for u in roll)
            ),
        },
        actor_id=actor_id,
        audience="members",
    )
    return opened.out()


async def close_motion(db: Database, principal: Principal, motion_id: int) -> MotionOut:
    """open → closed; the recount is the tally of record and later ballots get 409."""
    async with db.transaction() as conn:
        motion = await _motion(conn, principal, motion_id, MANAGERS)
        await _refuse_consultation_motion(conn, motion)
        return (await close_motion_in(conn, motion, principal.member_id)).out()


async def close_motion_in(
    conn: asyncpg.Connection, motion: MotionRow, actor_id: int | None
) -> MotionRow:
    """Lock the motion row (casts in flight commit first or get 409), recount the ballots
    table and store that as the tally of record, in the caller's transaction."""
    locked = await store.get_motion(conn, motion.id, lock=True)
    assert locked is not None
    if locked.status != "open":
        raise Conflict(
            f"motion is {locked.status}, not open",
            "wrong_status",
            {"what": "motion", "status": locked.status, "needed": "open"},
        )
    final = await ballot_box.recount(conn, locked)
    running = await ballot_store.running_counts(conn, locked.id)
    if running is not None and decide(locked.matter, running, locked.rule_set) != final:
        log.error(
            "motion %s: running counts differ from the recount; the recount stands", locked.id
        )
    await store.close_motion(conn, locked.id, final)
    closed = await store.get_motion(conn, locked.id)
    assert closed is not None
    data = {"motion": closed.out(), "tally": tally_out(locked.id, "closed", final, redact=False)}
    await append_event(
        conn,
        estate_id=locked.estate_id,
        type="motion.closed",
        data=data | await ballot_box.sealed_ballots(conn, locked.id),
        actor_id=actor_id,
        audience="members",
    )
    seq, head = await stream_head(conn, locked.estate_id)
    await store.set_close_head(conn, "motion", locked.id, seq, head)
    return closed


async def motion_tally(db: Database, principal: Principal, motion_id: int) -> TallyOut:
    """The Art. 278 tally: of record once closed, recounted while open, empty for a draft.
    With hide_results, until close only the committee (and admin) sees how people voted;
    others see participation and quorum only."""
    async with db.connection() as conn:
        motion = await _motion(conn, principal, motion_id, MEMBERS)
        redact = (
            motion.hide_results and motion.status != "closed" and principal.role not in MANAGERS
        )
        if motion.status == "closed" and motion.final_tally is not None:
            result = Tally(**motion.final_tally)
        elif motion.status == "open":
            result = await ballot_box.recount(conn, motion)
        else:
            units = await store.scope_units(conn, motion.estate_id, motion.scope_building_ids)
            result = decide(motion.matter, count(units, []), motion.rule_set)
        channels = await ballot_store.channel_turnout(conn, motion_id)
    out = tally_out(motion_id, motion.status, result, redact=redact)
    out.by_channel = {
        name: ChannelTurnout(owners=owners, area_m2=format_area(area))
        for name, (owners, area) in channels.items()
    }
    return out


async def receipts(db: Database, principal: Principal, motion_id: int) -> ReceiptList:
    """The counted ballots' receipt codes and choices (no names, no units), after close."""
    async with db.connection() as conn:
        motion = await _motion(conn, principal, motion_id, MEMBERS)
        if motion.status != "closed":
            raise Conflict(
                "receipts are published when the motion closes",
                "not_yet_available",
                {"when": "motion_closed"},
            )
        counted = await ballot_store.counted_receipts(conn, motion_id)
        head = await store.close_head(conn, "motion", motion_id)
    return ReceiptList(
        motion_id=motion_id,
        closed_at=motion.closed_at,
        receipts=counted,
        chain_head=ChainHead(seq=head[0], hash=head[1].hex()) if head else None,
    )


async def ballot_record(
    db: Database, principal: Principal, motion_id: int, *, mine: bool
) -> list[BallotRecord]:
    """Every ballot of the motion, changes included (the committee's view), or with ``mine``
    the ones the caller cast (any member): which unit, by proxy under which authorisation,
    and which ballot counts."""
    async with db.connection() as conn:
        await _motion(conn, principal, motion_id, MEMBERS if mine else MANAGERS)
        cast_by = principal.member_id if mine else None
        return await ballot_store.ballot_record(conn, motion_id, cast_by=cast_by)
