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
approval time and nothing random goes in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import IO, Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from planner.funding.exports.csv_export import labels
from planner.funding.exports.model import (
    DRAFT_LINE,
    DRAFT_MARK,
    PAYMENT_TEXT,
    REASON_TEXT,
    SOURCE_KIND_TEXT,
    STATUS_TEXT,
    ExportPlan,
    Lang,
    band_text,
    in_band,
    is_risky,
    title_line,
)
from planner.payments.rules import payment_status

MONEY_FORMAT = "[$¥-804]#,##0.00"
SHEETS = {
    "zh": ("汇总", "住户", "工程", "资金来源"),
    "en": ("Summary", "Households", "Works", "Sources"),
}
_S = {
    "zh": {
        "plan_id": "方案编号",
        "version": "版本",
        "status": "状态",
        "approved_at": "批准时间",
        "created_at": "生成时间",
        "policy": "策略",
        "band": "居民分担区间",
        "band_low": "区间下限",
        "band_high": "区间上限",
        "total_cost": "总费用",
        "public_total": "公共资金合计",
        "residents_total": "居民自筹合计",
        "residents_share": "居民占比",
        "band_check": "区间检查",
        "within": "符合",
        "outside": "超出",
        "households_total": "住户合计",
        "reconciliation": "住户合计 = 居民自筹",
        "work_band": "本工程区间",
        "chart": "资金构成：公共资金与居民自筹",
        "public": "公共资金",
        "residents": "居民自筹",
        "policies": "minimum: 居民最少 / target: 目标比例",
    },
    "en": {
        "plan_id": "Plan ID",
        "version": "Version",
        "status": "Status",
        "approved_at": "Approved at",
        "created_at": "Created at",
        "policy": "Policy",
        "band": "Residents' band",
        "band_low": "Band low",
        "band_high": "Band high",
        "total_cost": "Total cost",
        "public_total": "Public sources total",
        "residents_total": "Residents' total",
        "residents_share": "Residents' share",
        "band_check": "Band check",
        "within": "within",
        "outside": "outside",
        "households_total": "Households total",
        "reconciliation": "Households = residents",
        "work_band": "Work band",
        "chart": "Funding split: public sources and residents",
        "public": "Public sources",
        "residents": "Residents",
        "policies": "",
    },
}


def _yuan(fen: int) -> float:
    # a float only as the cell's number: n/100 rounds correctly and prints back as n/100
    return fen / 100


def _ratio(part_fen: int, whole_fen: int) -> float:
    """The value Excel computes for ``=IF(whole=0,0,part/whole)`` over the yuan cells."""
    return 0.0 if whole_fen == 0 else _yuan(part_fen) / _yuan(whole_fen)


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 2


class _Formats:
    def __init__(self, book: Any, draft: bool) -> None:
        header = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        self.header = book.add_format({**header, "valign": "top"})
        self.safe_header = book.add_format({**header, "valign": "top", "quote_prefix": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.banner = book.add_format(
            {"bold": True, "font_size": 16, "font_color": "#C00000", "bg_color": "#FFE5E5"}
            if draft
            else {"bold": True, "font_size": 14}
        )
        self.money = book.add_format({"num_format": MONEY_FORMAT})
        self.money_total = book.add_format({"num_format": MONEY_FORMAT, "bold": True, "top": 1})
        self.area = book.add_format({"num_format": "#,##0.00"})
        self.area_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.pct = book.add_format({"num_format": "0.00%"})
        self.pct_total = book.add_format({"num_format": "0.00%", "bold": True, "top": 1})
        self.bold = book.add_format({"bold": True})
        self.total_label = book.add_format({"bold": True, "top": 1})
        self.text = book.add_format({})
        # shown as text even when it starts with "=" (Excel's leading-apostrophe flag)
        self.safe_text = book.add_format({"quote_prefix": True})
        self.check_ok = book.add_format({"bold": True, "font_color": "#006100"})


def write_xlsx(plan: ExportPlan, target: str | IO[bytes], lang: Lang = "zh") -> None:
    """Write the workbook of ``plan`` into ``target`` (a path or a binary file object)."""
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
            "keywords": DRAFT_MARK if plan.is_draft else "approved",
            "created": stamp,
        }
    )
    fmt = _Formats(book, plan.is_draft)
    names = SHEETS[lang]
    summary = book.add_worksheet(names[0])
    households = book.add_worksheet(names[1])
    works = book.add_worksheet(names[2])
    sources = book.add_worksheet(names[3])
    for sheet in (summary, households, works, sources):
        if plan.is_draft:
            sheet.set_tab_color("#C00000")
            sheet.set_header(f'&C&14&"-,Bold"{DRAFT_MARK}')
        sheet.set_footer("&L" + title_line(plan, lang).replace("&", "&&") + "&R&P / &N")
        sheet.set_landscape()
        sheet.set_paper(9)
    household_totals = _households_sheet(plan, households, fmt, lang)
    _works_sheet(plan, works, fmt, lang)
    _sources_sheet(plan, sources, fmt, lang)
    _summary_sheet(plan, book, summary, fmt, lang, names[1], household_totals)
    summary.activate()
    book.close()


