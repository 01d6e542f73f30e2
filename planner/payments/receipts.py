"""Printable receipts (收据) and arrears lists (A4 HTML, ``lang`` zh or en), and the arrears
CSV for SMS tools. Every piece of user text is HTML-escaped; dates are the estate's."""

from __future__ import annotations

import csv
import io
from html import escape

from planner.access.model import Principal
from planner.db.pool import Database
from planner.estates.store import estate_name, estate_time_zone
from planner.localtime import local_datetime
from planner.money import capital_numerals, format_money, yuan_str
from planner.payments import ledger_service as service
from planner.payments.ledger_model import ArrearsLine, ArrearsOut, LedgerEntryOut

LABEL: dict[str, dict[str, str]] = {
    "zh": {
        "receipt": "收据",
        "reversal": "冲销凭证",
        "estate": "小区",
        "receipt_no": "收据编号",
        "payer": "交款单位（户）",
        "amount": "金额",
        "capital": "人民币大写",
        "channel": "缴款方式",
        "paid_on": "缴款日期",
        "plan": "筹资方案",
        "version": "第{v}版",
        "note": "备注",
        "reason": "冲销原因",
        "reverses": "冲销收据",
        "recorded_at": "登记时间",
        "signature": "收款人（签章）",
        "arrears": "欠缴名单",
        "building": "楼栋",
        "unit": "单元",
        "owner": "业主",
        "due": "应缴",
        "paid": "已缴",
        "balance": "欠缴",
        "total": "合计",
        "households": "户数",
        "none": "无欠缴",
        "cash": "现金",
        "bank_transfer": "银行转账",
        "wechat": "微信",
        "alipay": "支付宝",
        "other": "其他",
    },
    "en": {
        "receipt": "Receipt",
        "reversal": "Reversal voucher",
        "estate": "Estate",
        "receipt_no": "Receipt no.",
        "payer": "Paid by (unit)",
        "amount": "Amount",
        "capital": "Amount in words (RMB)",
        "channel": "Channel",
        "paid_on": "Paid on",
        "plan": "Funding plan",
        "version": "version {v}",
        "note": "Note",
        "reason": "Reason",
        "reverses": "Reverses receipt",
        "recorded_at": "Recorded at",
        "signature": "Received by (signature)",
        "arrears": "Arrears list",
        "building": "Building",
        "unit": "Unit",
        "owner": "Owner",
        "due": "Due",
        "paid": "Paid",
        "balance": "Owing",
        "total": "Total",
        "households": "Households",
        "none": "No arrears",
        "cash": "Cash",
        "bank_transfer": "Bank transfer",
        "wechat": "WeChat",
        "alipay": "Alipay",
        "other": "Other",
    },
}

_CSS = """
@page { size: A4; margin: 16mm 18mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #111; background: #eee;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
.page { background: #fff; width: 210mm; max-width: 100%; margin: 8mm auto; padding: 14mm 16mm;
  break-after: page; page-break-after: always; }
.page:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 20pt; text-align: center; letter-spacing: 0.2em; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 4mm 0 2mm; }
.sub { text-align: center; color: #555; margin: 0 0 6mm; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; margin: 4mm 0; font-size: 11pt; }
th, td { border: 1px solid #333; padding: 2mm 3mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.amount { text-align: right; font-variant-numeric: tabular-nums; }
.sign { margin-top: 14mm; text-align: right; }
@media print { body { background: #fff; } .page { margin: 0; width: auto; } }
"""


def _doc(lang: str, title: str, body: str) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )


