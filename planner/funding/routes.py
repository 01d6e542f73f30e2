"""Funding sources and plan versions over HTTP.

Who may do what:
- treasurer, committee, admin: add sources and solve (each solve stores a new version),
  preview a solve (stores nothing) and list the works a plan may cover;
- treasurer and admin: approve a draft (409 if it is not a draft, or if another version was
  approved since it was solved); approving supersedes the plan in force; plans are frozen;
- observers: read everything;
- owners: read sources and plans, but a plan's ``households`` lists only their own units;
- suppliers: 403 on everything here.
The use cases are in :mod:`planner.funding.service`.
"""

from __future__ import annotations

import asyncio

from litestar import Controller, Litestar, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import authorize
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.funding import service
from planner.funding.engine import shutdown_pool
from planner.funding.model import (
    NewSource,
    PlanOut,
    PlanPreview,
    PlanSummary,
    SolveRequest,
    SourceOut,
    SourceUpdate,
    WorkChoices,
)
from planner.funding.rules import MANAGE, READ


class FundingSourceController(Controller):
    tags = ("funding",)

    @post("/api/estates/{estate_id:int}/funding-sources", status_code=HTTP_201_CREATED)
    async def add_source(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewSource],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SourceOut:
        """A public source; its eligible works must belong to the estate."""
        authorize(principal, estate_id, MANAGE, what="estate")
        return await service.add_source(db, estate_id, data, principal.member_id)

    @get("/api/estates/{estate_id:int}/funding-sources")
    async def list_sources(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[SourceOut]:
        authorize(principal, estate_id, READ, what="estate")
        return await service.list_sources(db, estate_id)

    @patch("/api/funding-sources/{source_id:int}")
    async def update_source(
        self,
        source_id: FromPath[int],
        data: JSONBody[SourceUpdate],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SourceOut:
        """Change a budget, share limit, eligible works or pledges (a new budget → re-solve)."""
        return await service.update_source(db, source_id, data, principal)


_PREVIEW = (
    "Solve as POST .../funding-plans would, but store nothing: no version, no event. 200 with "
    '`status` "ok" (the plan\'s figures, no households) or "failed" (`problems`: which '
    "constraint binds and by how much); `comparison` puts the residents' share beside the "
    "plan in force's and the band. 400 for a bad request, as the solve route. The solve form "
    "previews live and saves a version only on purpose."
)
_WORK_CHOICES = (
    "The works a plan may cover (not rejected): status, the cost a solve would use (awarded "
    "total, else estimate), whether the plan in force covers it, whether it was awarded "
    "since (`newly_awarded`), and `selected`: the form's default, the plan in force's works "
    "plus the newly awarded ones (with no plan in force, every work with a cost)."
)


class FundingPlanController(Controller):
    tags = ("funding",)

    @post("/api/estates/{estate_id:int}/funding-plans", status_code=HTTP_201_CREATED)
    async def solve_plan(
        self,
        estate_id: FromPath[int],
        data: JSONBody[SolveRequest],
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> PlanOut:
        """Solve with the current costs, sources and households; store the new version.

        422 (with ``details.problems``: which constraint binds and by how much) when no
        plan exists or the solver runs out of time; that attempt is stored as "failed".
        """
        authorize(principal, estate_id, MANAGE, what="estate")
        return await service.solve_plan(
            db, estate_id, data, principal, settings.solver_time_limit_s
        )

    @post(
        "/api/estates/{estate_id:int}/funding-plans/preview",
        status_code=HTTP_200_OK,
        summary="Preview a solve (stores nothing)",
        description=_PREVIEW,
    )
    async def preview_plan(
        self,
        estate_id: FromPath[int],
        data: JSONBody[SolveRequest],
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> PlanPreview:
        """Solve as the route above would but store nothing: no version, no event.

        200 with ``status`` "ok" (the plan's figures) or "failed" (``problems``: which
        constraint binds and by how much), and ``comparison``: the residents' share beside
        the plan in force's and the band. 400 for a bad request, as the solve route."""
        authorize(principal, estate_id, MANAGE, what="estate")
        return await service.preview_plan(db, estate_id, data, settings.solver_time_limit_s)

    @get(
        "/api/estates/{estate_id:int}/funding-plans/work-choices",
        summary="The works a plan may cover",
        description=_WORK_CHOICES,
    )
    async def work_choices(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> WorkChoices:
        """The works a plan may cover (status, cost) and the solve form's default: the
        works of the plan in force plus the newly awarded ones."""
        authorize(principal, estate_id, MANAGE, what="estate")
        return await service.list_work_choices(db, estate_id)

    @get("/api/estates/{estate_id:int}/funding-plans")
    async def list_plans(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[PlanSummary]:
        """Every version, newest first."""
        authorize(principal, estate_id, READ, what="estate")
        return await service.list_plans(db, estate_id)

    @get("/api/funding-plans/{plan_id:int}")
    async def get_plan(self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> PlanOut:
        """One version; ``stale_reasons`` says what changed since it was solved."""
        return await service.read_plan(db, plan_id, principal)

    @post("/api/funding-plans/{plan_id:int}/approve", status_code=HTTP_200_OK)
    async def approve(self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> PlanOut:
        """Approve a draft: it becomes the plan in force and the approved version before it
        becomes "superseded" (kept, readable, its notices void), in one transaction.

        Statuses: draft → approved → superseded; failed. 409 ``plan_not_draft`` when it is
        not a draft; 409 ``plan_in_force_changed`` when another version was approved since
        this draft was solved (of two racing approvals exactly one wins)."""
        return await service.approve_plan(db, plan_id, principal)


route_handlers = [FundingSourceController, FundingPlanController]


async def on_shutdown(app: Litestar) -> None:
    """Stop the solver processes with the service (none are left holding its pipes)."""
    await asyncio.to_thread(shutdown_pool)
