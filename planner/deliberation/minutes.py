"""Meeting minutes as Markdown and as a printable HTML page (pure: no database, no web).

Every piece of user text (titles, motion text, agenda, names, references) is escaped: in HTML
with ``html.escape``; in Markdown the characters that would start markup are backslash-escaped,
so a title cannot inject links, images or raw HTML into a renderer that allows it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Literal

import msgspec

from planner.deliberation.model import Attendee, ChainHead, CountedReceipt, MeetingOut, MotionOut
from planner.deliberation.rules import Tally
from planner.localtime import DEFAULT_TIME_ZONE, local_datetime

Lang = Literal["zh", "en"]

KIND = {
    "zh": {
        "building_meeting": "楼栋议事会",
        "public_hearing": "民情恳谈会",
        "owners_assembly": "业主大会",
    },
    "en": {
        "building_meeting": "Building meeting",
        "public_hearing": "Public hearing",
        "owners_assembly": "Owners' assembly",
    },
}
RULE = {
    "zh": {
        "ordinary": "《民法典》第二百七十八条：参与表决的专有部分面积过半数"
        "且参与表决人数过半数同意",
        "special": "《民法典》第二百七十八条：参与表决的专有部分面积四分之三以上"
        "且参与表决人数四分之三以上同意",
    },
    "en": {
        "ordinary": "Civil Code Art. 278: more than half of the participating area and of the "
        "participating owners consent",
        "special": "Civil Code Art. 278: at least three quarters of the participating area "
        "and of the participating owners consent",
    },
}
LABEL = {
    "zh": {
        "minutes": "会议纪要",
        "estate": "小区",
        "kind": "会议类型",
        "scope": "范围",
        "whole_estate": "全小区",
        "opened": "开会时间",
        "closed": "闭会时间",
        "agenda": "议程",
        "work": "关联工程",
        "attendance": "参与表决",
        "own_units": "本人房屋",
        "proxy_units": "受托房屋",
        "references": "委托书编号",
        "nobody": "无人参与表决",
        "motions": "表决事项",
        "matter": "事项",
        "rule": "规则",
        "quorum": "参与表决（≥ 2/3）",
        "total": "总计",
        "participating": "参与",
        "yes": "同意",
        "no": "反对",
        "abstain": "弃权",
        "area": "面积（m²）",
        "owners": "人数",
        "result": "结果",
        "passed": "通过",
        "failed": "未通过",
        "not_voted": "未付表决",
        "still_open": "表决中",
        "met": "达到",
        "not_met": "未达到",
        "receipts": "计票回执（公开核对）",
        "no_receipts": "无",
        "member": "成员",
        "chain_head": "闭会时审计链头",
        "chain_check": "核对：planner audit verify --expect-head",
    },
    "en": {
        "minutes": "Minutes",
        "estate": "Estate",
        "kind": "Kind",
        "scope": "Scope",
        "whole_estate": "whole estate",
        "opened": "Opened",
        "closed": "Closed",
        "agenda": "Agenda",
        "work": "work",
        "attendance": "Took part in the vote",
        "own_units": "own units",
        "proxy_units": "units as proxy",
        "references": "authorisation refs",
        "nobody": "Nobody took part in a vote",
        "motions": "Motions",
        "matter": "Matter",
        "rule": "Rule",
        "quorum": "Participation (≥ 2/3)",
        "total": "Total",
        "participating": "Participating",
        "yes": "Yes",
        "no": "No",
        "abstain": "Abstain",
        "area": "Area (m²)",
        "owners": "Owners",
        "result": "Result",
        "passed": "PASSED",
        "failed": "NOT PASSED",
        "not_voted": "not put to the vote",
        "still_open": "still open",
        "met": "met",
        "not_met": "not met",
        "receipts": "Counted ballot receipts (for checking)",
        "no_receipts": "none",
        "member": "Member",
        "chain_head": "Audit chain head at close",
        "chain_check": "check: planner audit verify --expect-head",
    },
}


class MotionMinutes(msgspec.Struct, kw_only=True):
    motion: MotionOut
    tally: Tally | None
    receipts: list[CountedReceipt]


class MinutesInput(msgspec.Struct, kw_only=True):
    estate_name: str
    meeting: MeetingOut
    building_names: list[str]
    attendance: list[Attendee]
    motions: list[MotionMinutes]
    #: The estate's event-stream head right after the meeting's close was recorded: printed
    #: so that a chain later truncated back before it is caught (``--expect-head``).
    chain_head: ChainHead | None = None
    #: The estate's IANA zone: times are printed as its wall clock, the zone named.
    time_zone: str = DEFAULT_TIME_ZONE


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~])")


def md_escape(text: str) -> str:
    """User text made inert in Markdown (one line: newlines become spaces)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _when(value: datetime | None, time_zone: str) -> str:
    """``2026-05-16 19:30 (Asia/Shanghai)``: the estate's wall clock, its zone named."""
    if value is None:
        return "—"
    return f"{local_datetime(value, time_zone)} ({time_zone})"


