"""The exports' reads: a solved plan with its labels and payments, rendered by the pure
writers (off the event loop when the file is large).

Treasurer, committee and admin may have every export and notice (a superseded plan's are
marked void); owners only the notice of a household they own (any other household: 404, as
if it did not exist), and only of the plan in force (before any approval, a draft's): a
superseded plan's notice is 404 to an owner.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO

import asyncpg
import msgspec

from planner.access.guards import TREASURY
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import NotFound
from planner.estates.store import estate_name, estate_time_zone
from planner.funding.exports import store
from planner.funding.exports.csv_export import write_csv
from planner.funding.exports.model import (
    VIEW_NAMES,
    ExportFile,
    ExportPlan,
    Lang,
    View,
    export_plan,
    file_names,
)
from planner.funding.exports.notices import render_notices
from planner.funding.exports.xlsx_export import write_xlsx
from planner.funding.model import PlanRecord
from planner.funding.rules import owner_may_see_notice
from planner.funding.service import solved_plan
from planner.funding.store import plan_in_force
from planner.payments.store import paid_by_household, payment_instructions

EXPORT = TREASURY  # admin, committee, treasurer
NOTICE = (*TREASURY, "owner")


async def _export_plan(
    conn: asyncpg.Connection, record: PlanRecord, household_ids: list[int] | None = None
) -> ExportPlan:
    estate = await estate_name(conn, record.estate_id)
    labels = await store.household_labels(conn, record.id, household_ids)
    paid = await paid_by_household(conn, record.id, household_ids)
    zone = await estate_time_zone(conn, record.estate_id)
    plan = export_plan(record, estate or f"#{record.estate_id}", labels, paid, zone)
    instructions = await payment_instructions(conn, record.id)
    return msgspec.structs.replace(plan, instructions=instructions) if instructions else plan


async def _plan(db: Database, plan_id: int, principal: Principal) -> ExportPlan:
    async with db.connection() as conn:
        record = await solved_plan(conn, plan_id, principal, EXPORT)
        return await _export_plan(conn, record)


async def csv_file(
    db: Database, plan_id: int, principal: Principal, view: View, lang: Lang, bom: bool
) -> ExportFile[bytes]:
    """One view (households, works or sources) as CSV."""
    plan = await _plan(db, plan_id, principal)
    content = await asyncio.to_thread(write_csv, plan, view, lang, bom)
    utf8, ascii_name = file_names(plan, *VIEW_NAMES[view], "csv")
    return ExportFile(content, utf8, ascii_name, plan.is_draft)


async def xlsx_file(
    db: Database, plan_id: int, principal: Principal, lang: Lang
) -> ExportFile[IO[bytes]]:
    """The workbook, spooled to a temporary file the caller streams and closes."""
    plan = await _plan(db, plan_id, principal)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        await asyncio.to_thread(write_xlsx, plan, spool, lang)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    utf8, ascii_name = file_names(plan, "资金方案", "funding-plan", "xlsx")
    return ExportFile(spool, utf8, ascii_name, plan.is_draft, size)


async def household_notice(
    db: Database, plan_id: int, household_id: int, principal: Principal, lang: Lang = "zh"
) -> ExportFile[str]:
    """One household's printable payment notice in ``lang``; owners get only their own
    units'."""
    async with db.connection() as conn:
        record = await solved_plan(conn, plan_id, principal, NOTICE)
        if principal.role == "owner":
            in_force = await plan_in_force(conn, record.estate_id)
            if not owner_may_see_notice(record.status, in_force is not None):
                raise NotFound("funding plan")
            if household_id not in principal.household_ids:
                raise NotFound("household")
        assert record.result is not None
        found = [h for h in record.result.households if h.household_id == household_id]
        if not found:
            raise NotFound("household")
        plan = await _export_plan(conn, record, [household_id])
    label = plan.household_label(found[0])
    html = render_notices(plan, found, lang)
    utf8, ascii_name = file_names(
        plan, f"缴费通知单-{label.building}{label.unit}", f"notice-{household_id}", "html"
    )
    return ExportFile(html, utf8, ascii_name, plan.is_draft)


async def building_notices(
    db: Database, plan_id: int, building_id: int, principal: Principal, lang: Lang = "zh"
) -> ExportFile[str]:
    """Every notice of one building of the plan's estate, one page each, in ``lang``."""
    async with db.connection() as conn:
        record = await solved_plan(conn, plan_id, principal, EXPORT)
        ids = await store.building_household_ids(conn, record.estate_id, building_id)
        if ids is None:
            raise NotFound("building")
        plan = await _export_plan(conn, record, ids)
    wanted = set(ids)
    assert record.result is not None
    households = [h for h in record.result.households if h.household_id in wanted]
    html = await asyncio.to_thread(render_notices, plan, households, lang)
    name = plan.households[ids[0]].building if ids and ids[0] in plan.households else ""
    utf8, ascii_name = file_names(
        plan, f"缴费通知单-{name or building_id}", f"notices-building-{building_id}", "html"
    )
    return ExportFile(html, utf8, ascii_name, plan.is_draft)
