"""The owners' vote under Art. 278 of the Civil Code of the PRC: the double-majority tally.

This module is the pure core of deliberation. It imports neither the database nor the web
framework (an import-linter contract in pyproject.toml checks that) and it never uses floats:
areas are converted to integer hundredths of a square metre and every threshold is compared
by cross-multiplication, because the law decides at the boundary (exactly 2/3 passes).

Counting rules (DOMAIN.md "Deciding"; SPC interpretation on building ownership, Art. 8-9):

- Area is the registered exclusive area of each unit in the motion's scope.
- The number of owners is the number of units, one unit one person, except that units sharing
  an ``owner_key`` (one buyer, or the developer's unsold units) count as one person.
- A unit takes part when its last ballot (highest ``seq``) is yes, no or abstain; a unit with no
  ballot does not take part. Abstaining is taking part without consenting.
- Quorum: participating area >= 2/3 of the total area AND participating owners >= 2/3 of the
  total owners. An empty scope never has a quorum.
- Consent, matters 6-8 ("special"): yes area >= 3/4 of participating area AND yes owners >= 3/4
  of participating owners. All other matters ("ordinary"): strictly more than 1/2 of both.
- Passed = quorum met AND both consent tests met.

A person with several units who votes differently on them (our rule, chosen because the law
counts such a person once but says nothing about a split will):

- In the AREA tests every unit counts fully with its own choice; nothing is merged.
- In the HEAD-COUNT tests the person is one owner. They take part if any of their units in scope
  takes part. They consent only if strictly more than half of their *participating* area voted
  yes: a split will is read by the weight the law itself uses (area), and an even split does not
  establish consent (consent must be shown, as with the ordinary majority). For the record, a
  non-consenting person is shown as "no" when more of their participating area voted no than
  abstained, otherwise as "abstain", so yes + no + abstain owners = participating owners.

The result depends only on the set of (unit, seq, choice) facts: it is invariant to the order in
which ballots are given and to how one cast is split over several ballots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

import msgspec

from planner.rule_sets import DEFAULT_RULE_SET, RULE_SETS, rule_set

HouseholdId = int
Choice = Literal["yes", "no", "abstain"]
RuleName = Literal["special", "ordinary"]

# Art. 278 (1)-(9); matters 6-8 (raising the maintenance fund, altering or rebuilding,
# changing the use of common parts) need 3/4 consent, the rest more than half.
MATTERS: frozenset[int] = frozenset(range(1, 10))
SPECIAL_MATTERS: frozenset[int] = frozenset({6, 7, 8})


class UnitInScope(msgspec.Struct, frozen=True, kw_only=True):
    """One unit (household) in the motion's scope, with its registered exclusive area."""

    household_id: HouseholdId
    owner_key: str
    area_m2: Decimal


class Ballot(msgspec.Struct, frozen=True, kw_only=True):
    """One cast: a choice for one or more units. Higher ``seq`` is later; the last one counts."""

    seq: int
    household_ids: tuple[HouseholdId, ...]
    choice: Choice


class Tally(msgspec.Struct, frozen=True, kw_only=True):
    """The result of a motion's vote. Area figures are decimal strings with two places."""

    matter: int
    rule: RuleName
    total_area_m2: str
    participating_area_m2: str
    yes_area_m2: str
    no_area_m2: str
    abstain_area_m2: str
    total_owners: int
    participating_owners: int
    yes_owners: int
    no_owners: int
    abstain_owners: int
    total_units: int
    participating_units: int
    quorum_area_met: bool
    quorum_owners_met: bool
    quorum_met: bool
    consent_area_met: bool
    consent_owners_met: bool
    passed: bool
    #: the named rule set the thresholds come from (``rule_sets``); printed on every result
    rule_set: str = DEFAULT_RULE_SET


def rule_for(matter: int, rule_set_name: str = DEFAULT_RULE_SET) -> RuleName:
    """The consent rule a rule set fixes for a matter 1..9 (Art. 278 by default); ValueError
    for anything else or an unknown rule set."""
    if matter not in MATTERS:
        raise ValueError(f"matter must be 1..9, got {matter}")
    if rule_set_name not in RULE_SETS:
        raise ValueError(f"unknown rule set {rule_set_name!r}")
    return "special" if matter in rule_set(rule_set_name).special_matters else "ordinary"


