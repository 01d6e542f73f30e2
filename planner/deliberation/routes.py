"""Meetings, motions, proxies, ballots, tallies, receipts and minutes over HTTP."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Litestar, MediaType, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.db.pool import Database
from planner.deliberation import ballot_box, store
from planner.deliberation.minutes import (
    Lang,
    MinutesInput,
    MotionMinutes,
    render_html,
    render_markdown,
)
from planner.deliberation.model import (
    BallotRecord,
    CastResult,
    DelegationOut,
    MeetingOut,
    MotionOut,
    NewBallot,
    NewDelegation,
    NewMeeting,
    NewMotion,
    ReceiptList,
    TallyOut,
    tally_out,
)
from planner.deliberation.rules import Tally, count, decide
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, NotFound
from planner.events import append_event

VOTER_ROLES = ("admin", "committee", "owner", "treasurer")


async def _meeting(
    conn: asyncpg.Connection, meeting_id: int, principal: PrincipalDep, roles: tuple[str, ...]
) -> MeetingOut:
    meeting = await store.get_meeting(conn, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    authorize(principal, meeting.estate_id, roles)
    return meeting


async def _motion(
    conn: asyncpg.Connection, motion_id: int, principal: PrincipalDep, roles: tuple[str, ...]
) -> store.MotionRow:
    motion = await store.get_motion(conn, motion_id)
    if motion is None:
        raise NotFound("motion")
    authorize(principal, motion.estate_id, roles)
    return motion


class MeetingController(Controller):
    tags = ["deliberation"]

    @post("/api/estates/{estate_id:int}/meetings", status_code=HTTP_201_CREATED)
    async def create_meeting(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewMeeting],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MeetingOut:
        """Committee or admin; scope_building_ids empty means the whole estate."""
        authorize(principal, estate_id, MANAGERS)
        agenda = [(a, None) if isinstance(a, str) else (a.text, a.work_id) for a in data.agenda]
        async with db.transaction() as conn:
            if not await store.estate_name(conn, estate_id):
                raise NotFound("estate")
            foreign = await store.buildings_outside_estate(conn, estate_id, data.scope_building_ids)
            if foreign:
                raise BadRequest("scope_building_ids", f"not buildings of this estate: {foreign}")
            works = [w for _, w in agenda if w is not None]
            if works and (bad := await store.works_outside_estate(conn, estate_id, works)):
                raise BadRequest("agenda", f"not works of this estate: {bad}")
            meeting_id = await store.insert_meeting(
                conn, estate_id, data, agenda, principal.member_id
            )
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

    @get("/api/estates/{estate_id:int}/meetings")
    async def list_meetings(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MeetingOut]:
        authorize(principal, estate_id, MEMBERS)
        async with db.connection() as conn:
            return await store.list_meetings(conn, estate_id)

    @get("/api/meetings/{meeting_id:int}")
    async def get_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """The meeting with its agenda and motions."""
        async with db.connection() as conn:
            return await _meeting(conn, meeting_id, principal, MEMBERS)

    @post("/api/meetings/{meeting_id:int}/open", status_code=HTTP_200_OK)
    async def open_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """scheduled → open; 409 from any other status."""
        async with db.transaction() as conn:
            meeting = await store.lock_meeting(conn, meeting_id)
            if meeting is None:
                raise NotFound("meeting")
            authorize(principal, meeting.estate_id, MANAGERS)
            if meeting.status != "scheduled":
                raise Conflict(f"meeting is {meeting.status}")
            await store.set_meeting_status(conn, meeting_id, "open")
            opened = await store.get_meeting(conn, meeting_id)
            assert opened is not None
            await append_event(
                conn,
                estate_id=meeting.estate_id,
                type="meeting.opened",
                data=opened,
                actor_id=principal.member_id,
                audience="members",
            )
        return opened

    @post("/api/meetings/{meeting_id:int}/close", status_code=HTTP_200_OK)
    async def close_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """open → closed, closing every motion still open; the minutes become available."""
        async with db.transaction() as conn:
            meeting = await store.lock_meeting(conn, meeting_id)
            if meeting is None:
                raise NotFound("meeting")
            authorize(principal, meeting.estate_id, MANAGERS)
            if meeting.status != "open":
                raise Conflict(f"meeting is {meeting.status}, not open")
            for motion in await store.list_motions(conn, meeting_id):
                if motion.status == "open":
                    await ballot_box.close_motion(conn, principal, motion)
            await store.set_meeting_status(conn, meeting_id, "closed")
            closed = await store.get_meeting(conn, meeting_id)
            assert closed is not None
            await append_event(
                conn,
                estate_id=meeting.estate_id,
                type="meeting.closed",
                data=closed,
                actor_id=principal.member_id,
                audience="members",
            )
        return closed

    @get("/api/meetings/{meeting_id:int}/motions")
    async def list_motions(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MotionOut]:
        async with db.connection() as conn:
            meeting = await _meeting(conn, meeting_id, principal, MEMBERS)
            return meeting.motions

    @post("/api/meetings/{meeting_id:int}/motions", status_code=HTTP_201_CREATED)
    async def create_motion(
        self,
        meeting_id: FromPath[int],
        data: JSONBody[NewMotion],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MotionOut:
        """Committee or admin, while the meeting is scheduled or open; the matter fixes the rule."""
        async with db.transaction() as conn:
            meeting = await store.lock_meeting(conn, meeting_id)
            if meeting is None:
                raise NotFound("meeting")
            authorize(principal, meeting.estate_id, MANAGERS)
            if meeting.status == "closed":
                raise Conflict("meeting is closed")
            if data.work_id is not None and await store.works_outside_estate(
                conn, meeting.estate_id, [data.work_id]
            ):
                raise BadRequest("work_id", "not a work of this estate")
            motion_id = await store.insert_motion(
                conn, meeting_id, meeting.estate_id, data, principal.member_id
            )
            motion = await store.get_motion(conn, motion_id)
            assert motion is not None
            await append_event(
                conn,
                estate_id=meeting.estate_id,
                type="motion.created",
                data=motion.out(),
                actor_id=principal.member_id,
                audience="members",
            )
        return motion.out()

    @get("/api/meetings/{meeting_id:int}/minutes", media_type="text/markdown; charset=utf-8")
    async def minutes_markdown(
        self,
        meeting_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The minutes (Markdown) once the meeting is closed; 409 before."""
        return render_markdown(await _minutes_input(db, meeting_id, principal), lang)

    @get("/api/meetings/{meeting_id:int}/minutes.html", media_type=MediaType.HTML)
    async def minutes_html(
        self,
        meeting_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The minutes as a printable HTML page once the meeting is closed; 409 before."""
        return render_html(await _minutes_input(db, meeting_id, principal), lang)


async def _minutes_input(db: DbDep, meeting_id: int, principal: PrincipalDep) -> MinutesInput:
    async with db.connection() as conn:
        meeting = await _meeting(conn, meeting_id, principal, MEMBERS)
        if meeting.status != "closed":
            raise Conflict("minutes are made when the meeting closes")
        motions = []
        for motion in await store.list_motions(conn, meeting_id):
            final = Tally(**motion.final_tally) if motion.final_tally is not None else None
            receipts = (
                await store.counted_receipts(conn, motion.id) if motion.status == "closed" else []
            )
            motions.append(MotionMinutes(motion=motion.out(), tally=final, receipts=receipts))
        return MinutesInput(
            estate_name=await store.estate_name(conn, meeting.estate_id) or "",
            meeting=meeting,
            building_names=await store.building_names(conn, meeting.scope_building_ids),
            attendance=await store.attendance(conn, meeting_id),
            motions=motions,
        )


class MotionController(Controller):
    tags = ["deliberation"]

    @get("/api/motions/{motion_id:int}")
    async def get_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        async with db.connection() as conn:
            return (await _motion(conn, motion_id, principal, MEMBERS)).out()

    @post("/api/motions/{motion_id:int}/open", status_code=HTTP_200_OK)
    async def open_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        """draft → open (the meeting must be open); the roll of units in scope is frozen."""
        async with db.transaction() as conn:
            await _motion(conn, motion_id, principal, MANAGERS)
            return (await ballot_box.open_motion(conn, principal, motion_id)).out()

    @post("/api/motions/{motion_id:int}/close", status_code=HTTP_200_OK)
    async def close_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        """open → closed; the recount is the tally of record and later ballots get 409."""
        async with db.transaction() as conn:
            motion = await _motion(conn, motion_id, principal, MANAGERS)
            return (await ballot_box.close_motion(conn, principal, motion)).out()

    @post("/api/motions/{motion_id:int}/ballots", status_code=HTTP_201_CREATED)
    async def cast_ballot(
        self,
        motion_id: FromPath[int],
        data: JSONBody[NewBallot],
        principal: PrincipalDep,
        state: State,
    ) -> CastResult:
        """Vote for one's own units in scope and units held as proxy (all of them when
        household_ids is omitted). The last ballot per unit counts; each gets a receipt."""
        box: ballot_box.BallotBox = state.ballot_box
        return await box.cast(principal, motion_id, data.choice, data.household_ids)

    @get("/api/motions/{motion_id:int}/tally")
    async def get_tally(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> TallyOut:
        """The Art. 278 tally. With hide_results, until close only the committee (and admin)
        sees how people voted; others see participation and quorum only."""
        async with db.connection() as conn:
            motion = await _motion(conn, motion_id, principal, MEMBERS)
            redact = (
                motion.hide_results and motion.status != "closed" and principal.role not in MANAGERS
            )
            if motion.status == "closed" and motion.final_tally is not None:
                result = Tally(**motion.final_tally)
            elif motion.status == "open":
                result = await ballot_box.recount(conn, motion.matter, motion_id)
            else:
                units = await store.scope_units(conn, motion.estate_id, motion.scope_building_ids)
                result = decide(motion.matter, count(units, []))
        return tally_out(motion_id, motion.status, result, redact=redact)

    @get("/api/motions/{motion_id:int}/receipts")
    async def get_receipts(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ReceiptList:
        """The counted ballots' receipt codes and choices (no names, no units), after close."""
        async with db.connection() as conn:
            motion = await _motion(conn, motion_id, principal, MEMBERS)
            if motion.status != "closed":
                raise Conflict("receipts are published when the motion closes")
            receipts = await store.counted_receipts(conn, motion_id)
        return ReceiptList(motion_id=motion_id, closed_at=motion.closed_at, receipts=receipts)

    @get("/api/motions/{motion_id:int}/ballots")
    async def ballot_record(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BallotRecord]:
        """Committee view of every ballot, changes included: who cast for which unit, by proxy
        under which authorisation, and which ballot counts."""
        async with db.connection() as conn:
            await _motion(conn, motion_id, principal, MANAGERS)
            return await store.ballot_record(conn, motion_id)

    @get("/api/motions/{motion_id:int}/ballots/mine")
    async def my_ballots(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BallotRecord]:
        """The ballots the caller cast (for their own units or as proxy), changes included,
        with the one that counts marked: what a voter sees again after a reload."""
        async with db.connection() as conn:
            await _motion(conn, motion_id, principal, MEMBERS)
            return await store.ballot_record(conn, motion_id, cast_by=principal.member_id)


