"""The plan as an XLSX workbook for treasurers (Excel, WPS, phone previewers).

Sheets: 汇总 Summary (plan facts, band check, sources vs residents per work and a native
stacked chart of the split), 住户 Households, 工程 Works, 资金来源 Sources. Amounts are
real numbers in yuan with a ¥ number format; every total is a ``SUM`` formula written
with its computed value (xlsxwriter never evaluates formulas, and previewers show the
cached value), so the workbook reads right before any recalculation.

Layout of each data sheet: row 1 the title (a draft's is a red "草稿 DRAFT" banner; drafts
also carry it in the printed page header and a red tab), row 2 the frozen, filterable
headers, then the items, a totals row and reconciliation rows.

Rows are written in order with xlsxwriter's ``constant_memory`` mode into the given file,
so a 20,000-household plan never sits in memory as a cell table. An approved plan's
workbook is the same byte for byte on every download: the document's dates come from the
approval time and nothing random goes in. The Summary sheet is written by ``xlsx_summary``;
the formats and the cell writers both use are in ``xlsx_cells``.
"""

from __future__ import annotations

from datetime import UTC
from typing import IO, Any

from planner.funding.exports.csv_export import labels
from planner.funding.exports.model import (
    PAYMENT_TEXT,
    REASON_TEXT,
    SOURCE_KIND_TEXT,
    ExportPlan,
    Lang,
    title_line,
)
from planner.funding.exports.xlsx_cells import (
    Formats,
    a1,
    ratio,
    write_check,
    write_headers,
    write_sum,
    write_sum_across,
    write_text,
    write_title,
    yuan,
)
from planner.funding.exports.xlsx_summary import summary_sheet
from planner.payments.rules import payment_status

SHEETS = {
    "zh": ("汇总", "住户", "工程", "资金来源"),
    "en": ("Summary", "Households", "Works", "Sources"),
}


def write_xlsx(plan: ExportPlan, target: str | IO[bytes], lang: Lang = "zh") -> None:
    """Write the workbook of ``plan`` into ``target`` (a path or a binary file object)."""
    import xlsxwriter  # here, not at module level: a tenth of a second of start-up

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    stamp = plan.stamp.astimezone(UTC).replace(tzinfo=None)
    book.set_properties(
        {
            "title": title_line(plan, lang),
            "subject": f"plan {plan.plan_id} v{plan.version} {plan.status}",
            "author": "planner",
            "company": plan.estate_name,
            "keywords": plan.mark or "approved",
            "created": stamp,
        }
    )
    fmt = Formats(book, plan.is_draft)
    names = SHEETS[lang]
    summary = book.add_worksheet(names[0])
    households = book.add_worksheet(names[1])
    works = book.add_worksheet(names[2])
    sources = book.add_worksheet(names[3])
    for sheet in (summary, households, works, sources):
        if plan.is_draft:
            sheet.set_tab_color("#C00000")
            sheet.set_header(f'&C&14&"-,Bold"{plan.mark}')
        sheet.set_footer("&L" + title_line(plan, lang).replace("&", "&&") + "&R&P / &N")
        sheet.set_landscape()
        sheet.set_paper(9)
    household_totals = _households_sheet(plan, households, fmt, lang)
    _works_sheet(plan, works, fmt, lang)
    _sources_sheet(plan, sources, fmt, lang)
    summary_sheet(plan, book, summary, fmt, lang, names[1], household_totals)
    summary.activate()
    book.close()


