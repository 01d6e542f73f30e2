"""Households → benefit weights → classes of interchangeable households.

A class groups households whose weight vectors over the works are proportional
(the same works, the same ratios between works), so one household's share of the
class amount on every work is its ``scale`` over the class's total scale. Households
with a hardship cap are grouped only with identical households (same weights, same
cap), so every member of a capped class pays the same. The optimiser's LPs have a
variable per class and work, never per household.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor, gcd, lcm

from planner.funding.model import FundingProblem, HouseholdInput, InvalidProblem, WorkInput
from planner.works.rules import floor_factor


@dataclass
class HouseholdClass:
    members: list[int]  # household positions (sorted by household_id)
    scales: list[int]  # integer scale per member, same ratios as the exact scale
    pattern: list[tuple[int, int]]  # (work position, weight per unit of scale)
    cap_fen: int | None
    scale_total: int = 0

    @property
    def size(self) -> int:
        return len(self.members)

    def class_weight(self, work: int) -> int:
        for w, unit in self.pattern:
            if w == work:
                return unit * self.scale_total
        return 0


@dataclass
class Prepared:
    """The problem in canonical order with exact weights and integer-tightened bounds."""

    problem: FundingProblem
    works: list[WorkInput]
    households: list[HouseholdInput]
    total_cost: int
    band_low: int  # ceil(low × total), fen
    band_high: int  # floor(high × total), fen
    work_low: list[int]
    work_high: list[int]
    # per work: household positions and their integer weights (same ratios as exact)
    beneficiaries: list[list[int]] = field(default_factory=list)
    weights: list[list[int]] = field(default_factory=list)
    classes: list[HouseholdClass] = field(default_factory=list)
    work_classes: list[list[int]] = field(default_factory=list)  # class positions per work
    has_uncapped: list[bool] = field(default_factory=list)  # per work


def _check_band(band: tuple[Decimal, Decimal], name: str) -> tuple[Fraction, Fraction]:
    low, high = band
    if not (low.is_finite() and high.is_finite()) or not 0 <= low <= high <= 1:
        raise InvalidProblem(name, "must be two shares with 0 ≤ low ≤ high ≤ 1")
    return Fraction(low), Fraction(high)


def prepare(problem: FundingProblem) -> Prepared:
    """Validate, sort and weigh; raise InvalidProblem on inputs that make no sense."""
    works = sorted(problem.works, key=lambda w: w.work_id)
    households = sorted(problem.households, key=lambda h: h.household_id)
    if len({w.work_id for w in works}) != len(works):
        raise InvalidProblem("works", "a work is listed twice")
    if len({h.household_id for h in households}) != len(households):
        raise InvalidProblem("households", "a household is listed twice")
    if len({s.source_id for s in problem.sources}) != len(problem.sources):
        raise InvalidProblem("sources", "a source is listed twice")
    for w in works:
        if w.cost_fen < 0:
            raise InvalidProblem(f"works.{w.work_id}.cost_fen", "must not be negative")
    for h in households:
        if not h.area_m2.is_finite() or h.area_m2 < 0:
            raise InvalidProblem(f"households.{h.household_id}.area_m2", "must not be negative")
        if h.cap_fen is not None and h.cap_fen < 0:
            raise InvalidProblem(f"households.{h.household_id}.cap_fen", "must not be negative")
    for s in problem.sources:
        if s.budget_fen < 0:
            raise InvalidProblem(f"sources.{s.source_id}.budget_fen", "must not be negative")
        if s.max_share is not None and not (s.max_share.is_finite() and 0 <= s.max_share <= 1):
            raise InvalidProblem(f"sources.{s.source_id}.max_share", "must be between 0 and 1")
        if any(v < 0 for v in s.pledges.values()):
            raise InvalidProblem(f"sources.{s.source_id}.pledges", "must not be negative")
    low, high = _check_band(problem.resident_band, "resident_band")
    if problem.policy == "target":
        if problem.target_share is None:
            raise InvalidProblem("target_share", "the target policy needs a target share")
        if not (problem.target_share.is_finite() and 0 <= problem.target_share <= 1):
            raise InvalidProblem("target_share", "must be between 0 and 1")
    total = sum(w.cost_fen for w in works)
    work_low: list[int] = []
    work_high: list[int] = []
    for w in works:
        if w.resident_band is None:
            work_low.append(0)
            work_high.append(w.cost_fen)
        else:
            wl, wh = _check_band(w.resident_band, f"works.{w.work_id}.resident_band")
            work_low.append(ceil(wl * w.cost_fen))
            work_high.append(floor(wh * w.cost_fen))
    prepared = Prepared(
        problem=problem,
        works=works,
        households=households,
        total_cost=total,
        band_low=ceil(low * total),
        band_high=floor(high * total),
        work_low=work_low,
        work_high=work_high,
    )
    _weigh(prepared)
    _group(prepared)
    return prepared


def _area_units(households: list[HouseholdInput]) -> list[int]:
    """Areas as integers with the same ratios (hundredths of m² for the usual two places)."""
    distinct = {h.area_m2 for h in households}
    places = 0
    for area in distinct:
        exponent = area.as_tuple().exponent
        assert isinstance(exponent, int)
        places = max(places, -exponent)
    scaled = {area: int(area.scaleb(places)) for area in distinct}
    return [scaled[h.area_m2] for h in households]


def _weigh(prepared: Prepared) -> None:
    areas = _area_units(prepared.households)
    by_building: dict[int, list[int]] = {}
    for position, h in enumerate(prepared.households):
        by_building.setdefault(h.building_id, []).append(position)
    for work in prepared.works:
        benefit = work.benefit
        if benefit.benefit_rule == "building" and not benefit.scope_building_ids:
            raise InvalidProblem(
                f"works.{work.work_id}.scope_building_ids", "the building rule needs buildings"
            )
        if benefit.scope_building_ids:
            in_scope = sorted(
                p for b in set(benefit.scope_building_ids) for p in by_building.get(b, [])
            )
        else:
            in_scope = list(range(len(prepared.households)))
        members: list[int] = []
        weights: list[int] = []
        if benefit.benefit_rule == "equal":
            members = in_scope
            weights = [1] * len(in_scope)
        elif benefit.benefit_rule == "area_floor_factor":
            factors = _integer_factors(benefit.floor_factors, prepared.households, in_scope)
            for p in in_scope:
                weight = areas[p] * factors[prepared.households[p].floor]
                if weight > 0:
                    members.append(p)
                    weights.append(weight)
        else:
            for p in in_scope:
                if areas[p] > 0:
                    members.append(p)
                    weights.append(areas[p])
        prepared.beneficiaries.append(members)
        prepared.weights.append(weights)


def _integer_factors(
    table: dict[int, Decimal], households: list[HouseholdInput], positions: list[int]
) -> dict[int, int]:
    """Floor factors (the works' step table) scaled to integers with the same ratios."""
    floors = {households[p].floor for p in positions}
    exact = {floor_: floor_factor(table, floor_) for floor_ in floors}
    denominator = 1
    for f in exact.values():
        denominator = lcm(denominator, f.denominator)
    return {floor_: int(f * denominator) for floor_, f in exact.items()}


def _group(prepared: Prepared) -> None:
    patterns: list[list[tuple[int, int]]] = [[] for _ in prepared.households]
    for w, (members, weights) in enumerate(
        zip(prepared.beneficiaries, prepared.weights, strict=True)
    ):
        for p, weight in zip(members, weights, strict=True):
            patterns[p].append((w, weight))
    groups: dict[tuple[object, ...], tuple[list[int], list[int]]] = {}
    normalised: dict[tuple[tuple[int, int], ...], tuple[int, tuple[tuple[int, int], ...]]] = {}
    for p, pattern in enumerate(patterns):
        if not pattern:
            continue
        raw = tuple(pattern)
        known = normalised.get(raw)
        if known is None:
            scale = gcd(*(g for _, g in raw))
            known = normalised[raw] = (scale, tuple((w, g // scale) for w, g in raw))
        scale, units = known
        cap = prepared.households[p].cap_fen
        key: tuple[object, ...] = (1, cap, scale, units) if cap is not None else (0, 0, 0, units)
        members, scales = groups.setdefault(key, ([], []))
        members.append(p)
        scales.append(scale)
    for key in sorted(groups):
        members, scales = groups[key]
        units_key = key[-1]
        assert isinstance(units_key, tuple)
        class_cap = key[1] if key[0] == 1 else None
        assert class_cap is None or isinstance(class_cap, int)
        prepared.classes.append(
            HouseholdClass(
                members=members,
                scales=scales,
                pattern=list(units_key),
                cap_fen=class_cap,
                scale_total=sum(scales),
            )
        )
    prepared.work_classes = [[] for _ in prepared.works]
    prepared.has_uncapped = [False] * len(prepared.works)
    for c, klass in enumerate(prepared.classes):
        for w, _unit in klass.pattern:
            prepared.work_classes[w].append(c)
            if klass.cap_fen is None:
                prepared.has_uncapped[w] = True
