"""The printable board (公示栏, A4, ``?lang=zh|en``, Chinese by default) and the CSV of the
district's figures. Pure: no database, no web. All user text is escaped; times are the
estate's wall clock; the Chinese page carries no Latin sentence.

The bar charts are inline SVG drawn here (no library): each has a ``<title>`` and an
``aria-label`` and the same numbers stand in the table beside it.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Final

from planner.localtime import local_date, local_datetime
from planner.needs.categories import CATEGORY_NAMES_EN, CATEGORY_NAMES_ZH
from planner.needs.problem_model import BoardOut, Lang

e = html.escape

FIGURE_KEYS: Final[tuple[str, ...]] = (
    "suggestions_received",
    "suggestions_sorted",
    "self_help",
    "problems_total",
    "problems_listed",
    "problems_solved",
    "problems_urgent_solved",
    "problems_declined",
)

WORDS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "title": "共性问题公示栏",
        "estate": "小区",
        "printed": "制表时间",
        "figures": "主要数字",
        "suggestions_received": "收到意见建议（条）",
        "suggestions_sorted": "已分类（条）",
        "self_help": "居民自行解决（条）",
        "problems_total": "共性问题（个）",
        "problems_listed": "纳入清单（个）",
        "problems_solved": "已解决（个）",
        "problems_urgent_solved": "其中急事已解决（个）",
        "problems_declined": "不予采纳（个）",
        "by_category": "按类别",
        "by_status": "按进度",
        "category": "类别",
        "suggestions": "意见建议",
        "problems": "共性问题",
        "status": "进度",
        "count": "数量",
        "list": "共性问题清单",
        "no": "序号",
        "problem": "问题",
        "urgency": "缓急",
        "responsible": "责任方",
        "supporters": "支持户数",
        "solved_at": "解决日期",
        "urgent": "急",
        "normal": "一般",
        "collecting": "收集",
        "listed": "已纳入清单",
        "in_progress": "处理中",
        "solved": "已解决",
        "declined": "不予采纳",
        "none": "暂无共性问题。",
        "chart_category": "各类别共性问题数量柱状图",
        "chart_status": "各进度共性问题数量柱状图",
        "sign": "小区业主委员会",
    },
    "en": {
        "title": "Common problems board",
        "estate": "Estate",
        "printed": "Printed",
        "figures": "Key figures",
        "suggestions_received": "Suggestions received",
        "suggestions_sorted": "Sorted",
        "self_help": "Solved by residents themselves",
        "problems_total": "Common problems",
        "problems_listed": "On the list",
        "problems_solved": "Solved",
        "problems_urgent_solved": "Urgent ones solved",
        "problems_declined": "Declined",
        "by_category": "By category",
        "by_status": "By status",
        "category": "Category",
        "suggestions": "Suggestions",
        "problems": "Problems",
        "status": "Status",
        "count": "Count",
        "list": "The list of common problems",
        "no": "No.",
        "problem": "Problem",
        "urgency": "Urgency",
        "responsible": "Responsible",
        "supporters": "Households",
        "solved_at": "Solved on",
        "urgent": "urgent",
        "normal": "normal",
        "collecting": "Collecting",
        "listed": "Listed",
        "in_progress": "In progress",
        "solved": "Solved",
        "declined": "Declined",
        "none": "No common problem yet.",
        "chart_category": "Bar chart: common problems per category",
        "chart_status": "Bar chart: common problems per status",
        "sign": "The owners' committee",
    },
}

CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; color: #111;
       overflow-wrap: anywhere; }
h1 { text-align: center; font-size: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0; max-width: 100%; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts figure { margin: 0; flex: 1 1 20rem; max-width: 100%; }
.charts svg { max-width: 100%; height: auto; }
.sign { margin-top: 2rem; text-align: right; }
@page { size: A4; margin: 14mm 16mm; }
@media print { body { margin: 0; max-width: none; font-size: 10.5pt; }
               h2 { break-after: avoid; } tr, figure { break-inside: avoid; } }
@media screen and (max-width: 600px) { body { padding: 0 .6rem; font-size: 15px; }
                                        th, td { padding: .2rem .3rem; } }
"""


def category_name(key: str, lang: Lang) -> str:
    names = CATEGORY_NAMES_ZH if lang == "zh" else CATEGORY_NAMES_EN
    return names.get(key, key)