def _string(sheet: Any, row: int, col: int, text: str, fmt: _Formats, cell: Any = None) -> None:
    """User text: always a string cell, flagged as text when it looks like a formula."""
    sheet.write_string(row, col, text, fmt.safe_text if is_risky(text) else (cell or fmt.text))


def _title(sheet: Any, plan: ExportPlan, fmt: _Formats, lang: Lang) -> None:
    text = title_line(plan, lang)
    cell = fmt.banner if plan.is_draft else fmt.title
    sheet.write_string(0, 0, text, fmt.safe_text if is_risky(text) else cell)
    sheet.set_row(0, 24)


def _headers(sheet: Any, row: int, headers: list[str], fmt: _Formats, widths: list[float]) -> None:
    for col, text in enumerate(headers):
        sheet.set_column(col, col, max(widths[col], min(_width(text), 28)))
    sheet.set_row(row, 32)
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, fmt.safe_header if is_risky(text) else fmt.header)


def _sum(sheet: Any, row: int, col: int, first: int, last: int, value: float, cell: Any) -> None:
    """``=SUM(col first:last)`` (0-based rows, inclusive) written with its value."""
    if last < first:
        sheet.write_formula(row, col, "=0", cell, value)
        return
    top = xl_rowcol_to_cell(first, col)
    bottom = xl_rowcol_to_cell(last, col)
    sheet.write_formula(row, col, f"=SUM({top}:{bottom})", cell, value)


def _check_row(
    sheet: Any, row: int, a: str, b: str, equal: bool, fmt: _Formats, lang: Lang, col: int = 5
) -> None:
    """``=IF(a=b,"一致","不一致")`` in ``col``, with its value."""
    ok, bad = ("一致", "不一致") if lang == "zh" else ("OK", "MISMATCH")
    sheet.write_formula(
        row, col, f'=IF({a}={b},"{ok}","{bad}")', fmt.check_ok, ok if equal else bad
    )


