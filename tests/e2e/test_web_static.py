"""Checks on the browser app's files that need no browser: translations and formatting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
OWN_JS = [p for p in WEB.rglob("*.js") if "vendor" not in p.parts]
STATIC_KEY = re.compile(r"""\bt\(\s*"([^"]+)"|\blabel:\s*"([^"]+)\"""")
# Keys built at run time from a fixed set of values: prefix → the values the code uses.
DYNAMIC = {
    "vote.": ["yes", "no", "abstain"],
    "matter.": [str(n) for n in range(1, 10)],
    "meeting.kind.": ["building_meeting", "public_hearing", "owners_assembly"],
    "benefit.": ["area", "equal", "area_floor_factor", "building"],
    "source.kind.": ["subsidy", "maintenance_fund", "utility", "donor", "other"],
    "funding.policy.": ["minimum", "target"],
    "status.work.": [
        "proposed",
        "approved",
        "quoting",
        "awarded",
        "funded",
        "in_progress",
        "done",
        "rejected",
    ],
    "status.motion.": ["draft", "open", "closed"],
    "status.meeting.": ["scheduled", "open", "closed"],
    "tally.short.": ["quorumOwners", "quorumArea", "consentOwners", "consentArea"],
    "status.consultation.": ["draft", "noticed", "open", "closed", "announced"],
    "consult.": [
        *("publish", "close", "announce"),
        *("publishConfirm", "closeConfirm", "announceConfirm"),
    ],
    "consult.both.": ["last", "paper"],
    "consult.channel.": ["online", "paper", "proxy"],
    "paper.state.": ["awaiting_second", "counted", "mismatch"],
    "paper.reader.": ["platform", "jsqr"],
    "consult.filter.": ["todo", "all"],
    "consult.delivery.": ["not_yet", "online", "paper"],
    "consult.voted.": ["every", "some", "none"],
    "problem.status.": ["collecting", "listed", "in_progress", "solved", "declined"],
    "problem.category.": [
        *("policy", "livelihood", "health", "education"),
        *("facilities", "environment", "safety", "other"),
    ],
    "problem.urgency.": ["urgent", "normal"],
    "problem.difficulty.": ["hard", "easy"],
    "board.figure.": [
        *("suggestions_received", "suggestions_sorted", "self_help"),
        *("problems_listed", "problems_solved", "problems_urgent_solved"),
    ],
    # small wishes and pledges (issue 18)
    "role.": ["admin", "committee", "owner", "supplier", "treasurer", "observer", "partner"],
    "status.wish.": ["open", "claimed", "fulfilled", "confirmed", "cancelled"],
    "wish.action.": ["claim", "release", "fulfil", "confirm", "cancel"],
    "wish.category.": [
        *("policy", "livelihood", "health", "education"),
        *("facilities", "environment", "safety", "other"),
    ],
    "partner.kind.": ["bank", "school", "hospital", "law_firm", "enterprise", "other"],
    "pledge.status.": ["active", "withdrawn"],
    "wish.": ["intro", "introPartner", "post", "postFor"],
    "pledge.": ["mine", "all"],
    "home.": ["wishesText", "wishesPartnerText", "wishesClaim", "wishesOpen"],
    # the live reverse auction (issue 20)
    "status.auction.": ["scheduled", "running", "pause", "finished", "cancelled"],
    "auction.": ["open", "openLive"],
    "auction.bad.": ["rounds", "minutes", "seconds", "pause", "minBidders", "startsIn"],
}


def load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_languages_have_the_same_keys_and_no_empty_strings() -> None:
    zh, en = load("zh-CN"), load("en")
    assert set(zh) == set(en)
    assert all(v.strip() for v in [*zh.values(), *en.values()])
    cjk = re.compile(r"[\u3400-\u9fff]")
    # English strings carry no Chinese, except the toggle that names the other language.
    assert [k for k, v in en.items() if cjk.search(v) and k != "lang.switchTo"] == []


def test_every_key_the_code_uses_is_translated() -> None:
    used: set[str] = set()
    for path in OWN_JS:
        for match in STATIC_KEY.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    for prefix, values in DYNAMIC.items():
        used.update(prefix + v for v in values)
    zh = load("zh-CN")
    assert sorted(k for k in used if k not in zh) == []


def test_no_inner_html_in_our_code() -> None:
    offenders = [
        str(p)
        for p in OWN_JS
        if re.search(r"innerHTML|dangerouslySetInnerHTML|insertAdjacentHTML", p.read_text())
    ]
    assert offenders == []


def test_index_has_no_inline_script() -> None:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(s.strip() == "" for s in scripts)
    assert 'src="/app.js"' in html and 'type="module"' in html


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_money_and_date_formatting() -> None:
    script = """
    import * as f from "./lib/format.js";
    const out = {
      big: f.formatFen(170000000), neg: f.formatFen(-5), str: f.formatFen("360000000"),
      huge: f.formatFen("900719925474099312"),
      wan: f.formatWan(170000000), wan2: f.formatWan(123456789), small: f.formatWan(999999),
      parse: f.parseYuan("1,700,000.5"), line: String(f.lineTotalFen("2.5", 333)),
      cap: f.toChineseCapital(170000), cap2: f.toChineseCapital(100000100),
      cap3: f.toChineseCapital(1001), date: f.formatDate("2024-09-28"),
      share: f.shareToPct("0.2345"), area: f.formatArea("86.5"),
    };
    console.log(JSON.stringify(out));
    """
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    out = json.loads(result.stdout)
    assert out == {
        "big": "¥1,700,000.00",
        "neg": "-¥0.05",
        "str": "¥3,600,000.00",
        "huge": "¥9,007,199,254,740,993.12",
        "wan": "170万元",
        "wan2": "123.46万元",
        "small": None,
        "parse": 170000050,
        "line": "833",
        "cap": "人民币壹仟柒佰元整",
        "cap2": "人民币壹佰万零壹元整",
        "cap3": "人民币壹拾元零壹分",
        "date": "2024-09-28",
        "share": "23.5%",
        "area": "86.50 m²",
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_module_parses(tmp_path: Path) -> None:
    failures = []
    for path in OWN_JS:
        copy = tmp_path / (path.stem + ".mjs")  # .mjs: parsed as an ES module
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        result = subprocess.run(
            ["node", "--check", str(copy)], capture_output=True, text=True, timeout=30
        )
        if result.returncode:
            failures.append(f"{path.relative_to(WEB)}: {result.stderr.strip()}")
    assert failures == []
