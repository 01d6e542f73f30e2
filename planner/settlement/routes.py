"""Settlement over HTTP: variations (变更) of awarded works and final accounts (决算).

The committee or admin proposes, approves (a passed motion above the estate's threshold)
and rejects variations; every member reads them with the work's final cost. The treasurer
or admin runs final accounts of the approved plan and approves a version; staff read every
household's line, an owner only her own of an approved version.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from planner.deps import DbDep, PrincipalDep
from planner.funding.exports.model import Lang, content_disposition
from planner.settlement import export_service, service
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


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_headers(names: tuple[str, str], inline: bool = False) -> dict[str, str]:
    return {
        "content-disposition": content_disposition(names[0], names[1], inline),
        "cache-control": "private, no-store",
    }


class FinalAccountsExportController(Controller):
    tags = ("settlement",)

    @get("/api/final-accounts/{final_id:int}/export.csv", media_type="text/csv")
    async def export_csv(
        self,
        final_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
        bom: FromQuery[bool] = True,
    ) -> Response[bytes]:
        """Per household: final share, paid, refund, top-up; totals and the identity check
        (treasurer, committee, admin). UTF-8 with a BOM (``bom=false``: none), CRLF."""
        content, names = await export_service.export_csv(db, final_id, principal, lang, bom)
        return Response(content, media_type="text/csv", headers=_file_headers(names))

    @get("/api/final-accounts/{final_id:int}/export.xlsx", media_type=XLSX_TYPE)
    async def export_xlsx(
        self,
        final_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The same as a workbook: totals are SUM formulas carrying their values."""
        content, names = await export_service.export_xlsx(db, final_id, principal, lang)
        return Response(content, media_type=XLSX_TYPE, headers=_file_headers(names))

    @get("/api/final-accounts/{final_id:int}/notices", media_type=MediaType.HTML)
    async def notices(
        self,
        final_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[str]:
        """Every household's printable settlement notice (退补通知), one A4 page each."""
        html = await export_service.settlement_notices(db, final_id, principal, lang)
        return Response(html, media_type=MediaType.HTML)

    @get("/api/final-accounts/{final_id:int}/notices/{household_id:int}", media_type=MediaType.HTML)
    async def notice(
        self,
        final_id: FromPath[int],
        household_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[str]:
        """One household's notice: staff any, an owner her own of an approved version."""
        html = await export_service.settlement_notices(db, final_id, principal, lang, household_id)
        return Response(html, media_type=MediaType.HTML)


route_handlers: list[Any] = [
    VariationController,
    FinalAccountsController,
    FinalAccountsExportController,
]