def _households_sheet(plan: ExportPlan, sheet: Any, fmt: _Formats, lang: Lang) -> dict[str, str]:
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
    _title(sheet, plan, fmt, lang)
    _headers(sheet, 1, headers, fmt, widths)
    reasons = REASON_TEXT[lang]
    row = 2
    column_totals = dict.fromkeys(work_ids, 0)
    total = proportional = area_hundredths = 0
    work_col = {w: first_work + i for i, w in enumerate(work_ids)}
    for household in result.households:
        label = plan.household_label(household)
        sheet.write_number(row, 0, household.household_id)
        _string(sheet, row, 1, label.building, fmt)
        _string(sheet, row, 2, label.unit, fmt)
        sheet.write_number(row, 3, label.floor)
        _string(sheet, row, 4, label.owner_name, fmt)
        sheet.write_number(row, 5, float(label.area_m2), fmt.area)
        area_hundredths += int(label.area_m2 * 100)
        for amount in household.works:
            col = work_col[amount.work_id]
            sheet.write_number(row, col, _yuan(amount.amount_fen), fmt.money)
            column_totals[amount.work_id] += amount.amount_fen
        # a plain number: 20,000 row formulas would double the time; the totals row sums
        sheet.write_number(row, total_col, _yuan(household.amount_fen), fmt.money)
        sheet.write_number(row, total_col + 1, _yuan(household.proportional_fen), fmt.money)
        if label.cap_fen is not None:
            sheet.write_number(row, total_col + 2, _yuan(label.cap_fen), fmt.money)
        paid = plan.payments.get(household.household_id, 0)
        paid_total += paid
        sheet.write_number(row, total_col + 3, _yuan(paid), fmt.money)
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
    _sum(sheet, row, 5, 2, last_item, area_hundredths / 100, fmt.area_total)
    for i, work_id in enumerate(work_ids):
        _sum(
            sheet, row, first_work + i, 2, last_item, _yuan(column_totals[work_id]), fmt.money_total
        )
    _sum(sheet, row, total_col, 2, last_item, _yuan(total), fmt.money_total)
    _sum(sheet, row, total_col + 1, 2, last_item, _yuan(proportional), fmt.money_total)
    _sum(sheet, row, total_col + 3, 2, last_item, _yuan(paid_total), fmt.money_total)
    total_cell = xl_rowcol_to_cell(row, total_col, row_abs=True, col_abs=True)
    row += 1
    sheet.write_string(row, 0, t["check"], fmt.bold)
    sheet.write_string(row, 1, t["households_sum"])
    sheet.write_formula(row, 2, f"={total_cell}", fmt.money, _yuan(total))
    sheet.write_string(row, 3, t["residents_sum"])
    sheet.write_number(row, 4, _yuan(result.residents_total_fen), fmt.money)
    a, b = xl_rowcol_to_cell(row, 2), xl_rowcol_to_cell(row, 4)
    _check_row(sheet, row, a, b, total == result.residents_total_fen, fmt, lang)
    return {"total": total_cell, "value": str(total)}


