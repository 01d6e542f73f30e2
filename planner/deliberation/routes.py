"""Meetings, motions, proxies, ballots, tallies, receipts and minutes over HTTP.

Each handler parses, authorizes what it can before reading (the estate in its path), calls
one use case (``service``, ``delegation_service``, the ballot box) and answers.
"""

from __future__ import annotations

from litestar import Controller, Litestar, MediaType, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.db.pool import Database
from planner.deliberation import ballot_box, delegation_service, service
from planner.deliberation.minutes import Lang, render_html, render_markdown
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
)
from planner.deps import DbDep, PrincipalDep


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
        authorize(principal, estate_id, MANAGERS, what="estate")
        return await service.create_meeting(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/meetings")
    async def list_meetings(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MeetingOut]:
        authorize(principal, estate_id, MEMBERS, what="estate")
        return await service.list_meetings(db, estate_id)

    @get("/api/meetings/{meeting_id:int}")
    async def get_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """The meeting with its agenda and motions."""
        return await service.get_meeting(db, principal, meeting_id)

    @post("/api/meetings/{meeting_id:int}/open", status_code=HTTP_200_OK)
    async def open_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """scheduled → open; 409 from any other status."""
        return await service.move_meeting(db, principal, meeting_id, "open")

    @post("/api/meetings/{meeting_id:int}/close", status_code=HTTP_200_OK)
    async def close_meeting(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MeetingOut:
        """open → closed, closing every motion still open; the minutes become available."""
        return await service.move_meeting(db, principal, meeting_id, "closed")

    @get("/api/meetings/{meeting_id:int}/motions")
    async def list_motions(
        self, meeting_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MotionOut]:
        return (await service.get_meeting(db, principal, meeting_id)).motions

    @post("/api/meetings/{meeting_id:int}/motions", status_code=HTTP_201_CREATED)
    async def create_motion(
        self,
        meeting_id: FromPath[int],
        data: JSONBody[NewMotion],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MotionOut:
        """Committee or admin, while the meeting is scheduled or open; the matter fixes the rule."""
        return await service.create_motion(db, principal, meeting_id, data)

    @get("/api/meetings/{meeting_id:int}/minutes", media_type="text/markdown")
    async def minutes_markdown(
        self,
        meeting_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The minutes (Markdown) once the meeting is closed; 409 before."""
        return render_markdown(await service.minutes(db, principal, meeting_id), lang)

    @get("/api/meetings/{meeting_id:int}/minutes.html", media_type=MediaType.HTML)
    async def minutes_html(
        self,
        meeting_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The minutes as a printable HTML page once the meeting is closed; 409 before."""
        return render_html(await service.minutes(db, principal, meeting_id), lang)


CAST_DESCRIPTION = (
    "Vote for one's own units in scope and units held as proxy (all of them when "
    "household_ids is omitted). The last ballot per unit counts; each gets a receipt. "
    "Send idempotency_key (fresh per cast, the same on its retries) so a retry after a lost "
    "answer is never recorded twice: a key the member already used on this motion answers "
    "201 with the first cast's receipts and replayed: true, recording no ballot and no event "
    "(also after the motion closed); the same key with another choice, or naming other "
    "units, is 409 idempotency_key_reused. Retry on network errors and on 503 "
    "database_unavailable (after Retry-After); other 4xx answers are final."
)


class MotionController(Controller):
    tags = ["deliberation"]

    @get("/api/motions/{motion_id:int}")
    async def get_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        return await service.get_motion(db, principal, motion_id)

    @post("/api/motions/{motion_id:int}/open", status_code=HTTP_200_OK)
    async def open_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        """draft → open (the meeting must be open); the roll of units in scope is frozen."""
        return await service.open_motion(db, principal, motion_id)

    @post("/api/motions/{motion_id:int}/close", status_code=HTTP_200_OK)
    async def close_motion(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MotionOut:
        """open → closed; the recount is the tally of record and later ballots get 409."""
        return await service.close_motion(db, principal, motion_id)

    @post(
        "/api/motions/{motion_id:int}/ballots",
        status_code=HTTP_201_CREATED,
        description=CAST_DESCRIPTION,
    )
    async def cast_ballot(
        self,
        motion_id: FromPath[int],
        data: JSONBody[NewBallot],
        principal: PrincipalDep,
        state: State,
    ) -> CastResult:
        """Vote for one's own units in scope and units held as proxy (all of them when
        household_ids is omitted). The last ballot per unit counts; each gets a receipt.

        Send ``idempotency_key`` (a fresh random key per cast, kept for its retries) so a
        retry after a lost answer is never recorded twice: a key already recorded answers
        201 with the first cast's receipts and ``replayed: true``, recording nothing; the
        same key with another choice or other units is 409 ``idempotency_key_reused``.
        Retry on 503 (``database_unavailable``, after Retry-After) and on network errors."""
        box: ballot_box.BallotBox = state.ballot_box
        return await box.cast(
            principal, motion_id, data.choice, data.household_ids, data.idempotency_key
        )

    @get("/api/motions/{motion_id:int}/tally")
    async def get_tally(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> TallyOut:
        """The Art. 278 tally. With hide_results, until close only the committee (and admin)
        sees how people voted; others see participation and quorum only."""
        return await service.motion_tally(db, principal, motion_id)

    @get("/api/motions/{motion_id:int}/receipts")
    async def get_receipts(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ReceiptList:
        """The counted ballots' receipt codes and choices (no names, no units), after close."""
        return await service.receipts(db, principal, motion_id)

    @get("/api/motions/{motion_id:int}/ballots")
    async def ballot_record(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BallotRecord]:
        """Committee view of every ballot, changes included: who cast for which unit, by proxy
        under which authorisation, and which ballot counts."""
        return await service.ballot_record(db, principal, motion_id, mine=False)

    @get("/api/motions/{motion_id:int}/ballots/mine")
    async def my_ballots(
        self, motion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[BallotRecord]:
        """The ballots the caller cast (for their own units or as proxy), changes included,
        with the one that counts marked: what a voter sees again after a reload."""
        return await service.ballot_record(db, principal, motion_id, mine=True)


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
        authorize(principal, estate_id, MANAGERS, what="estate")
        return await delegation_service.record_delegations(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/delegations")
    async def list_delegations(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[DelegationOut]:
        """Committee and admin see all; any other member sees the ones made out to them."""
        authorize(principal, estate_id, MEMBERS, what="estate")
        return await delegation_service.list_delegations(db, principal, estate_id)

    @post("/api/delegations/{delegation_id:int}/revoke", status_code=HTTP_200_OK)
    async def revoke_delegation(
        self, delegation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> DelegationOut:
        """End a delegation; ballots already cast under it stay in the record."""
        return await delegation_service.revoke_delegation(db, principal, delegation_id)


async def on_startup(app: Litestar) -> None:
    # The writer commits with connections of its own, so a crowd of requests waiting for
    # the shared pool cannot hold up the commits they are all waiting for.
    writer_db = await Database.connect(
        app.state.database_url, min_size=1, max_size=2, outage=app.state.db.outage
    )
    app.state.ballot_box = ballot_box.BallotBox(app.state.db, writer_db)


async def on_shutdown(app: Litestar) -> None:
    box: ballot_box.BallotBox | None = getattr(app.state, "ballot_box", None)
    if box is not None:
        await box.stop()


route_handlers = [MeetingController, MotionController, DelegationController]