def _households_sheet(plan: ExportPlan, sheet: Any, fmt: Formats, lang: Lang) -> dict[str, str]:
    """Returns the cell of the households' grand total (for the summary's reconciliation)."""
    t = labels(lang)
    result = plan.result
    work_ids = [w.work_id for w in result.works]
    first_work = 6
    total_col = first_work + len(work_ids)
    headers = [t["household_id"], t["building"], t["unit"], t["floor"], t["owner"], t["area"]]
    headers += [plan.work_title(w) + t["yuan"] for w in work_ids]
    headers += [t["total"], t["proportional"], t["cap"], t["paid"], t["payment"], t["reason"]]
    widths = [10.0, 10.0, 10.0, 6.0, 14.0, 10.0] + [14.0] * len(work_ids)
    widths += [14.0, 14.0, 12.0, 14.0, 10.0, 14.0]
    statuses = PAYMENT_TEXT[lang]
    paid_total = 0
    write_title(sheet, plan, fmt, lang)
    write_headers(sheet, 1, headers, fmt, widths)
    reasons = REASON_TEXT[lang]
    row = 2
    column_totals = dict.fromkeys(work_ids, 0)
    total = proportional = area_hundredths = 0
    work_col = {w: first_work + i for i, w in enumerate(work_ids)}
    for household in result.households:
        label = plan.household_label(household)
        sheet.write_number(row, 0, household.household_id)
        write_text(sheet, row, 1, label.building, fmt)
        write_text(sheet, row, 2, label.unit, fmt)
        sheet.write_number(row, 3, label.floor)
        write_text(sheet, row, 4, label.owner_name, fmt)
        sheet.write_number(row, 5, float(label.area_m2), fmt.area)
        area_hundredths += int(label.area_m2 * 100)
        for amount in household.works:
            col = work_col[amount.work_id]
            sheet.write_number(row, col, yuan(amount.amount_fen), fmt.money)
            column_totals[amount.work_id] += amount.amount_fen
        # a plain number: 20,000 row formulas would double the time; the totals row sums
        sheet.write_number(row, total_col, yuan(household.amount_fen), fmt.money)
        sheet.write_number(row, total_col + 1, yuan(household.proportional_fen), fmt.money)
        if label.cap_fen is not None:
            sheet.write_number(row, total_col + 2, yuan(label.cap_fen), fmt.money)
        paid = plan.payments.get(household.household_id, 0)
        paid_total += paid
        sheet.write_number(row, total_col + 3, yuan(paid), fmt.money)
        status = payment_status(household.amount_fen, paid)
        sheet.write_string(row, total_col + 4, statuses[status])
        sheet.write_string(row, total_col + 5, reasons.get(household.reason, household.reason))
        total += household.amount_fen
        proportional += household.proportional_fen
        row += 1
    last_item = row - 1
    sheet.autofilter(1, 0, max(last_item, 1), total_col + 5)
    sheet.freeze_panes(2, 0)
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    write_sum(sheet, row, 5, 2, last_item, area_hundredths / 100, fmt.area_total)
    for i, work_id in enumerate(work_ids):
        write_sum(
            sheet, row, first_work + i, 2, last_item, yuan(column_totals[work_id]), fmt.money_total
        )
    write_sum(sheet, row, total_col, 2, last_item, yuan(total), fmt.money_total)
    write_sum(sheet, row, total_col + 1, 2, last_item, yuan(proportional), fmt.money_total)
    write_sum(sheet, row, total_col + 3, 2, last_item, yuan(paid_total), fmt.money_total)
    total_cell = a1(row, total_col, row_abs=True, col_abs=True)
    row += 1
    sheet.write_string(row, 0, t["check"], fmt.bold)
    sheet.write_string(row, 1, t["households_sum"])
    sheet.write_formula(row, 2, f"={total_cell}", fmt.money, yuan(total))
    sheet.write_string(row, 3, t["residents_sum"])
    sheet.write_number(row, 4, yuan(result.residents_total_fen), fmt.money)
    a, b = a1(row, 2), a1(row, 4)
    write_check(sheet, row, a, b, total == result.residents_total_fen, fmt, lang)
    return {"total": total_cell, "value": str(total)}


