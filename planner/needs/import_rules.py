"""Parsing a file of paper questionnaire answers (CSV or XLSX): pure, all-or-nothing, every
fault with its line, column and code.

Columns (the header row; names in English or Chinese, any order, case and blanks around
them ignored):

==============  =========================================  =============================
column          also                                       holds
==============  =========================================  =============================
``sheet_no``    编号, 问卷编号, 表号                          the sheet's number (required)
``building``    楼栋, 楼号                                    the building's name
``unit``        房号, 单元, 单元/房号                          the unit in that building
``q1`` … ``qN`` 问题1 … 问题N, 题1, or the question's text     one answer per question
``suggestion``  建议, 意见建议                                the suggestion question's text
``category``    类别, 分类                                    the suggestion's category
==============  =========================================  =============================

Only ``sheet_no`` is required; a missing question column leaves that question unanswered.
A choice cell holds option texts or 1-based option numbers, several (multi) separated by
``;`` ``,`` ``、`` ``|`` (full-width too). A category is its key (``facilities``), Chinese
name (设施改造) or English name; blank means ``other``. Refused: a malformed CSV, unknown
or repeated columns, a row with too many cells, a blank or repeated sheet number (within the
file, or already entered: ``taken``), an unknown building or unit, an unknown option.
CSV is read as UTF-8 (BOM allowed) or else GB18030 (Excel's Chinese CSV).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec

from planner.model import nfc, text_fault
from planner.needs.categories import CATEGORIES, CATEGORY_NAMES_EN, CATEGORY_NAMES_ZH
from planner.needs.questionnaire_model import Question

MAX_ROWS = 20_000
MAX_FAULTS = 200
MAX_CELL = 2000
#: columns read from a workbook (sheet_no, building, unit, 20 questions, suggestion, category
#: and room for blank ones)
MAX_COLUMNS = 64
XLSX_TYPES = frozenset(
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/xlsx"}
)

FIXED = {
    "sheet_no": "sheet_no",
    "编号": "sheet_no",
    "问卷编号": "sheet_no",
    "表号": "sheet_no",
    "building": "building",
    "楼栋": "building",
    "楼号": "building",
    "unit": "unit",
    "房号": "unit",
    "单元": "unit",
    "单元/房号": "unit",
    "suggestion": "suggestion",
    "建议": "suggestion",
    "意见建议": "suggestion",
    "category": "category",
    "类别": "category",
    "分类": "category",
}
_QUESTION_RE = re.compile(r"^(?:q|问题|题)\s*(\d{1,2})$", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[;；,，、|｜]")
_CATEGORY_NAMES = {
    **{k: k for k in CATEGORIES},
    **{v: k for k, v in CATEGORY_NAMES_ZH.items()},
    **{v.lower(): k for k, v in CATEGORY_NAMES_EN.items()},
}


class ImportFault(msgspec.Struct, frozen=True):
    """One fault: ``line`` (1 = the header; 0 = the whole file), ``field`` (a column's
    canonical name, or ``row``/``file``), its error ``code`` and the code's ``params``."""

    line: int
    field: str
    code: str
    reason: str
    params: dict[str, Any] = {}


class ImportRow(msgspec.Struct, frozen=True):
    line: int
    sheet_no: str
    household_id: int | None
    building_id: int | None
    answers: list[list[int] | str | None]
    suggestion: str | None
    category: str


class ImportRejected(Exception):
    def __init__(self, faults: list[ImportFault]) -> None:
        super().__init__(f"{len(faults)} faults")
        self.faults = faults


def is_xlsx(content_type: str, content: bytes) -> bool:
    declared = content_type.split(";", 1)[0].strip().lower()
    return declared in XLSX_TYPES or content.startswith(b"PK\x03\x04")


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of a CSV; ``csv.Error`` and ``UnicodeDecodeError`` escape."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""), strict=True)
    for cells in reader:
        yield reader.line_num, cells


def xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the workbook's first sheet (read-only)."""
    import openpyxl  # type: ignore[import-untyped]  # (loaded on the first workbook)

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for n, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            yield n, [_cell(v) for v in values]
    finally:
        book.close()


