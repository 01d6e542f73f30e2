"""Exports of a funding plan over HTTP: CSV, XLSX and payment notices.

Who may do what (consistent with the funding routes, where treasurer, committee and
admin manage plans):
- treasurer, committee, admin: every export and every notice;
- owners: only the notice of a household they own (any other household: 404); no
  CSV, XLSX or building batch (403);
- suppliers and observers: 403.
Payments against an approved plan are recorded by the treasurer or admin and listed for
treasurer, committee and admin; the households export and the notices show them.
A failed plan version has nothing to export (409). Every response names its file in
``Content-Disposition`` (ASCII fallback plus the UTF-8 name, RFC 6266/5987).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import IO, Any

from litestar import Controller, MediaType, get, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response, Stream

from planner.access.guards import TREASURY, authorize
from planner.access.model import Principal
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.events import append_event
from planner.funding.exports import store
from planner.funding.exports.csv_export import write_csv
from planner.funding.exports.model import (
    ExportPlan,
    Lang,
    PaymentOut,
    RecordPayment,
    View,
    content_disposition,
    file_names,
    payment_status,
)
from planner.funding.exports.notices import render_notices
from planner.funding.exports.xlsx_export import write_xlsx
from planner.funding.store import PlanRecord

EXPORT = TREASURY  # admin, committee, treasurer
NOTICE = (*TREASURY, "owner")
PAY = ("admin", "treasurer")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_VIEWS: dict[str, tuple[str, str]] = {
    "households": ("住户", "households"),
    "works": ("工程", "works"),
    "sources": ("资金来源", "sources"),
}
_ENCODINGS = {"utf-8-sig": True, "utf-8-bom": True, "bom": True, "utf-8": False, "utf8": False}
_CHUNK = 256 * 1024


def _lang(value: str) -> Lang:
    if value in ("zh", "zh-CN", "zh-Hans"):
        return "zh"
    if value in ("en", "en-US", "en-GB"):
        return "en"
    raise BadRequest("lang", 'must be "zh" or "en"')


async def _record(
    db: DbDep, plan_id: int, principal: Principal, roles: tuple[str, ...]
) -> PlanRecord:
    async with db.connection() as conn:
        record = await store.plan_record(conn, plan_id)
    if record is None:
        raise NotFound("funding plan")
    authorize(principal, record.estate_id, roles)
    if record.result is None:
        raise Conflict(f"plan version {record.version} failed; it has nothing to export")
    return record


async def _export_plan(
    db: DbDep, record: PlanRecord, household_ids: list[int] | None = None
) -> ExportPlan:
    async with db.connection() as conn:
        estate = await store.estate_name(conn, record.estate_id)
        labels = await store.household_labels(conn, record.id, household_ids)
        paid = await store.payments(conn, record.id, household_ids)
    return store.export_plan(record, estate, labels, paid)


def _headers(disposition: str, approved: bool) -> dict[str, str]:
    return {
        "content-disposition": disposition,
        # an approved plan never changes; a draft may be superseded but not altered either
        "cache-control": "private, max-age=0, must-revalidate" if approved else "private, no-store",
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
        if view not in _VIEWS:
            raise BadRequest("view", "must be households, works or sources")
        if encoding.lower() not in _ENCODINGS:
            raise BadRequest("encoding", 'must be "utf-8-sig" (with BOM, the default) or "utf-8"')
        language = _lang(lang)
        record = await _record(db, plan_id, principal, EXPORT)
        plan = await _export_plan(db, record)
        chosen: View = view  # type: ignore[assignment]
        body = await asyncio.to_thread(
            write_csv, plan, chosen, language, _ENCODINGS[encoding.lower()]
        )
        utf8, ascii_name = file_names(plan, _VIEWS[view][0], _VIEWS[view][1], "csv")
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers=_headers(content_disposition(utf8, ascii_name), not plan.is_draft),
        )

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
        language = _lang(lang)
        record = await _record(db, plan_id, principal, EXPORT)
        plan = await _export_plan(db, record)
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the stream below
        try:
            await asyncio.to_thread(write_xlsx, plan, spool, language)
            size = spool.tell()
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        utf8, ascii_name = file_names(plan, "资金方案", "funding-plan", "xlsx")
        headers = _headers(content_disposition(utf8, ascii_name), not plan.is_draft)
        headers["content-length"] = str(size)
        return Stream(_chunks(spool), media_type=XLSX_TYPE, headers=headers)

    @get("/api/funding-plans/{plan_id:int}/notices/{household_id:int}", media_type=MediaType.HTML)
    async def notice(
        self,
        plan_id: FromPath[int],
        household_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
    ) -> Response[str]:
        """One household's printable payment notice. Owners get only their own units'
        (404 for any other household, as if it did not exist)."""
        record = await _record(db, plan_id, principal, NOTICE)
        if principal.role == "owner" and household_id not in principal.household_ids:
            raise NotFound("household")
        assert record.result is not None
        found = [h for h in record.result.households if h.household_id == household_id]
        if not found:
            raise NotFound("household")
        plan = await _export_plan(db, record, [household_id])
        label = plan.household_label(found[0])
        html = render_notices(plan, found)
        utf8, ascii_name = file_names(
            plan, f"缴费通知单-{label.building}{label.unit}", f"notice-{household_id}", "html"
        )
        return Response(
            html,
            media_type=MediaType.HTML,
            headers=_headers(content_disposition(utf8, ascii_name, inline=True), not plan.is_draft),
        )

    @get("/api/funding-plans/{plan_id:int}/notices", media_type=MediaType.HTML)
    async def building_notices(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        building_id: FromQuery[int | None] = None,
    ) -> Response[str]:
        """Every notice of one building (``building_id``), one page each, for printing."""
        if principal.role == "owner":
            raise Forbidden("owners may print only their own notice")
        if building_id is None:
            raise BadRequest("building_id", "required: the building whose notices to print")
        record = await _record(db, plan_id, principal, EXPORT)
        async with db.connection() as conn:
            ids = await store.building_household_ids(conn, record.estate_id, building_id)
        if ids is None:
            raise NotFound("building")
        wanted = set(ids)
        assert record.result is not None
        households = [h for h in record.result.households if h.household_id in wanted]
        plan = await _export_plan(db, record, ids)
        html = await asyncio.to_thread(render_notices, plan, households)
        name = plan.households[ids[0]].building if ids and ids[0] in plan.households else ""
        utf8, ascii_name = file_names(
            plan, f"缴费通知单-{name or building_id}", f"notices-building-{building_id}", "html"
        )
        return Response(
            html,
            media_type=MediaType.HTML,
            headers=_headers(content_disposition(utf8, ascii_name, inline=True), not plan.is_draft),
        )


class PaymentController(Controller):
    tags = ("funding exports",)

    @put("/api/funding-plans/{plan_id:int}/payments/{household_id:int}")
    async def record_payment(
        self,
        plan_id: FromPath[int],
        household_id: FromPath[int],
        data: JSONBody[RecordPayment],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PaymentOut:
        """Set what a household has paid so far against an approved plan (treasurer, admin).

        409 for a draft or failed plan; 404 when the household is not in the plan. Each
        change is a ``payment.recorded`` event for staff.
        """
        record = await _record(db, plan_id, principal, PAY)
        if record.status != "approved":
            raise Conflict("payments are recorded against an approved plan only")
        assert record.result is not None
        amount = next(
            (h.amount_fen for h in record.result.households if h.household_id == household_id),
            None,
        )
        if amount is None:
            raise NotFound("household")
        async with db.transaction() as conn:
            saved = await store.record_payment(
                conn, plan_id, household_id, data.paid_fen, data.reference, principal.member_id
            )
            status = payment_status(amount, saved.paid_fen)
            await append_event(
                conn,
                estate_id=record.estate_id,
                type="payment.recorded",
                data={
                    "plan_id": plan_id,
                    "household_id": household_id,
                    "amount_fen": amount,
                    "paid_fen": saved.paid_fen,
                    "status": status,
                },
                actor_id=principal.member_id,
                audience="staff",
            )
        return PaymentOut(
            plan_id=plan_id,
            household_id=household_id,
            amount_fen=amount,
            paid_fen=saved.paid_fen,
            status=status,
            reference=saved.reference,
            recorded_by=saved.recorded_by,
            recorded_at=saved.recorded_at,
        )

    @get("/api/funding-plans/{plan_id:int}/payments")
    async def list_payments(
        self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[PaymentOut]:
        """Every household of the plan with its amount, what it has paid and its status."""
        record = await _record(db, plan_id, principal, EXPORT)
        assert record.result is not None
        async with db.connection() as conn:
            records = {p.household_id: p for p in await store.payment_records(conn, plan_id)}
        out: list[PaymentOut] = []
        for household in record.result.households:
            found = records.get(household.household_id)
            paid = found.paid_fen if found else 0
            out.append(
                PaymentOut(
                    plan_id=plan_id,
                    household_id=household.household_id,
                    amount_fen=household.amount_fen,
                    paid_fen=paid,
                    status=payment_status(household.amount_fen, paid),
                    reference=found.reference if found else "",
                    recorded_by=found.recorded_by if found else None,
                    recorded_at=found.recorded_at if found else None,
                )
            )
        return out


async def _chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(_CHUNK):
            yield chunk
    finally:
        spool.close()


route_handlers: list[Any] = [PlanExportController, PaymentController]
