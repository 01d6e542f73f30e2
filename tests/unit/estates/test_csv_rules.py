from decimal import Decimal

import pytest

from planner.estates.csv_rules import CsvProblem, decode_csv, parse_households

HEADER = "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"


def test_chinese_headers_and_bom_are_accepted() -> None:
    raw = (
        "\ufeff楼栋,单元/房号,楼层,面积,业主编号,业主姓名,困难户上限\n"
        "3栋,101,1,88.5,A1,张三,\n3栋,102,2,90.12,A1,张三,0\n"
    ).encode()
    rows = parse_households(decode_csv(raw))
    assert [r.building for r in rows] == ["3栋", "3栋"]
    assert rows[0].area_m2 == Decimal("88.50")
    assert rows[0].hardship_cap_fen is None
    assert rows[1].hardship_cap_fen == 0


def test_hardship_column_is_optional() -> None:
    rows = parse_households("building,unit,floor,area_m2,owner_key,owner_name\n1,101,1,50,A,a\n")
    assert rows[0].hardship_cap_fen is None


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("1,101,1,,A,a,", "area_m2", "missing value"),
        ("1,101,1,0,A,a,", "area_m2", "must be positive"),
        ("1,101,1,-3,A,a,", "area_m2", "must be positive"),
        ("1,101,1,abc,A,a,", "area_m2", "not a number"),
        ("1,101,1,NaN,A,a,", "area_m2", "finite"),
        ("1,101,1,80.123,A,a,", "area_m2", "more than two decimal places"),
        ("1,101,x,80,A,a,", "floor", "not a whole number"),
        ("1,101,1,80,A,a,-5", "hardship_cap_fen", "whole number of fen"),
        ("1,101,1,80,A,a,1.5", "hardship_cap_fen", "whole number of fen"),
        ("1,101,1,80,,a,", "owner_key", "missing value"),
    ],
)
def test_a_bad_row_names_its_line_and_column(row: str, column: str, reason: str) -> None:
    text = HEADER + "1,100,1,50.00,Z,z,\n" + row + "\n"
    with pytest.raises(CsvProblem) as caught:
        parse_households(text)
    assert caught.value.line == 3
    assert caught.value.column == column
    assert reason in caught.value.reason


def test_duplicate_unit_is_refused_with_both_lines() -> None:
    with pytest.raises(CsvProblem) as caught:
        parse_households(HEADER + "1,101,1,50,A,a,\n1,102,1,50,B,b,\n1,101,1,60,C,c,\n")
    assert caught.value.line == 4
    assert "line 2" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        (HEADER, "no households"),
        ("building,unit,floor,area_m2,owner_key\n", "missing columns: owner_name"),
        (HEADER.strip() + ",colour\n", "unknown columns: colour"),
        (HEADER + "1,101,1,50,A\n", "expected 7 fields"),
        (HEADER + '1,"101,1,50,A,a,\n', "malformed CSV"),
    ],
)
def test_malformed_files_are_refused(text: str, reason: str) -> None:
    with pytest.raises(CsvProblem) as caught:
        parse_households(text)
    assert reason in str(caught.value)


def test_non_utf8_is_refused() -> None:
    with pytest.raises(CsvProblem, match="not UTF-8"):
        decode_csv("楼栋".encode("gbk"))


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "csv_empty", {"line": 1, "column": None}),
        (HEADER, "csv_empty", {"line": 2, "column": None}),
        (
            "building,unit,floor,area_m2,owner_key\n",
            "csv_missing_columns",
            {"columns": ["owner_name"]},
        ),
        (HEADER.strip() + ",colour\n", "csv_unknown_columns", {"columns": ["colour"]}),
        (HEADER + "1,101,1,50,A\n", "csv_field_count", {"line": 2, "expected": 7, "got": 5}),
        (HEADER + "1,101,1,0,A,a,\n", "not_positive", {"line": 2, "column": "area_m2"}),
        (HEADER + "1,101,1,80.123,A,a,\n", "too_precise", {"places": 2}),
        (HEADER + "1,101,999,80,A,a,\n", "out_of_range", {"min": -10, "max": 200}),
        (HEADER + "1,101,1,80,,a,\n", "required", {"column": "owner_key"}),
        (HEADER + "1,101,1,80,A,a,1.5\n", "not_a_whole_number", {"value": "1.5"}),
        # the database keeps buildings, units and owner keys to 100 characters
        (HEADER + "b" * 101 + ",101,1,80,A,a,\n", "too_long", {"column": "building", "max": 100}),
        (HEADER + "1,101,1,80,A," + "n" * 201 + ",\n", "too_long", {"max": 200}),
        (
            HEADER + "1,101,1,50,A,a,\n1,101,1,60,C,c,\n",
            "csv_duplicate_unit",
            {"line": 3, "building": "1", "unit": "101", "other_line": 2},
        ),
    ],
)
def test_every_fault_carries_its_code_and_params(text: str, code: str, params: dict) -> None:
    with pytest.raises(CsvProblem) as caught:
        parse_households(text)
    assert caught.value.code == code
    assert params.items() <= caught.value.params.items()
