"""Printable payment notices (缴费通知单): one A4 page per household, HTML with print CSS.

Each page shows the estate, building and unit, owner, area, each work's share and the
total, the total again in capital numerals (人民币大写), the plan version and approval,
and a verification code. A draft plan's pages carry a "草稿 DRAFT" watermark and banner; a
superseded plan's pages are void: an "已作废 VOID" watermark, a banner naming the version in
force, no payment status. Every piece of user text is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from html import escape

from planner.funding.engine import HouseholdPlan
from planner.funding.exports.model import PAYMENT_TEXT, ExportPlan
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


def _how_to_pay(plan: ExportPlan) -> str:
    """The treasurer's instructions as table rows: due date (a plain date), payee, account,
    where and how (user text, escaped; its line breaks kept)."""
    given = plan.instructions
    if given is None:
        return ""
    rows = []
    if given.due_date is not None:
        rows.append(f"<tr><th>缴费截止 Due date</th><td>{given.due_date.isoformat()}</td></tr>")
    if given.payee:
        rows.append(f"<tr><th>收款人 Payee</th><td>{escape(given.payee)}</td></tr>")
    if given.account:
        rows.append(f"<tr><th>收款账户 Account</th><td>{escape(given.account)}</td></tr>")
    if given.how_to_pay:
        how = "<br>".join(escape(line) for line in given.how_to_pay.splitlines())
        rows.append(f"<tr><th>缴费方式 How to pay</th><td>{how}</td></tr>")
    return "\n".join(rows)


def _page(plan: ExportPlan, household: HouseholdPlan, key: bytes) -> str:
    label = plan.household_label(household)
    rows = []
    for amount in household.works:
        rows.append(
            f"<tr><td>{escape(plan.work_title(amount.work_id))}</td>"
            f'<td class="amount">{format_money(amount.amount_fen)}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="2">本方案无需缴费的工程 / no work to pay for</td></tr>')
    if plan.is_void:
        approval = (
            f"已作废 / void: 已被第{plan.superseded_by_version}版取代 superseded by "
            f"v{plan.superseded_by_version}"
        )
        if plan.superseded_at is not None:
            approval += f" {plan.local_date(plan.superseded_at)}"
    elif plan.is_draft:
        approval = f"草稿（未批准）/ draft, created {plan.local_date(plan.created_at)}"
    else:
        approval = f"已批准 / approved {plan.local_date(plan.stamp)}"
    cap = ""
    if label.cap_fen is not None and household.capped:
        cap = f"<p>已按困难户封顶 {format_money(label.cap_fen)} 计算 / held at the hardship cap</p>"
    payment = ""
    if not plan.is_draft:
        paid = plan.payments.get(household.household_id, 0)
        status = payment_status(household.amount_fen, paid)
        payment = (
            f"<tr><th>缴费状态 Payment</th><td>{PAYMENT_TEXT['zh'][status]} / "
            f"{PAYMENT_TEXT['en'][status]} · 已缴 paid {format_money(paid)} · 尚需缴纳 "
            f"remaining {format_money(max(household.amount_fen - paid, 0))}</td></tr>"
        )
    if not plan.is_void:
        payment += _how_to_pay(plan)
    code = verification_code_with_key(
        key, plan.plan_id, household.household_id, household.amount_fen
    )
    draft = ""
    if plan.is_draft:
        draft = (
            f'<div class="watermark" aria-hidden="true">{plan.mark}</div>'
            f'<div class="banner">{plan.mark_line("zh")}<br>{plan.mark_line("en")}</div>'
        )
    building = escape(label.building)
    total = format_money(household.amount_fen)
    unit = escape(label.unit)
    return f"""<section class="notice" id="household-{household.household_id}" \
data-plan-status="{plan.status}">{draft}
<h1>缴费通知单</h1>
<p class="sub">公共部位改造居民自筹资金 · Payment notice for the residents' share</p>
<table>
<tr><th>小区 Estate</th><td>{escape(plan.estate_name)}</td></tr>
<tr><th>楼栋 / 单元 Unit</th><td>{building} {unit}</td></tr>
<tr><th>业主 Owner</th><td>{escape(label.owner_name)}</td></tr>
<tr><th>面积 Area</th><td>{label.area_m2:.2f} m²</td></tr>
<tr><th>资金方案 Plan</th><td>第{plan.version}版 v{plan.version} · {approval}</td></tr>
{payment}</table>
<table>
<tr><th>工程 Work</th><th class="amount">应缴金额 Amount</th></tr>
{"".join(rows)}
<tr class="total"><td>合计 Total</td><td class="amount">{total}</td></tr>
</table>
<p class="capital">人民币大写：<strong>{capital_numerals(household.amount_fen)}</strong></p>
{cap}
<p class="meta">核验码 Verification code：<span class="code">{code}</span><br>
方案编号 Plan {plan.plan_id} · 第{plan.version}版 · 住户编号 Household {household.household_id}</p>
<div class="sign"><span>业主委员会（盖章）</span><span>日期：____年__月__日</span></div>
</section>"""


def render_notices(plan: ExportPlan, households: Iterable[HouseholdPlan]) -> str:
    """One HTML document with a printable page for each of ``households``."""
    key = _plan_key(plan)
    title = f"{plan.estate_name} 缴费通知单 第{plan.version}版"
    if plan.is_draft:
        title = f"{plan.mark} · {title}"
    pages = "\n".join(_page(plan, h, key) for h in households)
    return f"""<!doctype html>
<html lang="zh-CN">
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
