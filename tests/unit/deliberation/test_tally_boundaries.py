"""The Art. 278 tally at the legal boundaries, compared exactly (no database)."""

from decimal import Decimal

import pytest

from planner.deliberation.rules import (
    Ballot,
    Choice,
    UnitInScope,
    area_hundredths,
    format_area,
    rule_for,
    tally,
)


def unit(household_id: int, area: str, owner_key: str | None = None) -> UnitInScope:
    return UnitInScope(
        household_id=household_id,
        owner_key=owner_key if owner_key is not None else f"owner-{household_id}",
        area_m2=Decimal(area),
    )


def votes(*pairs: tuple[int, Choice]) -> list[Ballot]:
    return [
        Ballot(seq=seq, household_ids=(household_id,), choice=choice)
        for seq, (household_id, choice) in enumerate(pairs, start=1)
    ]


def test_rule_follows_matter() -> None:
    assert [rule_for(m) for m in range(1, 10)] == ["ordinary"] * 5 + ["special"] * 3 + ["ordinary"]
    for bad in (0, 10, -1):
        with pytest.raises(ValueError, match="matter"):
            rule_for(bad)


def test_exactly_two_thirds_participation_meets_quorum() -> None:
    # 3 owners of 100.00 m² each; 2 vote: 200.00 / 300.00 = 2/3 exactly, 2 / 3 owners.
    units = [unit(1, "100.00"), unit(2, "100.00"), unit(3, "100.00")]
    result = tally(1, units, votes((1, "yes"), (2, "yes")))
    assert result.participating_area_m2 == "200.00"
    assert result.total_area_m2 == "300.00"
    assert (result.participating_owners, result.total_owners) == (2, 3)
    assert result.quorum_area_met and result.quorum_owners_met and result.quorum_met
    assert result.passed


def layout(voter_area: str) -> list[UnitInScope]:
    # Persons a (unit 1), x (units 2 and 3), d (unit 4); units 1 and 2 vote: heads 2/3 exactly.
    return [
        unit(1, voter_area, "a"),
        unit(2, "50.00", "x"),
        unit(3, "50.00", "x"),
        unit(4, "50.00"),
    ]


def test_two_thirds_exact_in_a_mixed_layout_passes() -> None:
    result = tally(1, layout("150.00"), votes((1, "yes"), (2, "yes")))
    assert (result.participating_area_m2, result.total_area_m2) == ("200.00", "300.00")
    assert (result.participating_owners, result.total_owners) == (2, 3)
    assert result.quorum_met and result.passed


@pytest.mark.parametrize("short", ["0.01", "1.00"])
def test_one_hundredth_or_one_m2_below_two_thirds_fails_quorum(short: str) -> None:
    voter_area = format_area(15000 - area_hundredths(Decimal(short)))
    result = tally(1, layout(voter_area), votes((1, "yes"), (2, "yes")))
    assert result.participating_area_m2 == format_area(20000 - area_hundredths(Decimal(short)))
    assert result.quorum_owners_met
    assert not result.quorum_area_met
    assert not result.quorum_met and not result.passed


def test_two_thirds_boundary_one_hundredth_either_side() -> None:
    # total 300.00, participating 200.00 passes; total 300.01 with 200.00 participating fails
    # even though the float 200/300.01 rounds to 0.6666.
    ok = tally(1, [unit(1, "200.00"), unit(2, "100.00")], votes((1, "yes")))
    assert ok.quorum_area_met
    fail = tally(1, [unit(1, "200.00"), unit(2, "100.01")], votes((1, "yes")))
    assert not fail.quorum_area_met
    # and participation one hundredth below the 2/3 mark
    fail2 = tally(1, [unit(1, "199.99"), unit(2, "100.00")], votes((1, "yes")))
    assert fail2.participating_area_m2 == "199.99"
    assert not fail2.quorum_area_met


def test_exactly_three_quarters_consent_passes_matter_6() -> None:
    # Four owners of 75.25 m² each all take part; three say yes: exactly 3/4 of area and heads.
    units = [unit(i, "75.25") for i in range(1, 5)]
    result = tally(6, units, votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "no")))
    assert result.rule == "special"
    assert result.yes_area_m2 == "225.75"
    assert result.participating_area_m2 == "301.00"
    assert (result.yes_owners, result.participating_owners) == (3, 4)
    assert result.consent_area_met and result.consent_owners_met
    assert result.passed


