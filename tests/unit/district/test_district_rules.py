"""The district overview's arithmetic (planner.district.rules): exact percentages, the band
compared exactly, rows and totals, sorting and filtering."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.district import rules
from planner.district.model import (
    DecisionFacts,
    EstateFacts,
    FundingFacts,
    MoneyFacts,
    NeedsFacts,
    TenderFacts,
    TenderWork,
)

YUAN = 100


def test_the_pilot_saving_is_minus_52_8_percent() -> None:
    assert rules.change_percent(3_600_000 * YUAN, 1_700_000 * YUAN) == "-52.8"
    assert rules.change_percent(0, 5) is None
    assert rules.percent(1, 3) == "33.3"
    assert rules.percent(2, 3) == "66.7"
    assert rules.percent(1, 8) == "12.5"
    assert rules.percent(1, 0) is None
    assert rules.share(20, 100) == "0.2000"


def test_band_boundaries_are_exact() -> None:
    assert rules.band_position(30, 100, "0.2000", "0.3000") == "within"
    assert rules.band_position(20, 100, "0.20", "0.30") == "within"
    assert rules.band_position(1999, 10_000, "0.20", "0.30") == "below"
    assert rules.band_position(3001, 10_000, "0.20", "0.30") == "above"
    assert rules.band_position(0, 0, "0.20", "0.30") is None
    assert rules.band_position(1, 3, None, "0.30") is None


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_percent_is_the_exact_ratio_rounded_half_up(part: int, whole: int) -> None:
    shown = Decimal(rules.percent(part, whole) or "0")
    exact = Fraction(part * 100, whole)
    assert abs(Fraction(shown) - exact) <= Fraction(1, 20)
    assert shown == shown.quantize(Decimal("0.1"))


@given(
    st.integers(0, 10**9),
    st.integers(1, 10**9),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_band_position_agrees_with_fractions(
    residents: int, total: int, low_pct: int, width: int
) -> None:
    low, high = Fraction(low_pct, 100), Fraction(min(low_pct + width, 100), 100)
    got = rules.band_position(
        residents, total, str(Decimal(low.numerator) / low.denominator), str(float(high))
    )
    ratio = Fraction(residents, total)
    expected = "below" if ratio < low else "above" if ratio > high else "within"
    assert got == expected


def _row(estate_id: int, name: str, households: int, area: str | None = None) -> rules.EstateRow:
    return rules.estate_row(
        EstateFacts(
            estate_id=estate_id,
            name=name,
            area=area,
            time_zone="Asia/Shanghai",
            households=households,
        ),
        DecisionFacts(
            estate_id=estate_id,
            open=1,
            open_total_area=100_00,
            open_participating_area=25_00 * estate_id,
            open_total_owners=4,
            open_participating_owners=estate_id,
        ),
        TenderFacts(
            estate_id=estate_id,
            tenders=1,
            awarded=1,
            first_fen=3_600_000 * YUAN,
            current_fen=1_700_000 * YUAN,
        ),
        FundingFacts(
            estate_id=estate_id,
            plan_status="approved",
            total_cost_fen=1000,
            residents_total_fen=100 * estate_id,
            band_low="0.2000",
            band_high="0.3000",
            by_kind={"subsidy": 1000 - 100 * estate_id},
        ),
        MoneyFacts(estate_id=estate_id, collected_fen=50 * estate_id),
        NeedsFacts(estate_id=estate_id, problems=2, problems_solved=1),
    )


def test_rows_and_totals() -> None:
    rows = [_row(1, "乙", 10, "东片"), _row(2, "甲", 30, "西片"), _row(3, "丙", 20, "东片")]
    first = rows[0]
    assert first.saving_pct == "-52.8"
    assert first.saving_fen == 1_900_000 * YUAN
    assert first.turnout_area_pct == "25.0" and first.turnout_owners_pct == "25.0"
    assert first.band_position == "below"
    assert rows[1].band_position == "within" and rows[2].band_position == "within"
    assert first.by_source == {
        "subsidy": 900,
        "maintenance_fund": 0,
        "utility": 0,
        "donor": 0,
        "other": 0,
    }
    assert first.collected_pct == "50.0"
    facts = [
        DecisionFacts(
            estate_id=i,
            open=1,
            open_total_area=100_00,
            open_participating_area=25_00 * i,
            open_total_owners=4,
            open_participating_owners=i,
        )
        for i in (1, 2, 3)
    ]
    totals = rules.totals(rows, facts)
    assert totals.estates == 3 and totals.households == 60
    assert totals.turnout_area_pct == "50.0"  # 150 of 300 m², not an average of averages
    assert totals.saving_pct == "-52.8"
    assert totals.within_band == 2 and totals.outside_band == 1
    assert totals.residents_share == "0.2000"


def test_arrange_sorts_filters_and_puts_missing_figures_last() -> None:
    rows = [_row(1, "乙", 10, "东片"), _row(2, "甲", 30, "西片"), _row(3, "丙", 20, "东片")]
    assert [r.estate_id for r in rules.arrange(rows, sort="-households")] == [2, 3, 1]
    assert [r.estate_id for r in rules.arrange(rows, sort="households")] == [1, 3, 2]
    assert {r.estate_id for r in rules.arrange(rows, area="东片")} == {1, 3}
    assert [r.estate_id for r in rules.arrange(rows, band="outside")] == [1]
    assert [r.estate_id for r in rules.arrange(rows, q="甲")] == [2]
    no_plan = rules.estate_row(
        EstateFacts(estate_id=9, name="丁", area=None, time_zone="Asia/Shanghai", households=1),
        None,
        None,
        None,
        None,
        None,
    )
    assert no_plan.residents_share is None and no_plan.saving_pct is None
    for sort in ("residents_share", "-residents_share"):
        assert rules.arrange([*rows, no_plan], sort=sort)[-1].estate_id == 9
    with pytest.raises(ValueError):
        rules.arrange(rows, sort="owner_name")


def test_tenders_sum_per_estate_with_each_change() -> None:
    works = [
        TenderWork(
            estate_id=4,
            work_id=1,
            title="二次供电改造",
            awarded=True,
            first_fen=3_600_000 * YUAN,
            current_fen=1_700_000 * YUAN,
        ),
        TenderWork(
            estate_id=4,
            work_id=2,
            title="车库",
            awarded=False,
            first_fen=400_000,
            current_fen=400_000,
        ),
    ]
    facts, listed = rules.tender_facts(works)
    assert (facts.tenders, facts.awarded) == (2, 1)
    assert facts.first_fen == 360_400_000 and facts.current_fen == 170_400_000
    assert [w.change_pct for w in listed] == ["-52.8", "0.0"]
