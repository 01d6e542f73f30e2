"""Works over HTTP: create, list, read, edit and move along the status path.

The use cases and who may do what are in ``service.py``. A supplier member sees only the
works they are invited to (anything else is 404) and never the committee's estimate or
another supplier's award. A work becomes ``awarded`` only by awarding a quote
(POST /api/quotes/{id}/award), never through the status route.
"""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from planner.deps import DbDep, PrincipalDep
from planner.works import service
from planner.works.model import NewWork, StatusChange, WorkEdit, WorkOut


class WorkController(Controller):
    tags = ("works",)

    @post("/api/estates/{estate_id:int}/works")
    async def create_work(
        self, estate_id: FromPath[int], data: JSONBody[NewWork], principal: PrincipalDep, db: DbDep
    ) -> WorkOut:
        """Committee or admin; the work starts as ``proposed``."""
        return await service.create_work(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/works")
    async def list_works(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[WorkOut]:
        """Every member sees the estate's works; a supplier only those they are invited to."""
        return await service.list_works(db, estate_id, principal)

    @get("/api/works/{work_id:int}")
    async def get_work(self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> WorkOut:
        return await service.read_work(db, work_id, principal)

    @patch("/api/works/{work_id:int}")
    async def edit_work(
        self, work_id: FromPath[int], data: JSONBody[WorkEdit], principal: PrincipalDep, db: DbDep
    ) -> WorkOut:
        """Committee or admin re-estimate or correct a work: absent fields keep their value.
        409 once the work is awarded or later (its cost is then the award) or rejected.
        A change appends one ``work.updated`` event (audience members: never suppliers) with
        each changed field before and after; a body that changes nothing appends none."""
        return await service.edit_work(db, work_id, data, principal)

    @post("/api/works/{work_id:int}/status", status_code=HTTP_200_OK)
    async def change_status(
        self,
        work_id: FromPath[int],
        data: JSONBody[StatusChange],
        principal: PrincipalDep,
        db: DbDep,
    ) -> WorkOut:
        """Move a work along its path; an illegal move is 409, and so is ``awarded``
        (award a quote instead). Rejecting a work closes its open quotes and cancels its
        scheduled or running reverse auction."""
        return await service.change_status(db, work_id, data.status, principal)


route_handlers = [WorkController]
