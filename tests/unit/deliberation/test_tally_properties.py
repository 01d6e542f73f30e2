"""Hypothesis properties of the Art. 278 tally: order- and split-invariance, and an exact oracle."""

import random
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.deliberation.rules import (
    SPECIAL_MATTERS,
    Ballot,
    Choice,
    Counts,
    PersonVotes,
    UnitChange,
    UnitInScope,
    area_hundredths,
    cast_delta,
    count,
    decide,
    format_area,
    person_key,
    tally,
)

CHOICES: tuple[Choice, ...] = ("yes", "no", "abstain")


@st.composite
def scopes(draw: st.DrawFn) -> list[UnitInScope]:
    count = draw(st.integers(min_value=1, max_value=25))
    owner_pool = draw(st.integers(min_value=1, max_value=count))
    units = []
    for household_id in range(1, count + 1):
        hundredths = draw(st.integers(min_value=1, max_value=50_000))
        owner = draw(st.integers(min_value=0, max_value=owner_pool - 1))
        units.append(
            UnitInScope(
                household_id=household_id,
                owner_key=f"owner-{owner}",
                area_m2=Decimal(format_area(hundredths)),
            )
        )
    return units


@st.composite
def scopes_and_ballots(draw: st.DrawFn) -> tuple[int, list[UnitInScope], list[Ballot]]:
    units = draw(scopes())
    ids = [u.household_id for u in units]
    casts = draw(st.integers(min_value=0, max_value=40))
    seqs = draw(st.lists(st.integers(0, 10_000), min_size=casts, max_size=casts, unique=True))
    ballots = [
        Ballot(
            seq=seq,
            household_ids=tuple(
                draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
            ),
            choice=draw(st.sampled_from(CHOICES)),
        )
        for seq in seqs
    ]
    matter = draw(st.integers(min_value=1, max_value=9))
    return matter, units, ballots


