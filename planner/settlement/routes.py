"""Settlement over HTTP: variations (变更) of awarded works and final accounts (决算).

The committee or admin proposes, approves (a passed motion above the estate's threshold)
and rejects variations; every member reads them with the work's final cost. The treasurer
or admin runs final accounts of the approved plan and approves a version; staff read every
household's line, an owner only her own of an approved version.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from planner.deps import DbDep, PrincipalDep
from planner.settlement import service
from planner.settlement.model import (
    ApproveVariation,
    FinalAccountsOut,
    FinalAccountsSummary,
    NewFinalAccounts,
    NewVariation,
    RejectVariation,
    VariationCreated,
    VariationOut,
    WorkVariations,
)


class VariationController(Controller):
    tags = ("settlement",)

    @post("/api/works/{work_id:int}/variations")
    async def propose(
        self,
        work_id: FromPath[int],
        data: JSONBody[NewVariation],
        principal: PrincipalDep,
        db: DbDep,
    ) -> VariationCreated:
        """Propose a variation (± fen, not 0) of an awarded work (committee, admin); 409
        ``work_not_awarded`` before the award. ``needs_decision``: above the estate's
        threshold, alone or with the work's approved variations."""
        return await service.propose_variation(db, work_id, data, principal)

    @get("/api/works/{work_id:int}/variations")
    async def list_for_work(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> WorkVariations:
        """The work's variations and its final cost (award + approved variations)."""
        return await service.work_variations(db, work_id, principal)

    @get("/api/variations/{variation_id:int}")
    async def read(
        self, variation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> VariationOut:
        return await service.read_variation(db, variation_id, principal)

    @post("/api/variations/{variation_id:int}/approve", status_code=200)
    async def approve(
        self,
        variation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        data: JSONBody[ApproveVariation | None] = None,
    ) -> VariationOut:
        """Approve (committee, admin); above the threshold ``{motion_id}`` of a passed motion
        of the estate is needed (409 ``variation_needs_decision`` / ``motion_not_passed``)."""
        return await service.approve_variation(
            db, variation_id, data or ApproveVariation(), principal
        )

    @post("/api/variations/{variation_id:int}/reject", status_code=200)
    async def reject(
        self,
        variation_id: FromPath[int],
        data: JSONBody[RejectVariation],
        principal: PrincipalDep,
        db: DbDep,
    ) -> VariationOut:
        return await service.reject_variation(db, variation_id, data, principal)


class FinalAccountsController(Controller):
    tags = ("settlement",)

    @post("/api/estates/{estate_id:int}/final-accounts")
    async def run(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewFinalAccounts],
        principal: PrincipalDep,
        db: DbDep,
    ) -> FinalAccountsOut:
        """Recompute the approved plan's split on final costs: a new draft version
        (treasurer, admin); 422 when no split exists."""
        return await service.run_final_accounts(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/final-accounts")
    async def list_versions(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[FinalAccountsSummary]:
        return await service.list_final_accounts(db, estate_id, principal)

    @get("/api/final-accounts/{final_id:int}")
    async def read(
        self, final_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> FinalAccountsOut:
        """A version: staff see every household; an owner her own (approved versions)."""
        return await service.read_final_accounts(db, final_id, principal)

    @get("/api/final-accounts/{final_id:int}/mine")
    async def mine(
        self, final_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> FinalAccountsOut:
        """The version with only the caller's own households' lines."""
        return await service.read_final_accounts(db, final_id, principal, mine_only=True)

    @post("/api/final-accounts/{final_id:int}/approve", status_code=200)
    async def approve(
        self, final_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> FinalAccountsOut:
        """Approve a draft (treasurer, admin): frozen from then on."""
        return await service.approve_final_accounts(db, final_id, principal)


route_handlers: list[Any] = [VariationController, FinalAccountsController]
