"""The district overview's CSV and XLSX (planner.district.exports): headers in the language,
a totals row that adds up, text never read as a formula, the "data as of" line."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import msgspec

from planner.district import exports, rules
from planner.district.model import EstateFacts, FundingFacts, Overview, TenderFacts


def _overview(*names: str) -> Overview:
    rows = [
        rules.estate_row(
            EstateFacts(
                estate_id=i, name=name, area="东片区", time_zone="Asia/Shanghai", households=10 * i
            ),
            None,
            TenderFacts(
                estate_id=i, tenders=1, awarded=1, first_fen=360_000_000, current_fen=170_000_000
            ),
            FundingFacts(
                estate_id=i,
                plan_status="approved",
                total_cost_fen=1_000_00,
                residents_total_fen=25_00,
                band_low="0.2000",
                band_high="0.3000",
                by_kind={"subsidy": 75_00},
            ),
            None,
            None,
        )
        for i, name in enumerate(names, start=1)
    ]
    # by convert: fields the replica's freshness adds (data_lag_s) are given, or ignored
    return msgspec.convert(
        {
            "data_as_of": datetime(2026, 12, 4, 22, 0, tzinfo=UTC),
            "data_lag_s": 0.0,
            "read_from": "primary",
            "time_zone": "Asia/Shanghai",
            "areas": ["东片区"],
            "totals": rules.totals(rows, []),
            "estates": rows,
        },
        Overview,
    )


def test_csv_has_rows_totals_and_the_time_in_the_zone() -> None:
    data = exports.overview_csv(_overview("金桂苑", "=HYPERLINK(1)"), "zh").decode("utf-8")
    assert data.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    header, first, second, total, as_of = lines
    assert header[:3] == ["小区编号", "小区", "片区"]
    assert first[1] == "金桂苑" and second[1] == "'=HYPERLINK(1)"
    change = header.index("变化（%）")
    assert first[change] == "-52.8"  # a number of ours, not quoted
    households = header.index("户数")
    assert total[0] == "合计" and total[households] == "30"
    assert total[header.index("节约（元）")] == "3800000.00"
    assert as_of == ["辖区小区概览（数据截至 2026-12-05 06:00）"]
    english = exports.overview_csv(_overview("A"), "en").decode("utf-8-sig")
    assert english.startswith("estate_id,estate,area,households")


def test_xlsx_is_a_workbook_with_sum_formulas() -> None:
    content = exports.overview_xlsx(_overview("金桂苑", "银杏苑"), "en")
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode()
            if any(n == "xl/sharedStrings.xml" for n in book.namelist())
            else sheet
        )
    assert "SUM(" in sheet
    assert "金桂苑" in strings + sheet and "District overview (data as of" in strings + sheet
    assert exports.filename(_overview("A"), "xlsx") == "district-20261205-0600.xlsx"