@given(scopes_and_ballots(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_invariant_to_ballot_order(
    case: tuple[int, list[UnitInScope], list[Ballot]], rng: random.Random
) -> None:
    matter, units, ballots = case
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    units_shuffled = list(units)
    rng.shuffle(units_shuffled)
    assert tally(matter, units_shuffled, shuffled) == tally(matter, units, ballots)


@given(scopes_and_ballots(), st.data())
@settings(max_examples=100, deadline=None)
def test_invariant_to_splitting_a_cast_across_ballots(
    case: tuple[int, list[UnitInScope], list[Ballot]], data: st.DataObject
) -> None:
    matter, units, ballots = case
    split: list[Ballot] = []
    for ballot in ballots:
        ids = list(ballot.household_ids)
        while ids:
            take = data.draw(st.integers(min_value=1, max_value=len(ids)))
            split.append(
                Ballot(seq=ballot.seq, household_ids=tuple(ids[:take]), choice=ballot.choice)
            )
            ids = ids[take:]
    assert tally(matter, units, split) == tally(matter, units, ballots)


@given(scopes_and_ballots())
@settings(max_examples=100, deadline=None)
def test_invariant_to_one_owner_voting_all_units_at_once_or_one_by_one(
    case: tuple[int, list[UnitInScope], list[Ballot]],
) -> None:
    # An owner's "vote for all my units" equals one ballot per unit with the same choice.
    matter, units, _ = case
    owner_units: dict[str, list[int]] = defaultdict(list)
    for u in units:
        owner_units[u.owner_key].append(u.household_id)
    together = [
        Ballot(seq=i, household_ids=tuple(ids), choice=CHOICES[i % 3])
        for i, ids in enumerate(owner_units.values())
    ]
    apart = [
        Ballot(seq=b.seq, household_ids=(household_id,), choice=b.choice)
        for b in together
        for household_id in b.household_ids
    ]
    assert tally(matter, units, together) == tally(matter, units, apart)


def oracle(
    matter: int, units: list[UnitInScope], ballots: list[Ballot]
) -> tuple[bool, bool, int, int]:
    """A deliberately naive recount with Fractions: (quorum, passed, participating, yes owners)."""
    last: dict[int, tuple[int, Choice]] = {}
    for b in sorted(ballots, key=lambda b: b.seq):
        for household_id in b.household_ids:
            last[household_id] = (b.seq, b.choice)
    area = {u.household_id: Fraction(u.area_m2) for u in units}
    total_area = sum(area.values(), Fraction(0))
    part_area = sum((area[h] for h in last), Fraction(0))
    yes_area = sum((area[h] for h, (_, c) in last.items() if c == "yes"), Fraction(0))
    persons: dict[str, list[int]] = defaultdict(list)
    for u in units:
        persons[u.owner_key].append(u.household_id)
    part_owners = yes_owners = 0
    for hs in persons.values():
        voted = [h for h in hs if h in last]
        if voted:
            part_owners += 1
            mine = sum((area[h] for h in voted), Fraction(0))
            mine_yes = sum((area[h] for h in voted if last[h][1] == "yes"), Fraction(0))
            if mine_yes > mine / 2:
                yes_owners += 1
    quorum = part_area >= Fraction(2, 3) * total_area and Fraction(part_owners) >= Fraction(
        2, 3
    ) * len(persons)
    if part_owners == 0:
        return quorum, False, part_owners, yes_owners
    if matter in SPECIAL_MATTERS:
        consent = (
            yes_area >= Fraction(3, 4) * part_area
            and Fraction(yes_owners) >= Fraction(3, 4) * part_owners
        )
    else:
        consent = yes_area > part_area / 2 and Fraction(yes_owners) > Fraction(part_owners, 2)
    return quorum, quorum and consent, part_owners, yes_owners


@given(scopes_and_ballots())
@settings(max_examples=200, deadline=None)
def test_agrees_with_a_fraction_oracle(case: tuple[int, list[UnitInScope], list[Ballot]]) -> None:
    matter, units, ballots = case
    result = tally(matter, units, ballots)
    quorum, passed, part_owners, yes_owners = oracle(matter, units, ballots)
    assert (result.quorum_met, result.passed) == (quorum, passed)
    assert (result.participating_owners, result.yes_owners) == (part_owners, yes_owners)


@given(scopes_and_ballots())
@settings(max_examples=100, deadline=None)
def test_figures_add_up(case: tuple[int, list[UnitInScope], list[Ballot]]) -> None:
    matter, units, ballots = case
    r = tally(matter, units, ballots)
    assert r.yes_owners + r.no_owners + r.abstain_owners == r.participating_owners
    assert r.participating_owners <= r.total_owners <= r.total_units
    parts = (Decimal(r.yes_area_m2), Decimal(r.no_area_m2), Decimal(r.abstain_area_m2))
    assert sum(parts) == Decimal(r.participating_area_m2) <= Decimal(r.total_area_m2)
    assert r.total_area_m2 == format_area(sum(int(u.area_m2 * 100) for u in units))


@given(scopes_and_ballots())
@settings(max_examples=150, deadline=None)
def test_running_counts_from_cast_deltas_equal_a_full_recount(
    case: tuple[int, list[UnitInScope], list[Ballot]],
) -> None:
    matter, units, ballots = case
    by_id = {u.household_id: u for u in units}
    running = Counts(
        total_area=sum(area_hundredths(u.area_m2) for u in units),
        total_owners=len({person_key(u) for u in units}),
        total_units=len(units),
    )
    current: dict[int, Choice] = {}
    persons: dict[str, PersonVotes] = {}
    for ballot in sorted(ballots, key=lambda b: b.seq):
        changes = [
            UnitChange(
                person_key=person_key(by_id[h]),
                area=area_hundredths(by_id[h].area_m2),
                before=current.get(h),
                after=ballot.choice,
            )
            for h in ballot.household_ids
        ]
        delta, touched = cast_delta(changes, persons)
        running = running.plus(delta)
        persons.update(touched)
        current.update(dict.fromkeys(ballot.household_ids, ballot.choice))
    assert running == count(units, ballots)
    assert decide(matter, running) == tally(matter, units, ballots)
