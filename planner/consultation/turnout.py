"""Turnout and reach of a consultation from its scope's units (pure: no database, no web).

An owner (person) is the units sharing an owner key; they took part when a counted ballot of
any of their units is on any motion. Areas are integers in hundredths of m².
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from planner.consultation.outreach_model import (
    BuildingTurnout,
    Delivery,
    DeliveryRow,
    DeliveryState,
    OwnerDelivery,
    OwnerUnit,
    ScopeUnit,
    TurnoutFigures,
    Voted,
)
from planner.deliberation.rules import format_area
from planner.estates.natural_order import natural_key


def figures(units: Iterable[ScopeUnit]) -> TurnoutFigures:
    """Who of ``units``' owners and how much of their area took part."""
    owners: set[str] = set()
    voters: set[str] = set()
    area = total = 0
    for u in units:
        owners.add(u.owner_key)
        total += u.area
        if u.voted_motions:
            voters.add(u.owner_key)
            area += u.area
    return TurnoutFigures(
        owners=len(voters),
        total_owners=len(owners),
        area_m2=format_area(area),
        total_area_m2=format_area(total),
    )


def by_building(units: Sequence[ScopeUnit]) -> list[BuildingTurnout]:
    """``figures`` per building, buildings in natural order ("2栋" before "10栋"); an owner
    with units in two buildings counts in each."""
    groups: dict[int, list[ScopeUnit]] = {}
    for u in units:
        groups.setdefault(u.building_id, []).append(u)
    out = []
    for bid, group in groups.items():
        f = figures(group)
        out.append(
            BuildingTurnout(
                building_id=bid,
                building=group[0].building,
                owners=f.owners,
                total_owners=f.total_owners,
                area_m2=f.area_m2,
                total_area_m2=f.total_area_m2,
            )
        )
    return sorted(out, key=lambda b: (natural_key(b.building), b.building_id))


def voted(units: Iterable[ScopeUnit], motion_ids: Iterable[int]) -> Voted:
    """``every`` when the owner's units have a counted ballot on each motion, ``some`` when
    on at least one, else ``none`` (a consultation without motions: ``none``)."""
    wanted = set(motion_ids)
    done: set[int] = set()
    for u in units:
        done |= u.voted_motions
    done &= wanted
    if wanted and done == wanted:
        return "every"
    return "some" if done else "none"


def owners(
    units: Sequence[ScopeUnit], deliveries: Iterable[DeliveryRow], motion_ids: Sequence[int]
) -> list[OwnerDelivery]:
    """Each owner of the scope with their units, their notice's delivery (the earliest one is
    the state) and whether they voted; ordered by their first unit (building, unit)."""
    ordered = sorted(units, key=lambda u: (natural_key(u.building), natural_key(u.unit)))
    by_owner: dict[str, list[ScopeUnit]] = {}
    for u in ordered:
        by_owner.setdefault(u.owner_key, []).append(u)
    delivered: dict[str, list[DeliveryRow]] = {}
    for d in sorted(deliveries, key=lambda d: d.at):
        delivered.setdefault(d.owner_key, []).append(d)
    out = []
    for key, mine in by_owner.items():
        rows = delivered.get(key, [])
        first = rows[0] if rows else None
        state: DeliveryState = first.channel if first else "not_yet"
        buildings = list(dict.fromkeys(u.building for u in mine))
        out.append(
            OwnerDelivery(
                owner_key=key,
                owner_name=mine[0].owner_name,
                buildings=buildings,
                units=[
                    OwnerUnit(
                        household_id=u.household_id,
                        building_id=u.building_id,
                        building=u.building,
                        unit=u.unit,
                        area_m2=format_area(u.area),
                    )
                    for u in mine
                ],
                state=state,
                by=first.by if first else None,
                by_name=first.by_name if first else None,
                at=first.at if first else None,
                deliveries=[
                    Delivery(channel=d.channel, by=d.by, by_name=d.by_name, at=d.at, note=d.note)
                    for d in rows
                ],
                voted=voted(mine, motion_ids),
            )
        )
    return out
