"""The collection ledger over HTTP: record and reverse entries, read the ledger, balances,
arrears (JSON, CSV for SMS tools, a printable page) and receipts (收据).

The treasurer or admin records; staff (admin, committee, treasurer) read everything of
their estate; an owner reads only her own households' lines and receipts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest
from planner.payments import bank_service, ledger_exports, receipts
from planner.payments import ledger_service as service
from planner.payments.bank_model import AssignLine, BankLineOut, StatementOut
from planner.payments.ledger_model import (
    ArrearsOut,
    BalancesOut,
    EntryCreated,
    LedgerPage,
    RecordEntry,
    ReverseEntry,
)

MAX_STATEMENT_BYTES = 8 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise BadRequest("lang", 'must be "zh" or "en"', "not_allowed", {"allowed": ["zh", "en"]})
    return lang


def _limit(limit: int) -> int:
    if not 1 <= limit <= service.BALANCES_MAX:
        raise BadRequest(
            "limit",
            f"must be between 1 and {service.BALANCES_MAX}",
            "out_of_range",
            {"min": 1, "max": service.BALANCES_MAX},
        )
    return limit


class LedgerController(Controller):
    tags = ("collection ledger",)

    @post("/api/funding-plans/{plan_id:int}/ledger")
    async def record_entry(
        self,
        plan_id: FromPath[int],
        data: JSONBody[RecordEntry],
        principal: PrincipalDep,
        db: DbDep,
    ) -> EntryCreated:
        """A sum received from a household of the plan in force (treasurer, admin): 201
        ``{entry_id}``. 409 ``plan_not_approved`` (draft, superseded), ``receipt_no_taken``;
        400 ``date_in_future``; 404 when the household is not in the plan."""
        return await service.record_entry(db, plan_id, data, principal)

    @get("/api/funding-plans/{plan_id:int}/ledger")
    async def ledger(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        household_id: FromQuery[int | None] = None,
        after: FromQuery[int] = 0,
        limit: FromQuery[int] = 200,
        before: FromQuery[int | None] = None,
    ) -> LedgerPage:
        """The plan's entries (and its earlier versions') in id order after ``after``, at most
        ``limit`` (≤ 1000); ``next_after`` pages on. ``before``: the newest below that id,
        newest first (``before=9223372036854775807`` for the latest), ``next_before`` pages
        back. Owners: their own households only."""
        return await service.ledger_page(db, plan_id, principal, household_id, after, limit, before)

    @post("/api/ledger/{entry_id:int}/reverse")
    async def reverse(
        self,
        entry_id: FromPath[int],
        data: JSONBody[ReverseEntry],
        principal: PrincipalDep,
        db: DbDep,
    ) -> EntryCreated:
        """A reversing entry with a reason (treasurer, admin): 201 ``{entry_id}``; 409
        ``entry_already_reversed`` / ``reversal_not_reversible``."""
        return await service.reverse_entry(db, entry_id, data, principal)

    @get("/api/funding-plans/{plan_id:int}/balances")
    async def balances(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        by: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
        after: FromQuery[int] = 0,
        limit: FromQuery[int] = service.BALANCES_DEFAULT,
    ) -> BalancesOut:
        """Due, paid, balance (and due by today under an instalment schedule) per household;
        an owner gets her own rows. Paged in household id order: at most ``limit`` rows
        (default 500, ≤ 5,000) after the household id ``after``; ``next_after`` pages on
        (null: the end); ``totals`` always of the whole plan (or the building).
        ``by=building``: totals per building too (staff); ``building_id``: one building's."""
        if by not in (None, "building"):
            raise BadRequest("by", 'must be "building"', "not_allowed", {"allowed": ["building"]})
        return await service.balances(db, plan_id, principal, by, building_id, after, _limit(limit))

    @get("/api/funding-plans/{plan_id:int}/arrears")
    async def arrears(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        building_id: FromQuery[int | None] = None,
        after: FromQuery[int | None] = None,
        limit: FromQuery[int] = service.BALANCES_DEFAULT,
    ) -> ArrearsOut:
        """Households still owing, by building and unit (staff); paged: at most ``limit``
        (default 500, ≤ 5,000) after the household ``after`` in that order, ``next_after``
        pages on (null: the end); ``total_fen`` of all of them (or the building's).
        arrears.csv and arrears.html stay complete."""
        return await service.arrears_of(db, plan_id, principal, building_id, after, _limit(limit))

    @get("/api/funding-plans/{plan_id:int}/arrears.csv", media_type="text/csv")
    async def arrears_csv(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        building_id: FromQuery[int | None] = None,
        lang: FromQuery[str] = "zh",
    ) -> Response[bytes]:
        """Arrears as CSV for SMS tools: building, unit, owner, balance in yuan and in fen
        (UTF-8 with BOM; no phone numbers: the service keeps none)."""
        found = await service.arrears_of(db, plan_id, principal, building_id)
        content = receipts.arrears_csv(found, _lang(lang))
        return Response(
            content,
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="arrears-{plan_id}.csv"'},
        )

    @get("/api/funding-plans/{plan_id:int}/ledger.csv", media_type="text/csv")
    async def ledger_csv(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[str] = "zh",
    ) -> Response[bytes]:
        """Every entry of the plan (and its earlier versions) as CSV with a totals row (staff)."""
        entries, _ = await service.export_entries(db, plan_id, principal)
        return Response(
            ledger_exports.ledger_csv(entries, _lang(lang)),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="ledger-{plan_id}.csv"'},
        )

    @get("/api/funding-plans/{plan_id:int}/ledger.xlsx", media_type=XLSX_TYPE)
    async def ledger_xlsx(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[str] = "zh",
    ) -> Response[bytes]:
        """The same as XLSX, the totals ``=SUM`` formulas carrying their values (staff)."""
        entries, title = await service.export_entries(db, plan_id, principal)
        content = await asyncio.to_thread(ledger_exports.ledger_xlsx, entries, _lang(lang), title)
        return Response(
            content,
            media_type=XLSX_TYPE,
            headers={"content-disposition": f'attachment; filename="ledger-{plan_id}.xlsx"'},
        )

    @get("/api/funding-plans/{plan_id:int}/arrears.html", media_type=MediaType.HTML)
    async def arrears_html(
        self,
        plan_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        building_id: FromQuery[int | None] = None,
        lang: FromQuery[str] = "zh",
    ) -> Response[str]:
        """A printable arrears list (A4), one section per building (staff)."""
        page = await receipts.arrears_page(db, plan_id, principal, building_id, _lang(lang))
        return Response(page, media_type=MediaType.HTML)

    @get("/api/ledger/{entry_id:int}/receipt.html", media_type=MediaType.HTML)
    async def receipt(
        self,
        entry_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[str] = "zh",
    ) -> Response[str]:
        """A printable receipt (收据) with the amount in 人民币大写; an owner prints her own,
        staff any of their estate's."""
        page = await receipts.receipt_page(db, entry_id, principal, _lang(lang))
        return Response(page, media_type=MediaType.HTML)


