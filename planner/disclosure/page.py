"""The printable disclosure notice (公示, A4, ``?lang=zh|en``, Chinese by default). Pure:
no database. Aggregates only (no household is ever named); amounts as the funding notices
print them (¥ with separators; 人民币大写 for the totals); times in the estate's zone; the
QR code leads to the public page. A Chinese page has no Latin sentence (the address and the
hash are marked ``lang=en``)."""

from __future__ import annotations

import html

from planner.consultation.pages import CSS, qr_svg
from planner.consultation.print_rules import Lang, when
from planner.disclosure.model import Disclosure
from planner.money import capital_numerals, format_money

e = html.escape

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "维修资金使用公示",
        "plan": "执行中的筹资方案：第 {v} 版",
        "no_plan": "尚无执行中的筹资方案。",
        "final": "决算：第 {v} 版，批准于 {at}",
        "no_final": "决算尚未批准，下列最终费用为中标价加已批准的变更。",
        "works": "工程",
        "work": "工程名称",
        "estimate": "预算",
        "awarded": "中标价",
        "variations": "已批准变更",
        "final_cost": "最终费用",
        "total": "合计",
        "capital": "（人民币大写）",
        "sources": "资金来源",
        "source": "来源",
        "promised": "方案承担",
        "final_fen": "决算承担",
        "unspent": "结余退回",
        "residents": "业主分摊",
        "planned": "方案",
        "collection": "收缴情况",
        "due": "应缴",
        "collected": "已收",
        "arrears": "欠缴",
        "in_arrears": "欠缴户数",
        "households": "户数",
        "refunds": "应退",
        "topups": "应补",
        "count": "{n} 项",
        "head": "审计链头",
        "seq": "第 {seq} 条事件",
        "generated": "生成时间",
        "qr": "扫码查看在线公示（无需登录）",
        "not_published": "公示链接尚未发布。",
        "dash": "—",
    },
    "en": {
        "title": "Disclosure of the repair funds",
        "plan": "Funding plan in force: version {v}",
        "no_plan": "No funding plan is in force yet.",
        "final": "Final accounts: version {v}, approved {at}",
        "no_final": "The final accounts are not approved yet; final costs below are the "
        "award plus approved variations.",
        "works": "Works",
        "work": "Work",
        "estimate": "Budget",
        "awarded": "Award",
        "variations": "Approved variations",
        "final_cost": "Final cost",
        "total": "Total",
        "capital": " (in Chinese capital numerals)",
        "sources": "Funding sources",
        "source": "Source",
        "promised": "In the plan",
        "final_fen": "In the final accounts",
        "unspent": "Returned unspent",
        "residents": "Residents' share",
        "planned": "Plan",
        "collection": "Collection",
        "due": "Due",
        "collected": "Collected",
        "arrears": "Arrears",
        "in_arrears": "Households in arrears",
        "households": "Households",
        "refunds": "Refunds due",
        "topups": "Top-ups due",
        "count": "{n}",
        "head": "Audit chain head",
        "seq": "event {seq}",
        "generated": "Generated",
        "qr": "Scan for the online disclosure (no sign-in)",
        "not_published": "The public link is not published yet.",
        "dash": "—",
    },
}


def _m(fen: int | None) -> str:
    return "—" if fen is None else e(format_money(fen))


