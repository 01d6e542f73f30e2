"""A consultation's printable pages (A4, ``?lang=zh|en``, Chinese by default): the notice
(公告), the door-to-door list of owners not reached or not voted, and the result announcement
(表决结果公告). Pure: no database, no web. All user text is escaped; times are the estate's
wall clock; a Chinese page has no Latin sentence (addresses and hashes are marked ``lang=en``).
The QR codes (segno, inline SVG) lead to the consultation's public page.
"""

from __future__ import annotations

import html
from datetime import datetime

import msgspec

from planner.consultation.model import ConsultationOut
from planner.consultation.outreach_model import OwnerDelivery
from planner.consultation.page_words import WORDS
from planner.consultation.print_rules import (
    Lang,
    matter_label,
    matter_rule,
    matter_text,
    rule_lines,
    when,
)
from planner.deliberation.model import ChainHead, ChannelTurnout, MotionOut
from planner.deliberation.rules import Tally
from planner.estates.natural_order import natural_key
from planner.rule_sets import RULE_SETS

e = html.escape

CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.55; color: #111;
       overflow-wrap: anywhere; position: relative; }
h1 { text-align: center; font-size: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0; max-width: 100%; }
th, td { border: 1px solid #999; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.tick { font-size: 1.2rem; text-align: center; width: 3rem; }
.qr { display: flex; gap: 1rem; align-items: center; margin: 1rem 0; break-inside: avoid; }
.qr svg { flex: none; }
code { font-size: .8rem; overflow-wrap: anywhere; }
.draft { border: 3px solid #a40000; color: #a40000; font-weight: bold; text-align: center;
         padding: .3rem; margin: .5rem 0; letter-spacing: .1em; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; opacity: .12;
             font-size: 5rem; transform: rotate(-20deg); pointer-events: none; }
.passed { color: #0a6b2a; } .failed { color: #a40000; }
.units { font-size: .85rem; }
.sign { margin-top: 2rem; text-align: right; }
section.building { break-inside: auto; }
@page { size: A4; margin: 16mm 18mm; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; }
               h2 { break-after: avoid; } tr { break-inside: avoid; } }
@media screen and (max-width: 600px) { body { padding: 0 .6rem; font-size: 15px; }
                                        th, td { padding: .2rem .3rem; } }
"""


class NoticeInput(msgspec.Struct, kw_only=True):
    estate_name: str
    time_zone: str
    consultation: ConsultationOut
    building_names: list[str]
    public_url: str
    #: a draft shown to the committee before it is published
    preview: bool = False


class UnreachedInput(msgspec.Struct, kw_only=True):
    estate_name: str
    time_zone: str
    consultation: ConsultationOut
    #: the owners not reached or not voted on every motion
    owners: list[OwnerDelivery]
    printed_at: datetime


class AnnouncedMotion(msgspec.Struct, kw_only=True):
    motion: MotionOut
    tally: Tally
    #: (unit label, counted choice: None unless the ballot is open)
    units: list[tuple[str, str | None]]


class AnnouncementInput(msgspec.Struct, kw_only=True):
    estate_name: str
    time_zone: str
    consultation: ConsultationOut
    building_names: list[str]
    motions: list[AnnouncedMotion]
    by_channel: dict[str, ChannelTurnout]
    chain_head: ChainHead | None
    public_url: str


def qr_svg(url: str) -> str:
    """The address as an inline SVG QR code (medium error correction)."""
    import segno  # here, not at module level: a fortieth of a second of start-up

    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))


def _head(title: str, lang: Lang) -> list[str]:
    return [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
    ]


def _qr(url: str, caption: str) -> str:
    return (
        f'<div class="qr">{qr_svg(url)}<div>{caption}<br>'
        f'<code lang="en">{e(url)}</code></div></div>'
    )


def _colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _facts(rows: list[tuple[str, str]], lang: Lang) -> str:
    c = _colon(lang)
    return "<ul>" + "".join(f"<li>{k}{c}{v}</li>" for k, v in rows) + "</ul>"


def _rules(rule_set: str, lang: Lang) -> str:
    rules = RULE_SETS[rule_set]
    return _facts([(e(k), e(v)) for k, v in rule_lines(rules, lang)], lang)


def render_notice(data: NoticeInput, lang: Lang = "zh") -> str:
    """The notice (公告): what is decided, by whom, when, how to vote, by which rules."""
    t, c = WORDS[lang], data.consultation
    zone = data.time_zone
    parts = _head(
        f"{t['notice']}：{c.title}" if lang == "zh" else f"{t['notice']}: {c.title}", lang
    )
    if data.preview:
        parts.append(f'<div class="watermark">{t["preview"]}</div>')
        parts.append(f'<div class="draft">{t["preview"]}</div>')
    parts.append(f"<h1>{t['notice']}</h1>")
    parts.append(f"<p>{t['intro']}</p>")
    scope = (
        "、".join(e(n) for n in data.building_names)
        if lang == "zh"
        else ", ".join(e(n) for n in data.building_names)
    )
    parts.append(
        _facts(
            [
                (t["estate"], e(data.estate_name)),
                (t["subject"], e(c.title)),
                (t["scope"], scope or t["whole_estate"]),
                (t["published"], when(c.published_at, zone, lang)),
                (t["notice_days"], t["days"].format(n=c.notice_days)),
                (t["opens"], when(c.opens_at, zone, lang)),
                (t["closes"], when(c.closes_at, zone, lang)),
            ],
            lang,
        )
    )
    rules = RULE_SETS[c.rule_set]
    parts.append(f"<h2>{t['motions']}</h2><ol>")
    for m in c.motions:
        matter = matter_label(m.matter, lang)
        parts.append(
            f"<li><strong>{e(m.title)}</strong><br>{matter}{_colon(lang)}"
            f"{e(matter_text(m.matter, lang))}<br>{t['needs']}{_colon(lang)}"
            f"{e(matter_rule(rules, m.matter, lang))}"
            + (f"<p>{e(m.text)}</p>" if m.text else "")
            + "</li>"
        )
    parts.append("</ol>")
    both = t["both_paper"] if c.both_channels == "paper" else t["both_last"]
    parts.append(
        f"<h2>{t['how']}</h2><ol><li>{t['online']}</li><li>{t['paper']}</li>"
        f"<li>{t['proxy']}</li></ol><p>{both}{'' if lang == 'zh' else ' '}{t['late']}</p>"
        f"<p>{t['open_ballot'] if c.open_ballot else t['secret']}</p>"
    )
    parts.append(f"<h2>{t['rules']}</h2>{_rules(c.rule_set, lang)}")
    parts.append(_qr(data.public_url, t["qr_notice"]))
    parts.append(f'<div class="sign">{t["committee"]}<br>{t["date_line"]}</div></body></html>')
    return "\n".join(parts) + "\n"


def render_unreached(data: UnreachedInput, lang: Lang = "zh") -> str:
    """Per building, the owners the notice has not reached or who have not voted on every
    matter, with their units, their name and a box to tick at the visit."""
    t, c = WORDS[lang], data.consultation
    zone = data.time_zone
    title = f"{t['unreached']}：{c.title}" if lang == "zh" else f"{t['unreached']}: {c.title}"
    parts = _head(title, lang)
    parts.append(f"<h1>{t['unreached']}</h1>")
    parts.append(
        _facts(
            [
                (t["estate"], e(data.estate_name)),
                (t["subject"], e(c.title)),
                (t["closes"], when(c.closes_at, zone, lang)),
                (t["printed"], when(data.printed_at, zone, lang)),
            ],
            lang,
        )
        + f"<p>{t['count'].format(n=len(data.owners))}</p>"
    )
    if not data.owners:
        parts.append(f"<p>{t['everyone']}</p>")
    buildings: dict[str, list[tuple[OwnerDelivery, list[str]]]] = {}
    for owner in data.owners:
        for building in owner.buildings:
            units = [u.unit for u in owner.units if u.building == building]
            buildings.setdefault(building, []).append((owner, units))
    sep = "、" if lang == "zh" else ", "
    for building in sorted(buildings, key=natural_key):
        rows = sorted(buildings[building], key=lambda ou: natural_key(ou[1][0]))
        parts.append(
            f'<section class="building"><h2>{e(building)}</h2><table><tr><th>{t["unit"]}</th>'
            f"<th>{t['owner']}</th><th>{t['reached']}</th><th>{t['voted']}</th>"
            f"<th>{t['visited']}</th><th>{t['remarks']}</th></tr>"
        )
        for owner, units in rows:
            parts.append(
                f"<tr><td>{sep.join(e(u) for u in units)}</td><td>{e(owner.owner_name)}</td>"
                f"<td>{t['st_' + owner.state]}</td><td>{t['v_' + owner.voted]}</td>"
                '<td class="tick">☐</td><td></td></tr>'
            )
        parts.append(f"</table><p>{t['count'].format(n=len(rows))}</p></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _tally_table(tally: Tally, t: dict[str, str]) -> str:
    rows = [
        (t["total"], tally.total_area_m2, tally.total_owners),
        (t["participating"], tally.participating_area_m2, tally.participating_owners),
        (t["yes"], tally.yes_area_m2, tally.yes_owners),
        (t["no"], tally.no_area_m2, tally.no_owners),
        (t["abstain"], tally.abstain_area_m2, tally.abstain_owners),
    ]
    return (
        f"<table><tr><th></th><th>{t['area']}</th><th>{t['owners']}</th></tr>"
        + "".join(
            f"<tr><th>{a}</th><td class=n>{b}</td><td class=n>{n}</td></tr>" for a, b, n in rows
        )
        + "</table>"
    )


def render_announcement(data: AnnouncementInput, lang: Lang = "zh") -> str:
    """The result announcement (表决结果公告): per matter the tallies by area and head count
    and whether it passed, the rule set, turnout by channel, the units that took part (their
    choices only for an open ballot), the audit chain head at the close, the publication time
    (a draft until announced) and a QR code to the public result."""
    t, c = WORDS[lang], data.consultation
    zone = data.time_zone
    colon = _colon(lang)
    parts = _head(f"{t['announcement']}{colon}{c.title}", lang)
    if c.announced_at is None:
        parts.append(f'<div class="watermark">{t["draft"]}</div>')
        parts.append(f'<div class="draft">{t["draft"]}</div>')
    parts.append(f"<h1>{t['announcement']}</h1>")
    sep = "、" if lang == "zh" else ", "
    scope = sep.join(e(n) for n in data.building_names) or t["whole_estate"]
    parts.append(
        _facts(
            [
                (t["estate"], e(data.estate_name)),
                (t["subject"], e(c.title)),
                (t["scope"], scope),
                (t["opens"], when(c.opens_at, zone, lang)),
                (t["closed"], when(c.closed_at, zone, lang)),
                (
                    t["announced"],
                    when(c.announced_at, zone, lang) if c.announced_at else t["not_announced"],
                ),
            ],
            lang,
        )
    )
    parts.append(f"<h2>{t['rules']}</h2>{_rules(c.rule_set, lang)}")
    parts.append(
        f"<h2>{t['turnout']}</h2><table><tr><th>{t['channel']}</th><th>{t['owners']}</th>"
        f"<th>{t['area']}</th></tr>"
    )
    for name in ("online", "paper", "proxy"):
        figures = data.by_channel.get(name, ChannelTurnout(owners=0, area_m2="0.00"))
        parts.append(
            f"<tr><th>{t['ch_' + name]}</th><td class=n>{figures.owners}</td>"
            f"<td class=n>{figures.area_m2}</td></tr>"
        )
    parts.append(f"</table><h2>{t['motions']}</h2>")
    rules = RULE_SETS[c.rule_set]
    for number, am in enumerate(data.motions, start=1):
        m, tally = am.motion, am.tally
        css, verdict = ("passed", t["passed"]) if tally.passed else ("failed", t["failed"])
        quorum = t["met"] if tally.quorum_met else t["not_met"]
        parts.append(
            f"<h3>{number}. {e(m.title)}</h3><ul>"
            f"<li>{matter_label(m.matter, lang)}{colon}{e(matter_text(m.matter, lang))}</li>"
            f"<li>{t['needs']}{colon}{e(matter_rule(rules, m.matter, lang))}</li>"
            f"<li>{t['quorum']}{colon}{quorum}</li>"
            f'<li class="{css}"><strong>{t["result"]}{colon}{verdict}</strong></li></ul>'
        )
        parts.append(_tally_table(tally, t))
        units = sorted(am.units, key=lambda u: natural_key(u[0]))
        shown = [e(label) + (f" {t[choice]}" if choice else "") for label, choice in units]
        parts.append(
            f"<p>{t['took_part'].format(n=len(units))}{colon}</p>"
            f'<p class="units">{sep.join(shown) or t["nobody"]}</p>'
        )
    head = data.chain_head
    if head is None:
        parts.append(f"<p>{t['chain_head']}{colon}{t['no_head']}</p>")
    else:
        check = f"planner audit verify --expect-head {head.hash}"
        parts.append(
            f"<p>{t['chain_head']}{colon}{t['chain_seq'].format(seq=head.seq)}<br>"
            f'<code lang="en">{e(head.hash)}</code><br><small>{t["chain_check"]} '
            f'<code lang="en">{e(check)}</code></small></p>'
        )
    digest = data.consultation.record_digest
    if digest:
        recount = f"planner recount FILE --expect-digest {digest}"
        parts.append(
            f"<p>{t['record_digest']}{colon}<br>"
            f'<code lang="en">{e(digest)}</code><br><small>{t["record_check"]} '
            f'<code lang="en">{e(recount)}</code></small></p>'
        )
    parts.append(_qr(data.public_url, t["qr_result"]))
    parts.append(f'<div class="sign">{t["committee"]}<br>{t["date_line"]}</div></body></html>')
    return "\n".join(parts) + "\n"
