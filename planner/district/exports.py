"""The district overview as CSV (UTF-8 with BOM, CRLF, a totals row) and XLSX (one sheet,
money in yuan, totals as ``=SUM`` formulas written with their values, text never read as a
formula): the conventions of planner/funding/exports and the ledger's exports. Pure.

Aggregates only, as the overview: one row per estate, no person, ballot or payment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from planner.district.model import SOURCE_KINDS, EstateRow, Overview
from planner.funding.exports.xlsx_cells import a1
from planner.localtime import to_local
from planner.money import yuan_str

Kind = str  # "int" a count, "fen" money, "text"
Column = tuple[str, str, Kind, Callable[[EstateRow], Any]]

_SOURCE_ZH = {
    "subsidy": "政府补贴",
    "maintenance_fund": "维修资金",
    "utility": "公用事业单位",
    "donor": "共建单位",
    "other": "其他来源",
}
_BAND = {
    "zh": {"below": "低于区间", "within": "区间内", "above": "高于区间"},
    "en": {"below": "below", "within": "within", "above": "above"},
}
_PLAN = {
    "zh": {"approved": "已批准", "draft": "草案"},
    "en": {"approved": "approved", "draft": "draft"},
}


def _columns(lang: str) -> list[Column]:
    zh = lang == "zh"

    def text(get: Callable[[EstateRow], Any]) -> Callable[[EstateRow], str]:
        return lambda r: "" if get(r) is None else str(get(r))

    columns: list[Column] = [
        ("小区编号", "estate_id", "int", lambda r: r.estate_id),
        ("小区", "estate", "text", lambda r: r.name),
        ("片区", "area", "text", text(lambda r: r.area)),
        ("户数", "households", "int", lambda r: r.households),
        ("进行中表决", "decisions_open", "int", lambda r: r.decisions_open),
        ("参与面积（%）", "turnout_area_pct", "text", text(lambda r: r.turnout_area_pct)),
        ("参与人数（%）", "turnout_owners_pct", "text", text(lambda r: r.turnout_owners_pct)),
        ("已通过", "decisions_passed", "int", lambda r: r.decisions_passed),
        ("未通过", "decisions_failed", "int", lambda r: r.decisions_failed),
        ("招标工程", "tenders", "int", lambda r: r.tenders),
        ("首轮报价（元）", "first_quotes_yuan", "fen", lambda r: r.first_quotes_fen),
        ("当前/中标（元）", "current_yuan", "fen", lambda r: r.current_fen),
        ("节约（元）", "saving_yuan", "fen", lambda r: r.saving_fen),
        ("变化（%）", "change_pct", "text", text(lambda r: r.saving_pct)),
        (
            "方案",
            "plan",
            "text",
            lambda r: _PLAN[lang].get(r.plan_status or "", "") if r.plan_status else "",
        ),
        ("总费用（元）", "total_cost_yuan", "fen", lambda r: r.total_cost_fen),
        ("居民自筹（元）", "residents_yuan", "fen", lambda r: r.residents_total_fen),
        ("居民占比", "residents_share", "text", text(lambda r: r.residents_share)),
        (
            "区间",
            "band",
            "text",
            lambda r: f"{r.band_low}–{r.band_high}" if r.band_low and r.band_high else "",
        ),
        (
            "占比与区间",
            "band_position",
            "text",
            lambda r: _BAND[lang][r.band_position] if r.band_position else "",
        ),
    ]
    for kind in SOURCE_KINDS:
        columns.append((f"{_SOURCE_ZH[kind]}（元）", f"{kind}_yuan", "fen", _source(kind)))
    columns += [
        ("应收（元）", "expected_yuan", "fen", lambda r: r.expected_fen),
        ("已收（元）", "collected_yuan", "fen", lambda r: r.collected_fen),
        ("收缴率（%）", "collected_pct", "text", text(lambda r: r.collected_pct)),
        ("决算总费用（元）", "final_cost_yuan", "fen", lambda r: r.final_cost_fen or 0),
        ("建议", "suggestions", "int", lambda r: r.suggestions),
        ("共性问题", "problems", "int", lambda r: r.problems),
        ("已解决", "problems_solved", "int", lambda r: r.problems_solved),
        ("急难已解决", "urgent_solved", "int", lambda r: r.urgent_solved),
        ("微心愿已实现", "wishes_fulfilled", "int", lambda r: r.wishes_fulfilled),
    ]
    return [(z if zh else e, e, k, f) for z, e, k, f in columns]


def _source(kind: str) -> Callable[[EstateRow], Any]:
    return lambda r: r.by_source.get(kind, 0)


def _risky(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    # a name starting like a formula is quoted; our own "-52.8" percentages are numbers
    if isinstance(value, str) and _risky(value) and not _number(value):
        return "'" + value
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _as_of(overview: Overview) -> str:
    return to_local(overview.data_as_of, overview.time_zone).strftime("%Y-%m-%d %H:%M")


TITLE = {"zh": "辖区小区概览（数据截至 {at}）", "en": "District overview (data as of {at})"}
TOTAL = {"zh": "合计", "en": "Total"}


def overview_csv(overview: Overview, lang: str) -> bytes:
    columns = _columns(lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c[0] for c in columns])
    for row in overview.estates:
        writer.writerow(
            [
                yuan_str(get(row)) if kind == "fen" else _safe(get(row))
                for _, _, kind, get in columns
            ]
        )
    sums = _sums(columns, overview)
    writer.writerow(
        [
            TOTAL[lang] if i == 0 else (yuan_str(sums[i]) if kind == "fen" else sums.get(i, ""))
            for i, (_, _, kind, _) in enumerate(columns)
        ]
    )
    writer.writerow([TITLE[lang].format(at=_as_of(overview))])
    return ("\ufeff" + out.getvalue()).encode()


def _sums(columns: list[Column], overview: Overview) -> dict[int, int]:
    summed = {"households", "decisions_open", "decisions_passed", "decisions_failed", "tenders"}
    return {
        i: sum(get(r) for r in overview.estates)
        for i, (_, key, kind, get) in enumerate(columns)
        if kind == "fen" or key in summed or (kind == "int" and key != "estate_id")
    }


def overview_xlsx(overview: Overview, lang: str) -> bytes:
    import xlsxwriter  # here, not at module level: a tenth of a second of start-up

    columns = _columns(lang)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("辖区概览" if lang == "zh" else "District")
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    bold = book.add_format({"bold": True, "top": 1})
    safe = book.add_format({"quote_prefix": True})
    sheet.write_string(
        0, 0, TITLE[lang].format(at=_as_of(overview)), book.add_format({"bold": True})
    )
    for col, (title, _, _, _) in enumerate(columns):
        sheet.write_string(1, col, title, header)
        sheet.set_column(col, col, 16 if col == 1 else 12)
    row = 2
    for estate in overview.estates:
        for col, (_, _, kind, get) in enumerate(columns):
            value = get(estate)
            if kind == "fen":
                sheet.write_number(row, col, value / 100, money)
            elif kind == "int":
                sheet.write_number(row, col, value)
            elif isinstance(value, str) and value and _number(value):
                sheet.write_number(row, col, float(value))
            else:
                text = str(value)
                sheet.write_string(row, col, text, safe if _risky(text) else None)
        row += 1
    sheet.write_string(row, 0, TOTAL[lang], bold)
    sums = _sums(columns, overview)
    for col, value in sums.items():
        kind = columns[col][2]
        shown = value / 100 if kind == "fen" else value
        fmt = money_total if kind == "fen" else bold
        if overview.estates:
            cells = f"{a1(2, col)}:{a1(row - 1, col)}"
            sheet.write_formula(row, col, f"=SUM({cells})", fmt, shown)
        else:
            sheet.write_formula(row, col, "=0", fmt, 0)
    book.close()
    return buffer.getvalue()


def filename(overview: Overview, ext: str) -> str:
    stamp: datetime = to_local(overview.data_as_of, overview.time_zone)
    return f"district-{stamp:%Y%m%d-%H%M}.{ext}"
