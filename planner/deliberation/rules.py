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

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import msgspec

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


def rule_for(matter: int) -> RuleName:
    """The consent rule Art. 278 fixes for a matter 1..9; ValueError for anything else."""
    if matter not in MATTERS:
        raise ValueError(f"matter must be 1..9, got {matter}")
    return "special" if matter in SPECIAL_MATTERS else "ordinary"


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


def _person_key(unit: UnitInScope) -> str:
    # A unit without an owner key is its own person; prefix so it cannot collide with a key.
    return unit.owner_key if unit.owner_key else f"\x00unit:{unit.household_id}"


def _consents(yes: int, participating: int, rule: RuleName) -> bool:
    if rule == "special":
        return yes * 4 >= participating * 3
    return yes * 2 > participating


def tally(matter: int, units: Iterable[UnitInScope], ballots: Iterable[Ballot]) -> Tally:
    """Count a motion's ballots over the units in its scope under Art. 278 (see module doc).

    ValueError for a matter outside 1..9, a duplicate unit, an area that is not a positive
    decimal with two places, or a ballot for a unit outside the scope.
    """
    rule = rule_for(matter)
    unit_list = list(units)
    area: dict[HouseholdId, int] = {}
    for unit in unit_list:
        if unit.household_id in area:
            raise ValueError(f"unit {unit.household_id} appears twice in scope")
        area[unit.household_id] = area_hundredths(unit.area_m2)
    choices = last_choices(area, ballots)

    by_choice: dict[Choice, int] = {"yes": 0, "no": 0, "abstain": 0}
    # person -> area per choice over their participating units
    persons: dict[str, dict[Choice, int]] = {}
    for unit in unit_list:
        person = persons.setdefault(_person_key(unit), {})
        choice = choices.get(unit.household_id)
        if choice is not None:
            by_choice[choice] += area[unit.household_id]
            person[choice] = person.get(choice, 0) + area[unit.household_id]

    owners: dict[Choice, int] = {"yes": 0, "no": 0, "abstain": 0}
    for person_areas in persons.values():
        if not person_areas:
            continue
        person_participating = sum(person_areas.values())
        yes, no, abstain = (person_areas.get(c, 0) for c in ("yes", "no", "abstain"))
        if yes * 2 > person_participating:
            owners["yes"] += 1
        elif no > abstain:
            owners["no"] += 1
        else:
            owners["abstain"] += 1

    total_area = sum(area.values())
    participating_area = sum(by_choice.values())
    total_owners = len(persons)
    participating_owners = sum(owners.values())

    quorum_area = total_area > 0 and participating_area * 3 >= total_area * 2
    quorum_owners = total_owners > 0 and participating_owners * 3 >= total_owners * 2
    consent_area = participating_area > 0 and _consents(by_choice["yes"], participating_area, rule)
    consent_owners = participating_owners > 0 and _consents(
        owners["yes"], participating_owners, rule
    )
    quorum = quorum_area and quorum_owners
    return Tally(
        matter=matter,
        rule=rule,
        total_area_m2=format_area(total_area),
        participating_area_m2=format_area(participating_area),
        yes_area_m2=format_area(by_choice["yes"]),
        no_area_m2=format_area(by_choice["no"]),
        abstain_area_m2=format_area(by_choice["abstain"]),
        total_owners=total_owners,
        participating_owners=participating_owners,
        yes_owners=owners["yes"],
        no_owners=owners["no"],
        abstain_owners=owners["abstain"],
        total_units=len(area),
        participating_units=len(choices),
        quorum_area_met=quorum_area,
        quorum_owners_met=quorum_owners,
        quorum_met=quorum,
        consent_area_met=consent_area,
        consent_owners_met=consent_owners,
        passed=quorum and consent_area and consent_owners,
    )
