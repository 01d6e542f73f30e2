"""Households → kinds → benefit weights, as arrays.

A *kind* is a set of households with the same area, building, floor and hardship cap:
they have the same weight on every work and differ only by id, so weights are worked out
once per kind. Households are held in id order (their *positions*); a kind's members are
a run of ``Kinds.members``, in id order. A kind's *entries* are the works that benefit it
with its (integer) weight per household, in work order; ``by_work`` lists the same
entries work by work.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from operator import is_not

import numpy as np
from numpy.typing import NDArray

from planner.funding.engine._arrays import (
    LIMIT,
    Index,
    Ints,
    bound,
    dense_codes,
    exact,
    group_order,
    index,
    ints,
    ranges,
    starts_of,
)
from planner.funding.engine._model import HouseholdInput, InvalidProblem, WorkInput
from planner.works.rules import floor_factor


@dataclass
class Households:
    """Households in id order."""

    ids: Ints
    cap: Ints  # fen; -1 for no cap
    kind: Index  # each household's kind


@dataclass
class Kinds:
    count: Index  # households per kind
    start: Index  # offsets into members (length kinds + 1)
    members: Index  # household positions, kind by kind, in id order
    cap: Ints  # -1 for no cap
    entry_start: Index  # offsets into the entries (length kinds + 1)
    entry_work: Index  # per entry, kind by kind, works in order
    entry_weight: Ints  # weight per household
    by_work: Index  # entries work by work
    work_start: Index  # offsets into by_work (length works + 1)
    entry_kind: Index  # per entry, its kind


def household_order(households: tuple[HouseholdInput, ...]) -> tuple[Ints, Index | None]:
    """Household ids in order and the order itself (None: they came in id order);
    InvalidProblem for a duplicate id."""
    ids = ints([h.household_id for h in households])
    if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return ids, None
    order = np.argsort(ids, kind="stable").astype(np.intp, copy=False)
    ids = ids[order]
    if bool(np.any(ids[1:] == ids[:-1])):
        raise InvalidProblem("households", "a household is listed twice")
    return ids, order


def _in_order(values: Ints, order: Index | None) -> Ints:
    """Per household values (input order) in id order."""
    return values if order is None else values[order]


def read_households(
    households: tuple[HouseholdInput, ...], ids: Ints, order: Index | None
) -> tuple[Households, Kinds, tuple[Ints, Ints, Ints]]:
    """Households in id order, their kinds (without entries) and each kind's area units,
    building and floor.

    Raises InvalidProblem for a negative or non-finite area or a negative cap (the first
    such household by id).
    """
    try:
        area_code, distinct = _area_codes(households)
    except TypeError:  # a signalling NaN cannot even be hashed
        _check_in_order(households, order)
        raise
    area_code = _in_order(area_code, order)
    caps, bad_cap = _caps([h.cap_fen for h in households])
    caps, bad_cap = _in_order(caps, order), _in_order(bad_cap, order)
    bad_area = np.array([not a.is_finite() or a < 0 for a in distinct], dtype=bool)[area_code]
    bad = np.flatnonzero(bad_area | bad_cap)
    if bad.size:
        p = int(bad[0])
        field = "area_m2" if bool(bad_area[p]) else "cap_fen"
        raise InvalidProblem(f"households.{ids[p]}.{field}", "must not be negative")
    units = ints(_area_units(distinct))
    building = _in_order(ints([h.building_id for h in households]), order)
    floor = _in_order(ints([h.floor for h in households]), order)
    kind, kinds = _kinds(area_code, len(distinct), building, floor, caps)
    first = kinds.members[kinds.start[:-1]]
    traits = (units[area_code[first]], building[first], floor[first])
    return Households(ids=ids, cap=caps, kind=kind), kinds, traits


def _caps(raw: list[int | None]) -> tuple[Ints, NDArray[np.bool_]]:
    """Each household's cap (-1 for none) and whether it is negative, in input order.

    Few households have a cap: they are found at C speed (``is not None`` through ``map``)
    and only their caps are read again.
    """
    if raw.count(None) == len(raw):
        return np.full(len(raw), -1, dtype=np.int64), np.zeros(len(raw), dtype=bool)
    has_cap = np.frombuffer(bytearray(map(is_not, raw, itertools.repeat(None))), dtype=bool)
    given = np.flatnonzero(has_cap)
    values = ints([c for c in map(raw.__getitem__, given.tolist()) if c is not None])
    caps = np.full(len(raw), -1, dtype=values.dtype)
    caps[given] = values
    bad = np.zeros(len(raw), dtype=bool)
    bad[given] = values < 0
    return caps, bad


def _area_codes(households: tuple[HouseholdInput, ...]) -> tuple[Index, list[Decimal]]:
    """Each household's area code (equal areas, one code) and the distinct areas, in order
    of first appearance.

    Keyed by the area's text first: a Decimal computes its hash once per object (about
    1 µs), and every household's area is an object of its own (the solver process decodes
    the problem from JSON), which made hashing them the largest part of preparing a
    million households; ``str`` costs a quarter of that.
    The few distinct texts are then merged by value ("86.5" and "86.50"), and each text
    gives back its Decimal exactly (same digits and exponent).
    """
    by_text: defaultdict[str, int] = defaultdict(
        itertools.count().__next__
    )  # numbered as first seen
    codes = index([by_text[str(h.area_m2)] for h in households])
    code_of: dict[Decimal, int] = {}
    code = code_of.setdefault
    merged = index([code(Decimal(text), len(code_of)) for text in by_text])
    return merged[codes], list(code_of)


def _check_in_order(households: tuple[HouseholdInput, ...], order: Index | None) -> None:
    for p in range(len(households)) if order is None else order.tolist():
        h = households[p]
        if not h.area_m2.is_finite() or h.area_m2 < 0:
            raise InvalidProblem(f"households.{h.household_id}.area_m2", "must not be negative")
        if h.cap_fen is not None and h.cap_fen < 0:
            raise InvalidProblem(f"households.{h.household_id}.cap_fen", "must not be negative")


def _area_units(distinct: list[Decimal]) -> list[int]:
    """Areas as integers with the same ratios (hundredths of m² for the usual two places)."""
    places = 0
    for area in distinct:
        exponent = area.as_tuple().exponent
        assert isinstance(exponent, int)
        places = max(places, -exponent)
    return [int(area.scaleb(places)) for area in distinct]


def _kinds(
    area_code: Index, areas: int, building: Ints, floor: Ints, caps: Ints
) -> tuple[Index, Kinds]:
    columns = [(area_code, areas), dense_codes(building), dense_codes(floor)]
    capped = caps >= 0
    cap_code = np.zeros(len(caps), dtype=np.intp)
    distinct_caps = 0
    if capped.any():
        codes, distinct_caps = dense_codes(caps[capped])
        cap_code[capped] = codes + 1
    columns.append((cap_code, distinct_caps + 1))
    span = 1
    for _, n in columns:
        span *= max(n, 1)
    if span < LIMIT:
        key = np.zeros(len(caps), dtype=np.int64)
        for codes, n in columns:
            key = key * max(n, 1) + codes
        kind, _ = dense_codes(key)
    else:
        _, kind = np.unique(np.stack([c for c, _ in columns], axis=1), axis=0, return_inverse=True)
    kind = kind.astype(np.intp, copy=False).reshape(-1)
    count = int(kind.max()) + 1 if kind.size else 0
    members = group_order(kind, count).astype(np.intp, copy=False)
    start = starts_of(kind[members], count)
    empty = np.zeros(0, dtype=np.intp)
    kinds = Kinds(
        count=np.diff(start),
        start=start,
        members=members,
        cap=caps[members[start[:-1]]] if count else ints([]),
        entry_start=np.zeros(count + 1, dtype=np.intp),
        entry_work=empty,
        entry_weight=ints([]),
        by_work=empty,
        work_start=empty,
        entry_kind=empty,
    )
    return kind, kinds


def weigh(works: list[WorkInput], kinds: Kinds, traits: tuple[Ints, Ints, Ints]) -> list[int]:
    """Fill the kinds' entries; return how many households benefit from each work."""
    units, building, floor = traits
    for work in works:
        if work.benefit.benefit_rule == "building" and not work.benefit.scope_building_ids:
            raise InvalidProblem(
                f"works.{work.work_id}.scope_building_ids", "the building rule needs buildings"
            )
    entry_work, entry_kind = _in_scope(works, building)
    rule = index([_RULES.get(w.benefit.benefit_rule, 0) for w in works])[entry_work]
    weight = units[entry_kind]
    weight[rule == _EQUAL] = 1
    by_floor = np.flatnonzero(rule == _FLOOR)
    if by_floor.size:
        factor = _floor_factors(works, entry_work, entry_kind, floor)[by_floor]
        magnitude = bound(units) * bound(factor)
        weight = exact(weight, magnitude)
        weight[by_floor] = exact(weight[by_floor], magnitude) * exact(factor, magnitude)
    keep = (rule == _EQUAL) | (weight > 0)
    entry_work, entry_kind, weight = entry_work[keep], entry_kind[keep], weight[keep]
    lengths = np.bincount(entry_work, minlength=len(works))
    beneficiaries = np.bincount(entry_work, weights=kinds.count[entry_kind], minlength=len(works))
    order = group_order(entry_kind, len(kinds.count)).astype(np.intp, copy=False)
    by_work = np.empty_like(order)
    by_work[order] = np.arange(len(order), dtype=np.intp)
    kinds.entry_work = entry_work[order]
    kinds.entry_weight = weight[order]
    kinds.entry_kind = entry_kind[order]
    kinds.entry_start = starts_of(kinds.entry_kind, len(kinds.count))
    kinds.by_work = by_work
    kinds.work_start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.intp, copy=False)
    return [int(b) for b in beneficiaries.tolist()]


