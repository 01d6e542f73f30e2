"""Works delivery over HTTP: milestones, progress, the estate's timeline and acceptance (验收).

Who may do what is in the services' docstrings: members read (not suppliers nor partner
units), the committee or the admin change; owner representatives sign acceptances.
"""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, patch, post
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.delivery import acceptance_service, pages, service, timeline
from planner.delivery.model import (
    AcceptanceOut,
    MilestoneEdit,
    MilestoneList,
    MilestoneOut,
    NewAcceptance,
    NewMilestone,
    NewProgress,
    Recheck,
    Timeline,
)
from planner.deps import DbDep, PrincipalDep

Lang = Literal["zh", "en"]


class MilestoneController(Controller):
    tags = ("delivery",)

    @post("/api/works/{work_id:int}/milestones", status_code=HTTP_201_CREATED)
    async def add_milestone(
        self,
        work_id: FromPath[int],
        data: JSONBody[NewMilestone],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MilestoneOut:
        """Committee or admin, on a work that is awarded or later. ``planned``: 2026-03,
        2026-Q2, 2026-H1 or 2026-03-15; it ends on its last day in the estate's zone."""
        return await service.add_milestone(db, work_id, data, principal)

    @get("/api/works/{work_id:int}/milestones")
    async def list_milestones(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MilestoneList:
        """Members: the milestones with progress updates, done and overdue flags."""
        return await service.list_milestones(db, work_id, principal)

    @patch("/api/milestones/{milestone_id:int}")
    async def edit_milestone(
        self,
        milestone_id: FromPath[int],
        data: JSONBody[MilestoneEdit],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MilestoneOut:
        return await service.edit_milestone(db, milestone_id, data, principal)

    @post("/api/milestones/{milestone_id:int}/progress", status_code=HTTP_201_CREATED)
    async def add_progress(
        self,
        milestone_id: FromPath[int],
        data: JSONBody[NewProgress],
        principal: PrincipalDep,
        db: DbDep,
    ) -> MilestoneOut:
        """Committee or admin: percent (never back without a note), note, photos (uploaded
        first through ``POST /api/estates/{id}/photos``); 100 marks the milestone done."""
        return await service.add_progress(db, milestone_id, data, principal)

    @get("/api/estates/{estate_id:int}/timeline")
    async def timeline(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> Timeline:
        """Members: works with milestones and progress; goals by period and responsible unit."""
        return await timeline.timeline(db, estate_id, principal)

    @get("/api/estates/{estate_id:int}/timeline.html", media_type=MediaType.HTML)
    async def timeline_html(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The printable timeline (A4 landscape)."""
        return pages.render_timeline(await timeline.timeline(db, estate_id, principal), lang)


class AcceptanceController(Controller):
    tags = ("delivery",)

    @post("/api/works/{work_id:int}/acceptance", status_code=HTTP_201_CREATED)
    async def open_acceptance(
        self,
        work_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        data: JSONBody[NewAcceptance | None] = None,
    ) -> AcceptanceOut:
        """Committee or admin, the work in progress: opens its acceptance with the defects."""
        body = data if data is not None else NewAcceptance()
        return await acceptance_service.open_acceptance(db, work_id, body, principal)

    @get("/api/works/{work_id:int}/acceptance")
    async def read_acceptance(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> AcceptanceOut:
        return await acceptance_service.read_acceptance(db, work_id, principal)

    @get("/api/works/{work_id:int}/acceptance.html", media_type=MediaType.HTML)
    async def acceptance_html(
        self,
        work_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The printable acceptance record (A4)."""
        found = await acceptance_service.read_acceptance(db, work_id, principal)
        return pages.render_acceptance(found, await acceptance_service.time_zone(db, found), lang)

    @post("/api/defects/{defect_id:int}/recheck", status_code=HTTP_200_OK)
    async def recheck(
        self, defect_id: FromPath[int], data: JSONBody[Recheck], principal: PrincipalDep, db: DbDep
    ) -> AcceptanceOut:
        """Committee or admin: the defect is fixed or not, with a note."""
        return await acceptance_service.recheck_defect(db, defect_id, data, principal)

    @post("/api/acceptances/{acceptance_id:int}/sign", status_code=HTTP_200_OK)
    async def sign(
        self, acceptance_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> AcceptanceOut:
        """The committee, and owners holding a unit in the work's scope; each once."""
        return await acceptance_service.sign(db, acceptance_id, principal)

    @post("/api/acceptances/{acceptance_id:int}/complete", status_code=HTTP_200_OK)
    async def complete(
        self, acceptance_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> AcceptanceOut:
        """Committee or admin: completes it (the work is done) when the committee and two
        owner representatives signed and every defect is fixed; else 409 with what is missing."""
        return await acceptance_service.complete(db, acceptance_id, principal)


route_handlers = [MilestoneController, AcceptanceController]
