"""Printable delivery pages (A4, ``?lang=zh|en``, Chinese by default): the estate's timeline
(landscape, with a hand-drawn SVG Gantt chart) and a work's acceptance record (验收记录).

Pure: no database, no web. All user text is escaped; dates are the estate's; the Chinese page
carries no Latin sentence.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Final, Literal

from planner.delivery.model import AcceptanceOut, Timeline, TimelineWork
from planner.localtime import local_date, local_datetime

Lang = Literal["zh", "en"]
e = html.escape

WORDS: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "timeline": "工程实施进度一张图",
        "today": "制表日期",
        "work": "工程",
        "milestone": "节点",
        "planned": "计划期限",
        "ends": "截止日",
        "unit": "责任单位",
        "person": "责任人",
        "percent": "进度",
        "state": "状态",
        "done": "已完成",
        "overdue": "已逾期",
        "going": "进行中",
        "late": "逾期完成",
        "goals": "分期目标",
        "count": "节点数",
        "none": "暂无",
        "chart": "工程进度甘特图",
        "acceptance": "工程竣工验收记录",
        "opened": "验收开始",
        "accepted": "验收通过",
        "open": "未通过",
        "defects": "问题清单",
        "defect": "问题",
        "fixed": "已整改",
        "not_fixed": "未整改",
        "note": "复查意见",
        "signatures": "签字",
        "capacity": "身份",
        "committee": "业委会",
        "owner": "业主代表",
        "signed_at": "签字时间",
        "name": "姓名",
        "missing": "尚缺",
        "sign": "（盖章）",
    },
    "en": {
        "timeline": "Works delivery timeline",
        "today": "Printed on",
        "work": "Work",
        "milestone": "Milestone",
        "planned": "Planned",
        "ends": "Ends",
        "unit": "Responsible unit",
        "person": "Person",
        "percent": "Progress",
        "state": "State",
        "done": "done",
        "overdue": "overdue",
        "going": "under way",
        "late": "done late",
        "goals": "Goals by period",
        "count": "Milestones",
        "none": "none yet",
        "chart": "Gantt chart of the works",
        "acceptance": "Acceptance record",
        "opened": "Opened",
        "accepted": "Accepted",
        "open": "not yet accepted",
        "defects": "Defects",
        "defect": "Defect",
        "fixed": "fixed",
        "not_fixed": "not fixed",
        "note": "Re-check note",
        "signatures": "Signatures",
        "capacity": "As",
        "committee": "committee",
        "owner": "owner representative",
        "signed_at": "Signed at",
        "name": "Name",
        "missing": "Still missing",
        "sign": "(seal)",
    },
}

CSS: Final[str] = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; }
th, td { border: 1px solid #555; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.overdue { color: #a00; font-weight: bold; }
svg { width: 100%; height: auto; }
.sign { margin-top: 24pt; text-align: right; }
"""


def _state(done: bool, overdue: bool, late: bool, t: dict[str, str]) -> str:
    if overdue:
        return f'<span class="overdue">{t["overdue"]}</span>'
    if late:
        return t["late"]
    return t["done"] if done else t["going"]


def _days(a: date, b: date) -> int:
    return (b - a).days


def gantt_svg(timeline: Timeline, title: str) -> str:
    """One bar per work from its first milestone's start to its last one's end, filled to its
    progress; a line for today. Hand-drawn; the same figures stand in the tables."""
    works = [w for w in timeline.works if w.start and w.end]
    if not works or timeline.start is None or timeline.end is None:
        return ""
    span = max(1, _days(timeline.start, timeline.end) + 1)
    width, left, row = 1000, 220, 26
    height = row * len(works) + 30
    scale = (width - left - 10) / span
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}">',
        f"<title>{e(title)}</title>",
    ]
    for i, w in enumerate(works):
        assert w.start and w.end
        y = 10 + i * row
        x = left + _days(timeline.start, w.start) * scale
        bar = max(2.0, (_days(w.start, w.end) + 1) * scale)
        colour = "#c33" if w.overdue else "#4a7"
        parts.append(f'<text x="4" y="{y + 15}" font-size="13">{e(w.title[:18])}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="18" fill="#ddd" stroke="#777"/>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{bar * w.progress_pct / 100:.1f}" height="18" '
            f'fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + bar + 4:.1f}" y="{y + 14}" font-size="12">{w.progress_pct}%</text>'
        )
    if timeline.start <= timeline.today <= timeline.end:
        x = left + _days(timeline.start, timeline.today) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#00c" '
            'stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _work_rows(w: TimelineWork, t: dict[str, str]) -> list[str]:
    rows = []
    for m in w.milestones:
        rows.append(
            f"<tr><td>{e(w.title)}</td><td>{e(m.title)}</td><td>{e(m.planned)}</td>"
            f"<td>{m.planned_end.isoformat()}</td><td>{e(m.responsible_unit)}</td>"
            f'<td>{e(m.responsible_person)}</td><td class="n">{m.percent}%</td>'
            f"<td>{_state(m.done, m.overdue, m.late, t)}</td></tr>"
        )
    return rows


