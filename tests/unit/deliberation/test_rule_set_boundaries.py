"""Every named rule set at its boundaries (issue 17): exactly at a threshold, one hundredth
of a m² or one owner below it, "more than half" (strict) against "at least 3/4 / 2/3", the
"total" base of the Property Law 2007, the empty scope; and, with hypothesis, the decisions
against the law's text written out independently as fractions, and monotonicity (one more
yes never turns a passed motion into a failed one).

The expectations below are written from the texts (Civil Code Art. 278; Property Law 2007
Art. 76), not read from ``rule_sets.py``, so a wrong fraction or base there fails here.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.deliberation.rules import Ballot, Counts, UnitInScope, decide, tally
from planner.rule_sets import DEFAULT_RULE_SET, RULE_SETS

CIVIL, PROPERTY = "civil_code_2021", "property_law_2007"

# The law's text: (quorum: share, strict, base | None), special matters, special, ordinary.
LAW: dict[str, tuple[tuple[Fraction, bool, str] | None, set[int], tuple, tuple]] = {  # type: ignore[type-arg]
    CIVIL: (
        (Fraction(2, 3), False, "total"),  # 三分之二以上 of all, by area and by head
        {6, 7, 8},
        (Fraction(3, 4), False, "participating"),  # 参与表决…四分之三以上
        (Fraction(1, 2), True, "participating"),  # 参与表决…过半数
    ),
    PROPERTY: (
        None,  # no participation quorum of its own
        {5, 6, 7},  # 2007 (五) raising and using the fund, (六) rebuilding
        (Fraction(2, 3), False, "total"),  # 占建筑物总面积三分之二以上 / 总人数三分之二以上
        (Fraction(1, 2), True, "total"),  # 总面积过半数 / 总人数过半数
    ),
}


def counts(
    total_area: int,
    total_owners: int,
    part_area: int,
    part_owners: int,
    yes_area: int,
    yes_owners: int,
) -> Counts:
    """Counts with the participants who did not say yes split as no."""
    return Counts(
        total_area=total_area,
        total_owners=total_owners,
        total_units=total_owners,
        participating_units=part_owners,
        yes_area=yes_area,
        no_area=part_area - yes_area,
        yes_owners=yes_owners,
        no_owners=part_owners - yes_owners,
    )


def test_every_rule_set_is_covered_and_the_default_is_the_civil_code() -> None:
    assert set(RULE_SETS) == set(LAW)
    assert DEFAULT_RULE_SET == CIVIL


# Civil Code 2021: 300.00 m² and 300 owners in scope ----------------------------------------


@pytest.mark.parametrize(
    ("part_area", "part_owners", "met"),
    [
        (20000, 200, True),  # exactly 2/3 by area and by head
        (19999, 200, False),  # one hundredth of a m² short
        (20000, 199, False),  # one owner short
        (30000, 300, True),
    ],
)
def test_civil_quorum_two_thirds_at_least(part_area: int, part_owners: int, met: bool) -> None:
    result = decide(1, counts(30000, 300, part_area, part_owners, part_area, part_owners), CIVIL)
    assert result.quorum_met is met
    assert result.passed is met  # everyone participating said yes


@pytest.mark.parametrize(
    ("yes_area", "yes_owners", "area_met", "owners_met"),
    [
        (10000, 101, False, True),  # exactly half the area: not "more than half"
        (10001, 101, True, True),
        (10001, 100, True, False),  # exactly half the owners
        (20000, 200, True, True),
    ],
)
@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_civil_ordinary_more_than_half_of_participants(
    matter: int, yes_area: int, yes_owners: int, area_met: bool, owners_met: bool
) -> None:
    result = decide(matter, counts(30000, 300, 20000, 200, yes_area, yes_owners), CIVIL)
    assert result.rule == "ordinary"
    assert (result.consent_area_met, result.consent_owners_met) == (area_met, owners_met)
    assert result.passed is (area_met and owners_met)


@pytest.mark.parametrize(
    ("yes_area", "yes_owners", "area_met", "owners_met"),
    [
        (15000, 150, True, True),  # exactly 3/4: "以上" includes it
        (14999, 150, False, True),  # one hundredth short
        (15000, 149, True, False),  # one owner short
        (10001, 101, False, False),  # a plain majority is not enough
    ],
)
@pytest.mark.parametrize("matter", [6, 7, 8])
def test_civil_special_three_quarters_of_participants(
    matter: int, yes_area: int, yes_owners: int, area_met: bool, owners_met: bool
) -> None:
    result = decide(matter, counts(30000, 300, 20000, 200, yes_area, yes_owners), CIVIL)
    assert result.rule == "special"
    assert (result.consent_area_met, result.consent_owners_met) == (area_met, owners_met)
    assert result.passed is (area_met and owners_met)


# Property Law 2007: consent over ALL owners of the scope, no quorum of its own ----------------


@pytest.mark.parametrize(
    ("yes_area", "yes_owners", "area_met", "owners_met"),
    [
        (15000, 151, False, True),  # exactly half the total area
        (15001, 151, True, True),
        (15001, 150, True, False),  # exactly half of all owners
    ],
)
@pytest.mark.parametrize("matter", [1, 2, 3, 4, 8, 9])
def test_property_ordinary_more_than_half_of_all(
    matter: int, yes_area: int, yes_owners: int, area_met: bool, owners_met: bool
) -> None:
    # everyone who took part said yes: under the Civil Code this would pass whatever the
    # share; here what counts is the share of ALL owners
    result = decide(
        matter, counts(30000, 300, yes_area, yes_owners, yes_area, yes_owners), PROPERTY
    )
    assert result.rule == "ordinary"
    assert result.quorum_met
    assert (result.consent_area_met, result.consent_owners_met) == (area_met, owners_met)
    assert result.passed is (area_met and owners_met)


@pytest.mark.parametrize(
    ("yes_area", "yes_owners", "area_met", "owners_met"),
    [
        (20000, 200, True, True),  # exactly 2/3 of all
        (19999, 200, False, True),
        (20000, 199, True, False),
    ],
)
@pytest.mark.parametrize("matter", [5, 6, 7])
def test_property_special_two_thirds_of_all(
    matter: int, yes_area: int, yes_owners: int, area_met: bool, owners_met: bool
) -> None:
    result = decide(matter, counts(30000, 300, 29000, 290, yes_area, yes_owners), PROPERTY)
    assert result.rule == "special"
    assert (result.consent_area_met, result.consent_owners_met) == (area_met, owners_met)
    assert result.passed is (area_met and owners_met)


def test_property_law_matter_five_is_special_and_civil_matter_eight_is_ordinary_there() -> None:
    # the maintenance fund's use (Civil Code 5) was 2007's special matter (五)
    assert decide(5, counts(300, 3, 300, 3, 200, 2), PROPERTY).rule == "special"
    assert decide(5, counts(300, 3, 300, 3, 200, 2), CIVIL).rule == "ordinary"
    assert decide(8, counts(300, 3, 300, 3, 200, 2), PROPERTY).rule == "ordinary"


@pytest.mark.parametrize("rule_set", sorted(RULE_SETS))
@pytest.mark.parametrize("matter", range(1, 10))
def test_empty_scope_and_nobody_voting_never_pass(rule_set: str, matter: int) -> None:
    empty = tally(matter, [], [], rule_set)
    assert (empty.quorum_met, empty.passed) == (False, False)
    assert empty.rule_set == rule_set
    silent = decide(matter, counts(30000, 300, 0, 0, 0, 0), rule_set)
    assert (silent.quorum_met, silent.passed) == (False, False)


def test_boundaries_through_units_and_ballots() -> None:
    """The same boundary counted from units: 3 owners of 100.00, 100.00 and 100.01 m²."""
    units = [
        UnitInScope(household_id=i, owner_key=f"o{i}", area_m2=Decimal(a))
        for i, a in ((1, "100.00"), (2, "100.00"), (3, "100.01"))
    ]
    two = [Ballot(seq=i, household_ids=(i,), choice="yes") for i in (1, 2)]
    short = tally(1, units, two, CIVIL)  # 200.00 of 300.01 m²: just under 2/3
    assert short.quorum_owners_met and not short.quorum_area_met and not short.passed
    other_two = [Ballot(seq=i, household_ids=(i,), choice="yes") for i in (1, 3)]
    enough = tally(1, units, other_two, CIVIL)  # 200.01 of 300.01: over 2/3
    assert enough.quorum_met and enough.passed
    # Property Law: 2 of 3 owners (> 1/2) and 200.01 of 300.01 m² consent: passes matter 1;
    # matter 5 needs 2/3 of all: 200.01 * 3 = 600.03 >= 600.02 and 2/3 of owners: passes
    assert tally(1, units, other_two, PROPERTY).passed
    assert tally(5, units, other_two, PROPERTY).passed
    assert not tally(5, units, two, PROPERTY).passed  # 200.00 of 300.01 is under 2/3


# Against the text, for any figures ----------------------------------------------------------


def _met(rule: tuple[Fraction, bool, str], part: int, participating: int, total: int) -> bool:
    share, strict, base = rule
    whole = participating if base == "participating" else total
    if whole == 0:
        return False
    ratio = Fraction(part, whole)
    return ratio > share if strict else ratio >= share


@st.composite
def figures(draw: st.DrawFn) -> Counts:
    total_area = draw(st.integers(0, 10**7))
    total_owners = draw(st.integers(0, 3000)) if total_area else 0
    part_area = draw(st.integers(0, total_area))
    part_owners = draw(st.integers(0, total_owners))
    if (part_area == 0) != (part_owners == 0):
        part_area = part_owners = 0
    return counts(
        total_area,
        total_owners,
        part_area,
        part_owners,
        draw(st.integers(0, part_area)),
        draw(st.integers(0, part_owners)),
    )


@settings(max_examples=400, deadline=None)
@given(figures(), st.sampled_from(sorted(RULE_SETS)), st.integers(1, 9))
def test_decisions_follow_the_text(c: Counts, rule_set: str, matter: int) -> None:
    quorum, special_matters, special, ordinary = LAW[rule_set]
    part_area = c.yes_area + c.no_area + c.abstain_area
    part_owners = c.yes_owners + c.no_owners + c.abstain_owners
    if quorum is None:
        expected_quorum = part_area > 0 and part_owners > 0
    else:
        expected_quorum = _met(quorum, part_area, part_area, c.total_area) and _met(
            quorum, part_owners, part_owners, c.total_owners
        )
    consent = special if matter in special_matters else ordinary
    expected_consent = _met(consent, c.yes_area, part_area, c.total_area) and _met(
        consent, c.yes_owners, part_owners, c.total_owners
    )
    result = decide(matter, c, rule_set)
    assert result.quorum_met is expected_quorum
    assert result.passed is (expected_quorum and expected_consent)


# One more yes never hurts -------------------------------------------------------------------

areas = st.integers(1, 20000).map(lambda h: Decimal(h).scaleb(-2))


@st.composite
def votes(draw: st.DrawFn) -> tuple[list[UnitInScope], list[Ballot], int]:
    n = draw(st.integers(1, 12))
    units = [
        UnitInScope(household_id=i, owner_key=draw(st.sampled_from("ABCDEFG")), area_m2=draw(areas))
        for i in range(n)
    ]
    ballots = [
        Ballot(
            seq=seq,
            household_ids=(draw(st.integers(0, n - 1)),),
            choice=draw(st.sampled_from(["yes", "no", "abstain"])),
        )
        for seq in range(draw(st.integers(0, 20)))
    ]
    return units, ballots, draw(st.integers(0, n - 1))


@settings(max_examples=300, deadline=None)
@given(votes(), st.sampled_from(sorted(RULE_SETS)), st.integers(1, 9))
def test_one_more_yes_never_turns_passed_into_failed(
    drawn: tuple[list[UnitInScope], list[Ballot], int], rule_set: str, matter: int
) -> None:
    units, ballots, unit = drawn
    before = tally(matter, units, ballots, rule_set)
    later = [*ballots, Ballot(seq=len(ballots), household_ids=(unit,), choice="yes")]
    after = tally(matter, units, later, rule_set)
    if before.passed:
        assert after.passed
    assert after.quorum_met >= before.quorum_met
    assert Decimal(after.yes_area_m2) >= Decimal(before.yes_area_m2)
    assert after.yes_owners >= before.yes_owners