def test_one_hundredth_below_three_quarters_fails_matter_6() -> None:
    # yes area 300.00 of 400.01 participating: just below 3/4; heads 3/4 exactly.
    units = [unit(1, "100.00"), unit(2, "100.00"), unit(3, "100.00"), unit(4, "100.01")]
    result = tally(6, units, votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "no")))
    assert result.consent_owners_met
    assert not result.consent_area_met
    assert not result.passed


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_two_thirds_consent_is_not_enough_for_special_matters(matter: int) -> None:
    units = [unit(i, "90.00") for i in range(1, 4)]
    result = tally(matter, units, votes((1, "yes"), (2, "yes"), (3, "no")))
    assert not result.consent_area_met and not result.consent_owners_met
    assert not result.passed
    # the same votes pass an ordinary matter
    assert tally(9, units, votes((1, "yes"), (2, "yes"), (3, "no"))).passed


def test_exactly_half_fails_matter_5() -> None:
    units = [unit(i, "88.88") for i in range(1, 5)]
    result = tally(5, units, votes((1, "yes"), (2, "yes"), (3, "no"), (4, "no")))
    assert result.rule == "ordinary"
    assert result.yes_area_m2 == "177.76"
    assert result.participating_area_m2 == "355.52"
    assert result.quorum_met
    assert not result.consent_area_met and not result.consent_owners_met
    assert not result.passed


def test_one_hundredth_above_half_passes_area_matter_5() -> None:
    units = [unit(1, "100.01"), unit(2, "100.00"), unit(3, "50.00"), unit(4, "50.00")]
    result = tally(5, units, votes((1, "yes"), (2, "no"), (3, "yes"), (4, "no")))
    # area 150.01 yes of 300.01; heads 2 of 4 (exactly half: fails)
    assert result.consent_area_met
    assert not result.consent_owners_met
    assert not result.passed


def test_area_passes_but_head_count_fails() -> None:
    # One big owner says yes; three small owners say no.
    units = [unit(1, "300.00"), unit(2, "50.00"), unit(3, "50.00"), unit(4, "50.00")]
    result = tally(1, units, votes((1, "yes"), (2, "no"), (3, "no"), (4, "no")))
    assert result.quorum_met
    assert result.consent_area_met
    assert not result.consent_owners_met
    assert not result.passed


def test_head_count_passes_but_area_fails() -> None:
    units = [unit(1, "300.00"), unit(2, "50.00"), unit(3, "50.00"), unit(4, "50.00")]
    result = tally(1, units, votes((1, "no"), (2, "yes"), (3, "yes"), (4, "yes")))
    assert result.consent_owners_met
    assert not result.consent_area_met
    assert not result.passed


def test_quorum_area_met_but_head_count_quorum_fails() -> None:
    units = [unit(1, "500.00"), unit(2, "10.00"), unit(3, "10.00")]
    result = tally(1, units, votes((1, "yes")))
    assert result.quorum_area_met
    assert not result.quorum_owners_met
    assert not result.passed


def test_one_owner_with_three_units_counts_once_by_head_and_fully_by_area() -> None:
    units = [
        unit(1, "80.00", "wang"),
        unit(2, "90.00", "wang"),
        unit(3, "100.00", "wang"),
        unit(4, "85.00", "li"),
        unit(5, "95.00", "zhao"),
    ]
    ballots = [
        Ballot(seq=1, household_ids=(1, 2, 3), choice="yes"),
        Ballot(seq=2, household_ids=(4,), choice="no"),
    ]
    result = tally(1, units, ballots)
    assert result.total_owners == 3
    assert result.total_units == 5
    assert result.participating_owners == 2
    assert result.participating_units == 4
    assert result.yes_owners == 1
    assert result.no_owners == 1
    assert result.yes_area_m2 == "270.00"
    assert result.participating_area_m2 == "355.00"
    assert result.total_area_m2 == "450.00"
    # heads: 2 of 3 take part (exactly 2/3); area 355 of 450 > 2/3. Consent 1 of 2 heads: fails.
    assert result.quorum_met
    assert result.consent_area_met
    assert not result.consent_owners_met
    assert not result.passed


def test_units_without_owner_key_count_as_separate_persons() -> None:
    units = [unit(1, "50.00", ""), unit(2, "50.00", ""), unit(3, "50.00", "x")]
    assert tally(1, units, []).total_owners == 3


