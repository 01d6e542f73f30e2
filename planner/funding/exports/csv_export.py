"""CSV exports of a plan: one table per view, for Excel/WPS and for bank or street-office tools.

Layout (every view): line 1 is the title (estate, version, status; a draft says
"草稿 DRAFT" there), line 2 the column headers, then one row per item, a totals row
("合计"/"Total") and reconciliation rows ("核对"/"Check") whose cells hold the two figures
that must agree and "一致"/"OK" when they do. Amounts are yuan with two decimals made
from integer fen; text typed by users is neutralised against formula injection. Lines end
with CRLF; the file starts with a UTF-8 BOM unless plain UTF-8 is asked for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from planner.funding.exports.model import (
    PAYMENT_TEXT,
    REASON_TEXT,
    SOURCE_KIND_TEXT,
    ExportPlan,
    Lang,
    View,
    neutralise,
    share_pct,
    title_line,
)
from planner.money import yuan_str
from planner.payments.rules import payment_status

_T = {
    "zh": {
        "household_id": "住户编号",
        "building": "楼栋",
        "unit": "单元/房号",
        "floor": "楼层",
        "owner": "业主",
        "area": "面积(㎡)",
        "total": "合计(元)",
        "proportional": "按比例应缴(元)",
        "cap": "困难户封顶(元)",
        "reason": "说明",
        "paid": "已缴(元)",
        "payment": "缴费状态",
        "work_id": "工程编号",
        "work": "工程",
        "cost": "费用(元)",
        "public": "公共资金合计(元)",
        "residents": "居民自筹(元)",
        "residents_share": "居民占比",
        "source_id": "资金来源编号",
        "source": "资金来源",
        "kind": "类型",
        "budget": "预算(元)",
        "used": "已用(元)",
        "remaining": "余额(元)",
        "totals": "合计",
        "check": "核对",
        "households_sum": "住户合计(元)",
        "residents_sum": "居民自筹合计(元)",
        "public_sum": "公共资金合计(元)",
        "cost_sum": "总费用(元)",
        "funded_sum": "公共资金+居民自筹(元)",
        "ok": "一致",
        "mismatch": "不一致",
        "yuan": "(元)",
        "exempt": "免缴",
    },
    "en": {
        "household_id": "Household ID",
        "building": "Building",
        "unit": "Unit",
        "floor": "Floor",
        "owner": "Owner",
        "area": "Area (m²)",
        "total": "Total (CNY)",
        "proportional": "Proportional share (CNY)",
        "cap": "Hardship cap (CNY)",
        "reason": "Note",
        "paid": "Paid (CNY)",
        "payment": "Payment status",
        "work_id": "Work ID",
        "work": "Work",
        "cost": "Cost (CNY)",
        "public": "Public sources (CNY)",
        "residents": "Residents (CNY)",
        "residents_share": "Residents' share",
        "source_id": "Source ID",
        "source": "Source",
        "kind": "Kind",
        "budget": "Budget (CNY)",
        "used": "Used (CNY)",
        "remaining": "Remaining (CNY)",
        "totals": "Total",
        "check": "Check",
        "households_sum": "Households total (CNY)",
        "residents_sum": "Residents' total (CNY)",
        "public_sum": "Public sources total (CNY)",
        "cost_sum": "Total cost (CNY)",
        "funded_sum": "Public + residents (CNY)",
        "ok": "OK",
        "mismatch": "MISMATCH",
        "yuan": " (CNY)",
        "exempt": "exempt",
    },
}


def labels(lang: Lang) -> dict[str, str]:
    return _T[lang]


def rows(plan: ExportPlan, view: View, lang: Lang = "zh") -> list[list[str]]:
    """The table of one view, title line first (see the module docstring)."""
    body = {"households": _households, "works": _works, "sources": _sources}[view](plan, lang)
    return [[neutralise(title_line(plan, lang))], *body]


def write_csv(plan: ExportPlan, view: View, lang: Lang = "zh", bom: bool = True) -> bytes:
    """The view as CSV bytes: UTF-8 (with a BOM by default), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows(plan, view, lang))
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def _check(t: dict[str, str], name_a: str, a: int, name_b: str, b: int) -> list[str]:
    return [
        t["check"],
        t[name_a],
        yuan_str(a),
        t[name_b],
        yuan_str(b),
        t["ok" if a == b else "mismatch"],
    ]


