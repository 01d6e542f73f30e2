"""Common problems (共性问题) over HTTP: create, merge, read, support, status, candidate work.

The use cases and who may do what are in ``problem_service.py``.
"""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from planner.deps import DbDep, PrincipalDep
from planner.needs import problem_service as service
from planner.needs.categories import NeedCategory, ProblemStatus, Urgency
from planner.needs.problem_model import (
    NewProblem,
    ProblemMerge,
    ProblemOut,
    ProblemStatusChange,
    ProblemWork,
    ProblemWorkOut,
)


class ProblemController(Controller):
    tags = ("needs",)

    @post("/api/estates/{estate_id:int}/problems")
    async def create_problem(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewProblem],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ProblemOut:
        """Committee or admin: 201 with ``id``, ``supporters_owners``, ``supporters_units``,
        ``status`` (collecting) and ``sources``. A suggestion already in another problem: 409."""
        return await service.create_problem(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/problems")
    async def list_problems(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        status: FromQuery[ProblemStatus | None] = None,
        category: FromQuery[NeedCategory | None] = None,
        urgency: FromQuery[Urgency | None] = None,
    ) -> list[ProblemOut]:
        """Members (not suppliers or partners): the problems not merged into another."""
        return await service.list_problems(
            db, estate_id, principal, status=status, category=category, urgency=urgency
        )

    @get("/api/problems/{problem_id:int}")
    async def read_problem(
        self, problem_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ProblemOut:
        """Sources listed for staff; for owners, whether they support it."""
        return await service.read_problem(db, problem_id, principal)

    @post("/api/problems/{problem_id:int}/merge", status_code=HTTP_200_OK)
    async def merge(
        self,
        problem_id: FromPath[int],
        data: JSONBody[ProblemMerge],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ProblemOut:
        """Committee or admin: add suggestions, merge duplicate problems (kept, never deleted)."""
        return await service.merge(db, problem_id, data, principal)

    @post("/api/problems/{problem_id:int}/support", status_code=HTTP_200_OK)
    async def support(
        self, problem_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ProblemOut:
        """An owner's "me too" for all their units."""
        return await service.support(db, problem_id, principal)

    @delete("/api/problems/{problem_id:int}/support", status_code=HTTP_200_OK)
    async def withdraw_support(
        self, problem_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ProblemOut:
        """Take the "me too" back (the owner's own suggestions keep counting)."""
        return await service.support(db, problem_id, principal, withdraw=True)

    @post("/api/problems/{problem_id:int}/status", status_code=HTTP_200_OK)
    async def change_status(
        self,
        problem_id: FromPath[int],
        data: JSONBody[ProblemStatusChange],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ProblemOut:
        """Committee or admin: collecting → listed → in_progress → solved, or declined (with
        a note) from any unsolved status; an illegal move is 409 with the allowed ones."""
        return await service.change_status(db, problem_id, data, principal)

    @post("/api/problems/{problem_id:int}/work")
    async def make_work(
        self,
        problem_id: FromPath[int],
        data: JSONBody[ProblemWork],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ProblemWorkOut:
        """Committee or admin: 201, a candidate work with the estimate; 409 if it has one."""
        return await service.make_work(db, problem_id, data, principal)


route_handlers = [ProblemController]
