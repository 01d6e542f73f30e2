"""CSV exports read back with the csv module: totals to the fen, Chinese intact, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import msgspec
import pytest
from export_samples import HOUSEHOLDS, INJECTION, fen, sample_plan

from planner.funding.exports.csv_export import write_csv
from planner.funding.exports.model import neutralise
from planner.payments.rules import payment_status


def parse(data: bytes, bom: bool = True) -> list[list[str]]:
    if bom:
        assert data.startswith(b"\xef\xbb\xbf")
        text = data[3:].decode("utf-8")
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
    # every line ends with CRLF, and no bare LF sneaks in
    assert text.endswith("\r\n") and text.count("\n") == text.count("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_households_view_adds_up_to_the_residents_share_exactly() -> None:
    plan = sample_plan()
    table = parse(write_csv(plan, "households"))
    title, header, *body = table
    assert "幸福小区" in title[0] and "第3版" in title[0] and "草稿" not in title[0]
    assert header[:6] == ["住户编号", "楼栋", "单元/房号", "楼层", "业主", "面积(㎡)"]
    items, totals, check = body[:-2], body[-2], body[-1]
    assert [int(r[0]) for r in items] == [h[0] for h in HOUSEHOLDS]
    total_col = header.index("合计(元)")
    work_cols = range(6, total_col)
    for row, household in zip(items, plan.result.households, strict=True):
        assert fen(row[total_col]) == household.amount_fen
        assert sum(fen(row[c]) for c in work_cols if row[c]) == household.amount_fen
    assert totals[0] == "合计"
    assert fen(totals[total_col]) == plan.result.residents_total_fen == 350_003
    for col, work in zip(work_cols, plan.result.works, strict=True):
        assert fen(totals[col]) == work.residents_fen
        assert sum(fen(r[col]) for r in items if r[col]) == work.residents_fen
    assert totals[5] == "330.75"  # area total, exact
    assert check[0] == "核对" and check[-1] == "一致"
    assert fen(check[2]) == fen(check[4]) == plan.result.residents_total_fen


def test_works_and_sources_views_reconcile_with_the_plan() -> None:
    plan = sample_plan()
    result = plan.result
    _, header, *body = parse(write_csv(plan, "works"))
    assert header[:3] == ["工程编号", "工程", "费用(元)"]
    items, totals = body[:2], body[2]
    cost_col, public_col, res_col = (
        2,
        header.index("公共资金合计(元)"),
        header.index("居民自筹(元)"),
    )
    for row, work in zip(items, result.works, strict=True):
        assert fen(row[cost_col]) == work.cost_fen
        assert fen(row[public_col]) + fen(row[res_col]) == work.cost_fen
        assert fen(row[res_col]) == work.residents_fen
    assert fen(totals[cost_col]) == result.total_cost_fen == 1_500_003
    assert fen(totals[res_col]) == result.residents_total_fen
    assert totals[-1] == "23.33%"
    assert all(r[0] == "核对" and r[-1] == "一致" for r in body[3:])

    _, header, *body = parse(write_csv(plan, "sources"))
    items, totals = body[:2], body[2]
    for row, source in zip(items, result.sources, strict=True):
        assert fen(row[3]) == source.budget_fen and fen(row[4]) == source.used_fen
        assert fen(row[5]) == source.budget_fen - source.used_fen
    assert fen(totals[4]) == sum(s.used_fen for s in result.sources) == 1_150_000
    assert fen(totals[4]) + result.residents_total_fen == result.total_cost_fen
    assert body[-1][-1] == "一致"


def test_chinese_survives_and_formulas_are_neutralised() -> None:
    table = parse(write_csv(sample_plan(), "households"))
    rows = {r[0]: r for r in table[2:]}
    assert rows["101"][1] == "3栋" and rows["101"][4] == "张三"
    assert rows["102"][4] == "'" + INJECTION
    assert "'=监控(元)" in table[1]
    works = parse(write_csv(sample_plan(), "works"))
    assert works[3][1] == "'=监控" and "'@驻区银行(元)" in works[1]
    for row in table + works:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_plain_utf8_english_headers_and_draft_title() -> None:
    data = write_csv(sample_plan("draft"), "households", lang="en", bom=False)
    title, header, *_ = parse(data, bom=False)
    assert "DRAFT" in title[0] and "草稿" in title[0]
    assert header[:2] == ["Household ID", "Building"] and "Total (CNY)" in header
    assert parse(write_csv(sample_plan(), "works", lang="en"))[-1][-1] == "OK"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text: str, safe: str) -> None:
    assert neutralise(text) == safe


def test_the_same_plan_gives_the_same_bytes() -> None:
    assert write_csv(sample_plan(), "households") == write_csv(sample_plan(), "households")


@pytest.mark.parametrize(
    ("amount", "paid", "status"),
    [
        (0, 0, "exempt"),
        (100, 0, "unpaid"),
        (100, 1, "partial"),
        (100, 100, "paid"),
        (100, 101, "overpaid"),
        (0, 5, "overpaid"),
    ],
)
def test_payment_status(amount: int, paid: int, status: str) -> None:
    assert payment_status(amount, paid) == status


def test_payments_show_in_the_households_view() -> None:
    plan = msgspec.structs.replace(sample_plan(), payments={101: 105_001, 102: 5})
    _, header, *body = parse(write_csv(plan, "households"))
    paid, status = header.index("已缴(元)"), header.index("缴费状态")
    rows = {r[0]: r for r in body}
    assert rows["101"][status] == "已缴清" and rows["102"][status] == "部分缴纳"
    assert rows["103"][status] == "未缴" and rows["104"][status] == "无需缴费"
    assert fen(rows["合计"][paid]) == 105_006


def test_the_title_line_dates_the_plan_in_the_estates_zone() -> None:
    late = datetime(2024, 9, 28, 17, 0, tzinfo=UTC)  # the 29th in Shanghai
    plan = msgspec.structs.replace(sample_plan(), approved_at=late)
    rows = parse(write_csv(plan, "households", "zh", True))
    assert rows[0][0].endswith("已批准 2024-09-29"), rows[0]
    west = msgspec.structs.replace(plan, time_zone="America/New_York")
    assert parse(write_csv(west, "households", "en", True))[0][0].endswith("approved 2024-09-28")
