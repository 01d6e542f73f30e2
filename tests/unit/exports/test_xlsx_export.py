"""The workbook read back with openpyxl: numbers, formulas and their cached values, layout."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import openpyxl
import pytest
from export_samples import INJECTION, sample_plan, yuan_number_fen
from xlsx_eval import Evaluator

from planner.funding.exports.model import ExportPlan
from planner.funding.exports.xlsx_export import write_xlsx


def workbook_bytes(plan: ExportPlan, lang: str = "zh") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(plan, buffer, lang)  # type: ignore[arg-type]
    return buffer.getvalue()


def load(data: bytes) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    return (
        openpyxl.load_workbook(io.BytesIO(data)),
        openpyxl.load_workbook(io.BytesIO(data), data_only=True),
    )


def find_row(sheet: openpyxl.worksheet.worksheet.Worksheet, first_cell: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == first_cell:
            return row[0].row
    raise AssertionError(f"no row starting with {first_cell!r}")


@pytest.mark.parametrize("status", ["approved", "draft"])
def test_every_formula_carries_the_value_it_computes(status: str) -> None:
    formulas, values = load(workbook_bytes(sample_plan(status)))
    evaluator = Evaluator(formulas)
    checked = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                cached = values[sheet.title][cell.coordinate].value
                computed = evaluator.evaluate(sheet.title, cell.value)
                assert cached is not None, (sheet.title, cell.coordinate)
                if isinstance(computed, str):
                    assert cached == computed, (sheet.title, cell.coordinate)
                elif "%" in cell.number_format:
                    assert abs(Decimal(repr(float(cached))) - computed) < Decimal("1e-12")
                else:
                    assert Decimal(repr(cached)) == computed, (sheet.title, cell.coordinate)
                checked += 1
    assert checked > 30


def test_totals_equal_the_plan_totals_to_the_fen() -> None:
    plan = sample_plan()
    result = plan.result
    formulas, values = load(workbook_bytes(plan))
    assert formulas.sheetnames == ["汇总", "住户", "工程", "资金来源"]

    households = values["住户"]
    header = [c.value for c in households[2]]
    total_col = header.index("合计(元)") + 1
    totals_row = find_row(households, "合计")
    assert totals_row == 3 + len(result.households)
    assert formulas["住户"].cell(totals_row, total_col).value.startswith("=SUM(")
    assert yuan_number_fen(households.cell(totals_row, total_col).value) == 350_003
    for i, work in enumerate(result.works):
        cell = households.cell(totals_row, 7 + i).value
        assert yuan_number_fen(cell) == work.residents_fen
    for r, household in enumerate(result.households, start=3):
        assert yuan_number_fen(households.cell(r, total_col).value) == household.amount_fen
        assert households.cell(r, 7).number_format == "[$¥-804]#,##0.00"
    check = find_row(households, "核对")
    assert households.cell(check, 6).value == "一致"

    works = values["工程"]
    totals_row = find_row(works, "合计")
    assert yuan_number_fen(works.cell(totals_row, 3).value) == result.total_cost_fen
    residents_col = [c.value for c in works[2]].index("居民自筹(元)") + 1
    assert yuan_number_fen(works.cell(totals_row, residents_col).value) == 350_003

    sources = values["资金来源"]
    totals_row = find_row(sources, "合计")
    assert yuan_number_fen(sources.cell(totals_row, 5).value) == 1_150_000

    summary = values["汇总"]
    facts = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r[0]}
    assert yuan_number_fen(facts["总费用"]) == result.total_cost_fen
    assert yuan_number_fen(facts["居民自筹合计"]) == result.residents_total_fen
    assert yuan_number_fen(facts["公共资金合计"]) == result.total_cost_fen - 350_003
    assert yuan_number_fen(facts["住户合计"]) == 350_003
    assert facts["区间检查"] == "符合" and facts["住户合计 = 居民自筹"] == "一致"
    assert facts["版本"] == 3 and facts["状态"] == "已批准"


def test_layout_frozen_headers_filters_chart_and_text_cells() -> None:
    data = workbook_bytes(sample_plan())
    formulas, _ = load(data)
    for name in ("住户", "工程", "资金来源"):
        sheet = formulas[name]
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:")
        assert sheet.column_dimensions["B"].width > 8
    households = formulas["住户"]
    owners = {households.cell(r, 1).value: households.cell(r, 5) for r in range(3, 7)}
    assert owners[101].value == "张三" and households["B3"].value == "3栋"
    injected = owners[102]
    assert injected.value == INJECTION and injected.data_type == "s" and injected.quotePrefix
    assert formulas["工程"]["B4"].value == "=监控" and formulas["工程"]["B4"].data_type == "s"
    assert formulas["工程"]["B4"].quotePrefix
    header = households["H2"]
    assert header.value == "=监控(元)" and header.quotePrefix and header.font.b
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "xl/charts/chart1.xml" in names
        assert "xl/drawings/drawing1.xml" in names
        chart = archive.read("xl/charts/chart1.xml").decode()
        assert "<c:barChart>" in chart and "stacked" in chart and "汇总!$C$21" in chart
        assert (
            "<c:v>屋面防水</c:v>" in chart
            and "<c:v>8000</c:v>" in chart
            and "<c:v>1500.03</c:v>" in chart
        )
        core = archive.read("docProps/core.xml").decode()
        assert "2024-09-28T08:30:00Z" in core


def test_drafts_are_watermarked_and_approved_plans_are_not() -> None:
    draft, _ = load(workbook_bytes(sample_plan("draft")))
    for sheet in draft.worksheets:
        assert "草稿 DRAFT" in str(sheet["A1"].value)
        assert "DRAFT" in (sheet.oddHeader.center.text or "")
        assert sheet.sheet_properties.tabColor is not None
    approved, _ = load(workbook_bytes(sample_plan("approved")))
    for sheet in approved.worksheets:
        assert "草稿" not in str(sheet["A1"].value) and "已批准" in str(sheet["A1"].value)
        assert not (sheet.oddHeader.center.text or "")


def test_an_approved_plan_is_the_same_bytes_every_time() -> None:
    first = workbook_bytes(sample_plan())
    assert workbook_bytes(sample_plan()) == first
    assert workbook_bytes(sample_plan("draft")) == workbook_bytes(sample_plan("draft"))


def test_english_sheets() -> None:
    formulas, values = load(workbook_bytes(sample_plan(), "en"))
    assert formulas.sheetnames == ["Summary", "Households", "Works", "Sources"]
    facts = {r[0]: r[1] for r in values["Summary"].iter_rows(values_only=True) if r[0]}
    assert facts["Band check"] == "within" and facts["Households = residents"] == "OK"


def test_summary_times_and_title_are_the_estates_wall_clock() -> None:
    late = datetime(2024, 9, 28, 17, 0, tzinfo=UTC)  # 01:00 on the 29th in Shanghai
    plan = msgspec.structs.replace(sample_plan(), approved_at=late)
    _, values = load(workbook_bytes(plan))
    facts = {r[0]: r[1] for r in values["汇总"].iter_rows(values_only=True) if r[0]}
    assert facts["批准时间"] == "2024-09-29 01:00 (Asia/Shanghai)"