def area_hundredths(area_m2: Decimal) -> int:
    """An area as integer hundredths of m²; ValueError unless positive with at most 2 places."""
    if not area_m2.is_finite():
        raise ValueError(f"area must be a finite decimal, got {area_m2}")
    hundredths = area_m2 * 100
    if hundredths != hundredths.to_integral_value():
        raise ValueError(f"area must have at most two decimal places, got {area_m2}")
    if area_m2 <= 0:
        raise ValueError(f"area must be positive, got {area_m2}")
    return int(hundredths)


def format_area(hundredths: int) -> str:
    """Integer hundredths of m² as a decimal string with two places, e.g. 8650 -> "86.50"."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{cents:02d}"


def last_choices(
    units: Iterable[HouseholdId], ballots: Iterable[Ballot]
) -> dict[HouseholdId, Choice]:
    """The counted choice of each unit that has one: its ballot with the highest ``seq``.

    ValueError when a ballot names a unit outside ``units`` or when one unit has two different
    choices under the same ``seq`` (the order would be ambiguous).
    """
    in_scope = set(units)
    latest: dict[HouseholdId, tuple[int, Choice]] = {}
    for ballot in ballots:
        for household_id in ballot.household_ids:
            if household_id not in in_scope:
                raise ValueError(f"ballot {ballot.seq} names unit {household_id} outside scope")
            previous = latest.get(household_id)
            if previous is None or ballot.seq > previous[0]:
                latest[household_id] = (ballot.seq, ballot.choice)
            elif ballot.seq == previous[0] and ballot.choice != previous[1]:
                raise ValueError(f"unit {household_id} has two choices under seq {ballot.seq}")
    return {household_id: choice for household_id, (_, choice) in latest.items()}


class PersonVotes(msgspec.Struct, frozen=True, kw_only=True):
    """One person's participating area per choice, in hundredths of m² (all zero: not voting)."""

    yes: int = 0
    no: int = 0
    abstain: int = 0

    def add(self, choice: Choice | None, area: int) -> PersonVotes:
        """These votes with ``area`` moved into ``choice`` (``None`` adds nothing)."""
        if choice is None:
            return self
        return msgspec.structs.replace(self, **{choice: getattr(self, choice) + area})


def person_choice(votes: PersonVotes) -> Choice | None:
    """How a person counts by head: None when none of their units takes part (see module doc)."""
    participating = votes.yes + votes.no + votes.abstain
    if participating == 0:
        return None
    if votes.yes * 2 > participating:
        return "yes"
    return "no" if votes.no > votes.abstain else "abstain"


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    """The running sums a tally is decided from; areas in hundredths of m².

    Also used as a delta (fields may then be negative) by ``cast_delta``.
    """

    total_area: int = 0
    total_owners: int = 0
    total_units: int = 0
    participating_units: int = 0
    yes_area: int = 0
    no_area: int = 0
    abstain_area: int = 0
    yes_owners: int = 0
    no_owners: int = 0
    abstain_owners: int = 0

    def plus(self, other: Counts) -> Counts:
        return Counts(**{f: getattr(self, f) + getattr(other, f) for f in self.__struct_fields__})