def _works_sheet(plan: ExportPlan, sheet: Any, fmt: Formats, lang: Lang) -> None:
    t = labels(lang)
    result = plan.result
    source_ids = [s.source_id for s in result.sources]
    first_source = 3
    public_col = first_source + len(source_ids)
    headers = [t["work_id"], t["work"], t["cost"]]
    headers += [plan.source_name(s) + t["yuan"] for s in source_ids]
    headers += [t["public"], t["residents"], t["residents_share"]]
    widths = [10.0, 24.0, 16.0] + [16.0] * len(source_ids) + [16.0, 16.0, 10.0]
    write_title(sheet, plan, fmt, lang)
    write_headers(sheet, 1, headers, fmt, widths)
    row = 2
    cost = public = residents = 0
    per_source = dict.fromkeys(source_ids, 0)
    for work in result.works:
        amounts = {s.source_id: s.amount_fen for s in work.sources}
        sheet.write_number(row, 0, work.work_id)
        write_text(sheet, row, 1, plan.work_title(work.work_id), fmt)
        sheet.write_number(row, 2, yuan(work.cost_fen), fmt.money)
        for i, source_id in enumerate(source_ids):
            amount = amounts.get(source_id, 0)
            per_source[source_id] += amount
            sheet.write_number(row, first_source + i, yuan(amount), fmt.money)
        work_public = sum(amounts.values())
        write_sum_across(
            sheet, row, public_col, first_source, public_col - 1, yuan(work_public), fmt.money
        )
        sheet.write_number(row, public_col + 1, yuan(work.residents_fen), fmt.money)
        cost_cell = a1(row, 2)
        residents_cell = a1(row, public_col + 1)
        sheet.write_formula(
            row,
            public_col + 2,
            f"=IF({cost_cell}=0,0,{residents_cell}/{cost_cell})",
            fmt.pct,
            ratio(work.residents_fen, work.cost_fen),
        )
        cost += work.cost_fen
        public += work_public
        residents += work.residents_fen
        row += 1
    last_item = row - 1
    sheet.autofilter(1, 0, max(last_item, 1), public_col + 2)
    sheet.freeze_panes(2, 0)
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    write_sum(sheet, row, 2, 2, last_item, yuan(cost), fmt.money_total)
    for i, source_id in enumerate(source_ids):
        write_sum(
            sheet,
            row,
            first_source + i,
            2,
            last_item,
            yuan(per_source[source_id]),
            fmt.money_total,
        )
    write_sum(sheet, row, public_col, 2, last_item, yuan(public), fmt.money_total)
    write_sum(sheet, row, public_col + 1, 2, last_item, yuan(residents), fmt.money_total)
    cost_cell = a1(row, 2)
    residents_cell = a1(row, public_col + 1)
    sheet.write_formula(
        row,
        public_col + 2,
        f"=IF({cost_cell}=0,0,{residents_cell}/{cost_cell})",
        fmt.pct_total,
        ratio(result.residents_total_fen, result.total_cost_fen),
    )
    totals_row = row
    row += 1
    sheet.write_string(row, 0, t["check"], fmt.bold)
    sheet.write_string(row, 1, t["cost_sum"])
    sheet.write_formula(row, 2, f"={a1(totals_row, 2)}", fmt.money, yuan(cost))
    sheet.write_string(row, 3, t["funded_sum"])
    public_cell = a1(totals_row, public_col)
    sheet.write_formula(
        row, 4, f"={public_cell}+{residents_cell}", fmt.money, yuan(public + residents)
    )
    write_check(
        sheet,
        row,
        a1(row, 2),
        a1(row, 4),
        cost == public + residents,
        fmt,
        lang,
        col=5,
    )


def _sources_sheet(plan: ExportPlan, sheet: Any, fmt: Formats, lang: Lang) -> None:
    t = labels(lang)
    result = plan.result
    work_ids = [w.work_id for w in result.works]
    kinds = SOURCE_KIND_TEXT[lang]
    first_work = 6
    headers = [t["source_id"], t["source"], t["kind"], t["budget"], t["used"], t["remaining"]]
    headers += [plan.work_title(w) + t["yuan"] for w in work_ids]
    widths = [10.0, 22.0, 14.0, 16.0, 16.0, 16.0] + [16.0] * len(work_ids)
    write_title(sheet, plan, fmt, lang)
    write_headers(sheet, 1, headers, fmt, widths)
    by_work: dict[tuple[int, int], int] = {}
    for work in result.works:
        for part in work.sources:
            by_work[(part.source_id, work.work_id)] = part.amount_fen
    row = 2
    budget = used = 0
    per_work = dict.fromkeys(work_ids, 0)
    for source in result.sources:
        kind = plan.source_kind(source.source_id)
        sheet.write_number(row, 0, source.source_id)
        write_text(sheet, row, 1, plan.source_name(source.source_id), fmt)
        sheet.write_string(row, 2, kinds.get(kind, kind))
        sheet.write_number(row, 3, yuan(source.budget_fen), fmt.money)
        source_used = 0
        for work_id in work_ids:
            amount = by_work.get((source.source_id, work_id), 0)
            source_used += amount
            per_work[work_id] += amount
        write_sum_across(
            sheet, row, 4, first_work, first_work + len(work_ids) - 1, yuan(source_used), fmt.money
        )
        budget_cell, used_cell = a1(row, 3), a1(row, 4)
        sheet.write_formula(
            row,
            5,
            f"={budget_cell}-{used_cell}",
            fmt.money,
            yuan(source.budget_fen - source_used),
        )
        for i, work_id in enumerate(work_ids):
            amount = by_work.get((source.source_id, work_id), 0)
            sheet.write_number(row, first_work + i, yuan(amount), fmt.money)
        budget += source.budget_fen
        used += source_used
        row += 1
    last_item = row - 1
    sheet.autofilter(1, 0, max(last_item, 1), max(5, first_work + len(work_ids) - 1))
    sheet.freeze_panes(2, 0)
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    write_sum(sheet, row, 3, 2, last_item, yuan(budget), fmt.money_total)
    write_sum(sheet, row, 4, 2, last_item, yuan(used), fmt.money_total)
    write_sum(sheet, row, 5, 2, last_item, yuan(budget - used), fmt.money_total)
    for i, work_id in enumerate(work_ids):
        write_sum(
            sheet, row, first_work + i, 2, last_item, yuan(per_work[work_id]), fmt.money_total
        )
