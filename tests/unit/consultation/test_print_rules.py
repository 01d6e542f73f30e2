"""Rule sets spelled out for printed pages (planner/consultation/print_rules.py, issue 17)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from planner.consultation.print_rules import consent_text, matter_label, quorum_text, rule_lines
from planner.rule_sets import RULE_SETS, Threshold

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_civil_code_in_the_law_s_own_words() -> None:
    rules = RULE_SETS["civil_code_2021"]
    assert quorum_text(rules, "zh") == (
        "由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决"
    )
    assert consent_text(rules.special, "zh") == (
        "经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意"
    )
    assert consent_text(rules.ordinary, "zh") == (
        "经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意"
    )
    assert consent_text(rules.ordinary, "en").startswith("owners holding more than half of")
    assert rule_lines(rules, "zh")[2][0] == "第六、七、八项事项"


def test_property_law_counts_over_all_owners_without_a_quorum() -> None:
    rules = RULE_SETS["property_law_2007"]
    assert quorum_text(rules, "zh") == "不设单独的参与表决比例"
    assert consent_text(rules.special, "zh") == (
        "经专有部分面积占总面积三分之二以上的业主且人数占总人数三分之二以上的业主同意"
    )
    assert "of all owners" in consent_text(rules.special, "en")


def test_other_fractions_and_strictness() -> None:
    odd = Threshold(share=Fraction(3, 5), strict=True, base="participating")
    assert "超过五分之三" in consent_text(odd, "zh")
    assert "more than 3/5" in consent_text(odd, "en")
    assert matter_label(9, "zh") == "第九项事项" and matter_label(9, "en") == "Matter 9"


@pytest.mark.parametrize("name", sorted(RULE_SETS))
def test_every_rule_set_reads_in_one_language(name: str) -> None:
    for label, text in rule_lines(RULE_SETS[name], "zh"):
        assert not LATIN.search(label + text), (label, text)
    for label, text in rule_lines(RULE_SETS[name], "en"):
        assert not CJK.search(label + text), (label, text)
