"""Final accounts for the treasurer and the owners, pure: per-household CSV and XLSX (totals
as ``SUM`` formulas carrying their values, the identity Σ final − Σ paid = Σ top-up −
Σ refund checked in the sheet), and printable settlement notices (退补通知, one A4 page per
household, 人民币大写 of the refund or top-up in Chinese). Conventions and helpers are the
funding exports' (:mod:`planner.funding.exports`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from html import escape
from typing import IO, Any, Literal

from planner.funding.exports.model import HouseholdLabel, neutralise
from planner.funding.exports.notices import NOTICE_CSS
from planner.funding.exports.xlsx_cells import (
    Formats,
    a1,
    write_headers,
    write_sum,
    write_text,
    yuan,
)
from planner.money import capital_numerals, format_money, yuan_str
from planner.settlement.model import FinalAccountsOut, HouseholdSettlement

Lang = Literal["zh", "en"]

TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "{estate} · 决算 第{version}版 · {status}",
        "draft": "草稿（未批准）",
        "approved": "已批准",
        "building": "楼栋",
        "unit": "房号",
        "owner": "业主",
        "final": "决算分摊（元）",
        "paid": "已缴（元）",
        "refund": "应退（元）",
        "topup": "应补（元）",
        "total": "合计",
        "check": "核对：决算合计 − 已缴合计 = 应补合计 − 应退合计",
        "ok": "一致",
        "mismatch": "不一致",
        "sheet": "住户决算",
        "file": "决算",
    },
    "en": {
        "title": "{estate} · final accounts v{version} · {status}",
        "draft": "DRAFT (not approved)",
        "approved": "approved",
        "building": "Building",
        "unit": "Unit",
        "owner": "Owner",
        "final": "Final share (CNY)",
        "paid": "Paid (CNY)",
        "refund": "Refund (CNY)",
        "topup": "Top-up (CNY)",
        "total": "Total",
        "check": "Check: final − paid = top-ups − refunds",
        "ok": "OK",
        "mismatch": "MISMATCH",
        "sheet": "Households",
        "file": "final-accounts",
    },
}


def title(final: FinalAccountsOut, estate: str, lang: Lang) -> str:
    t = TEXT[lang]
    status = t["approved"] if final.status == "approved" else t["draft"]
    return t["title"].format(estate=estate, version=final.version, status=status)


def file_names(final: FinalAccountsOut, estate: str, ext: str) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback) of an export."""
    draft = "-草稿" if final.status != "approved" else ""
    draft_en = "-DRAFT" if final.status != "approved" else ""
    return (
        f"{estate}-决算第{final.version}版{draft}.{ext}",
        f"final-accounts-{final.id}-v{final.version}{draft_en}.{ext}",
    )


def _label(labels: Mapping[int, HouseholdLabel], h: HouseholdSettlement) -> HouseholdLabel:
    return labels.get(h.household_id) or HouseholdLabel(
        household_id=h.household_id,
        building_id=None,
        building="",
        unit=f"#{h.household_id}",
        floor=0,
        owner_name="",
        area_m2=Decimal("0.00"),
        cap_fen=None,
    )


def _ordered(
    final: FinalAccountsOut, labels: Mapping[int, HouseholdLabel]
) -> list[tuple[HouseholdLabel, HouseholdSettlement]]:
    pairs = [(_label(labels, h), h) for h in final.households]
    return sorted(pairs, key=lambda p: (p[0].building, p[0].unit, p[1].household_id))


