"""Works: the status path and the benefit rules, as pure functions over msgspec Structs.

No database and no web framework here (import-linter checks it). The funding optimiser
reads `WorkBenefit` to decide which households a work benefits and with what weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, get_args

import msgspec

WorkStatus = Literal[
    "candidate",
    "proposed",
    "approved",
    "quoting",
    "awarded",
    "funded",
    "in_progress",
    "done",
    "rejected",
]
WORK_STATUSES: Final[tuple[str, ...]] = get_args(WorkStatus)

BenefitRuleName = Literal["area", "equal", "area_floor_factor", "building"]
BENEFIT_RULES: Final[tuple[str, ...]] = get_args(BenefitRuleName)

# The only moves a work may make. A work may be rejected until it is awarded; after an
# award the money is committed and the work can only go forward.
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    # a candidate (from a common problem) becomes a proposed work when a choice round picks
    # it or the committee promotes it (issue 18)
    "candidate": frozenset({"proposed", "rejected"}),
    "proposed": frozenset({"approved", "rejected"}),
    "approved": frozenset({"quoting", "rejected"}),
    "quoting": frozenset({"awarded", "rejected"}),
    "awarded": frozenset({"funded"}),
    "funded": frozenset({"in_progress"}),
    "in_progress": frozenset({"done"}),
    "done": frozenset(),
    "rejected": frozenset(),
}

# Statuses in which suppliers may still quote and revise.
QUOTING_STATUSES: Final[frozenset[str]] = frozenset({"approved", "quoting"})

# Statuses in which the committee may still edit a work's details: once it is awarded its
# cost is the award, and a rejected work is closed.
EDITABLE_STATUSES: Final[frozenset[str]] = frozenset(
    {"candidate", "proposed", "approved", "quoting"}
)


class IllegalTransition(Exception):
    """A status change the path does not allow (409, code ``illegal_transition``)."""

    code: Final = "illegal_transition"

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        allowed = sorted(TRANSITIONS.get(current, frozenset()))
        self.params: dict[str, object] = {
            "what": "work",
            "from": current,
            "to": target,
            "allowed": allowed,
        }
        super().__init__(
            f"a work cannot go from {current} to {target} (allowed: {', '.join(allowed) or 'none'})"
        )


class InvalidBenefit(Exception):
    """A benefit rule that cannot be applied (the API answers 400 on `field` with `code`)."""

    def __init__(
        self, field: str, reason: str, code: str, params: dict[str, object] | None = None
    ) -> None:
        self.field = field
        self.reason = reason
        self.code = code
        self.params = params or {}
        super().__init__(f"{field}: {reason}")


def next_status(current: str, target: str) -> str:
    """Return `target` when the path allows `current` → `target`, else raise IllegalTransition.

    Staying in the same status is not a transition and is refused as well, so a repeated
    request cannot silently emit a second event.
    """
    if target not in TRANSITIONS:
        raise IllegalTransition(current, target)
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)
    return target


def can_quote(status: str) -> bool:
    """Suppliers may submit and revise quotes only while the work is approved or quoting."""
    return status in QUOTING_STATUSES


def can_edit(status: str) -> bool:
    """A work's details may change only before its award (and unless it was rejected)."""
    return status in EDITABLE_STATUSES


def changed_fields(
    before: Mapping[str, object], after: Mapping[str, object]
) -> dict[str, dict[str, object]]:
    """``{field: {"before": old, "after": new}}`` for every key of `after` whose value differs."""
    return {
        field: {"before": before.get(field), "after": value}
        for field, value in after.items()
        if before.get(field) != value
    }


class WorkBenefit(msgspec.Struct, frozen=True, kw_only=True):
    """Who benefits from a work and with what weight.

    - ``area``: every household in scope, weighted by its exclusive area (the default).
    - ``equal``: every household in scope, weight 1.
    - ``area_floor_factor``: area × the factor of the household's floor (e.g. lifts).
      The table is a step function: a floor takes the factor of the greatest listed floor
      not above it; a floor below every listed floor has factor 0 (it does not benefit).
    - ``building``: only households in ``scope_building_ids`` (required), weighted by area.

    ``scope_building_ids`` empty means the whole estate; otherwise only those buildings'
    households benefit, whatever the rule.
    """

    benefit_rule: BenefitRuleName = "area"
    scope_building_ids: tuple[int, ...] = ()
    floor_factors: dict[int, Decimal] = msgspec.field(default_factory=dict)


def validate_benefit(benefit: WorkBenefit) -> WorkBenefit:
    """Check a benefit rule is usable; return it unchanged or raise InvalidBenefit."""
    if benefit.benefit_rule not in BENEFIT_RULES:
        raise InvalidBenefit(
            "benefit_rule", f"must be one of {', '.join(BENEFIT_RULES)}", "not_allowed"
        )
    if len(set(benefit.scope_building_ids)) != len(benefit.scope_building_ids):
        raise InvalidBenefit("scope_building_ids", "lists a building twice", "duplicate_in_request")
    if benefit.benefit_rule == "building" and not benefit.scope_building_ids:
        raise InvalidBenefit(
            "scope_building_ids",
            "the building rule needs at least one building",
            "too_few",
            {"min": 1},
        )
    if benefit.benefit_rule == "area_floor_factor":
        if not benefit.floor_factors:
            raise InvalidBenefit(
                "floor_factors", "the area_floor_factor rule needs a factor table", "required"
            )
        for floor, factor in benefit.floor_factors.items():
            if not factor.is_finite() or factor < 0:
                raise InvalidBenefit(
                    f"floor_factors.{floor}", "must be a number ≥ 0", "too_small", {"min": 0}
                )
            if factor != factor.quantize(Decimal("0.0001")):
                raise InvalidBenefit(
                    f"floor_factors.{floor}",
                    "at most 4 decimal places",
                    "too_precise",
                    {"places": 4},
                )
    elif benefit.floor_factors:
        raise InvalidBenefit(
            "floor_factors",
            "only the area_floor_factor rule takes a table",
            "only_with_rule",
            {"rule": "area_floor_factor"},
        )
    return benefit


def floor_factor(floor_factors: dict[int, Decimal], floor: int) -> Fraction:
    """The factor of the greatest listed floor not above `floor`; 0 below the table."""
    listed = [f for f in floor_factors if f <= floor]
    if not listed:
        return Fraction(0)
    return Fraction(floor_factors[max(listed)])


def benefits(benefit: WorkBenefit, building_id: int) -> bool:
    """Whether a household in `building_id` is in the work's scope at all."""
    return not benefit.scope_building_ids or building_id in benefit.scope_building_ids


def benefit_weight(
    benefit: WorkBenefit, *, area_m2: Decimal, floor: int, building_id: int
) -> Fraction:
    """A household's exact weight for splitting the residents' part of a work's cost.

    0 means the household does not benefit and must not pay for this work.
    """
    if not benefits(benefit, building_id):
        return Fraction(0)
    area = Fraction(area_m2)
    if benefit.benefit_rule == "equal":
        return Fraction(1)
    if benefit.benefit_rule == "area_floor_factor":
        return area * floor_factor(benefit.floor_factors, floor)
    return area
