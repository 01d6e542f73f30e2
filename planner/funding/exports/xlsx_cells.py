"""Cells of the XLSX workbook: formats, sheet texts and the writers every sheet uses
(user text flagged when it looks like a formula, totals as ``SUM`` formulas with values)."""

from __future__ import annotations

from typing import Any

from planner.funding.exports.model import ExportPlan, Lang, is_risky, title_line


def a1(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """xlsxwriter's A1 reference of a cell (``xl_rowcol_to_cell``). xlsxwriter is imported
    on first use, not with the service: importing it takes about a tenth of a second."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    reference: str = xl_rowcol_to_cell(row, col, row_abs, col_abs)
    return reference


MONEY_FORMAT = "[$¥-804]#,##0.00"
SHEET_TEXT = {
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


def yuan(fen: int) -> float:
    # a float only as the cell's number: n/100 rounds correctly and prints back as n/100
    return fen / 100


def ratio(part_fen: int, whole_fen: int) -> float:
    """The value Excel computes for ``=IF(whole=0,0,part/whole)`` over the yuan cells."""
    return 0.0 if whole_fen == 0 else yuan(part_fen) / yuan(whole_fen)


def text_width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 2


class Formats:
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


def write_text(sheet: Any, row: int, col: int, text: str, fmt: Formats, cell: Any = None) -> None:
    """User text: always a string cell, flagged as text when it looks like a formula."""
    sheet.write_string(row, col, text, fmt.safe_text if is_risky(text) else (cell or fmt.text))


def write_title(sheet: Any, plan: ExportPlan, fmt: Formats, lang: Lang) -> None:
    text = title_line(plan, lang)
    cell = fmt.banner if plan.is_draft else fmt.title
    sheet.write_string(0, 0, text, fmt.safe_text if is_risky(text) else cell)
    sheet.set_row(0, 24)


def write_headers(
    sheet: Any, row: int, headers: list[str], fmt: Formats, widths: list[float]
) -> None:
    for col, text in enumerate(headers):
        sheet.set_column(col, col, max(widths[col], min(text_width(text), 28)))
    sheet.set_row(row, 32)
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, fmt.safe_header if is_risky(text) else fmt.header)


def write_sum(
    sheet: Any, row: int, col: int, first: int, last: int, value: float, cell: Any
) -> None:
    """``=SUM(col first:last)`` (0-based rows, inclusive) written with its value."""
    _write_range_sum(sheet, row, col, (first, col), (last, col), value, cell)


def write_sum_across(
    sheet: Any, row: int, col: int, first_col: int, last_col: int, value: float, cell: Any
) -> None:
    """``=SUM(row first_col:last_col)`` (0-based columns, inclusive) written with its value."""
    _write_range_sum(sheet, row, col, (row, first_col), (row, last_col), value, cell)


def _write_range_sum(
    sheet: Any,
    row: int,
    col: int,
    start: tuple[int, int],
    end: tuple[int, int],
    value: float,
    cell: Any,
) -> None:
    if end < start:
        sheet.write_formula(row, col, "=0", cell, value)
        return
    formula = f"=SUM({a1(*start)}:{a1(*end)})"
    sheet.write_formula(row, col, formula, cell, value)


def write_check(
    sheet: Any, row: int, a: str, b: str, equal: bool, fmt: Formats, lang: Lang, col: int = 5
) -> None:
    """``=IF(a=b,"一致","不一致")`` in ``col``, with its value."""
    ok, bad = ("一致", "不一致") if lang == "zh" else ("OK", "MISMATCH")
    sheet.write_formula(
        row, col, f'=IF({a}={b},"{ok}","{bad}")', fmt.check_ok, ok if equal else bad
    )
