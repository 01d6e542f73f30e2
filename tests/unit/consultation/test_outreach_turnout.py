"""Turnout and reach from a scope's units (planner/consultation/turnout.py, issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from planner.consultation.outreach_model import DeliveryRow, ScopeUnit
from planner.consultation.turnout import by_building, figures, owners, voted

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def unit(hid: int, building: str, owner: str, area: int, motions: set[int]) -> ScopeUnit:
    return ScopeUnit(
        household_id=hid,
        building_id=int(building.rstrip("栋")),
        building=building,
        unit=f"{hid}",
        area=area,
        owner_key=owner,
        owner_name=f"业主{owner}",
        voted_motions=frozenset(motions),
    )


UNITS = [
    unit(1, "10栋", "A", 8000, {1, 2}),
    unit(2, "10栋", "A", 9000, set()),
    unit(3, "2栋", "A", 5000, set()),
    unit(4, "2栋", "B", 10000, {1}),
    unit(5, "2栋", "C", 6000, set()),
]


def test_figures_count_persons_and_the_area_of_units_that_voted() -> None:
    f = figures(UNITS)
    assert (f.owners, f.total_owners, f.area_m2, f.total_area_m2) == (2, 3, "180.00", "380.00")
    assert [b.building for b in by_building(UNITS)] == ["2栋", "10栋"]  # natural order
    two, ten = by_building(UNITS)
    # A voted by a 10栋 unit: in 2栋 A's unit took no part, yet A is one of its owners
    assert (two.owners, two.total_owners, two.area_m2) == (1, 3, "100.00")
    assert (ten.owners, ten.total_owners, ten.area_m2) == (1, 1, "80.00")


def test_voted_every_some_none_over_all_units_of_an_owner() -> None:
    assert voted(UNITS[:3], [1, 2]) == "every"
    assert voted(UNITS[3:4], [1, 2]) == "some"
    assert voted(UNITS[4:], [1, 2]) == "none"
    assert voted(UNITS[:3], []) == "none"
    assert voted([unit(9, "1栋", "Z", 100, {1}), unit(8, "1栋", "Z", 100, {2})], [1, 2]) == "every"


def test_owners_take_their_first_delivery_as_the_state() -> None:
    rows = [
        DeliveryRow(owner_key="A", channel="paper", by=7, by_name="主任", at=T0, note=""),
        DeliveryRow(
            owner_key="A", channel="online", by=3, by_name="业主A", at=T0 - timedelta(1), note=""
        ),
        DeliveryRow(owner_key="C", channel="paper", by=7, by_name="主任", at=T0, note="门卫"),
    ]
    listed = {o.owner_key: o for o in owners(UNITS, rows, [1, 2])}
    assert list(listed) == ["A", "B", "C"]  # by their first unit: 2栋 3, 2栋 4, 2栋 5
    a = listed["A"]
    assert (a.state, a.by, a.buildings) == ("online", 3, ["2栋", "10栋"])
    assert [d.channel for d in a.deliveries] == ["online", "paper"]
    assert [u.area_m2 for u in a.units] == ["50.00", "80.00", "90.00"]
    assert listed["B"].state == "not_yet" and listed["B"].at is None
    assert (listed["C"].state, listed["C"].deliveries[0].note) == ("paper", "门卫")
    assert (a.voted, listed["B"].voted, listed["C"].voted) == ("every", "some", "none")


units_strategy = st.lists(
    st.builds(
        unit,
        hid=st.integers(1, 10_000),
        building=st.sampled_from(["1栋", "2栋", "3栋"]),
        owner=st.sampled_from("ABCDEFG"),
        area=st.integers(1, 100_000),
        motions=st.sets(st.integers(1, 3)),
    ),
    max_size=30,
    unique_by=lambda u: u.household_id,
)


@given(units_strategy)
def test_turnout_never_exceeds_the_scope_and_buildings_cover_it(units: list[ScopeUnit]) -> None:
    f = figures(units)
    assert f.owners <= f.total_owners == len({u.owner_key for u in units})
    assert Decimal(f.area_m2) <= Decimal(f.total_area_m2)
    per = by_building(units)
    assert sum(Decimal(b.area_m2) for b in per) == Decimal(f.area_m2)
    assert sum(Decimal(b.total_area_m2) for b in per) == Decimal(f.total_area_m2)
    assert sum(b.owners for b in per) >= f.owners  # an owner of two buildings is in both
    listed = owners(units, [], [1, 2, 3])
    assert sorted(u.household_id for o in listed for u in o.units) == sorted(
        u.household_id for u in units
    )
    assert sum(o.voted != "none" for o in listed) == f.owners