class BankStatementController(Controller):
    tags = ("collection ledger",)

    @post(
        "/api/funding-plans/{plan_id:int}/bank-statements",
        request_max_body_size=MAX_STATEMENT_BYTES,
    )
    async def import_statement(
        self,
        plan_id: FromPath[int],
        request: Request,  # type: ignore[type-arg]
        principal: PrincipalDep,
        db: DbDep,
    ) -> StatementOut:
        """A bank statement (raw ``text/csv`` body; columns and the matching rule in
        planner/payments/bank_rules.py): matched lines are posted to the ledger, the others
        listed. One bad line rejects the file (400 ``bank_csv_invalid``, every line's fault);
        a transaction id already in the ledger is never posted twice (``duplicate``)."""
        raw = await request.body()
        return await bank_service.import_statement(db, plan_id, raw, principal)

    @get("/api/funding-plans/{plan_id:int}/bank-statements/{statement_id:int}")
    async def statement(
        self,
        plan_id: FromPath[int],
        statement_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
    ) -> StatementOut:
        """An imported statement's lines with their status (staff)."""
        return await bank_service.statement(db, plan_id, statement_id, principal)

    @post("/api/funding-plans/{plan_id:int}/bank-lines/{line_id:int}/assign")
    async def assign(
        self,
        plan_id: FromPath[int],
        line_id: FromPath[int],
        data: JSONBody[AssignLine],
        principal: PrincipalDep,
        db: DbDep,
    ) -> BankLineOut:
        """Post an unmatched or ambiguous line as a household's payment (treasurer, admin);
        409 ``bank_line_not_open`` otherwise."""
        return await bank_service.assign_line(db, plan_id, line_id, data, principal)


route_handlers: list[Any] = [LedgerController, BankStatementController]
