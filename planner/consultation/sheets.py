"""Printable paper ballot sheets (纸质表决票): one A4 page per owner (pure: no database, no web).

Each page names the estate, the consultation and its voting window in the estate's time zone,
the owner and their units in scope (building, unit, area), every motion with 同意/反对/弃权
boxes, a signature and date line, and the sheet's signed code twice: as a QR code (inline
SVG, the code's text in alphanumeric mode) and typed, for a committee member to scan or type
when entering the sheet. All user text is escaped; one language per page (``lang``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Literal

import msgspec

from planner.consultation.paper_model import SheetOut
from planner.localtime import DEFAULT_TIME_ZONE, local_datetime

Lang = Literal["zh", "en"]

LABEL = {
    "zh": {
        "html_lang": "zh-CN",
        "heading": "书面征求意见表决票",
        "title": "{estate} · {title} · 表决票",
        "estate": "小区",
        "consultation": "表决事项",
        "window": "表决时间",
        "owner": "业主",
        "sheet": "票号",
        "units": "房屋",
        "building": "楼栋",
        "unit": "房号",
        "area": "面积（m²）",
        "total": "合计",
        "motions": "表决内容",
        "number": "序号",
        "motion": "事项",
        "choice": "意见（选一项打“✓”）",
        "yes": "同意",
        "no": "反对",
        "abstain": "弃权",
        "hint": "每项只能选择一项。请签名后交回业主委员会；表决截止后收到的表决票不计入。",
        "signature": "业主（或受托人）签名：",
        "date": "日期：____年__月__日",
        "code": "核验码：",
        "code_hint": "录入时扫描二维码或输入核验码",
        "to": "至",
        "none": "无",
    },
    "en": {
        "html_lang": "en",
        "heading": "Written consultation: paper ballot",
        "title": "{estate} · {title} · ballot sheets",
        "estate": "Estate",
        "consultation": "Consultation",
        "window": "Voting window",
        "owner": "Owner",
        "sheet": "Sheet",
        "units": "Units",
        "building": "Building",
        "unit": "Unit",
        "area": "Area (m²)",
        "total": "Total",
        "motions": "Motions",
        "number": "No.",
        "motion": "Motion",
        "choice": "Your choice (tick one)",
        "yes": "Yes",
        "no": "No",
        "abstain": "Abstain",
        "hint": "Tick exactly one box per motion. Sign and hand the sheet to the owners' "
        "committee; sheets received after the close are not counted.",
        "signature": "Signature of the owner (or proxy):",
        "date": "Date: ____-__-__",
        "code": "Sheet code: ",
        "code_hint": "scan the QR code or type the sheet code to enter it",
        "to": "to",
        "none": "none",
    },
}
#: How the default zone is named for people (other zones: their IANA name).
_ZONE_NAME = {"zh": {DEFAULT_TIME_ZONE: "北京时间"}, "en": {DEFAULT_TIME_ZONE: "Beijing time"}}

_CSS = """
@page { size: A4; margin: 14mm 16mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #111; background: #eee;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
.sheet { position: relative; background: #fff; width: 210mm; min-height: 297mm;
  margin: 8mm auto; padding: 14mm 16mm; break-after: page; page-break-after: always; }
.sheet:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 19pt; text-align: center; letter-spacing: 0.15em; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1mm; }
.sub { text-align: center; margin: 0 0 4mm; font-size: 12pt; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; font-size: 10.5pt; }
th, td { border: 1px solid #333; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: bold; }
table.facts th { width: 24%; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.boxes { white-space: nowrap; width: 42%; }
.box { display: inline-block; margin-right: 5mm; }
.box::before { content: ""; display: inline-block; width: 4.5mm; height: 4.5mm;
  border: 1.5px solid #111; vertical-align: -1mm; margin-right: 1.5mm; }
.hint { font-size: 9.5pt; margin: 2mm 0; }
.sign { margin-top: 10mm; display: flex; justify-content: space-between; font-size: 11pt; }
.sign .line { display: inline-block; width: 45mm; border-bottom: 1px solid #111; }
.codes { margin-top: 8mm; display: flex; align-items: center; gap: 6mm; }
.qr svg { width: 30mm; height: 30mm; display: block; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 14pt; letter-spacing: 0.08em; }
.meta { font-size: 9pt; color: #333; }
@media screen and (max-width: 820px) {
  body { background: #fff; overflow-wrap: anywhere; }
  .sheet { width: auto; min-height: auto; margin: 0; padding: 16px 12px 24px;
    border-bottom: 6px solid #eee; }
  h1 { font-size: 19px; letter-spacing: 0.05em; }
  table { font-size: 13px; }
  td.boxes { white-space: normal; }
  .sign { flex-wrap: wrap; gap: 8px 16px; }
}
@media print { body { background: #fff; } .sheet { margin: 0; width: auto; min-height: auto;
  padding: 0; } }
"""


class SheetMotion(msgspec.Struct, frozen=True, kw_only=True):
    motion_id: int
    title: str
    text: str = ""


class SheetsInput(msgspec.Struct, kw_only=True):
    estate_name: str
    title: str
    opens_at: datetime
    closes_at: datetime
    motions: list[SheetMotion]
    sheets: list[SheetOut]
    #: the estate's IANA zone: the window is printed as its wall clock, the zone named
    time_zone: str = DEFAULT_TIME_ZONE


#: The QR mask pattern, fixed: every mask is valid (readers try them all); choosing the
#: "best" one evaluates all eight and made a 2,000-owner print take 6x as long.
QR_MASK = 4


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (version 1-M for a code of 16 symbols and its
    dashes, alphanumeric mode; scaled by CSS, no size of its own)."""
    import segno  # here, not at module level: a fortieth of a second of start-up

    symbol = segno.make(code, error="m", micro=False, mask=QR_MASK)
    return str(symbol.svg_inline(border=2, omitsize=True))


def _window(data: SheetsInput, lang: Lang) -> str:
    zone = _ZONE_NAME[lang].get(data.time_zone, data.time_zone)
    span = (
        f"{local_datetime(data.opens_at, data.time_zone)} {LABEL[lang]['to']} "
        f"{local_datetime(data.closes_at, data.time_zone)}"
    )
    return f"{span}（{zone}）" if lang == "zh" else f"{span} ({zone})"


def _page(data: SheetsInput, sheet: SheetOut, window: str, lang: Lang) -> str:
    t = LABEL[lang]
    units = (
        "".join(
            f"<tr><td>{escape(u.building)}</td><td>{escape(u.unit)}</td>"
            f'<td class="n">{escape(u.area_m2)}</td></tr>'
            for u in sheet.units
        )
        or f'<tr><td colspan="3">{t["none"]}</td></tr>'
    )
    total = sum((Decimal(u.area_m2) for u in sheet.units), Decimal("0.00"))
    boxes = "".join(f'<span class="box">{t[c]}</span>' for c in ("yes", "no", "abstain"))
    motions = "".join(
        f'<tr><td class="n">{number}</td><td>{escape(m.title)}'
        + (f'<div class="meta">{escape(m.text)}</div>' if m.text else "")
        + f'</td><td class="boxes">{boxes}</td></tr>'
        for number, m in enumerate(data.motions, start=1)
    )
    return f"""<section class="sheet" id="sheet-{sheet.sheet_no}" data-code="{escape(sheet.code)}">
<h1>{t["heading"]}</h1>
<p class="sub">{escape(data.title)}</p>
<table class="facts">
<tr><th>{t["estate"]}</th><td>{escape(data.estate_name)}</td></tr>
<tr><th>{t["consultation"]}</th><td>{escape(data.title)}</td></tr>
<tr><th>{t["window"]}</th><td>{window}</td></tr>
<tr><th>{t["owner"]}</th><td>{escape(sheet.owner_name)}</td></tr>
<tr><th>{t["sheet"]}</th><td>{sheet.sheet_no}</td></tr>
</table>
<h2>{t["units"]}</h2>
<table>
<tr><th>{t["building"]}</th><th>{t["unit"]}</th><th class="n">{t["area"]}</th></tr>
{units}
<tr><th colspan="2">{t["total"]}</th><td class="n">{total}</td></tr>
</table>
<h2>{t["motions"]}</h2>
<table>
<tr><th class="n">{t["number"]}</th><th>{t["motion"]}</th><th>{t["choice"]}</th></tr>
{motions}
</table>
<p class="hint">{t["hint"]}</p>
<div class="sign"><span>{t["signature"]}<span class="line"></span></span>\
<span>{t["date"]}</span></div>
<div class="codes"><div class="qr">{qr_svg(sheet.code)}</div>
<div><div>{t["code"]}<span class="code" lang="en">{escape(sheet.code)}</span></div>
<div class="meta">{t["code_hint"]}</div></div></div>
</section>"""


def render_sheets(data: SheetsInput, lang: Lang = "zh") -> str:
    """One HTML document with a printable A4 page per sheet, in ``lang``."""
    t = LABEL[lang]
    window = _window(data, lang)
    pages = "\n".join(_page(data, sheet, window, lang) for sheet in data.sheets)
    title = t["title"].format(estate=data.estate_name, title=data.title)
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
