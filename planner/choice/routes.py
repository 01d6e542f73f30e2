"""Choice rounds over HTTP (choosing works by equal shares). Rules in ``service.py``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.choice import service
from planner.choice.model import (
    Approvals,
    ApprovalStored,
    ChoiceResult,
    MyApprovals,
    NewChoiceRound,
    PaperApprovals,
    RoundCreated,
    RoundOut,
    RoundSummary,
)
from planner.deps import DbDep, PrincipalDep


class ChoiceRoundController(Controller):
    tags = ("choice",)

    @post("/api/estates/{estate_id:int}/choice-rounds", status_code=HTTP_201_CREATED)
    async def create_round(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewChoiceRound],
        principal: PrincipalDep,
        db: DbDep,
    ) -> RoundCreated:
        """Committee: a draft round; costs are the works' estimates, snapshotted now."""
        return await service.create_round(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/choice-rounds")
    async def list_rounds(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[RoundSummary]:
        return await service.list_rounds(db, estate_id, principal)

    @get("/api/choice-rounds/{choice_round_id:int}")
    async def read_round(
        self, choice_round_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> RoundOut:
        """Status, works with cost, the live approvals count; the result once closed."""
        return await service.read_round(db, choice_round_id, principal)

    @post("/api/choice-rounds/{choice_round_id:int}/open", status_code=HTTP_200_OK)
    async def open_round(
        self, choice_round_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> RoundOut:
        return await service.open_round(db, choice_round_id, principal)

    @post("/api/choice-rounds/{choice_round_id:int}/approvals", status_code=HTTP_200_OK)
    async def approve(
        self,
        choice_round_id: FromPath[int],
        data: JSONBody[Approvals],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ApprovalStored:
        """An owner's set (replaces theirs until the close; a paper sheet prevails: 409)."""
        return await service.approve(db, choice_round_id, data.work_ids, principal)

    @post("/api/choice-rounds/{choice_round_id:int}/paper-approvals", status_code=HTTP_200_OK)
    async def enter_paper(
        self,
        choice_round_id: FromPath[int],
        data: JSONBody[PaperApprovals],
        principal: PrincipalDep,
        db: DbDep,
    ) -> ApprovalStored:
        """Committee: a paper sheet (each sheet number once per round)."""
        return await service.enter_paper(db, choice_round_id, data, principal)

    @post("/api/choice-rounds/{choice_round_id:int}/close", status_code=HTTP_200_OK)
    async def close_round(
        self, choice_round_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ChoiceResult:
        """Committee: count by equal shares; funded candidates become proposed works."""
        return await service.close_round(db, choice_round_id, principal)

    @get("/api/choice-rounds/{choice_round_id:int}/mine")
    async def mine(
        self, choice_round_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> MyApprovals:
        return await service.mine(db, choice_round_id, principal)

    @get("/api/choice-rounds/{choice_round_id:int}/record")
    async def record(
        self, choice_round_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> dict[str, Any]:
        """The recountable record (after the close); recount with ``planner recount-choice``."""
        return await service.record(db, choice_round_id, principal)


route_handlers = [ChoiceRoundController]