def _works_sheet(plan: ExportPlan, sheet: Any, fmt: _Formats, lang: Lang) -> None:
    t = labels(lang)
    result = plan.result
    source_ids = [s.source_id for s in result.sources]
    first_source = 3
    public_col = first_source + len(source_ids)
    headers = [t["work_id"], t["work"], t["cost"]]
    headers += [plan.source_name(s) + t["yuan"] for s in source_ids]
    headers += [t["public"], t["residents"], t["residents_share"]]
    widths = [10.0, 24.0, 16.0] + [16.0] * len(source_ids) + [16.0, 16.0, 10.0]
    _title(sheet, plan, fmt, lang)
    _headers(sheet, 1, headers, fmt, widths)
    row = 2
    cost = public = residents = 0
    per_source = dict.fromkeys(source_ids, 0)
    for work in result.works:
        amounts = {s.source_id: s.amount_fen for s in work.sources}
        sheet.write_number(row, 0, work.work_id)
        _string(sheet, row, 1, plan.work_title(work.work_id), fmt)
        sheet.write_number(row, 2, _yuan(work.cost_fen), fmt.money)
        for i, source_id in enumerate(source_ids):
            amount = amounts.get(source_id, 0)
            per_source[source_id] += amount
            sheet.write_number(row, first_source + i, _yuan(amount), fmt.money)
        work_public = sum(amounts.values())
        _sum_across(
            sheet, row, public_col, first_source, public_col - 1, _yuan(work_public), fmt.money
        )
        sheet.write_number(row, public_col + 1, _yuan(work.residents_fen), fmt.money)
        cost_cell = xl_rowcol_to_cell(row, 2)
        residents_cell = xl_rowcol_to_cell(row, public_col + 1)
        sheet.write_formula(
            row,
            public_col + 2,
            f"=IF({cost_cell}=0,0,{residents_cell}/{cost_cell})",
            fmt.pct,
            _ratio(work.residents_fen, work.cost_fen),
        )
        cost += work.cost_fen
        public += work_public
        residents += work.residents_fen
        row += 1
    last_item = row - 1
    sheet.autofilter(1, 0, max(last_item, 1), public_col + 2)
    sheet.freeze_panes(2, 0)
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    _sum(sheet, row, 2, 2, last_item, _yuan(cost), fmt.money_total)
    for i, source_id in enumerate(source_ids):
        _sum(
            sheet,
            row,
            first_source + i,
            2,
            last_item,
            _yuan(per_source[source_id]),
            fmt.money_total,
        )
    _sum(sheet, row, public_col, 2, last_item, _yuan(public), fmt.money_total)
    _sum(sheet, row, public_col + 1, 2, last_item, _yuan(residents), fmt.money_total)
    cost_cell = xl_rowcol_to_cell(row, 2)
    residents_cell = xl_rowcol_to_cell(row, public_col + 1)
    sheet.write_formula(
        row,
        public_col + 2,
        f"=IF({cost_cell}=0,0,{residents_cell}/{cost_cell})",
        fmt.pct_total,
        _ratio(result.residents_total_fen, result.total_cost_fen),
    )
    totals_row = row
    row += 1
    sheet.write_string(row, 0, t["check"], fmt.bold)
    sheet.write_string(row, 1, t["cost_sum"])
    sheet.write_formula(row, 2, f"={xl_rowcol_to_cell(totals_row, 2)}", fmt.money, _yuan(cost))
    sheet.write_string(row, 3, t["funded_sum"])
    public_cell = xl_rowcol_to_cell(totals_row, public_col)
    sheet.write_formula(
        row, 4, f"={public_cell}+{residents_cell}", fmt.money, _yuan(public + residents)
    )
    _check_row(
        sheet,
        row,
        xl_rowcol_to_cell(row, 2),
        xl_rowcol_to_cell(row, 4),
        cost == public + residents,
        fmt,
        lang,
        col=5,
    )


def _sum_across(
    sheet: Any, row: int, col: int, first_col: int, last_col: int, value: float, cell: Any
) -> None:
    if last_col < first_col:
        sheet.write_formula(row, col, "=0", cell, value)
        return
    left = xl_rowcol_to_cell(row, first_col)
    right = xl_rowcol_to_cell(row, last_col)
    sheet.write_formula(row, col, f"=SUM({left}:{right})", cell, value)


def _sources_sheet(plan: ExportPlan, sheet: Any, fmt: _Formats, lang: Lang) -> None:
    t = labels(lang)
    result = plan.result
    work_ids = [w.work_id for w in result.works]
    kinds = SOURCE_KIND_TEXT[lang]
    first_work = 6
    headers = [t["source_id"], t["source"], t["kind"], t["budget"], t["used"], t["remaining"]]
    headers += [plan.work_title(w) + t["yuan"] for w in work_ids]
    widths = [10.0, 22.0, 14.0, 16.0, 16.0, 16.0] + [16.0] * len(work_ids)
    _title(sheet, plan, fmt, lang)
    _headers(sheet, 1, headers, fmt, widths)
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
        _string(sheet, row, 1, plan.source_name(source.source_id), fmt)
        sheet.write_string(row, 2, kinds.get(kind, kind))
        sheet.write_number(row, 3, _yuan(source.budget_fen), fmt.money)
        source_used = 0
        for work_id in work_ids:
            amount = by_work.get((source.source_id, work_id), 0)
            source_used += amount
            per_work[work_id] += amount
        _sum_across(
            sheet, row, 4, first_work, first_work + len(work_ids) - 1, _yuan(source_used), fmt.money
        )
        budget_cell, used_cell = xl_rowcol_to_cell(row, 3), xl_rowcol_to_cell(row, 4)
        sheet.write_formula(
            row,
            5,
            f"={budget_cell}-{used_cell}",
            fmt.money,
            _yuan(source.budget_fen - source_used),
        )
        for i, work_id in enumerate(work_ids):
            amount = by_work.get((source.source_id, work_id), 0)
            sheet.write_number(row, first_work + i, _yuan(amount), fmt.money)
        budget += source.budget_fen
        used += source_used
        row += 1
    last_item = row - 1
    sheet.autofilter(1, 0, max(last_item, 1), max(5, first_work + len(work_ids) - 1))
    sheet.freeze_panes(2, 0)
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    _sum(sheet, row, 3, 2, last_item, _yuan(budget), fmt.money_total)
    _sum(sheet, row, 4, 2, last_item, _yuan(used), fmt.money_total)
    _sum(sheet, row, 5, 2, last_item, _yuan(budget - used), fmt.money_total)
    for i, work_id in enumerate(work_ids):
        _sum(sheet, row, first_work + i, 2, last_item, _yuan(per_work[work_id]), fmt.money_total)