def _attendee(a: Attendee, lang: Lang) -> str:
    """``曹玉兰（1栋-101、1栋-202）``: the name with the units voted for, own then as a proxy
    (``王五（1栋-101；受托 2栋-301）``), so two owners of one name are told apart."""
    zh = lang == "zh"
    sep, open_, close, semi = ("、", "（", "）", "；") if zh else (", ", " (", ")", "; ")
    parts = []
    if a.own_unit_labels:
        parts.append(sep.join(a.own_unit_labels))
    if a.proxy_unit_labels:
        parts.append(("受托 " if zh else "as proxy ") + sep.join(a.proxy_unit_labels))
    return f"{a.display_name}{open_}{semi.join(parts)}{close}" if parts else a.display_name


def _result(mm: MotionMinutes, t: dict[str, str]) -> str:
    if mm.motion.status == "draft":
        return t["not_voted"]
    if mm.tally is None or mm.motion.status == "open":
        return t["still_open"]
    return t["passed"] if mm.tally.passed else t["failed"]


def _tally_rows(tally: Tally, t: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        (t["total"], tally.total_area_m2, str(tally.total_owners)),
        (t["participating"], tally.participating_area_m2, str(tally.participating_owners)),
        (t["yes"], tally.yes_area_m2, str(tally.yes_owners)),
        (t["no"], tally.no_area_m2, str(tally.no_owners)),
        (t["abstain"], tally.abstain_area_m2, str(tally.abstain_owners)),
    ]


def render_markdown(data: MinutesInput, lang: Lang = "zh") -> str:
    """The minutes as Markdown: meeting, agenda, attendance, each motion's tally and receipts."""
    t, m = LABEL[lang], data.meeting
    scope = ", ".join(md_escape(n) for n in data.building_names) or t["whole_estate"]
    out = [
        f"# {t['minutes']}: {md_escape(m.title)}",
        "",
        f"- {t['estate']}: {md_escape(data.estate_name)}",
        f"- {t['kind']}: {KIND[lang][m.kind]}",
        f"- {t['scope']}: {scope}",
        f"- {t['opened']}: {_when(m.opened_at, data.time_zone)}",
        f"- {t['closed']}: {_when(m.closed_at, data.time_zone)}",
    ]
    if data.chain_head is not None:
        head = data.chain_head
        out.append(f"- {t['chain_head']}: seq {head.seq}, `{head.hash}`")
        out.append(f"  ({t['chain_check']} {head.hash})")
    out.append("")
    if m.agenda:
        out += [f"## {t['agenda']}", ""]
        for item in m.agenda:
            work = f" ({t['work']} #{item.work_id})" if item.work_id else ""
            out.append(f"{item.position}. {md_escape(item.text)}{work}")
        out.append("")
    out += [f"## {t['attendance']}", ""]
    if not data.attendance:
        out.append(t["nobody"])
    else:
        out += [
            f"| {t['member']} | {t['own_units']} | {t['proxy_units']} | {t['references']} |",
            "|---|---:|---:|---|",
        ]
        for a in data.attendance:
            refs = ", ".join(md_escape(r) for r in a.references) or "—"
            name = md_escape(_attendee(a, lang))
            out.append(f"| {name} | {a.own_units} | {a.proxy_units} | {refs} |")
    out += ["", f"## {t['motions']}", ""]
    for number, mm in enumerate(data.motions, start=1):
        motion = mm.motion
        out += [f"### {number}. {md_escape(motion.title)}", ""]
        if motion.text:
            out += [md_escape(motion.text), ""]
        out += [
            f"- {t['matter']}: {motion.matter}",
            f"- {t['rule']}: {RULE[lang][motion.rule]}",
            f"- **{t['result']}: {_result(mm, t)}**",
        ]
        if mm.tally is not None and motion.status == "closed":
            quorum = t["met"] if mm.tally.quorum_met else t["not_met"]
            out += [
                f"- {t['quorum']}: {quorum}",
                "",
                f"| | {t['area']} | {t['owners']} |",
                "|---|---:|---:|",
            ]
            out += [f"| {a} | {b} | {c} |" for a, b, c in _tally_rows(mm.tally, t)]
            out += ["", f"{t['receipts']}:", ""]
            codes = [f"`{r.receipt}` {t[r.choice]}" for r in mm.receipts]
            out.append(", ".join(codes) if codes else t["no_receipts"])
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; color: #111;
       overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .5rem 0; max-width: 100%; }