_EQUAL, _FLOOR = 1, 2
_RULES = {"equal": _EQUAL, "area_floor_factor": _FLOOR}


def _in_scope(works: list[WorkInput], building: Ints) -> tuple[Index, Index]:
    """(work, kind) pairs where the kind's building is in the work's scope, work by work.

    Within a work, kinds come building by building (their order there does not matter).
    """
    buildings, building_code = np.unique(building, return_inverse=True)
    building_code = building_code.reshape(-1)
    code_of = {b: code for code, b in enumerate(buildings.tolist())}
    every = list(range(len(buildings)))
    pair_work: list[int] = []
    pair_code: list[int] = []
    for w, work in enumerate(works):
        scope = work.benefit.scope_building_ids
        codes = sorted({code_of[b] for b in scope if b in code_of}) if scope else every
        pair_work += [w] * len(codes)
        pair_code += codes
    by_building = group_order(building_code, len(buildings)).astype(np.intp, copy=False)
    start = starts_of(building_code[by_building], len(buildings))
    code = index(pair_code)
    sizes = start[code + 1] - start[code]
    kind_of = by_building[ranges(start[code], sizes)]
    return np.repeat(index(pair_work), sizes), kind_of


def _floor_factors(
    works: list[WorkInput], entry_work: Index, entry_kind: Index, floor: Ints
) -> Ints:
    """Per entry, its floor's factor for works by floor (the works' step table), scaled to
    integers over the floors in the work's scope (1 for other works)."""
    floors, floor_code = np.unique(floor, return_inverse=True)
    floor_code = floor_code.reshape(-1)
    present = np.zeros((len(works), len(floors)), dtype=bool)
    present[entry_work, floor_code[entry_kind]] = True
    table = np.ones((len(works), len(floors)), dtype=np.int64)
    scaled: list[tuple[int, Index, list[int]]] = []
    known: dict[tuple[tuple[int, Decimal], ...], dict[int, Fraction]] = {}
    for w, work in enumerate(works):
        if work.benefit.benefit_rule != "area_floor_factor":
            continue
        steps = work.benefit.floor_factors
        cache = known.setdefault(tuple(steps.items()), {})
        codes = np.flatnonzero(present[w])
        exact_factors = []
        for f in floors[codes].tolist():
            if f not in cache:
                cache[f] = floor_factor(steps, f)
            exact_factors.append(cache[f])
        denominator = 1
        for factor in exact_factors:
            denominator = lcm(denominator, factor.denominator)
        scaled.append(
            (w, codes, [f.numerator * (denominator // f.denominator) for f in exact_factors])
        )
    if any(bound(ints(values)) >= LIMIT for _, _, values in scaled):
        table = table.astype(object)
    for w, codes, values in scaled:
        table[w, codes] = values
    factors: Ints = table[entry_work, floor_code[entry_kind]]
    return factors