def render(d: Disclosure, lang: Lang, public_url: str | None) -> str:
    t = WORDS[lang]
    colon = "：" if lang == "zh" else ": "
    out = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(t['title'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(d.estate_name)} {e(t['title'])}</h1>",
    ]
    if d.plan_version is None:
        out.append(f"<p>{e(t['no_plan'])}</p>")
    else:
        out.append(f"<p>{e(t['plan'].format(v=d.plan_version))}</p>")
        if d.final_accounts_version is not None:
            at = when(d.final_accounts_approved_at, d.time_zone, lang)
            out.append(f"<p>{e(t['final'].format(v=d.final_accounts_version, at=at))}</p>")
        else:
            out.append(f"<p>{e(t['no_final'])}</p>")
    out.append(f"<h2>{e(t['works'])}</h2><table><tr>")
    for key in ("work", "estimate", "awarded", "variations", "final_cost"):
        out.append(f"<th>{e(t[key])}</th>")
    out.append("</tr>")
    for w in d.works:
        count = t["count"].format(n=w.variations_count)
        out.append(
            f"<tr><td>{e(w.title)}</td><td class=n>{_m(w.estimate_fen)}</td>"
            f"<td class=n>{_m(w.awarded_fen)}</td>"
            f"<td class=n>{_m(w.variations_fen)}（{e(count)}）</td>"
            f"<td class=n>{_m(w.final_cost_fen)}</td></tr>"
            if lang == "zh"
            else f"<tr><td>{e(w.title)}</td><td class=n>{_m(w.estimate_fen)}</td>"
            f"<td class=n>{_m(w.awarded_fen)}</td>"
            f"<td class=n>{_m(w.variations_fen)} ({e(count)})</td>"
            f"<td class=n>{_m(w.final_cost_fen)}</td></tr>"
        )
    out.append(
        f"<tr><th>{e(t['total'])}</th><td class=n>{_m(d.total_estimate_fen)}</td><td></td>"
        f"<td></td><td class=n>{_m(d.total_final_fen)}</td></tr></table>"
    )
    out.append(
        f"<p>{e(t['estimate'])}{e(t['capital'])}{colon}{e(capital_numerals(d.total_estimate_fen))}</p>"
    )
    if d.total_final_fen is not None:
        out.append(
            f"<p>{e(t['final_cost'])}{e(t['capital'])}{colon}"
            f"{e(capital_numerals(d.total_final_fen))}</p>"
        )
    out.append(f"<h2>{e(t['sources'])}</h2><table><tr>")
    for key in ("source", "promised", "final_fen", "unspent"):
        out.append(f"<th>{e(t[key])}</th>")
    out.append("</tr>")
    for s in d.sources:
        out.append(
            f"<tr><td>{e(s.name)}</td><td class=n>{_m(s.promised_fen)}</td>"
            f"<td class=n>{_m(s.final_fen)}</td><td class=n>{_m(s.unspent_fen)}</td></tr>"
        )
    out.append(
        f"<tr><td>{e(t['residents'])}</td><td class=n>{_m(d.residents_planned_fen)}</td>"
        f"<td class=n>{_m(d.residents_final_fen)}</td><td></td></tr></table>"
    )
    residents = d.residents_planned_fen if d.residents_final_fen is None else d.residents_final_fen
    out.append(
        f"<p>{e(t['residents'])}{e(t['capital'])}{colon}{e(capital_numerals(residents))}</p>"
    )
    c = d.collection
    out.append(f"<h2>{e(t['collection'])}</h2><table>")
    rows = [
        ("households", str(c.households)),
        ("due", _m(c.due_fen)),
        ("collected", _m(c.collected_fen)),
        ("arrears", _m(c.arrears_fen)),
        ("in_arrears", str(c.households_in_arrears)),
        ("refunds", _m(c.refunds_due_fen)),
        ("topups", _m(c.topups_due_fen)),
    ]
    for key, value in rows:
        out.append(f"<tr><th>{e(t[key])}</th><td class=n>{value}</td></tr>")
    out.append("</table>")
    out.append(
        f"<p>{e(t['collected'])}{e(t['capital'])}{colon}{e(capital_numerals(c.collected_fen))}</p>"
    )
    if public_url:
        out.append(
            f'<div class="qr">{qr_svg(public_url)}<div>{e(t["qr"])}<br>'
            f'<code lang="en">{e(public_url)}</code></div></div>'
        )
    else:
        out.append(f"<p>{e(t['not_published'])}</p>")
    head = d.chain_head
    out.append(
        f"<p>{e(t['head'])}{colon}{e(t['seq'].format(seq=head.seq))}，"
        f'<code lang="en">{e(head.hash)}</code></p>'
        if lang == "zh"
        else f"<p>{e(t['head'])}{colon}{e(t['seq'].format(seq=head.seq))}, "
        f'<code lang="en">{e(head.hash)}</code></p>'
    )
    out.append(
        f"<p>{e(t['generated'])}{colon}{e(when(d.generated_at, d.time_zone, lang))}</p>"
        "</body></html>"
    )
    return "".join(out)
