"""The pure parsing of questionnaire answer files (issue 18): columns in English or Chinese,
options by text or number, every fault by line, nothing half-read."""

from __future__ import annotations

import csv
import io

import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.needs.import_rules import ImportRejected, csv_rows, parse_answers, parse_file
from planner.needs.questionnaire_model import Question
from planner.needs.questionnaire_rules import check_answers, count_results

QUESTIONS = [
    Question(text="满意吗", kind="single", options=["满意", "一般", "不满意"]),
    Question(text="想改什么", kind="multi", options=["电梯", "停车", "绿化"]),
    Question(text="建议", kind="text", suggestion=True),
]
BUILDINGS = {"1栋": 1, "2栋": 2}
UNITS = {("1栋", "101"): (11, 1), ("2栋", "101"): (21, 2)}


def parse(text: str, taken: dict[str, int] | None = None) -> list:  # type: ignore[type-arg]
    return parse_file(text.encode(), "text/csv", QUESTIONS, BUILDINGS, UNITS, taken or {})


def faults(text: str, taken: dict[str, int] | None = None) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        parse(text, taken)
    return [(f.line, f.field, f.code) for f in caught.value.faults]


def test_headers_in_either_language_and_options_by_text_or_number() -> None:
    zh = parse("问卷编号,楼号,房号,题1,问题2,意见建议,分类\nA,1栋,101,2,电梯、3,修路,环境卫生\n")
    en = parse(
        "Sheet_No,Building,Unit,Q1,Q2,Suggestion,Category\nA,1栋,101,一般,1;绿化,修路,environment\n"
    )
    assert zh == en
    row = zh[0]
    assert (row.household_id, row.building_id, row.answers) == (11, 1, [[1], [0, 2], "修路"])
    assert (row.suggestion, row.category) == ("修路", "environment")


def test_question_text_as_header_and_missing_columns_unanswered() -> None:
    rows = parse("sheet_no,满意吗\n7,不满意\n8,\n")
    assert [r.answers for r in rows] == [[[2], None, None], [None, None, None]]
    assert rows[0].category == "other" and rows[0].suggestion is None


def test_blank_lines_skipped_and_lines_counted() -> None:
    assert faults("sheet_no,q1\n1,满意\n\n,,\n1,一般\n") == [
        (5, "sheet_no", "import_duplicate_sheet")
    ]


def test_every_fault_of_the_file() -> None:
    text = "sheet_no,building,unit,q1\n1,3栋,,满意\n2,1栋,909,好\n3,,101,\n"
    assert faults(text, {"9": 1}) == [
        (2, "building", "unknown_building"),
        (3, "unit", "import_unknown_unit"),
        (3, "q1", "unknown_option"),
        (4, "building", "required"),
    ]
    assert faults("sheet_no\n9\n", {"9": 4}) == [(2, "sheet_no", "import_sheet_taken")]


def test_text_rules_apply_to_cells() -> None:
    assert faults("sheet_no,suggestion\n1,坏\u202e了\n") == [(2, "q3", "bidi_control")]


def test_utf8_bom_and_gb18030() -> None:
    body = "编号,意见建议\n1,加装电梯\n"
    for encoded in (b"\xef\xbb\xbf" + body.encode(), body.encode("gb18030")):
        rows = parse_file(encoded, "text/csv", QUESTIONS, BUILDINGS, UNITS, {})
        assert rows[0].suggestion == "加装电梯"


def test_xlsx_numbers_read_as_text() -> None:
    book = openpyxl.Workbook()
    book.active.append(["sheet_no", "building", "unit", "q1"])
    book.active.append([12, "2栋", 101, 3])
    out = io.BytesIO()
    book.save(out)
    rows = parse_file(out.getvalue(), "application/octet-stream", QUESTIONS, BUILDINGS, UNITS, {})
    assert (rows[0].sheet_no, rows[0].household_id, rows[0].answers[0]) == ("12", 21, [2])


def test_check_answers_normalises() -> None:
    assert check_answers(QUESTIONS, [[0], [2, 0, 2], "  "]) == [[0], [0, 2], None]


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, min_size=0, max_size=8), max_size=8))
def test_any_csv_is_parsed_or_refused_with_lines(rows: list[list[str]]) -> None:
    """Whatever the cells, parsing either yields rows whose sheet numbers are unique, or
    refuses with faults that each name a line within the file; never another exception."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sheet_no", "q1", "q2", "suggestion", "category"])
    writer.writerows(rows)
    text = out.getvalue()
    lines = len(text.splitlines()) + 1
    try:
        parsed = parse(text)
    except ImportRejected as rejected:
        assert rejected.faults
        assert all(0 <= f.line <= lines for f in rejected.faults)
        return
    sheets = [r.sheet_no for r in parsed]
    assert len(sheets) == len(set(sheets))
    assert all(len(r.answers) == len(QUESTIONS) for r in parsed)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sets(st.integers(0, 2))), max_size=30))
def test_counts_add_up(answers: list[tuple[int, set[int]]]) -> None:
    sets = [[[single], sorted(multi) or None, None] for single, multi in answers]
    counted = count_results(QUESTIONS, sets)
    assert sum(o.count for o in counted[0].options) == len(answers) == counted[0].answered
    assert sum(o.count for o in counted[1].options) == sum(len(m) for _, m in answers)
    assert counted[1].answered == sum(1 for _, m in answers if m)


def test_csv_rows_line_numbers_follow_quoted_newlines() -> None:
    assert [n for n, _ in csv_rows(b'a\n"x\ny"\nz\n')] == [1, 3, 4]
    assert parse_answers(iter([(1, ["sheet_no"]), (2, ["1"])]), QUESTIONS, {}, {}, {})


def test_too_many_rows_refused() -> None:
    body = "sheet_no\n" + "".join(f"{n}\n" for n in range(20_001))
    assert faults(body)[-1][2] == "too_many"