def test_split_will_of_a_multi_unit_owner_counts_by_participating_area_majority() -> None:
    # wang owns 3 units; yes on 100.00, no on 60.00 + abstain on 30.00: yes is 100/190 > 1/2.
    units = [unit(1, "100.00", "wang"), unit(2, "60.00", "wang"), unit(3, "30.00", "wang")]
    result = tally(1, units, votes((1, "yes"), (2, "no"), (3, "abstain")))
    assert (result.participating_owners, result.yes_owners) == (1, 1)
    assert result.yes_area_m2 == "100.00"
    assert result.no_area_m2 == "60.00"
    assert result.abstain_area_m2 == "30.00"


def test_split_will_even_split_does_not_consent() -> None:
    units = [unit(1, "70.00", "wang"), unit(2, "70.00", "wang")]
    result = tally(1, units, votes((1, "yes"), (2, "no")))
    assert result.participating_owners == 1
    assert result.yes_owners == 0
    assert result.no_owners == 1
    # area: 70 yes of 140 participating is exactly half: fails too
    assert not result.passed


def test_split_will_non_voted_unit_does_not_dilute() -> None:
    # Only participating area decides the person's will; the unvoted unit is simply absent.
    units = [unit(1, "50.00", "wang"), unit(2, "500.00", "wang")]
    result = tally(1, units, votes((1, "yes")))
    assert (result.participating_owners, result.yes_owners) == (1, 1)
    assert result.participating_units == 1


def test_abstentions_take_part_without_consenting() -> None:
    units = [unit(i, "100.00") for i in range(1, 7)]
    # 4 of 6 take part (2/3): 2 yes, 2 abstain -> consent 2 of 4 = exactly half: fails.
    result = tally(1, units, votes((1, "yes"), (2, "yes"), (3, "abstain"), (4, "abstain")))
    assert result.quorum_met
    assert result.participating_owners == 4
    assert result.abstain_owners == 2
    assert result.abstain_area_m2 == "200.00"
    assert not result.passed
    # Without the abstentions there is no quorum at all.
    assert not tally(1, units, votes((1, "yes"), (2, "yes"))).quorum_met
    # 3 yes + 1 abstain of 4 participants passes an ordinary matter and a special one.
    passing = votes((1, "yes"), (2, "yes"), (3, "yes"), (4, "abstain"))
    assert tally(1, units, passing).passed
    assert tally(6, units, passing).passed


def test_last_ballot_per_unit_counts_by_seq_not_position() -> None:
    units = [unit(1, "100.00"), unit(2, "100.00")]
    ballots = [
        Ballot(seq=5, household_ids=(1,), choice="no"),
        Ballot(seq=2, household_ids=(1,), choice="yes"),
        Ballot(seq=3, household_ids=(2,), choice="yes"),
    ]
    result = tally(1, units, ballots)
    assert result.yes_area_m2 == "100.00"
    assert result.no_area_m2 == "100.00"
    assert not result.passed


def test_nobody_votes_and_empty_scope() -> None:
    units = [unit(1, "100.00")]
    result = tally(1, units, [])
    assert (result.participating_area_m2, result.participating_owners) == ("0.00", 0)
    assert not result.quorum_met and not result.passed
    empty = tally(6, [], [])
    assert empty.total_area_m2 == "0.00"
    assert not empty.quorum_met and not empty.passed


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="outside scope"):
        tally(1, [unit(1, "10.00")], votes((2, "yes")))
    with pytest.raises(ValueError, match="twice"):
        tally(1, [unit(1, "10.00"), unit(1, "10.00")], [])
    with pytest.raises(ValueError, match="two decimal places"):
        tally(1, [unit(1, "10.005")], [])
    with pytest.raises(ValueError, match="positive"):
        tally(1, [unit(1, "0.00")], [])
    with pytest.raises(ValueError, match="finite"):
        tally(1, [unit(1, "NaN")], [])
    with pytest.raises(ValueError, match="two choices"):
        tally(
            1,
            [unit(1, "10.00")],
            [
                Ballot(seq=1, household_ids=(1,), choice="yes"),
                Ballot(seq=1, household_ids=(1,), choice="no"),
            ],
        )


def test_format_area() -> None:
    assert format_area(8650) == "86.50"
    assert format_area(5) == "0.05"
    assert format_area(0) == "0.00"
    assert area_hundredths(Decimal("86.5")) == 8650
