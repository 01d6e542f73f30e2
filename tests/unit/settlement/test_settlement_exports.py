"""The final accounts' exports, pure: the CSV's totals and identity line, a Chinese
settlement notice with 人民币大写 and no Latin word, an English one without Chinese labels."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from planner.funding.exports.model import HouseholdLabel
from planner.settlement.exports import csv_rows, render_notices
from planner.settlement.model import FinalAccountsOut, HouseholdSettlement
from planner.settlement.rules import household_line

LINES = [household_line(1, 100_050, 120_000), household_line(2, 88_000, 0), household_line(3, 5, 5)]
LABELS = {
    h: HouseholdLabel(
        household_id=h,
        building_id=1,
        building="3栋",
        unit=f"10{h}",
        floor=1,
        owner_name="张三",
        area_m2=Decimal("80.00"),
        cap_fen=None,
    )
    for h in (1, 2, 3)
}


def _final(status: str = "approved", lines: list[HouseholdSettlement] = LINES) -> FinalAccountsOut:
    return FinalAccountsOut(
        id=9,
        estate_id=1,
        plan_id=4,
        version=2,
        status=status,  # type: ignore[arg-type]
        total_cost_fen=1,
        residents_total_fen=sum(h.final_fen for h in lines),
        planned_residents_total_fen=1,
        paid_total_fen=sum(h.paid_fen for h in lines),
        refund_total_fen=sum(h.refund_fen for h in lines),
        topup_total_fen=sum(h.topup_fen for h in lines),
        households=lines,
        sources=[],
        works=[],
        created_at=datetime(2026, 12, 4, tzinfo=UTC),
        created_by=1,
        approved_at=datetime(2026, 12, 4, tzinfo=UTC),
        approved_by=1,
    )


def test_csv_totals_and_identity() -> None:
    rows = csv_rows(_final(), LABELS, "幸福小区", "zh")
    assert rows[0][0].startswith("幸福小区 · 决算 第2版")
    assert rows[-2] == ["合计", "", "", "1880.55", "1200.05", "199.50", "880.00"]
    assert rows[-1][-1] == "一致"
    assert [r[1] for r in rows[2:-2]] == ["101", "102", "103"]


def test_chinese_notice_capital_numerals_no_latin_word() -> None:
    html = render_notices(_final(), LABELS, LINES, "幸福小区", "2026-12-04", "zh")
    assert html.count('<section class="notice"') == 3
    assert "应退还您" in html and "您应补缴" in html and "无需退补" in html
    assert "人民币大写：" in html and "壹佰玖拾玖元伍角" in html
    shown = re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1])
    assert re.findall(r"[A-Za-z][A-Za-z0-9_]*", shown) == []


def test_english_notice_and_draft_mark() -> None:
    html = render_notices(_final("draft"), LABELS, LINES[:1], "幸福小区", "", "en")
    body = html.split("</style>", 1)[1]
    assert "Refund to you" in body and "DRAFT" in body and "人民币" not in body
    labels = re.sub(r"幸福小区|3栋|张三", "", re.sub(r"<[^>]+>", " ", body))
    assert not re.search(r"[\u4e00-\u9fff]", labels)
