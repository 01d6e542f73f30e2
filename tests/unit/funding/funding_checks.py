"""Invariants every funding plan must satisfy, checked in exact integers."""

from __future__ import annotations

from fractions import Fraction

from planner.funding.engine import FundingPlanResult, FundingProblem
from planner.works.rules import benefit_weight


def check_plan(problem: FundingProblem, plan: FundingPlanResult) -> None:
    works = {w.work_id: w for w in problem.works}
    sources = {s.source_id: s for s in problem.sources}
    households = {h.household_id: h for h in problem.households}
    assert plan.total_cost_fen == sum(w.cost_fen for w in problem.works)
    assert [w.work_id for w in plan.works] == sorted(works)
    assert [h.household_id for h in plan.households] == sorted(households)
    # every work fully funded, sources within their rules
    used: dict[int, int] = dict.fromkeys(sources, 0)
    for wp in plan.works:
        work = works[wp.work_id]
        assert wp.cost_fen == work.cost_fen
        assert wp.residents_fen >= 0
        assert sum(s.amount_fen for s in wp.sources) + wp.residents_fen == work.cost_fen
        for sa in wp.sources:
            source = sources[sa.source_id]
            assert wp.work_id in source.eligible_work_ids
            assert sa.amount_fen >= 0
            if source.max_share is not None:
                assert Fraction(sa.amount_fen) <= Fraction(source.max_share) * work.cost_fen
            if wp.work_id in source.pledges:
                assert sa.amount_fen == source.pledges[wp.work_id]
            used[sa.source_id] += sa.amount_fen
        if work.resident_band is not None:
            low, high = work.resident_band
            assert Fraction(low) * work.cost_fen <= wp.residents_fen
            assert wp.residents_fen <= Fraction(high) * work.cost_fen
    for su in plan.sources:
        assert su.used_fen == used[su.source_id]
        assert su.used_fen <= sources[su.source_id].budget_fen
        assert su.budget_fen == sources[su.source_id].budget_fen
    # residents' total within the band and equal to the works' and households' sums
    total = plan.residents_total_fen
    assert total == sum(w.residents_fen for w in plan.works)
    assert total == sum(h.amount_fen for h in plan.households)
    low, high = problem.resident_band
    assert Fraction(low) * plan.total_cost_fen <= total <= Fraction(high) * plan.total_cost_fen
    # households pay only for works that benefit them, never above their caps
    per_work: dict[int, int] = dict.fromkeys(works, 0)
    for hp in plan.households:
        household = households[hp.household_id]
        assert hp.amount_fen == sum(x.amount_fen for x in hp.works)
        if household.cap_fen is not None:
            assert hp.amount_fen <= household.cap_fen
        for x in hp.works:
            assert x.amount_fen >= 0
            work = works[x.work_id]
            weight = benefit_weight(
                work.benefit,
                area_m2=household.area_m2,
                floor=household.floor,
                building_id=household.building_id,
            )
            if weight == 0:
                assert x.amount_fen == 0
            per_work[x.work_id] += x.amount_fen
    for wp in plan.works:
        assert per_work[wp.work_id] == wp.residents_fen
