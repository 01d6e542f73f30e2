"""Exports of a funding plan over HTTP: CSV, XLSX and payment notices.

Who may do what (consistent with the funding routes, where treasurer, committee and
admin manage plans):
- treasurer, committee, admin: every export and every notice;
- owners: only the notice of a household they own (any other household: 404); no
  CSV, XLSX or building batch (403);
- suppliers and observers: 403.
A failed plan version has nothing to export (409). Every response names its file in
``Content-Disposition`` (ASCII fallback plus the UTF-8 name, RFC 6266/5987). Payments are
their own slice (:mod:`planner.payments`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO, Any

from litestar import Controller, MediaType, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Stream

from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Forbidden
from planner.funding.exports import service
from planner.funding.exports.model import (
    VIEW_NAMES,
    ExportFile,
    Lang,
    View,
    content_disposition,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ENCODINGS = {"utf-8-sig": True, "utf-8-bom": True, "bom": True, "utf-8": False, "utf8": False}
_CHUNK = 256 * 1024


def _lang(value: str) -> Lang:
    if value in ("zh", "zh-CN", "zh-Hans"):
        return "zh"
    if value in ("en", "en-US", "en-GB"):
        return "en"
    raise BadRequest("lang", 'must be "zh" or "en"', "not_allowed", {"allowed": ["zh", "en"]})


def _headers(file: ExportFile[Any], inline: bool = False) -> dict[str, str]:
    return {
        "content-disposition": content_disposition(file.utf8_name, file.ascii_name, inline),
        # a plan's content never changes, but the plan in force may become void (superseded):
        # revalidate every time; drafts and void files are not stored at all
        "cache-control": "private, no-store"
        if file.is_draft
        else "private, max-age=0, must-revalidate",
    }


class PlanExportController(Controller):
    tags = ("funding exports",)

    @get("/api/funding-plans/{plan_id:int}/export.csv", media_type="text/csv")
    async def export_csv(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        view: FromQuery[str] = "households",
        lang: FromQuery[str] = "zh",
        encoding: FromQuery[str] = "utf-8-sig",
    ) -> Response[bytes]:
        """One view (households, works or sources) as CSV: UTF-8 with a BOM (``encoding=utf-8``
        for none), CRLF, Chinese headers (``lang=en`` for English), a totals row and
        reconciliation rows; line 1 is the title, line 2 the headers."""
        if view not in VIEW_NAMES:
            raise BadRequest(
                "view",
                "must be households, works or sources",
                "not_allowed",
                {"allowed": list(VIEW_NAMES)},
            )
        if encoding.lower() not in _ENCODINGS:
            raise BadRequest(
                "encoding",
                'must be "utf-8-sig" (with BOM, the default) or "utf-8"',
                "not_allowed",
                {"allowed": ["utf-8-sig", "utf-8"]},
            )
        chosen: View = view  # type: ignore[assignment]
        bom = _ENCODINGS[encoding.lower()]
        file = await service.csv_file(db, plan_id, principal, chosen, _lang(lang), bom)
        return Response(file.content, media_type="text/csv", headers=_headers(file))

    @get("/api/funding-plans/{plan_id:int}/export.xlsx", media_type=XLSX_TYPE)
    async def export_xlsx(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[str] = "zh",
    ) -> Stream:
        """The workbook: Summary (with chart), Households, Works, Sources; totals are SUM
        formulas carrying their values; drafts are watermarked; an approved plan's
        workbook is the same bytes on every download."""
        file = await service.xlsx_file(db, plan_id, principal, _lang(lang))
        headers = _headers(file)
        headers["content-length"] = str(file.size)
        return Stream(_chunks(file.content), media_type=XLSX_TYPE, headers=headers)

    @get("/api/funding-plans/{plan_id:int}/notices/{household_id:int}", media_type=MediaType.HTML)
    async def notice(
        self,
        plan_id: FromPath[int],
        household_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[str]:
        """One household's printable payment notice, in Chinese (``lang=zh``, the default)
        or English (``lang=en``). Owners get only their own units' (404 for any other
        household, as if it did not exist)."""
        file = await service.household_notice(db, plan_id, household_id, principal, lang)
        return Response(file.content, media_type=MediaType.HTML, headers=_headers(file, True))

    @get("/api/funding-plans/{plan_id:int}/notices", media_type=MediaType.HTML)
    async def building_notices(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        building_id: FromQuery[int | None] = None,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[str]:
        """Every notice of one building (``building_id``), one page each, for printing, in
        Chinese (``lang=zh``, the default) or English (``lang=en``)."""
        if principal.role == "owner":
            raise Forbidden("owners may print only their own notice", "not_your_notice")
        if building_id is None:
            raise BadRequest(
                "building_id", "required: the building whose notices to print", "required"
            )
        file = await service.building_notices(db, plan_id, building_id, principal, lang)
        return Response(file.content, media_type=MediaType.HTML, headers=_headers(file, True))


async def _chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(_CHUNK):
            yield chunk
    finally:
        spool.close()


route_handlers: list[Any] = [PlanExportController]
