"""The words printed pages use for rule sets, matters and times (pure: no database, no web).

A rule set's thresholds are spelled out from its exact fractions in the page's language:
"参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意" /
"owners holding at least 3/4 of the participating area and at least 3/4 of the participating
owners consent". Chinese pages use no Latin words.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Literal

from planner.localtime import DEFAULT_TIME_ZONE, local_datetime
from planner.rule_sets import RuleSet, Threshold

Lang = Literal["zh", "en"]
I18N_DIR = Path(__file__).resolve().parents[2] / "web" / "i18n"
_ZH_FRACTION = {Fraction(1, 2): "二分之一", Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三"}
_ZH_DIGITS = "〇一二三四五六七八九"
_ZONE_NAME = {"zh": {DEFAULT_TIME_ZONE: "北京时间"}, "en": {DEFAULT_TIME_ZONE: "Beijing time"}}


@functools.cache
def _texts(lang: Lang) -> dict[str, str]:
    name = "zh-CN" if lang == "zh" else "en"
    texts: dict[str, str] = json.loads((I18N_DIR / f"{name}.json").read_text("utf-8"))
    return texts


def matter_text(matter: int, lang: Lang) -> str:
    """Art. 278's description of matter 1..9 (the web app's words)."""
    return _texts(lang).get(f"matter.{matter}", str(matter))


def when(value: datetime | None, time_zone: str, lang: Lang) -> str:
    """``2026-05-16 19:30（北京时间）`` / ``2026-05-16 19:30 (Beijing time)``; ``—`` for none."""
    if value is None:
        return "—"
    zone = _ZONE_NAME[lang].get(time_zone, time_zone)
    text = local_datetime(value, time_zone)
    return f"{text}（{zone}）" if lang == "zh" else f"{text} ({zone})"


def _zh_number(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _ZH_DIGITS[n // 10] + "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _share(share: Fraction, lang: Lang) -> str:
    if lang == "en":
        return "half" if share == Fraction(1, 2) else f"{share.numerator}/{share.denominator}"
    return _ZH_FRACTION.get(
        share, f"{_zh_number(share.denominator)}分之{_zh_number(share.numerator)}"
    )


def _amount(threshold: Threshold, lang: Lang) -> str:
    share = _share(threshold.share, lang)
    if lang == "zh":
        if threshold.strict:
            return "过半数" if threshold.share == Fraction(1, 2) else f"超过{share}"
        return f"{share}以上"
    return f"more than {share}" if threshold.strict else f"at least {share}"


def consent_text(threshold: Threshold, lang: Lang) -> str:
    a = _amount(threshold, lang)
    if lang == "zh":
        if threshold.base == "participating":
            return f"经参与表决专有部分面积{a}的业主且参与表决人数{a}的业主同意"
        return f"经专有部分面积占总面积{a}的业主且人数占总人数{a}的业主同意"
    if threshold.base == "participating":
        return (
            f"owners holding {a} of the participating area and {a} of the participating "
            "owners consent"
        )
    return f"owners holding {a} of the total area and {a} of all owners consent"


def quorum_text(rules: RuleSet, lang: Lang) -> str:
    if rules.quorum is None:
        return "不设单独的参与表决比例" if lang == "zh" else "no separate participation quorum"
    a = _amount(rules.quorum, lang)
    if lang == "zh":
        return f"由专有部分面积占比{a}的业主且人数占比{a}的业主参与表决"
    return f"owners holding {a} of the total area and {a} of all owners take part"


def special_matters(rules: RuleSet, lang: Lang) -> str:
    numbers = sorted(rules.special_matters)
    if lang == "zh":
        return "第" + "、".join(_zh_number(n) for n in numbers) + "项事项"
    return "Matters " + ", ".join(str(n) for n in numbers)


def rule_lines(rules: RuleSet, lang: Lang) -> list[tuple[str, str]]:
    """The rule set as (label, text) lines: its name, the quorum, the special and the
    ordinary matters' consent."""
    zh = lang == "zh"
    return [
        ("表决规则" if zh else "Rule set", rules.title_zh if zh else rules.title_en),
        ("参与表决" if zh else "Participation", quorum_text(rules, lang)),
        (special_matters(rules, lang), consent_text(rules.special, lang)),
        ("其他事项" if zh else "Other matters", consent_text(rules.ordinary, lang)),
    ]


def matter_label(matter: int, lang: Lang) -> str:
    """``第五项事项`` / ``Matter 5`` (Art. 278's numbering)."""
    return f"第{_zh_number(matter)}项事项" if lang == "zh" else f"Matter {matter}"


def matter_rule(rules: RuleSet, matter: int, lang: Lang) -> str:
    """The consent a matter needs under ``rules``."""
    return consent_text(rules.consent(matter), lang)