class UnitChange(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's counted choice moving from ``before`` (None: no ballot yet) to ``after``."""

    person_key: str
    area: int
    before: Choice | None
    after: Choice


def person_key(unit: UnitInScope) -> str:
    """The head-count identity of a unit: its owner key, or the unit itself when it has none."""
    # Prefix so a unit without a key cannot collide with a real key.
    return unit.owner_key if unit.owner_key else f"\x00unit:{unit.household_id}"


def cast_delta(
    changes: Iterable[UnitChange], persons_before: Mapping[str, PersonVotes]
) -> tuple[Counts, dict[str, PersonVotes]]:
    """What one cast changes: the delta to the running Counts and the affected persons' votes.

    ``persons_before`` must hold the current votes of every person named in ``changes`` (a
    missing person is taken as not voting). Applying the deltas of every cast in order to the
    empty Counts of the scope gives the same Counts as a full recount.
    """
    persons = {
        key: persons_before.get(key, PersonVotes()) for key in {c.person_key for c in changes}
    }
    initial = dict(persons)
    area = {"yes": 0, "no": 0, "abstain": 0}
    units = 0
    for change in changes:
        persons[change.person_key] = (
            persons[change.person_key]
            .add(change.before, -change.area)
            .add(change.after, change.area)
        )
        if change.before is None:
            units += 1
        else:
            area[change.before] -= change.area
        area[change.after] += change.area
    owners = {"yes": 0, "no": 0, "abstain": 0}
    for key, votes in persons.items():
        was, now = person_choice(initial[key]), person_choice(votes)
        if was is not None:
            owners[was] -= 1
        if now is not None:
            owners[now] += 1
    delta = Counts(
        participating_units=units,
        yes_area=area["yes"],
        no_area=area["no"],
        abstain_area=area["abstain"],
        yes_owners=owners["yes"],
        no_owners=owners["no"],
        abstain_owners=owners["abstain"],
    )
    return delta, persons


def count(units: Iterable[UnitInScope], ballots: Iterable[Ballot]) -> Counts:
    """The Counts of a scope from its ballots (the last ballot per unit counts).

    ValueError for a duplicate unit, an area that is not a positive decimal with two places,
    or a ballot for a unit outside the scope.
    """
    unit_list = list(units)
    area: dict[HouseholdId, int] = {}
    for unit in unit_list:
        if unit.household_id in area:
            raise ValueError(f"unit {unit.household_id} appears twice in scope")
        area[unit.household_id] = area_hundredths(unit.area_m2)
    choices = last_choices(area, ballots)

    by_choice = PersonVotes()
    persons: dict[str, PersonVotes] = {}
    for unit in unit_list:
        key = person_key(unit)
        choice = choices.get(unit.household_id)
        persons[key] = persons.get(key, PersonVotes()).add(choice, area[unit.household_id])
        by_choice = by_choice.add(choice, area[unit.household_id])
    owners = {"yes": 0, "no": 0, "abstain": 0}
    for votes in persons.values():
        standing = person_choice(votes)
        if standing is not None:
            owners[standing] += 1
    return Counts(
        total_area=sum(area.values()),
        total_owners=len(persons),
        total_units=len(area),
        participating_units=len(choices),
        yes_area=by_choice.yes,
        no_area=by_choice.no,
        abstain_area=by_choice.abstain,
        yes_owners=owners["yes"],
        no_owners=owners["no"],
        abstain_owners=owners["abstain"],
    )


def decide(matter: int, counts: Counts, rule_set_name: str = DEFAULT_RULE_SET) -> Tally:
    """Apply a rule set's thresholds (Art. 278's by default) to running Counts, exactly (see
    module doc). A rule set without a quorum of its own counts the quorum as met whenever
    anyone in a non-empty scope took part (its consent is then counted over all owners)."""
    rule = rule_for(matter, rule_set_name)
    rules = rule_set(rule_set_name)
    participating_area = counts.yes_area + counts.no_area + counts.abstain_area
    participating_owners = counts.yes_owners + counts.no_owners + counts.abstain_owners
    if rules.quorum is None:
        quorum_area = counts.total_area > 0 and participating_area > 0
        quorum_owners = counts.total_owners > 0 and participating_owners > 0
    else:
        quorum_area = rules.quorum.met(participating_area, participating_area, counts.total_area)
        quorum_owners = rules.quorum.met(
            participating_owners, participating_owners, counts.total_owners
        )
    consent = rules.consent(matter)
    consent_area = consent.met(counts.yes_area, participating_area, counts.total_area)
    consent_owners = consent.met(counts.yes_owners, participating_owners, counts.total_owners)
    quorum = quorum_area and quorum_owners
    return Tally(
        matter=matter,
        rule=rule,
        total_area_m2=format_area(counts.total_area),
        participating_area_m2=format_area(participating_area),
        yes_area_m2=format_area(counts.yes_area),
        no_area_m2=format_area(counts.no_area),
        abstain_area_m2=format_area(counts.abstain_area),
        total_owners=counts.total_owners,
        participating_owners=participating_owners,
        yes_owners=counts.yes_owners,
        no_owners=counts.no_owners,
        abstain_owners=counts.abstain_owners,
        total_units=counts.total_units,
        participating_units=counts.participating_units,
        quorum_area_met=quorum_area,
        quorum_owners_met=quorum_owners,
        quorum_met=quorum,
        consent_area_met=consent_area,
        consent_owners_met=consent_owners,
        passed=quorum and consent_area and consent_owners,
        rule_set=rule_set_name,
    )


def tally(
    matter: int,
    units: Iterable[UnitInScope],
    ballots: Iterable[Ballot],
    rule_set_name: str = DEFAULT_RULE_SET,
) -> Tally:
    """Count a motion's ballots over the units in its scope under a rule set, Art. 278 by
    default (see module doc).

    ValueError for a matter outside 1..9, a duplicate unit, an area that is not a positive
    decimal with two places, or a ballot for a unit outside the scope.
    """
    rule_for(matter, rule_set_name)
    return decide(matter, count(units, ballots), rule_set_name)
