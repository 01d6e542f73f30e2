"""A hand-made plan for the export tests: every figure can be checked with a pencil.

Works: 11 "屋面防水" 10,000.00 (source 21 pays 8,000.00, residents 2,000.00) and
12 "=监控" 5,000.03 (source 22 pays 3,500.00, residents 1,500.03). Households in
"3栋" and "4栋"; one owner's name is a formula, one household is exempt (cap 0).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from planner.funding.engine import (
    Explanation,
    FundingPlanResult,
    HouseholdPlan,
    HouseholdWorkAmount,
    SourceAmount,
    SourceUse,
    WorkPlan,
)
from planner.funding.exports.model import ExportPlan, HouseholdLabel, SourceLabel, WorkLabel

INJECTION = '=HYPERLINK("http://x")'
# (id, building, unit, owner, area, cap, {work: fen})
HOUSEHOLDS = [
    (101, "3栋", "101", "张三", "80.00", None, {11: 60_000, 12: 45_001}),
    (102, "3栋", "102", INJECTION, "90.50", None, {11: 70_000, 12: 55_002}),
    (103, "3栋", "201", "李四<b>", "100.00", None, {11: 70_000, 12: 50_000}),
    (104, "4栋", "101", "王五", "60.25", 0, {11: 0}),
]
WORKS = [(11, "屋面防水", 1_000_000, {21: 800_000}), (12, "=监控", 500_003, {22: 350_000})]
SOURCES = [(21, "区财政补贴", "subsidy", 2_000_000), (22, "@驻区银行", "donor", 350_000)]


def _share(part: int, whole: int) -> str:
    """Four places, rounded half up (as the plan's contract shows shares)."""
    value = Fraction(part, whole) * 10_000
    return f"{Decimal(int(value + Fraction(1, 2))) / 10_000:.4f}"


def result() -> FundingPlanResult:
    works = []
    for work_id, _, cost, paid in WORKS:
        residents = cost - sum(paid.values())
        works.append(
            WorkPlan(
                work_id=work_id,
                cost_fen=cost,
                residents_fen=residents,
                residents_share=_share(residents, cost),
                sources=[SourceAmount(source_id=s, amount_fen=a) for s, a in paid.items()],
                binding=[],
            )
        )
    households = [
        HouseholdPlan(
            household_id=h[0],
            amount_fen=sum(h[6].values()),
            proportional_fen=sum(h[6].values()),
            capped=h[5] == 0,
            reason="cap" if h[5] == 0 else "proportional",
            works=[HouseholdWorkAmount(work_id=w, amount_fen=a) for w, a in h[6].items()],
        )
        for h in HOUSEHOLDS
    ]
    used = {s[0]: 0 for s in SOURCES}
    for _, _, _, paid in WORKS:
        for s, a in paid.items():
            used[s] += a
    total = sum(w[2] for w in WORKS)
    residents_total = sum(w.residents_fen for w in works)
    return FundingPlanResult(
        total_cost_fen=total,
        residents_total_fen=residents_total,
        residents_share=_share(residents_total, total),
        works=works,
        sources=[SourceUse(source_id=s[0], used_fen=used[s[0]], budget_fen=s[3]) for s in SOURCES],
        households=households,
        explanation=Explanation(zh="", en="", notes=[]),
    )


def sample_plan(status: str = "approved", estate_name: str = "幸福小区") -> ExportPlan:
    approved = datetime(2024, 9, 28, 8, 30, tzinfo=UTC) if status == "approved" else None
    return ExportPlan(
        plan_id=7,
        estate_id=1,
        estate_name=estate_name,
        version=3,
        status=status,
        policy="minimum",
        resident_band=(Decimal("0.20"), Decimal("0.30")),
        created_at=datetime(2024, 9, 27, 10, 0, tzinfo=UTC),
        approved_at=approved,
        result=result(),
        households={
            h[0]: HouseholdLabel(
                household_id=h[0],
                building_id=1 if h[1] == "3栋" else 2,
                building=h[1],
                unit=h[2],
                floor=int(h[2][0]),
                owner_name=h[3],
                area_m2=Decimal(h[4]),
                cap_fen=h[5],
            )
            for h in HOUSEHOLDS
        },
        works={w[0]: WorkLabel(work_id=w[0], title=w[1]) for w in WORKS},
        sources={s[0]: SourceLabel(source_id=s[0], name=s[1], kind=s[2]) for s in SOURCES},
    )


def fen(text: str) -> int:
    """Yuan text with two decimals → fen, exactly (the test's own parser)."""
    whole, _, cents = text.partition(".")
    assert len(cents) == 2, text
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(cents))


def yuan_number_fen(value: float) -> int:
    """A spreadsheet number in yuan → fen, exactly (fails on anything not a whole fen)."""
    scaled = Decimal(repr(value)) * 100
    assert scaled == scaled.to_integral_value(), value
    return int(scaled)