def render_timeline(timeline: Timeline, lang: Lang = "zh") -> str:
    t = WORDS[lang]
    c = "：" if lang == "zh" else ": "
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{t['timeline']}</title><style>{CSS}</style></head><body>",
        f"<h1>{t['timeline']}</h1>",
        f"<p>{t['today']}{c}{timeline.today.isoformat()}</p>",
        gantt_svg(timeline, t["chart"]),
        f"<table><thead><tr><th>{t['work']}</th><th>{t['milestone']}</th>"
        f"<th>{t['planned']}</th><th>{t['ends']}</th><th>{t['unit']}</th>"
        f"<th>{t['person']}</th><th>{t['percent']}</th><th>{t['state']}</th></tr></thead><tbody>",
    ]
    for w in timeline.works:
        parts += _work_rows(w, t)
    parts.append("</tbody></table>")
    parts.append(f"<h2>{t['goals']}</h2>")
    if not timeline.goals:
        parts.append(f"<p>{t['none']}</p>")
    else:
        parts.append(
            f"<table><thead><tr><th>{t['planned']}</th><th>{t['unit']}</th>"
            f"<th>{t['count']}</th><th>{t['done']}</th><th>{t['overdue']}</th></tr></thead><tbody>"
        )
        for g in timeline.goals:
            parts.append(
                f"<tr><td>{e(g.planned)}</td><td>{e(g.responsible_unit)}</td>"
                f'<td class="n">{len(g.milestone_ids)}</td><td class="n">{g.done}</td>'
                f'<td class="n">{g.overdue}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def render_acceptance(a: AcceptanceOut, time_zone: str, lang: Lang = "zh") -> str:
    t = WORDS[lang]
    c = "：" if lang == "zh" else ": "
    accepted = local_datetime(a.accepted_at, time_zone) if a.accepted_at else t["open"]
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{t['acceptance']}</title><style>{CSS.replace('landscape', 'portrait')}</style>",
        "</head><body>",
        f"<h1>{t['acceptance']}</h1>",
        f"<p>{t['work']}{c}{e(a.work_title)}</p>",
        f"<p>{t['opened']}{c}{e(local_datetime(a.opened_at, time_zone))}</p>",
        f"<p>{t['accepted']}{c}{e(accepted)}</p>",
        f"<h2>{t['defects']}</h2>",
    ]
    if not a.defects:
        parts.append(f"<p>{t['none']}</p>")
    else:
        parts.append(
            f"<table><thead><tr><th>{t['defect']}</th><th>{t['state']}</th>"
            f"<th>{t['note']}</th></tr></thead><tbody>"
        )
        for d in a.defects:
            when = local_date(d.rechecked_at, time_zone)
            parts.append(
                f"<tr><td>{e(d.description)}</td>"
                f"<td>{t['fixed'] if d.fixed else t['not_fixed']}</td>"
                f"<td>{e(d.recheck_note)} {e(when)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append(f"<h2>{t['signatures']}</h2>")
    parts.append(
        f"<table><thead><tr><th>{t['name']}</th><th>{t['capacity']}</th>"
        f"<th>{t['signed_at']}</th></tr></thead><tbody>"
    )
    for s in a.signatures:
        parts.append(
            f"<tr><td>{e(s.display_name)}</td><td>{t[s.capacity]}</td>"
            f"<td>{e(local_datetime(s.signed_at, time_zone))}</td></tr>"
        )
    parts.append("</tbody></table>")
    if a.accepted_at is None:
        m = a.missing
        parts.append(
            f"<p>{t['missing']}{c}{t['committee']} {m.committee_signatures}，"
            f"{t['owner']} {m.owner_signatures}，{t['not_fixed']} {m.open_defects}</p>"
            if lang == "zh"
            else f"<p>{t['missing']}{c}{t['committee']} {m.committee_signatures}, "
            f"{t['owner']} {m.owner_signatures}, {t['not_fixed']} {m.open_defects}</p>"
        )
    parts.append(f'<p class="sign">{t["sign"]}</p></body></html>')
    return "".join(parts)