def receipt_html(
    entry: LedgerEntryOut, estate: str, zone: str, lang: str, reversed_receipt: str | None
) -> str:
    t = LABEL[lang]
    title = t["reversal"] if entry.kind == "reversal" else t["receipt"]
    rows = [
        (t["estate"], escape(estate)),
        (t["receipt_no"], escape(entry.receipt_no or f"#{entry.entry_id}")),
        (t["payer"], escape(f"{entry.building} {entry.unit}")),
        (t["amount"], f'<span class="amount">{format_money(entry.amount_fen)}</span>'),
    ]
    if lang == "zh":
        words = capital_numerals(abs(entry.amount_fen))
        rows.append((t["capital"], ("负" if entry.amount_fen < 0 else "") + words))
    rows += [
        (t["channel"], t[entry.channel]),
        (t["paid_on"], entry.paid_on.isoformat()),
        (t["plan"], t["version"].format(v=entry.plan_version)),
        (t["recorded_at"], local_datetime(entry.recorded_at, zone)),
    ]
    if entry.note:
        rows.append((t["note"], escape(entry.note)))
    if entry.kind == "reversal":
        rows.append((t["reverses"], escape(reversed_receipt or f"#{entry.reverses_entry_id}")))
        rows.append((t["reason"], escape(entry.reason or "")))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    body = (
        f'<section class="page receipt"><h1>{title}</h1><p class="sub">{escape(estate)}</p>'
        f'<table>{table}</table><p class="sign">{t["signature"]}：＿＿＿＿＿＿</p></section>'
    )
    return _doc(lang, title, body)


async def receipt_page(db: Database, entry_id: int, principal: Principal, lang: str) -> str:
    async with db.connection() as conn:
        entry = await service.readable_entry(conn, entry_id, principal)
        estate_id = await service.entry_estate(conn, entry_id)
        estate = await estate_name(conn, estate_id) or ""
        zone = await estate_time_zone(conn, estate_id)
        reversed_receipt = None
        if entry.reverses_entry_id is not None:
            reversed_receipt = await service.receipt_no_of(conn, entry.reverses_entry_id)
    return receipt_html(entry, estate, zone, lang, reversed_receipt)


def arrears_html(found: ArrearsOut, estate: str, lang: str) -> str:
    t = LABEL[lang]
    groups: dict[str, list[ArrearsLine]] = {}
    for a in found.items:
        groups.setdefault(a.building, []).append(a)
    sections = []
    for building, lines in groups.items():
        rows = "".join(
            f"<tr><td>{escape(a.unit)}</td><td>{escape(a.owner_name)}</td>"
            f'<td class="amount">{format_money(a.due_fen)}</td>'
            f'<td class="amount">{format_money(a.paid_fen)}</td>'
            f'<td class="amount">{format_money(a.balance_fen)}</td></tr>'
            for a in lines
        )
        total = sum(a.balance_fen for a in lines)
        sections.append(
            f'<section class="page"><h1>{t["arrears"]}</h1><p class="sub">{escape(estate)}</p>'
            f"<h2>{t['building']}：{escape(building)}</h2><table><thead><tr>"
            f"<th>{t['unit']}</th><th>{t['owner']}</th><th>{t['due']}</th><th>{t['paid']}</th>"
            f"<th>{t['balance']}</th></tr></thead><tbody>{rows}</tbody><tfoot><tr>"
            f'<th colspan="4">{t["total"]}（{t["households"]} {len(lines)}）</th>'
            f'<th class="amount">{format_money(total)}</th></tr></tfoot></table></section>'
        )
    if not sections:
        sections.append(
            f'<section class="page"><h1>{t["arrears"]}</h1><p class="sub">{escape(estate)}</p>'
            f"<p>{t['none']}</p></section>"
        )
    return _doc(lang, t["arrears"], "".join(sections))


async def arrears_page(
    db: Database, plan_id: int, principal: Principal, building_id: int | None, lang: str
) -> str:
    found = await service.arrears_of(db, plan_id, principal, building_id)
    async with db.connection() as conn:
        estate = await estate_name(conn, await service.plan_estate_id(conn, plan_id)) or ""
    return arrears_html(found, estate, lang)


CSV_HEADERS = {
    "zh": ["楼栋", "单元", "业主", "欠缴（元）", "欠缴（分）"],
    "en": ["building", "unit", "owner", "owing_yuan", "owing_fen"],
}


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def arrears_csv(found: ArrearsOut, lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS[lang])
    for a in found.items:
        writer.writerow(
            [
                _cell(a.building),
                _cell(a.unit),
                _cell(a.owner_name),
                yuan_str(a.balance_fen),
                a.balance_fen,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()