def _summary_sheet(
    plan: ExportPlan,
    book: Any,
    sheet: Any,
    fmt: _Formats,
    lang: Lang,
    households_sheet: str,
    household_totals: dict[str, str],
) -> None:
    s = _S[lang]
    result = plan.result
    status = STATUS_TEXT[lang].get(plan.status, plan.status)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 5, 16)
    _title(sheet, plan, fmt, lang)
    row = 1
    if plan.is_draft:
        sheet.write_string(row, 0, DRAFT_LINE[lang], fmt.banner)
        sheet.set_row(row, 24)
    row += 2
    public_total = result.total_cost_fen - result.residents_total_fen
    households_total = int(household_totals["value"])
    facts: list[tuple[str, Any]] = [
        (s["plan_id"], plan.plan_id),
        (s["version"], plan.version),
        (s["status"], status),
        (s["approved_at"] if not plan.is_draft else s["created_at"], plan.stamp),
        (s["policy"], plan.policy),
        (s["band"], band_text(plan.resident_band)),
    ]
    for name, value in facts:
        sheet.write_string(row, 0, name, fmt.bold)
        if isinstance(value, datetime):
            sheet.write_string(row, 1, value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        elif isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, str(value))
        row += 1
    low_cell = xl_rowcol_to_cell(row, 1)
    sheet.write_string(row, 0, s["band_low"], fmt.bold)
    sheet.write_number(row, 1, float(plan.resident_band[0]), fmt.pct)
    row += 1
    high_cell = xl_rowcol_to_cell(row, 1)
    sheet.write_string(row, 0, s["band_high"], fmt.bold)
    sheet.write_number(row, 1, float(plan.resident_band[1]), fmt.pct)
    row += 1

    # the per-work table starts below the figures; the figures refer to its totals row
    figures_row = row
    table_header = figures_row + 8
    first_item = table_header + 1
    last_item = first_item + len(result.works) - 1
    totals_row = last_item + 1
    total_ref = xl_rowcol_to_cell(totals_row, 1)
    public_ref = xl_rowcol_to_cell(totals_row, 2)
    residents_ref = xl_rowcol_to_cell(totals_row, 3)
    share_cell = xl_rowcol_to_cell(figures_row + 3, 1)
    households_ref = f"'{households_sheet}'!{household_totals['total']}"
    share = _ratio(result.residents_total_fen, result.total_cost_fen)
    low, high = plan.resident_band
    within = float(low) <= share <= float(high)
    figures: list[tuple[str, str, Any, Any]] = [
        (s["total_cost"], f"={total_ref}", _yuan(result.total_cost_fen), fmt.money),
        (s["public_total"], f"={public_ref}", _yuan(public_total), fmt.money),
        (s["residents_total"], f"={residents_ref}", _yuan(result.residents_total_fen), fmt.money),
        (
            s["residents_share"],
            f"=IF({total_ref}=0,0,{residents_ref}/{total_ref})",
            _ratio(result.residents_total_fen, result.total_cost_fen),
            fmt.pct,
        ),
        (
            s["band_check"],
            f"=IF(AND({share_cell}>={low_cell},{share_cell}<={high_cell}),"
            f'"{s["within"]}","{s["outside"]}")',
            s["within"] if within else s["outside"],
            fmt.check_ok,
        ),
        (s["households_total"], f"={households_ref}", _yuan(households_total), fmt.money),
    ]
    for name, formula, value, cell in figures:
        sheet.write_string(row, 0, name, fmt.bold)
        sheet.write_formula(row, 1, formula, cell, value)
        row += 1
    ok, bad = ("一致", "不一致") if lang == "zh" else ("OK", "MISMATCH")
    sheet.write_string(row, 0, s["reconciliation"], fmt.bold)
    households_cell = xl_rowcol_to_cell(row - 1, 1)
    residents_cell = xl_rowcol_to_cell(row - 4, 1)
    sheet.write_formula(
        row,
        1,
        f'=IF({households_cell}={residents_cell},"{ok}","{bad}")',
        fmt.check_ok,
        ok if households_total == result.residents_total_fen else bad,
    )
    row = table_header
    t = labels(lang)
    headers = [
        t["work"],
        t["cost"],
        s["public"],
        s["residents"],
        s["residents_share"],
        s["work_band"],
    ]
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, fmt.header)
    row += 1
    for work in result.works:
        public = work.cost_fen - work.residents_fen
        _string(sheet, row, 0, plan.work_title(work.work_id), fmt)
        sheet.write_number(row, 1, _yuan(work.cost_fen), fmt.money)
        sheet.write_number(row, 2, _yuan(public), fmt.money)
        sheet.write_number(row, 3, _yuan(work.residents_fen), fmt.money)
        cost_cell, res_cell = xl_rowcol_to_cell(row, 1), xl_rowcol_to_cell(row, 3)
        sheet.write_formula(
            row,
            4,
            f"=IF({cost_cell}=0,0,{res_cell}/{cost_cell})",
            fmt.pct,
            _ratio(work.residents_fen, work.cost_fen),
        )
        label = plan.works.get(work.work_id)
        band = label.resident_band if label else None
        if band is None:
            sheet.write_string(row, 5, "—")
        else:
            mark = s["within"] if in_band(work.residents_share, band) else s["outside"]
            sheet.write_string(row, 5, f"{band_text(band)} {mark}")
        row += 1
    sheet.write_string(row, 0, t["totals"], fmt.total_label)
    _sum(sheet, row, 1, first_item, last_item, _yuan(result.total_cost_fen), fmt.money_total)
    _sum(sheet, row, 2, first_item, last_item, _yuan(public_total), fmt.money_total)
    _sum(sheet, row, 3, first_item, last_item, _yuan(result.residents_total_fen), fmt.money_total)
    sheet.write_formula(
        row,
        4,
        f"=IF({total_ref}=0,0,{residents_ref}/{total_ref})",
        fmt.pct_total,
        _ratio(result.residents_total_fen, result.total_cost_fen),
    )
    if result.works:
        _chart(plan, book, sheet, s, first_item, last_item, table_header)


def _chart(
    plan: ExportPlan, book: Any, sheet: Any, s: dict[str, str], first: int, last: int, header: int
) -> None:
    """A stacked bar per work: public sources and residents.

    constant_memory mode cannot read the cells back for the chart's cache, so the cached
    figures are handed over here; previewers draw the chart without recalculating.
    """
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    name = sheet.get_name()
    works = plan.result.works
    titles = [plan.work_title(w.work_id) for w in works]
    figures = {
        2: [f"{_yuan(w.cost_fen - w.residents_fen):.16g}" for w in works],
        3: [f"{_yuan(w.residents_fen):.16g}" for w in works],
    }
    for col, colour, series_name in ((2, "#4472C4", s["public"]), (3, "#ED7D31", s["residents"])):
        chart.add_series(
            {
                "name": [name, header, col],
                "name_data": [series_name],
                "categories": [name, first, 0, last, 0],
                "categories_data": titles,
                "values": [name, first, col, last, col],
                "values_data": figures[col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": s["chart"]})
    chart.set_x_axis({"num_format": MONEY_FORMAT})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 360})
    sheet.insert_chart(2, 7, chart)
