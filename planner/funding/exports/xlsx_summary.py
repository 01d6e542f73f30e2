"""The workbook's 汇总 Summary sheet: plan facts, the band check, sources vs residents per
work, the reconciliation with the households sheet and a native stacked chart of the split."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planner.funding.exports.csv_export import labels
from planner.funding.exports.model import (
    STATUS_TEXT,
    ExportPlan,
    Lang,
    band_text,
    in_band,
)
from planner.funding.exports.xlsx_cells import (
    MONEY_FORMAT,
    SHEET_TEXT,
    Formats,
    a1,
    ratio,
    write_sum,
    write_text,
    write_title,
    yuan,
)


def summary_sheet(
    plan: ExportPlan,
    book: Any,
    sheet: Any,
    fmt: Formats,
    lang: Lang,
    households_sheet: str,
    household_totals: dict[str, str],
) -> None:
    s = SHEET_TEXT[lang]
    result = plan.result
    status = STATUS_TEXT[lang].get(plan.status, plan.status)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 5, 16)
    write_title(sheet, plan, fmt, lang)
    row = 1
    if plan.is_draft:
        sheet.write_string(row, 0, plan.mark_line(lang), fmt.banner)
        sheet.set_row(row, 24)
    row += 2
    public_total = result.total_cost_fen - result.residents_total_fen
    households_total = int(household_totals["value"])
    facts: list[tuple[str, Any]] = [
        (s["plan_id"], plan.plan_id),
        (s["version"], plan.version),
        (s["status"], status),
        (s["created_at"] if plan.approved_at is None else s["approved_at"], plan.stamp),
        (s["policy"], plan.policy),
        (s["band"], band_text(plan.resident_band)),
    ]
    for name, value in facts:
        sheet.write_string(row, 0, name, fmt.bold)
        if isinstance(value, datetime):
            sheet.write_string(row, 1, plan.local_datetime(value))
        elif isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, str(value))
        row += 1
    low_cell = a1(row, 1)
    sheet.write_string(row, 0, s["band_low"], fmt.bold)
    sheet.write_number(row, 1, float(plan.resident_band[0]), fmt.pct)
    row += 1
    high_cell = a1(row, 1)
    sheet.write_string(row, 0, s["band_high"], fmt.bold)
    sheet.write_number(row, 1, float(plan.resident_band[1]), fmt.pct)
    row += 1

    # the per-work table starts below the figures; the figures refer to its totals row
    figures_row = row
    table_header = figures_row + 8
    first_item = table_header + 1
    last_item = first_item + len(result.works) - 1
    totals_row = last_item + 1
    total_ref = a1(totals_row, 1)
    public_ref = a1(totals_row, 2)
    residents_ref = a1(totals_row, 3)
    share_cell = a1(figures_row + 3, 1)
    households_ref = f"'{households_sheet}'!{household_totals['total']}"
    share = ratio(result.residents_total_fen, result.total_cost_fen)
    low, high = plan.resident_band
    within = float(low) <= share <= float(high)
    figures: list[tuple[str, str, Any, Any]] = [
        (s["total_cost"], f"={total_ref}", yuan(result.total_cost_fen), fmt.money),
        (s["public_total"], f"={public_ref}", yuan(public_total), fmt.money),
        (s["residents_total"], f"={residents_ref}", yuan(result.residents_total_fen), fmt.money),
        (
            s["residents_share"],
            f"=IF({total_ref}=0,0,{residents_ref}/{total_ref})",
            ratio(result.residents_total_fen, result.total_cost_fen),
            fmt.pct,
        ),
        (
            s["band_check"],
            f"=IF(AND({share_cell}>={low_cell},{share_cell}<={high_cell}),"
            f'"{s["within"]}","{s["outside"]}")',
            s["within"] if within else s["outside"],
            fmt.check_ok,
        ),
        (s["households_total"], f"={households_ref}", yuan(households_total), fmt.money),
    ]
    for name, formula, value, cell in figures:
        sheet.write_string(row, 0, name, fmt.bold)
        sheet.write_formula(row, 1, formula, cell, value)
        row += 1
    ok, bad = ("一致", "不一致") if lang == "zh" else ("OK", "MISMATCH")
    sheet.write_string(row, 0, s["reconciliation"], fmt.bold)
    households_cell = a1(row - 1, 1)
    residents_cell = a1(row - 4, 1)
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
        write_text(sheet, row, 0, plan.work_title(work.work_id), fmt)
        sheet.write_number(row, 1, yuan(work.cost_fen), fmt.money)
        sheet.write_number(row, 2, yuan(public), fmt.money)
        sheet.write_number(row, 3, yuan(work.residents_fen), fmt.money)
        cost_cell, res_cell = a1(row, 1), a1(row, 3)
        sheet.write_formula(
            row,
            4,
            f"=IF({cost_cell}=0,0,{res_cell}/{cost_cell})",
            fmt.pct,
            ratio(work.residents_fen, work.cost_fen),
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
    write_sum(sheet, row, 1, first_item, last_item, yuan(result.total_cost_fen), fmt.money_total)
    write_sum(sheet, row, 2, first_item, last_item, yuan(public_total), fmt.money_total)
    write_sum(
        sheet, row, 3, first_item, last_item, yuan(result.residents_total_fen), fmt.money_total
    )
    sheet.write_formula(
        row,
        4,
        f"=IF({total_ref}=0,0,{residents_ref}/{total_ref})",
        fmt.pct_total,
        ratio(result.residents_total_fen, result.total_cost_fen),
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
        2: [f"{yuan(w.cost_fen - w.residents_fen):.16g}" for w in works],
        3: [f"{yuan(w.residents_fen):.16g}" for w in works],
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