def _columns(
    header: Sequence[str], questions: Sequence[Question], faults: list[ImportFault]
) -> list[str | None]:
    """The canonical name of each header cell (``q<i>`` 0-based for questions; None for a
    blank trailing cell)."""
    by_text = {nfc(q.text.strip()).lower(): i for i, q in enumerate(questions)}
    suggestion_at = next((i for i, q in enumerate(questions) if q.suggestion), None)
    names: list[str | None] = []
    unknown: list[str] = []
    for raw in header:
        cell = nfc(raw.strip())
        key = cell.lower()
        name: str | None
        if not cell:
            name = None
        elif key in FIXED:
            name = FIXED[key]
            if name == "suggestion":
                name = None if suggestion_at is None else f"q{suggestion_at}"
                if name is None:
                    unknown.append(cell)
        elif (m := _QUESTION_RE.match(key)) and 1 <= int(m.group(1)) <= len(questions):
            name = f"q{int(m.group(1)) - 1}"
        elif key in by_text:
            name = f"q{by_text[key]}"
        else:
            name = None
            unknown.append(cell)
        names.append(name)
    if unknown:
        faults.append(
            ImportFault(
                1,
                "header",
                "csv_unknown_columns",
                f"unknown columns: {', '.join(unknown)}",
                {"columns": ", ".join(unknown)},
            )
        )
    seen = [n for n in names if n is not None]
    repeated = sorted({n for n in seen if seen.count(n) > 1})
    if repeated:
        faults.append(
            ImportFault(
                1,
                "header",
                "csv_duplicate_columns",
                f"duplicate columns: {', '.join(repeated)}",
                {"columns": ", ".join(repeated)},
            )
        )
    if "sheet_no" not in seen:
        faults.append(
            ImportFault(
                1,
                "header",
                "csv_missing_columns",
                "missing columns: sheet_no",
                {"columns": "sheet_no"},
            )
        )
    return names


def _choice(q: Question, cell: str) -> list[int] | str:
    """The option indexes a cell names, or the first part that names none."""
    chosen: set[int] = set()
    for part in (p.strip() for p in _SPLIT_RE.split(cell)):
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= len(q.options):
            chosen.add(int(part) - 1)
        elif part in q.options:
            chosen.add(q.options.index(part))
        else:
            return part
    return sorted(chosen)


class _Row:
    """The checks of one data row, adding faults as they are found."""

    def __init__(self, line: int, faults: list[ImportFault]) -> None:
        self.line = line
        self.faults = faults

    def fault(self, field: str, code: str, reason: str, **params: Any) -> None:
        self.faults.append(
            ImportFault(self.line, field, code, reason, {"line": self.line, **params})
        )

    def text(self, field: str, value: str, limit: int, name: bool) -> str | None:
        value = nfc(value.strip())
        if not value:
            return None
        fault = text_fault(value, name)
        if fault is not None:
            self.fault(field, fault.code, fault.reason, **fault.params)
            return None
        if len(value) > limit:
            self.fault(field, "too_long", f"at most {limit} characters", max=limit)
            return None
        return value


