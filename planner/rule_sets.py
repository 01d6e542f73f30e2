"""Named rule sets: the thresholds a vote is decided by, as exact fractions.

The Civil Code 2021 (Art. 278) is the default. Some city texts still follow the Property Law
of 2007 (Art. 76), which has no separate participation quorum and counts consent over **all**
owners of the scope. Each rule set names, for "special" and "ordinary" matters, the consent
share and what it is a share of; a quorum (participation) share when the text has one. Every
comparison is by cross-multiplication of integers: the law decides at the boundary.

"以上" in the texts includes the number itself (>=); "过半数" is strictly more than half (>).
This module is pure (no database, no web framework).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import msgspec

Base = Literal["participating", "total"]


class Threshold(msgspec.Struct, frozen=True, kw_only=True):
    """Consent (or participation) of at least ``share`` (more than, when ``strict``) of ``base``."""

    share: Fraction
    strict: bool
    base: Base

    def met(self, part: int, participating: int, total: int) -> bool:
        """Whether ``part`` meets the threshold; an empty base never does."""
        whole = participating if self.base == "participating" else total
        if whole <= 0:
            return False
        left, right = part * self.share.denominator, whole * self.share.numerator
        return left > right if self.strict else left >= right

    def describe(self) -> dict[str, object]:
        return {
            "share": f"{self.share.numerator}/{self.share.denominator}",
            "strict": self.strict,
            "base": self.base,
        }


class RuleSet(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    title_zh: str
    title_en: str
    source: str
    #: None: the text sets no participation quorum of its own
    quorum: Threshold | None
    special_matters: frozenset[int]
    special: Threshold
    ordinary: Threshold

    def consent(self, matter: int) -> Threshold:
        return self.special if matter in self.special_matters else self.ordinary

    def describe(self) -> dict[str, object]:
        """The rule set as printed on results and in the API (fractions as "a/b")."""
        return {
            "name": self.name,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "source": self.source,
            "quorum": self.quorum.describe() if self.quorum else None,
            "special_matters": sorted(self.special_matters),
            "special": self.special.describe(),
            "ordinary": self.ordinary.describe(),
        }


DEFAULT_RULE_SET = "civil_code_2021"

RULE_SETS: dict[str, RuleSet] = {
    rs.name: rs
    for rs in (
        RuleSet(
            name="civil_code_2021",
            title_zh="民法典（2021）第二百七十八条",
            title_en="Civil Code (2021), Art. 278",
            source="中华人民共和国民法典 第二百七十八条",
            quorum=Threshold(share=Fraction(2, 3), strict=False, base="total"),
            special_matters=frozenset({6, 7, 8}),
            special=Threshold(share=Fraction(3, 4), strict=False, base="participating"),
            ordinary=Threshold(share=Fraction(1, 2), strict=True, base="participating"),
        ),
        RuleSet(
            name="property_law_2007",
            title_zh="物权法（2007）第七十六条（部分城市条例沿用）",
            title_en="Property Law (2007), Art. 76 (kept by some city regulations)",
            source="中华人民共和国物权法 第七十六条",
            quorum=None,
            # 2007's "raising and using the maintenance fund" and "rebuilding" are the Civil
            # Code's matters 5, 6 and 7.
            special_matters=frozenset({5, 6, 7}),
            special=Threshold(share=Fraction(2, 3), strict=False, base="total"),
            ordinary=Threshold(share=Fraction(1, 2), strict=True, base="total"),
        ),
    )
}


def rule_set(name: str) -> RuleSet:
    """The named rule set; KeyError for an unknown name."""
    return RULE_SETS[name]