class DelegationController(Controller):
    tags = ["deliberation"]

    @post("/api/estates/{estate_id:int}/delegations", status_code=HTTP_201_CREATED)
    async def create_delegation(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewDelegation],
        principal: PrincipalDep,
        db: DbDep,
    ) -> list[DelegationOut]:
        """The committee records a written authorisation (委托) for one or more units."""
        authorize(principal, estate_id, MANAGERS)
        async with db.transaction() as conn:
            outside = await store.households_outside_estate(conn, estate_id, data.household_ids)
            if outside:
                raise BadRequest("household_ids", f"not households of this estate: {outside}")
            role = await store.member_role(conn, estate_id, data.proxy_member_id)
            if role is None:
                raise BadRequest("proxy_member_id", "not a member of this estate")
            if role not in VOTER_ROLES:
                raise BadRequest("proxy_member_id", f"a {role} may not vote, so not as proxy")
            if data.meeting_id is not None:
                meeting = await store.get_meeting(conn, data.meeting_id)
                if meeting is None or meeting.estate_id != estate_id:
                    raise BadRequest("meeting_id", "not a meeting of this estate")
            made = await store.insert_delegations(
                conn,
                estate_id,
                data.household_ids,
                data.proxy_member_id,
                data.meeting_id,
                data.reference,
                principal.member_id,
            )
            await append_event(
                conn,
                estate_id=estate_id,
                type="delegation.recorded",
                data={
                    "delegation_ids": [d.id for d in made],
                    "proxy_member_id": data.proxy_member_id,
                    "units": len(made),
                    "meeting_id": data.meeting_id,
                },
                actor_id=principal.member_id,
                audience="staff",
            )
        return made

    @get("/api/estates/{estate_id:int}/delegations")
    async def list_delegations(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[DelegationOut]:
        """Committee and admin see all; any other member sees the ones made out to them."""
        authorize(principal, estate_id, MEMBERS)
        only = None if principal.role in MANAGERS else principal.member_id
        async with db.connection() as conn:
            return await store.list_delegations(conn, estate_id, only)

    @post("/api/delegations/{delegation_id:int}/revoke", status_code=HTTP_200_OK)
    async def revoke_delegation(
        self, delegation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> DelegationOut:
        """End a delegation; ballots already cast under it stay in the record."""
        async with db.transaction() as conn:
            found = await store.get_delegation(conn, delegation_id)
            if found is None:
                raise NotFound("delegation")
            authorize(principal, found.estate_id, MANAGERS)
            revoked = await store.revoke_delegation(conn, delegation_id)
            assert revoked is not None
            await append_event(
                conn,
                estate_id=found.estate_id,
                type="delegation.revoked",
                data={"delegation_id": delegation_id},
                actor_id=principal.member_id,
                audience="staff",
            )
        return revoked


async def on_startup(app: Litestar) -> None:
    # The writer commits with connections of its own, so a crowd of requests waiting for
    # the shared pool cannot hold up the commits they are all waiting for.
    writer_db = await Database.connect(app.state.database_url, min_size=1, max_size=2)
    app.state.ballot_box = ballot_box.BallotBox(app.state.db, writer_db)


async def on_shutdown(app: Litestar) -> None:
    box: ballot_box.BallotBox | None = getattr(app.state, "ballot_box", None)
    if box is not None:
        await box.stop()


route_handlers = [MeetingController, MotionController, DelegationController]