def csv_rows(
    final: FinalAccountsOut, labels: Mapping[int, HouseholdLabel], estate: str, lang: Lang
) -> list[list[str]]:
    """Title line, headers, one line per household, the totals and the check line."""
    t = TEXT[lang]
    out = [[neutralise(title(final, estate, lang))]]
    out.append(
        [t["building"], t["unit"], t["owner"], t["final"], t["paid"], t["refund"], t["topup"]]
    )
    for label, h in _ordered(final, labels):
        out.append(
            [
                neutralise(label.building),
                neutralise(label.unit),
                neutralise(label.owner_name),
                yuan_str(h.final_fen),
                yuan_str(h.paid_fen),
                yuan_str(h.refund_fen),
                yuan_str(h.topup_fen),
            ]
        )
    totals = [
        sum(getattr(h, f) for h in final.households)
        for f in ("final_fen", "paid_fen", "refund_fen", "topup_fen")
    ]
    out.append([t["total"], "", "", *(yuan_str(v) for v in totals)])
    holds = totals[0] - totals[1] == totals[3] - totals[2]
    out.append([t["check"], "", "", "", "", "", t["ok" if holds else "mismatch"]])
    return out


def write_csv(
    final: FinalAccountsOut,
    labels: Mapping[int, HouseholdLabel],
    estate: str,
    lang: Lang,
    bom: bool = True,
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(final, labels, estate, lang))
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def write_xlsx(
    final: FinalAccountsOut,
    labels: Mapping[int, HouseholdLabel],
    estate: str,
    lang: Lang,
    target: str | IO[bytes],
) -> None:
    """One sheet: a line per household, ``SUM`` totals with their values, the identity
    checked by an ``IF`` formula with its value."""
    import xlsxwriter  # here, not at module level: a tenth of a second of start-up

    t = TEXT[lang]
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    draft = final.status != "approved"
    fmt = Formats(book, draft)
    sheet: Any = book.add_worksheet(t["sheet"])
    text = title(final, estate, lang)
    sheet.write_string(0, 0, text, fmt.banner if draft else fmt.title)
    write_headers(
        sheet,
        1,
        [t["building"], t["unit"], t["owner"], t["final"], t["paid"], t["refund"], t["topup"]],
        fmt,
        [8, 8, 12, 14, 14, 14, 14],
    )
    first = row = 2
    totals = [0, 0, 0, 0]
    for label, h in _ordered(final, labels):
        write_text(sheet, row, 0, label.building, fmt)
        write_text(sheet, row, 1, label.unit, fmt)
        write_text(sheet, row, 2, label.owner_name, fmt)
        for col, fen in enumerate((h.final_fen, h.paid_fen, h.refund_fen, h.topup_fen), start=3):
            sheet.write_number(row, col, yuan(fen), fmt.money)
            totals[col - 3] += fen
        row += 1
    sheet.write_string(row, 0, t["total"], fmt.total_label)
    for col in range(3, 7):
        write_sum(sheet, row, col, first, row - 1, yuan(totals[col - 3]), fmt.money_total)
    cell = {col: a1(row, col) for col in range(3, 7)}
    sheet.write_string(row + 1, 0, t["check"], fmt.bold)
    ok, bad = (t["ok"], t["mismatch"])
    holds = totals[0] - totals[1] == totals[3] - totals[2]
    sheet.write_formula(
        row + 1,
        6,
        f'=IF(ROUND({cell[3]}-{cell[4]}-({cell[6]}-{cell[5]}),2)=0,"{ok}","{bad}")',
        fmt.check_ok,
        ok if holds else bad,
    )
    book.close()


