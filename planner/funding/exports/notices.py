"""Printable payment notices (缴费通知单): one A4 page per household, HTML with print CSS.

Each page shows the estate, building and unit, owner, area, each work's share and the
total, the plan version and approval, and a verification code; in Chinese also the total in
capital numerals (人民币大写, a Chinese banking convention). A notice speaks one language
(``lang``: ``zh``, the default, or ``en``; labels from :data:`LABEL`): only data (names,
titles, typed instructions), codes and units appear in the other script. A draft plan's
pages carry a 草稿 / DRAFT watermark and banner; a superseded plan's pages are void: an
已作废 / VOID watermark, a banner naming the version in force, no payment status. Every
piece of user text is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from html import escape

from planner.funding.engine import HouseholdPlan
from planner.funding.exports.model import PAYMENT_TEXT, ExportPlan, Lang
from planner.money import capital_numerals, format_money
from planner.payments.rules import payment_status

_CSS = """
@page { size: A4; margin: 16mm 18mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #111; background: #eee;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
.notice { position: relative; overflow: hidden; background: #fff; width: 210mm;
  min-height: 297mm; margin: 8mm auto; padding: 16mm 18mm; break-after: page;
  page-break-after: always; }
.notice:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 20pt; text-align: center; letter-spacing: 0.2em; margin: 0 0 2mm; }
.sub { text-align: center; color: #555; margin: 0 0 6mm; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; margin: 4mm 0; font-size: 11pt; }
th, td { border: 1px solid #333; padding: 2mm 3mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; width: 28%; font-weight: bold; }
td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td, tr.total th { font-weight: bold; border-top: 2px solid #111; }
.capital { font-size: 13pt; margin: 4mm 0; }
.capital strong { letter-spacing: 0.05em; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; letter-spacing: 0.1em; }
.meta { font-size: 9.5pt; color: #333; margin-top: 6mm; }
.sign { margin-top: 14mm; display: flex; justify-content: space-between; font-size: 11pt; }
.banner { border: 2px solid #c00000; color: #c00000; font-weight: bold; padding: 2mm 3mm;
  margin-bottom: 4mm; text-align: center; }
.watermark { position: absolute; top: 40%; left: 0; right: 0; text-align: center;
  transform: rotate(-30deg); font-size: 72pt; font-weight: bold; color: rgba(192, 0, 0, 0.14);
  pointer-events: none; white-space: nowrap; z-index: 0; }
.notice > *:not(.watermark) { position: relative; z-index: 1; }
@media screen and (max-width: 820px) {
  /* A4 on paper, phone-sized on screen: the page fits the screen, nothing scrolls sideways. */
  body { background: #fff; overflow-wrap: anywhere; }
  .notice { width: auto; min-height: auto; margin: 0; padding: 16px 12px 24px;
    border-bottom: 6px solid #eee; }
  h1 { font-size: 20px; letter-spacing: 0.1em; }
  .sub { font-size: 12px; margin-bottom: 12px; }
  table { font-size: 14px; margin: 10px 0; }
  th, td { padding: 6px 6px; }
  th { width: 34%; }
  .capital { font-size: 15px; }
  .code { font-size: 14px; letter-spacing: 0.05em; }
  .meta { font-size: 12px; margin-top: 14px; }
  .sign { margin-top: 28px; flex-wrap: wrap; gap: 8px 16px; font-size: 14px; }
  .watermark { font-size: 44px; }
}
@media print {
  body { background: #fff; }
  .notice { margin: 0; width: auto; min-height: auto; padding: 0; }
  .watermark { position: fixed; }
}
"""


#: the notices' page style (A4 on paper, phone-sized on screen), shared with the final
#: accounts' settlement notices
NOTICE_CSS = _CSS


def _plan_key(plan: ExportPlan) -> bytes:
    """A key bound to the plan's content: its id, version, totals and every household amount."""
    digest = hashlib.sha256()
    result = plan.result
    digest.update(
        f"planner-notice-v1|{plan.plan_id}|{plan.version}|{result.total_cost_fen}|"
        f"{result.residents_total_fen}|".encode()
    )
    for household in result.households:
        digest.update(f"{household.household_id}:{household.amount_fen},".encode())
    return digest.digest()


def verification_code(plan: ExportPlan, household_id: int, amount_fen: int) -> str:
    """``XXXX-XXXX-XXXX``: HMAC-SHA256 of plan, household and amount under the plan's key.

    The same plan, household and amount always give the same code; any change to the
    plan's amounts gives another. A treasurer checks a notice by printing it again.
    """
    return verification_code_with_key(_plan_key(plan), plan.plan_id, household_id, amount_fen)


def verification_code_with_key(key: bytes, plan_id: int, household_id: int, amount: int) -> str:
    mac = hmac.new(key, f"{plan_id}|{household_id}|{amount}".encode(), hashlib.sha256).digest()
    code = base64.b32encode(mac[:10]).decode()[:12]
    return "-".join(code[i : i + 4] for i in range(0, 12, 4))


# Every word a notice prints, per language (data aside).
LABEL: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "{estate} 缴费通知单 第{version}版",
        "heading": "缴费通知单",
        "sub": "公共部位改造居民自筹资金",
        "estate": "小区",
        "unit": "楼栋 / 单元",
        "owner": "业主",
        "area": "面积",
        "plan": "资金方案",
        "version": "第{version}版",
        "void": "已作废：已被第{version}版取代",
        "draft": "草稿（未批准），创建于 {day}",
        "approved": "已批准 {day}",
        "payment": "缴费状态",
        "paid": "已缴",
        "remaining": "尚需缴纳",
        "due": "缴费截止",
        "payee": "收款人",
        "account": "收款账户",
        "how": "缴费方式",
        "work": "工程",
        "amount": "应缴金额",
        "no_work": "本方案无需缴费的工程",
        "total": "合计",
        "capital": "人民币大写：",
        "cap": "已按困难户封顶 {cap} 计算",
        "code": "核验码：",
        "ids": "方案编号 {plan} · 第{version}版 · 住户编号 {household}",
        "seal": "业主委员会（盖章）",
        "date": "日期：____年__月__日",
        "mark_draft": "草稿",
        "mark_void": "已作废",
        "line_draft": "草稿：本方案尚未批准，不得作为缴费依据",
        "line_void": "已作废：本方案已被第{version}版取代，不得作为缴费依据",
    },
    "en": {
        "html_lang": "en",
        "title": "{estate} payment notice v{version}",
        "heading": "Payment notice",
        "sub": "Residents' share of the common-parts retrofit",
        "estate": "Estate",
        "unit": "Building / unit",
        "owner": "Owner",
        "area": "Area",
        "plan": "Funding plan",
        "version": "v{version}",
        "void": "void: superseded by v{version}",
        "draft": "draft (not approved), created {day}",
        "approved": "approved {day}",
        "payment": "Payment",
        "paid": "paid",
        "remaining": "remaining",
        "due": "Due date",
        "payee": "Payee",
        "account": "Account",
        "how": "How to pay",
        "work": "Work",
        "amount": "Amount due",
        "no_work": "no work to pay for in this plan",
        "total": "Total",
        "capital": "",
        "cap": "held at the hardship cap of {cap}",
        "code": "Verification code: ",
        "ids": "Plan {plan} · v{version} · household {household}",
        "seal": "Owners' committee (seal)",
        "date": "Date: ____________",
        "mark_draft": "DRAFT",
        "mark_void": "VOID",
        "line_draft": "DRAFT: this plan is not approved and is not a payment demand",
        "line_void": "VOID: superseded by plan v{version}; this is not a payment demand",
    },
}


def _mark(plan: ExportPlan, t: dict[str, str]) -> str:
    """The watermark of a plan not in force, in one language ("" for the plan in force)."""
    if plan.is_void:
        return t["mark_void"]
    return t["mark_draft"] if plan.is_draft else ""


def _mark_line(plan: ExportPlan, t: dict[str, str]) -> str:
    """Why this notice is no payment demand, in one language ("" for the plan in force)."""
    if plan.is_void:
        return t["line_void"].format(version=plan.superseded_by_version or "?")
    return t["line_draft"] if plan.is_draft else ""


def _how_to_pay(plan: ExportPlan, t: dict[str, str]) -> str:
    """The treasurer's instructions as table rows: due date (a plain date), payee, account,
    where and how (user text, escaped; its line breaks kept)."""
    given = plan.instructions
    if given is None:
        return ""
    rows = []
    if given.due_date is not None:
        rows.append(f"<tr><th>{t['due']}</th><td>{given.due_date.isoformat()}</td></tr>")
    if given.payee:
        rows.append(f"<tr><th>{t['payee']}</th><td>{escape(given.payee)}</td></tr>")
    if given.account:
        rows.append(f"<tr><th>{t['account']}</th><td>{escape(given.account)}</td></tr>")
    if given.how_to_pay:
        how = "<br>".join(escape(line) for line in given.how_to_pay.splitlines())
        rows.append(f"<tr><th>{t['how']}</th><td>{how}</td></tr>")
    return "\n".join(rows)


def _page(plan: ExportPlan, household: HouseholdPlan, key: bytes, lang: Lang) -> str:
    t = LABEL[lang]
    label = plan.household_label(household)
    rows = []
    for amount in household.works:
        rows.append(
            f"<tr><td>{escape(plan.work_title(amount.work_id))}</td>"
            f'<td class="amount">{format_money(amount.amount_fen)}</td></tr>'
        )
    if not rows:
        rows.append(f'<tr><td colspan="2">{t["no_work"]}</td></tr>')
    if plan.is_void:
        approval = t["void"].format(version=plan.superseded_by_version)
        if plan.superseded_at is not None:
            approval += f" {plan.local_date(plan.superseded_at)}"
    elif plan.is_draft:
        approval = t["draft"].format(day=plan.local_date(plan.created_at))
    else:
        approval = t["approved"].format(day=plan.local_date(plan.stamp))
    cap = ""
    if label.cap_fen is not None and household.capped:
        cap = f"<p>{t['cap'].format(cap=format_money(label.cap_fen))}</p>"
    payment = ""
    if not plan.is_draft:
        paid = plan.payments.get(household.household_id, 0)
        status = payment_status(household.amount_fen, paid)
        remaining = format_money(max(household.amount_fen - paid, 0))
        payment = (
            f"<tr><th>{t['payment']}</th><td>{PAYMENT_TEXT[lang][status]} · "
            f"{t['paid']} {format_money(paid)} · {t['remaining']} {remaining}</td></tr>"
        )
    if not plan.is_void:
        payment += _how_to_pay(plan, t)
    code = verification_code_with_key(
        key, plan.plan_id, household.household_id, household.amount_fen
    )
    draft = ""
    if plan.is_draft:
        draft = (
            f'<div class="watermark" aria-hidden="true">{_mark(plan, t)}</div>'
            f'<div class="banner">{_mark_line(plan, t)}</div>'
        )
    building = escape(label.building)
    total = format_money(household.amount_fen)
    unit = escape(label.unit)
    version = t["version"].format(version=plan.version)
    capital = ""
    if lang == "zh":  # 人民币大写: a Chinese banking convention, not printed in English
        capital = (
            f'<p class="capital">{t["capital"]}'
            f"<strong>{capital_numerals(household.amount_fen)}</strong></p>"
        )
    ids = t["ids"].format(plan=plan.plan_id, version=plan.version, household=household.household_id)
    return f"""<section class="notice" id="household-{household.household_id}" \
data-plan-status="{plan.status}">{draft}
<h1>{t["heading"]}</h1>
<p class="sub">{t["sub"]}</p>
<table>
<tr><th>{t["estate"]}</th><td>{escape(plan.estate_name)}</td></tr>
<tr><th>{t["unit"]}</th><td>{building} {unit}</td></tr>
<tr><th>{t["owner"]}</th><td>{escape(label.owner_name)}</td></tr>
<tr><th>{t["area"]}</th><td>{label.area_m2:.2f} m²</td></tr>
<tr><th>{t["plan"]}</th><td>{version} · {approval}</td></tr>
{payment}</table>
<table>
<tr><th>{t["work"]}</th><th class="amount">{t["amount"]}</th></tr>
{"".join(rows)}
<tr class="total"><td>{t["total"]}</td><td class="amount">{total}</td></tr>
</table>
{capital}
{cap}
<p class="meta">{t["code"]}<span class="code" lang="en">{code}</span><br>
{ids}</p>
<div class="sign"><span>{t["seal"]}</span><span>{t["date"]}</span></div>
</section>"""


def render_notices(plan: ExportPlan, households: Iterable[HouseholdPlan], lang: Lang = "zh") -> str:
    """One HTML document with a printable page for each of ``households``, in ``lang``."""
    t = LABEL[lang]
    key = _plan_key(plan)
    title = t["title"].format(estate=plan.estate_name, version=plan.version)
    if plan.is_draft:
        title = f"{_mark(plan, t)} · {title}"
    pages = "\n".join(_page(plan, h, key, lang) for h in households)
    return f"""<!doctype html>
<html lang="{t["html_lang"]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
{pages}
</body>
</html>
"""