th, td { border: 1px solid #999; padding: .2rem .6rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code.head { font-size: .8rem; overflow-wrap: anywhere; }
.receipts { font-family: monospace; font-size: .85rem; columns: 3; }
.passed { color: #0a6b2a; } .failed { color: #a40000; }
@media screen and (max-width: 600px) {
  body { margin: .75rem auto; padding: 0 .6rem; font-size: 15px; }
  h1 { font-size: 1.35rem; } h2 { font-size: 1.15rem; } h3 { font-size: 1.05rem; }
  ul, ol { padding-left: 1.2rem; }
  th, td { padding: .2rem .3rem; }
  .receipts { columns: 2; font-size: .8rem; }
}
@page { size: A4; margin: 16mm 18mm; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; }
               h3 { break-after: avoid; } .receipts { columns: 3; } }
"""


def render_html(data: MinutesInput, lang: Lang = "zh") -> str:
    """The minutes as one printable, self-contained HTML page; all user text is escaped."""
    t, m = LABEL[lang], data.meeting
    e = html.escape
    scope = ", ".join(e(n) for n in data.building_names) or t["whole_estate"]
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(t['minutes'])}: {e(m.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t['minutes'])}: {e(m.title)}</h1><ul>",
        f"<li>{t['estate']}: {e(data.estate_name)}</li>",
        f"<li>{t['kind']}: {KIND[lang][m.kind]}</li>",
        f"<li>{t['scope']}: {scope}</li>",
        f"<li>{t['opened']}: {_when(m.opened_at, data.time_zone)}</li>",
        f"<li>{t['closed']}: {_when(m.closed_at, data.time_zone)}</li>",
    ]
    if data.chain_head is not None:
        head = data.chain_head
        parts.append(
            f"<li>{t['chain_head']}: seq {head.seq}, <code class=head>{e(head.hash)}</code>"
            f"<br><small>{t['chain_check']} {e(head.hash)}</small></li>"
        )
    parts.append("</ul>")
    if m.agenda:
        parts.append(f"<h2>{t['agenda']}</h2><ol>")
        for item in m.agenda:
            work = f" ({t['work']} #{item.work_id})" if item.work_id else ""
            parts.append(f"<li>{e(item.text)}{work}</li>")
        parts.append("</ol>")
    parts.append(f"<h2>{t['attendance']}</h2>")
    if not data.attendance:
        parts.append(f"<p>{t['nobody']}</p>")
    else:
        parts.append(
            f"<table><tr><th>{t['member']}</th><th>{t['own_units']}</th>"
            f"<th>{t['proxy_units']}</th><th>{t['references']}</th></tr>"
        )
        for a in data.attendance:
            refs = ", ".join(e(r) for r in a.references) or "—"
            parts.append(
                f"<tr><td>{e(_attendee(a, lang))}</td><td class=n>{a.own_units}</td>"
                f"<td class=n>{a.proxy_units}</td><td>{refs}</td></tr>"
            )
        parts.append("</table>")
    parts.append(f"<h2>{t['motions']}</h2>")
    for number, mm in enumerate(data.motions, start=1):
        motion = mm.motion
        parts.append(f"<h3>{number}. {e(motion.title)}</h3>")
        if motion.text:
            parts.append(f"<p>{e(motion.text)}</p>")
        passed = mm.tally is not None and motion.status == "closed" and mm.tally.passed
        css = "passed" if passed else "failed"
        parts.append(
            f"<ul><li>{t['matter']}: {motion.matter}</li>"
            f"<li>{t['rule']}: {e(RULE[lang][motion.rule])}</li>"
            f'<li class="{css}"><strong>{t["result"]}: {_result(mm, t)}</strong></li>'
        )
        if mm.tally is not None and motion.status == "closed":
            quorum = t["met"] if mm.tally.quorum_met else t["not_met"]
            parts.append(f"<li>{t['quorum']}: {quorum}</li></ul>")
            parts.append(f"<table><tr><th></th><th>{t['area']}</th><th>{t['owners']}</th></tr>")
            parts += [
                f"<tr><th>{a}</th><td class=n>{b}</td><td class=n>{c}</td></tr>"
                for a, b, c in _tally_rows(mm.tally, t)
            ]
            parts.append(f"</table><p>{t['receipts']}:</p><div class=receipts>")
            parts += [f"<div>{e(r.receipt)} {t[r.choice]}</div>" for r in mm.receipts]
            if not mm.receipts:
                parts.append(t["no_receipts"])
            parts.append("</div>")
        else:
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