def _households(plan: ExportPlan, lang: Lang) -> Iterable[list[str]]:
    t = _T[lang]
    result = plan.result
    work_ids = [w.work_id for w in result.works]
    header = [t["household_id"], t["building"], t["unit"], t["floor"], t["owner"], t["area"]]
    header += [neutralise(plan.work_title(w)) + t["yuan"] for w in work_ids]
    header += [t["total"], t["proportional"], t["cap"], t["paid"], t["payment"], t["reason"]]
    out = [header]
    statuses = PAYMENT_TEXT[lang]
    paid_total = 0
    column_totals = dict.fromkeys(work_ids, 0)
    total = proportional = 0
    area_total = 0
    reasons = REASON_TEXT[lang]
    for household in result.households:
        label = plan.household_label(household)
        amounts = {w.work_id: w.amount_fen for w in household.works}
        for work_id, amount in amounts.items():
            column_totals[work_id] = column_totals.get(work_id, 0) + amount
        total += household.amount_fen
        proportional += household.proportional_fen
        area_total += int(label.area_m2 * 100)
        cap = "" if label.cap_fen is None else yuan_str(label.cap_fen)
        paid = plan.payments.get(household.household_id, 0)
        paid_total += paid
        out.append(
            [
                str(household.household_id),
                neutralise(label.building),
                neutralise(label.unit),
                str(label.floor),
                neutralise(label.owner_name),
                f"{label.area_m2:.2f}",
                *[yuan_str(amounts[w]) if w in amounts else "" for w in work_ids],
                yuan_str(household.amount_fen),
                yuan_str(household.proportional_fen),
                cap,
                yuan_str(paid),
                statuses[payment_status(household.amount_fen, paid)],
                reasons.get(household.reason, household.reason),
            ]
        )
    out.append(
        [
            t["totals"],
            "",
            "",
            "",
            "",
            yuan_str(area_total),
            *[yuan_str(column_totals[w]) for w in work_ids],
            yuan_str(total),
            yuan_str(proportional),
            "",
            yuan_str(paid_total),
            "",
            "",
        ]
    )
    out.append(_check(t, "households_sum", total, "residents_sum", result.residents_total_fen))
    return out


def _works(plan: ExportPlan, lang: Lang) -> Iterable[list[str]]:
    t = _T[lang]
    result = plan.result
    source_ids = [s.source_id for s in result.sources]
    header = [t["work_id"], t["work"], t["cost"]]
    header += [neutralise(plan.source_name(s)) + t["yuan"] for s in source_ids]
    header += [t["public"], t["residents"], t["residents_share"]]
    out = [header]
    per_source = dict.fromkeys(source_ids, 0)
    cost = public = residents = 0
    for work in result.works:
        amounts = {s.source_id: s.amount_fen for s in work.sources}
        for source_id, amount in amounts.items():
            per_source[source_id] = per_source.get(source_id, 0) + amount
        work_public = sum(amounts.values())
        cost += work.cost_fen
        public += work_public
        residents += work.residents_fen
        out.append(
            [
                str(work.work_id),
                neutralise(plan.work_title(work.work_id)),
                yuan_str(work.cost_fen),
                *[yuan_str(amounts.get(s, 0)) for s in source_ids],
                yuan_str(work_public),
                yuan_str(work.residents_fen),
                share_pct(work.residents_share),
            ]
        )
    out.append(
        [
            t["totals"],
            "",
            yuan_str(cost),
            *[yuan_str(per_source[s]) for s in source_ids],
            yuan_str(public),
            yuan_str(residents),
            share_pct(result.residents_share),
        ]
    )
    households = sum(h.amount_fen for h in result.households)
    out.append(_check(t, "households_sum", households, "residents_sum", residents))
    out.append(_check(t, "cost_sum", cost, "funded_sum", public + residents))
    return out


def _sources(plan: ExportPlan, lang: Lang) -> Iterable[list[str]]:
    t = _T[lang]
    result = plan.result
    work_ids = [w.work_id for w in result.works]
    kinds = SOURCE_KIND_TEXT[lang]
    header = [t["source_id"], t["source"], t["kind"], t["budget"], t["used"], t["remaining"]]
    header += [neutralise(plan.work_title(w)) + t["yuan"] for w in work_ids]
    out = [header]
    by_work: dict[tuple[int, int], int] = {}
    for work in result.works:
        for part in work.sources:
            by_work[(part.source_id, work.work_id)] = part.amount_fen
    budget = used = 0
    per_work = dict.fromkeys(work_ids, 0)
    for source in result.sources:
        budget += source.budget_fen
        used += source.used_fen
        cells: list[str] = []
        for w in work_ids:
            amount = by_work.get((source.source_id, w), 0)
            per_work[w] += amount
            cells.append(yuan_str(amount))
        kind = plan.source_kind(source.source_id)
        out.append(
            [
                str(source.source_id),
                neutralise(plan.source_name(source.source_id)),
                kinds.get(kind, kind),
                yuan_str(source.budget_fen),
                yuan_str(source.used_fen),
                yuan_str(source.budget_fen - source.used_fen),
                *cells,
            ]
        )
    out.append(
        [
            t["totals"],
            "",
            "",
            yuan_str(budget),
            yuan_str(used),
            yuan_str(budget - used),
            *[yuan_str(per_work[w]) for w in work_ids],
        ]
    )
    households = sum(h.amount_fen for h in result.households)
    out.append(_check(t, "households_sum", households, "residents_sum", result.residents_total_fen))
    out.append(
        _check(
            t, "cost_sum", result.total_cost_fen, "funded_sum", used + result.residents_total_fen
        )
    )
    return out
