"""Written consultations over HTTP: create, change, motions, publish, close, announce.

Each handler authorizes what it can before reading (the estate in its path) and calls one
use case. The schedule (opening at ``opens_at``, closing at ``closes_at``) starts with the app.
"""

from __future__ import annotations

import asyncio

from litestar import Controller, Litestar, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.consultation import service
from planner.consultation.model import (
    ConsultationChange,
    ConsultationOut,
    NewConsultation,
    NewConsultationMotion,
    RuleSetOut,
)
from planner.consultation.schedule import run_schedule, stop_schedule
from planner.deps import DbDep, PrincipalDep


class ConsultationController(Controller):
    tags = ["consultation"]

    @get("/api/rule-sets")
    async def list_rule_sets(self, principal: PrincipalDep) -> list[RuleSetOut]:
        """The named rule sets a vote may be decided by (fractions as "a/b")."""
        return service.rule_sets()

    @post("/api/estates/{estate_id:int}/consultations", status_code=HTTP_201_CREATED)
    async def create_consultation(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewConsultation],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ConsultationOut:
        """Committee or admin: a draft with its voting window (times with their offset)."""
        authorize(principal, estate_id, MANAGERS, what="estate")
        return await service.create(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/consultations")
    async def list_consultations(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[ConsultationOut]:
        """Newest first; drafts only for the committee."""
        authorize(principal, estate_id, MEMBERS, what="estate")
        return await service.list_for_estate(db, principal, estate_id)

    @get("/api/consultations/{consultation_id:int}")
    async def get_consultation(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConsultationOut:
        return await service.get(db, principal, consultation_id)

    @patch("/api/consultations/{consultation_id:int}")
    async def change_consultation(
        self,
        consultation_id: FromPath[int],
        data: JSONBody[ConsultationChange],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ConsultationOut:
        """Only while draft (409 after)."""
        return await service.change(db, principal, consultation_id, data)

    @post("/api/consultations/{consultation_id:int}/motions", status_code=HTTP_201_CREATED)
    async def add_motion(
        self,
        consultation_id: FromPath[int],
        data: JSONBody[NewConsultationMotion],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ConsultationOut:
        """Only while draft (409 after); the consultation with its motions."""
        return await service.add_motion(db, principal, consultation_id, data)

    @post("/api/consultations/{consultation_id:int}/publish", status_code=HTTP_200_OK)
    async def publish(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConsultationOut:
        """draft → noticed; it then opens by itself at opens_at and closes at closes_at."""
        return await service.publish(db, principal, consultation_id)

    @post("/api/consultations/{consultation_id:int}/close", status_code=HTTP_200_OK)
    async def close(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConsultationOut:
        """Early close: only once every owner in scope has voted (409 otherwise)."""
        return await service.close_early(db, principal, consultation_id)

    @post("/api/consultations/{consultation_id:int}/announce", status_code=HTTP_200_OK)
    async def announce(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConsultationOut:
        """closed → announced: the result notice is published and its time recorded."""
        return await service.announce(db, principal, consultation_id)


_SCHEDULE_KEY = "consultation_schedule"


async def on_startup(app: Litestar) -> None:
    """Start the consultations' schedule (see schedule.py)."""
    app.state[_SCHEDULE_KEY] = asyncio.create_task(run_schedule(app.state.db))


async def on_shutdown(app: Litestar) -> None:
    task = app.state.get(_SCHEDULE_KEY)
    if task is not None:
        await stop_schedule(task)


route_handlers = [ConsultationController]
