"""The demo data set without a database: deterministic, valid for the import, and the
reference case's figures hold (the quotes' totals, −52.8 %, the residents' 150–200k)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import msgspec
import pytest

from planner.demo import population as pop
from planner.demo import story
from planner.estates.csv_rules import parse_households
from planner.funding.engine import FundingProblem, HouseholdInput, SourceInput, WorkInput, solve
from planner.negotiation.model import LineInput
from planner.negotiation.rules import percent_change, price_lines
from planner.works.rules import WorkBenefit


def test_households_are_generated_the_same_every_time() -> None:
    for plan in pop.ESTATES:
        assert pop.households_csv(plan) == pop.households_csv(plan)


def test_population_fits_the_pilot_area_and_the_import() -> None:
    rows = [row for plan in pop.ESTATES for row in parse_households(pop.households_csv(plan))]
    assert 850 <= len(rows) <= 950
    buildings = {(plan.name, b) for plan in pop.ESTATES for b in range(len(plan.buildings))}
    assert 12 <= len(buildings) <= 20
    assert all(Decimal("60") <= r.area_m2 <= Decimal("140") for r in rows)
    assert all(r.area_m2 == r.area_m2.quantize(Decimal("0.01")) for r in rows)
    holdings = Counter(r.owner_key for r in rows)
    assert sum(1 for n in holdings.values() if n > 1) >= 10, "owners with several flats"
    caps = [r.hardship_cap_fen for r in rows if r.hardship_cap_fen is not None]
    assert 0 in caps and 5 <= len(caps) <= 20


def test_tour_owner_holds_two_flats_in_the_open_meetings_building() -> None:
    units = pop.units_of(pop.JINGUI)
    mine = [(u.building, u.unit) for u in units if u.owner_key == pop.TOUR_OWNER_KEY]
    assert mine == list(pop.TOUR_OWNER_UNITS)
    assert {b for b, _ in mine} == {story.OPEN_MEETING.building}


@pytest.mark.parametrize("negotiation", story.NEGOTIATIONS, ids=lambda n: f"{n.work}-{n.supplier}")
def test_every_round_totals_exactly(negotiation: story.Negotiation) -> None:
    for total in negotiation.rounds:
        lines = msgspec.convert(story.lines_for(negotiation.lines, total), list[LineInput])
        assert price_lines(lines).total_fen == total
        assert all(line.unit_price_fen > 0 for line in lines)


def test_retrofit_is_the_reference_case() -> None:
    power = next(n for n in story.NEGOTIATIONS if n.award_last and n.work == "power")
    assert power.rounds[0] == 3_600_000_00 and power.rounds[-1] == 1_700_000_00
    assert percent_change(power.rounds[0], power.rounds[-1]) == "-52.8"
    assert list(power.rounds) == sorted(power.rounds, reverse=True)


def test_the_funding_plan_lands_in_the_reference_band() -> None:
    """The same problem the loader solves through the API (awarded pipes, estimates else)."""
    units = pop.units_of(pop.JINGUI)
    building_ids = {f"{b}栋": b for b in range(1, len(pop.JINGUI.buildings) + 1)}
    households = tuple(
        HouseholdInput(
            household_id=i,
            area_m2=Decimal(u.area),
            building_id=building_ids[u.building],
            floor=u.floor,
            cap_fen=u.hardship_cap_fen,
        )
        for i, u in enumerate(units, start=1)
    )
    work_ids = {w.key: i for i, w in enumerate(story.WORKS, start=1)}
    awarded = {n.work: n.rounds[-1] for n in story.NEGOTIATIONS if n.award_last}
    works = tuple(
        WorkInput(
            work_id=work_ids[w.key],
            cost_fen=awarded.get(w.key, w.estimate_fen),
            benefit=WorkBenefit(
                benefit_rule=w.benefit_rule,  # type: ignore[arg-type]
                scope_building_ids=tuple(building_ids[b] for b in w.scope_buildings),
            ),
        )
        for w in story.WORKS
        if w.key in story.PLAN_WORKS
    )
    sources = tuple(
        SourceInput(
            source_id=i,
            budget_fen=s.budget_fen,
            eligible_work_ids=tuple(work_ids[k] for k in s.works),
            max_share=None if s.max_share is None else Decimal(s.max_share),
        )
        for i, s in enumerate(story.SOURCES, start=1)
    )
    plan = solve(FundingProblem(works=works, sources=sources, households=households))
    assert 150_000_00 <= plan.residents_total_fen <= 200_000_00
    assert (
        Decimal("0.20")
        <= Decimal(plan.residents_total_fen) / plan.total_cost_fen
        <= Decimal("0.30")
    )
    assert any(h.capped and h.amount_fen == 0 for h in plan.households)


def test_no_demo_owner_or_member_carries_a_public_figures_name() -> None:
    """Every owner of both estates (their fixed seeds) and every named member of the story."""
    assert "邓小平" in pop.PUBLIC_FIGURES and len(pop.PUBLIC_FIGURES) >= 300
    owners = {u.owner_name for plan in pop.ESTATES for u in pop.units_of(plan)}
    assert len(owners) > 500
    assert not owners & pop.PUBLIC_FIGURES
    people = [
        p.display_name.split()[-1].split("（")[0]
        for p in vars(story).values()
        if isinstance(p, story.Person)
    ]
    assert "周丽华" in people and not set(people) & pop.PUBLIC_FIGURES


def test_the_name_generator_never_yields_a_public_figures_name() -> None:
    """Every surname with every given name it can draw, and many random draws."""
    import random

    assert len(pop.GIVEN) % 2 == 0
    starts = range(0, len(pop.GIVEN) - 1, 2)
    reachable = {s + pop.GIVEN[i : i + 2] for s in pop.SURNAMES for i in starts}
    assert reachable & pop.PUBLIC_FIGURES, "the denylist does bite on this generator"
    drawn = {pop.person_name(random.Random(seed)) for seed in range(20_000)}
    assert not drawn & pop.PUBLIC_FIGURES
    assert len(drawn) >= len(reachable - pop.PUBLIC_FIGURES) - 5
    assert all(len(n) == 3 and n[1:] in pop.GIVEN for n in drawn)