def bar_chart(title: str, bars: list[tuple[str, int]], width: int = 320) -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per (label, value)."""
    row, label_w, top = 22, 110, 4
    height = top + row * max(len(bars), 1)
    most = max([v for _, v in bars] + [1])
    span = width - label_w - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{e(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{e(title)}</title>",
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        w = round(span * value / most)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{e(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="15" fill="#2b6cb0"/>'
            f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_board(board: BoardOut, time_zone: str, lang: Lang = "zh") -> str:
    t = WORDS[lang]
    c = "：" if lang == "zh" else ": "
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(t['title'])}{c}{e(board.estate_name)}</title><style>{CSS}</style>",
        "</head><body>",
        f"<h1>{e(board.estate_name)} {t['title']}</h1>",
        f"<p>{t['printed']}{c}{e(local_datetime(board.generated_at, time_zone))}</p>",
        f"<h2>{t['figures']}</h2><table><tbody>",
    ]
    for key in FIGURE_KEYS:
        parts.append(f'<tr><th>{t[key]}</th><td class="n">{board.figures.get(key, 0)}</td></tr>')
    parts.append("</tbody></table>")
    shown_categories = [
        x for x in board.by_category if x.problems or x.suggestions or x.category != "other"
    ]
    parts.append('<div class="charts"><figure>')
    parts.append(f"<h2>{t['by_category']}</h2>")
    parts.append(
        bar_chart(
            t["chart_category"],
            [(category_name(x.category, lang), x.problems) for x in shown_categories],
        )
    )
    parts.append(
        f"<table><thead><tr><th>{t['category']}</th><th>{t['suggestions']}</th>"
        f"<th>{t['problems']}</th></tr></thead><tbody>"
    )
    for x in shown_categories:
        parts.append(
            f"<tr><td>{e(category_name(x.category, lang))}</td>"
            f'<td class="n">{x.suggestions}</td><td class="n">{x.problems}</td></tr>'
        )
    parts.append("</tbody></table></figure><figure>")
    parts.append(f"<h2>{t['by_status']}</h2>")
    parts.append(bar_chart(t["chart_status"], [(t[s.status], s.problems) for s in board.by_status]))
    parts.append(
        f"<table><thead><tr><th>{t['status']}</th><th>{t['count']}</th></tr></thead><tbody>"
    )
    for s in board.by_status:
        parts.append(f'<tr><td>{t[s.status]}</td><td class="n">{s.problems}</td></tr>')
    parts.append("</tbody></table></figure></div>")
    parts.append(f"<h2>{t['list']}</h2>")
    if not board.problems:
        parts.append(f"<p>{t['none']}</p>")
    else:
        parts.append(
            f"<table><thead><tr><th>{t['no']}</th><th>{t['problem']}</th>"
            f"<th>{t['urgency']}</th><th>{t['status']}</th><th>{t['responsible']}</th>"
            f"<th>{t['supporters']}</th><th>{t['solved_at']}</th></tr></thead><tbody>"
        )
        for i, p in enumerate(board.problems, 1):
            parts.append(
                f'<tr><td class="n">{i}</td><td>{e(p.title)}<br><small>'
                f"{e(category_name(p.category, lang))}</small></td><td>{t[p.urgency]}</td>"
                f"<td>{t[p.status]}</td><td>{e(p.responsible or '—')}</td>"
                f'<td class="n">{p.supporters_units}</td>'
                f"<td>{e(local_date(p.solved_at, time_zone) if p.solved_at else '—')}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append(f'<p class="sign">{e(board.estate_name)} {t["sign"]}</p>')
    parts.append("</body></html>")
    return "".join(parts)


def board_csv(board: BoardOut, lang: Lang = "zh") -> str:
    """The figures, then counts by category and by status: ``section,key,name,value``."""
    t = WORDS[lang]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "name", "value"])
    for key in FIGURE_KEYS:
        writer.writerow(["figures", key, t[key], board.figures.get(key, 0)])
    for x in board.by_category:
        name = category_name(x.category, lang)
        writer.writerow(["suggestions_by_category", x.category, name, x.suggestions])
        writer.writerow(["problems_by_category", x.category, name, x.problems])
    for s in board.by_status:
        writer.writerow(["problems_by_status", s.status, t[s.status], s.problems])
    return out.getvalue()