NOTICE: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "{estate} 退补通知 决算第{version}版",
        "heading": "退补通知",
        "sub": "公共部位改造决算：多退少补",
        "estate": "小区",
        "unit": "楼栋 / 单元",
        "owner": "业主",
        "final": "决算分摊",
        "paid": "已缴",
        "refund": "应退还您",
        "topup": "您应补缴",
        "even": "无需退补",
        "capital": "人民币大写：",
        "accounts": "决算",
        "version": "第{version}版",
        "draft": "草稿：本决算尚未批准，不得作为退补依据",
        "mark": "草稿",
        "approved": "已批准 {day}",
        "pending": "未批准",
        "ids": "决算编号 {final} · 资金方案编号 {plan} · 住户编号 {household}",
        "seal": "业主委员会（盖章）",
        "date": "日期：____年__月__日",
    },
    "en": {
        "html_lang": "en",
        "title": "{estate} settlement notice, final accounts v{version}",
        "heading": "Settlement notice",
        "sub": "Final accounts of the common-parts retrofit: refund or top-up",
        "estate": "Estate",
        "unit": "Building / unit",
        "owner": "Owner",
        "final": "Final share",
        "paid": "Paid",
        "refund": "Refund to you",
        "topup": "Top-up due",
        "even": "Nothing to refund or pay",
        "capital": "",
        "accounts": "Final accounts",
        "version": "v{version}",
        "draft": "DRAFT: these final accounts are not approved",
        "mark": "DRAFT",
        "approved": "approved {day}",
        "pending": "not approved",
        "ids": "Final accounts {final} · plan {plan} · household {household}",
        "seal": "Owners' committee (seal)",
        "date": "Date: ____________",
    },
}


def _notice_page(
    final: FinalAccountsOut,
    label: HouseholdLabel,
    h: HouseholdSettlement,
    estate: str,
    day: str,
    lang: Lang,
) -> str:
    t = NOTICE[lang]
    status = t["approved"].format(day=day) if final.status == "approved" else t["pending"]
    if h.refund_fen:
        what, fen = t["refund"], h.refund_fen
    elif h.topup_fen:
        what, fen = t["topup"], h.topup_fen
    else:
        what, fen = t["even"], 0
    capital = ""
    if lang == "zh" and fen:  # 人民币大写: a Chinese banking convention
        capital = f'<p class="capital">{t["capital"]}<strong>{capital_numerals(fen)}</strong></p>'
    draft = ""
    if final.status != "approved":
        draft = (
            f'<div class="watermark" aria-hidden="true">{t["mark"]}</div>'
            f'<div class="banner">{t["draft"]}</div>'
        )
    ids = t["ids"].format(final=final.id, plan=final.plan_id, household=h.household_id)
    return f"""<section class="notice" id="household-{h.household_id}" \
data-status="{final.status}">{draft}
<h1>{t["heading"]}</h1>
<p class="sub">{t["sub"]}</p>
<table>
<tr><th>{t["estate"]}</th><td>{escape(estate)}</td></tr>
<tr><th>{t["unit"]}</th><td>{escape(label.building)} {escape(label.unit)}</td></tr>
<tr><th>{t["owner"]}</th><td>{escape(label.owner_name)}</td></tr>
<tr><th>{t["accounts"]}</th><td>{t["version"].format(version=final.version)} · {status}</td></tr>
</table>
<table>
<tr><th>{t["final"]}</th><td class="amount">{format_money(h.final_fen)}</td></tr>
<tr><th>{t["paid"]}</th><td class="amount">{format_money(h.paid_fen)}</td></tr>
<tr class="total"><th>{what}</th><td class="amount">{format_money(fen)}</td></tr>
</table>
{capital}
<p class="meta">{ids}</p>
<div class="sign"><span>{t["seal"]}</span><span>{t["date"]}</span></div>
</section>"""


def render_notices(
    final: FinalAccountsOut,
    labels: Mapping[int, HouseholdLabel],
    households: Iterable[HouseholdSettlement],
    estate: str,
    day: str,
    lang: Lang = "zh",
) -> str:
    """One HTML document, a printable page per household (``day``: the approval's date in
    the estate's zone)."""
    t = NOTICE[lang]
    pages = "\n".join(
        _notice_page(final, _label(labels, h), h, estate, day, lang) for h in households
    )
    heading = t["title"].format(estate=estate, version=final.version)
    return f"""<!doctype html>
<html lang="{t["html_lang"]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(heading)}</title>
<style>{NOTICE_CSS}</style>
</head>
<body>
{pages}
</body>
</html>
"""
