"""Ledger exports for the treasurer: CSV (UTF-8 with BOM, CRLF, a totals row) and XLSX (one
sheet, amounts in yuan, the total a ``=SUM`` formula written with its value, user text never
read as a formula: the conventions of planner/funding/exports/xlsx_*.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

from planner.funding.exports.xlsx_cells import a1
from planner.money import yuan_str
from planner.payments.ledger_model import LedgerEntryOut

HEADERS = {
    "zh": [
        "序号", "缴款日期", "楼栋", "单元", "类型", "缴款方式", "收据编号", "金额（元）",
        "金额（分）", "备注", "冲销原因", "冲销记录",
    ],
    "en": [
        "entry", "paid_on", "building", "unit", "kind", "channel", "receipt_no", "amount_yuan",
        "amount_fen", "note", "reason", "reverses_entry",
    ],
}  # fmt: skip
KIND = {
    "zh": {"payment": "收款", "reversal": "冲销", "adjustment": "调整"},
    "en": {"payment": "payment", "reversal": "reversal", "adjustment": "adjustment"},
}
CHANNEL = {
    "zh": {"cash": "现金", "bank_transfer": "银行转账", "wechat": "微信", "alipay": "支付宝",
           "other": "其他"},
    "en": {"cash": "cash", "bank_transfer": "bank transfer", "wechat": "WeChat",
           "alipay": "Alipay", "other": "other"},
}  # fmt: skip
TOTAL = {"zh": "合计", "en": "Total"}


def _risky(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r")


def _row(e: LedgerEntryOut, lang: str) -> list[Any]:
    return [
        e.entry_id,
        e.paid_on.isoformat(),
        e.building,
        e.unit,
        KIND[lang][e.kind],
        CHANNEL[lang][e.channel],
        e.receipt_no or "",
        yuan_str(e.amount_fen),
        e.amount_fen,
        e.note,
        e.reason or "",
        e.reverses_entry_id or "",
    ]


def ledger_csv(entries: list[LedgerEntryOut], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS[lang])
    for e in entries:
        writer.writerow(["'" + c if isinstance(c, str) and _risky(c) else c for c in _row(e, lang)])
    total = sum(e.amount_fen for e in entries)
    writer.writerow([TOTAL[lang], "", "", "", "", "", "", yuan_str(total), total, "", "", ""])
    return ("\ufeff" + out.getvalue()).encode()


def ledger_xlsx(entries: list[LedgerEntryOut], lang: str, title: str) -> bytes:
    import xlsxwriter  # here, not at module level: a tenth of a second of start-up

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
    sheet = book.add_worksheet("收款台账" if lang == "zh" else "Ledger")
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    money_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    safe = book.add_format({"quote_prefix": True})
    bold = book.add_format({"bold": True, "top": 1})
    sheet.write_string(0, 0, title, safe if _risky(title) else book.add_format({"bold": True}))
    headers = HEADERS[lang]
    for col, text in enumerate(headers):
        sheet.write_string(1, col, text, header)
        sheet.set_column(col, col, 14)
    row = 2
    for e in entries:
        values = _row(e, lang)
        for col, value in enumerate(values):
            if col == 7:
                sheet.write_number(row, col, e.amount_fen / 100, money)
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, value, safe if _risky(value) else None)
        row += 1
    total = sum(e.amount_fen for e in entries)
    sheet.write_string(row, 0, TOTAL[lang], bold)
    if entries:
        for col, value in ((7, total / 100), (8, total)):
            cells = f"{a1(2, col)}:{a1(row - 1, col)}"
            sheet.write_formula(
                row, col, f"=SUM({cells})", money_total if col == 7 else bold, value
            )
    else:
        sheet.write_formula(row, 7, "=0", money_total, 0)
        sheet.write_formula(row, 8, "=0", bold, 0)
    book.close()
    return buffer.getvalue()