def parse_answers(
    rows: Iterator[tuple[int, list[str]]],
    questions: Sequence[Question],
    buildings: Mapping[str, int],
    units: Mapping[tuple[str, str], tuple[int, int]],
    taken: Mapping[str, int],
) -> list[ImportRow]:
    """Every row checked; the rows in file order, or ``ImportRejected`` with every fault
    (at most ``MAX_FAULTS``). ``buildings``: name → id; ``units``: (building name, unit) →
    (household id, building id); ``taken``: the questionnaire's sheet numbers already
    entered → their answer ids. Rows whose cells are all blank are skipped."""
    faults: list[ImportFault] = []
    first = next(rows, None)
    if first is None:
        raise ImportRejected([ImportFault(0, "file", "import_empty", "the file holds no answers")])
    names = _columns(first[1], questions, faults)
    if faults:
        raise ImportRejected(faults)
    out: list[ImportRow] = []
    lines_of: dict[str, int] = {}
    for line, cells in rows:
        if len(faults) >= MAX_FAULTS:
            break
        if not any(c.strip() for c in cells):
            continue
        row = _Row(line, faults)
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            row.fault(
                "row",
                "csv_field_count",
                f"expected {len(names)} fields, got {len(cells)}",
                expected=len(names),
                got=len(cells),
            )
            continue
        before = len(faults)
        values = {n: c for n, c in zip(names, cells, strict=False) if n is not None}
        sheet_no = row.text("sheet_no", values.get("sheet_no", ""), 50, True)
        if sheet_no is None and len(faults) == before:
            row.fault("sheet_no", "required", "the field is required")
        elif sheet_no is not None:
            if sheet_no in lines_of:
                row.fault(
                    "sheet_no",
                    "import_duplicate_sheet",
                    f"sheet {sheet_no} is also on line {lines_of[sheet_no]}",
                    sheet_no=sheet_no,
                    other_line=lines_of[sheet_no],
                )
            elif sheet_no in taken:
                row.fault(
                    "sheet_no",
                    "import_sheet_taken",
                    f"sheet {sheet_no} was already entered",
                    sheet_no=sheet_no,
                    answer_id=taken[sheet_no],
                )
            else:
                lines_of[sheet_no] = line
        building = row.text("building", values.get("building", ""), 100, True)
        unit = row.text("unit", values.get("unit", ""), 100, True)
        household_id: int | None = None
        building_id: int | None = None
        if building is not None:
            building_id = buildings.get(building)
            if building_id is None:
                row.fault(
                    "building",
                    "unknown_building",
                    f"the estate has no building {building}",
                    building=building,
                )
            elif unit is not None:
                found = units.get((building, unit))
                if found is None:
                    row.fault(
                        "unit",
                        "import_unknown_unit",
                        f"the estate has no unit {building} {unit}",
                        building=building,
                        unit=unit,
                    )
                else:
                    household_id = found[0]
        elif unit is not None:
            row.fault("building", "required", "the field is required")
        answers: list[list[int] | str | None] = []
        suggestion: str | None = None
        for i, q in enumerate(questions):
            field = f"q{i + 1}"
            cell = values.get(f"q{i}", "")
            if q.kind == "text":
                text = row.text(field, cell, MAX_CELL, False)
                answers.append(text)
                if q.suggestion:
                    suggestion = text
                continue
            if not cell.strip():
                answers.append(None)
                continue
            chosen = _choice(q, nfc(cell.strip()))
            if isinstance(chosen, str):
                row.fault(
                    field,
                    "unknown_option",
                    f"{chosen} is not an option of this question",
                    option=chosen,
                )
            elif q.kind == "single" and len(chosen) > 1:
                row.fault(field, "one_option_only", "choose one option")
            answers.append(chosen if isinstance(chosen, list) and chosen else None)
        category = "other"
        raw_category = values.get("category", "").strip()
        if raw_category:
            key = _CATEGORY_NAMES.get(raw_category) or _CATEGORY_NAMES.get(raw_category.lower())
            if key is None:
                row.fault("category", "not_allowed", "the value is not one of the allowed choices")
            else:
                category = key
        if len(faults) == before and sheet_no is not None:
            if len(out) >= MAX_ROWS:
                row.fault("row", "too_many", f"at most {MAX_ROWS} items", max=MAX_ROWS)
                break
            out.append(
                ImportRow(line, sheet_no, household_id, building_id, answers, suggestion, category)
            )
    if faults:
        raise ImportRejected(faults[:MAX_FAULTS])
    if not out:
        raise ImportRejected([ImportFault(0, "file", "import_empty", "the file holds no answers")])
    return out


def parse_file(
    content: bytes,
    content_type: str,
    questions: Sequence[Question],
    buildings: Mapping[str, int],
    units: Mapping[tuple[str, str], tuple[int, int]],
    taken: Mapping[str, int],
) -> list[ImportRow]:
    """``parse_answers`` over a CSV or XLSX body; an unreadable file is one fault at line 0
    (``xlsx_unreadable``) or at its line (``bad_csv``)."""
    if is_xlsx(content_type, content):
        rows: list[tuple[int, list[str]]] = []
        try:
            for item in xlsx_rows(content):
                rows.append(item)
                if len(rows) > MAX_ROWS + 1:  # a header and one row too many: refused below
                    break
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise ImportRejected(
                [
                    ImportFault(
                        0,
                        "file",
                        "xlsx_unreadable",
                        "the file is not a readable XLSX workbook",
                        {"error": type(exc).__name__},
                    )
                ]
            ) from exc
        return parse_answers(iter(rows), questions, buildings, units, taken)
    parsed: list[tuple[int, list[str]]] = []
    reader = csv_rows(content)
    try:
        for item in reader:
            parsed.append(item)
            if len(parsed) > MAX_ROWS + 1:
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        line = parsed[-1][0] + 1 if parsed else 1
        raise ImportRejected(
            [
                ImportFault(
                    line,
                    "file",
                    "bad_csv",
                    f"line {line}: the file is not a valid CSV ({exc})",
                    {"line": line, "error": str(exc)},
                )
            ]
        ) from exc
    return parse_answers(iter(parsed), questions, buildings, units, taken)
