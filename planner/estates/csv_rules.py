"""Parsing a household CSV: pure, all-or-nothing, with the line number of every fault.

``stage_households`` is what an import runs off the event loop (in a worker thread): it
decodes, validates every row and writes them out in PostgreSQL's COPY CSV format, so the
loop only streams bytes into a staging table (``planner.estates.store``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from planner.errors import CODES
from planner.estates.model import HouseholdRow, StagedImport
from planner.model import nfc, text_fault

COLUMNS = ("building", "unit", "floor", "area_m2", "owner_key", "owner_name", "hardship_cap_fen")
OPTIONAL = frozenset({"hardship_cap_fen"})
ALIASES = {
    "楼栋": "building",
    "楼号": "building",
    "单元": "unit",
    "房号": "unit",
    "单元/房号": "unit",
    "楼层": "floor",
    "面积": "area_m2",
    "建筑面积": "area_m2",
    "专有面积": "area_m2",
    "业主编号": "owner_key",
    "业主姓名": "owner_name",
    "业主": "owner_name",
    "困难户上限": "hardship_cap_fen",
}
MAX_FIELD = 200
#: Columns the database keeps shorter than ``MAX_FIELD``.
MAX_LENGTHS = {"building": 100, "unit": 100, "owner_key": 100}
MAX_ROWS = 200_000


class CsvProblem(Exception):
    """A fault at ``line`` (1 = header) in ``column`` (or None for the whole line).

    ``code`` is its error code (``planner.errors.CODES``); ``params`` always hold ``line``
    and ``column`` beside the values the reason names.
    """

    def __init__(
        self,
        line: int,
        column: str | None,
        reason: str,
        code: str = "bad_csv",
        **params: Any,
    ) -> None:
        super().__init__(f"line {line}: {column or 'row'}: {reason}")
        if code not in CODES:
            raise ValueError(f"error code {code!r} is not in planner.errors.CODES")
        self.line = line
        self.column = column
        self.reason = reason
        self.code = code
        self.params: dict[str, Any] = {"line": line, "column": column, **params}

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable, so a worker process could raise it too (the default pickles only the message)
        return (_rebuilt, (self.line, self.column, self.reason, self.code, self.params))

    @property
    def field(self) -> str:
        return f"line {self.line}" + (f".{self.column}" if self.column else "")


def _rebuilt(
    line: int, column: str | None, reason: str, code: str, params: dict[str, Any]
) -> CsvProblem:
    extra = {k: v for k, v in params.items() if k not in ("line", "column")}
    return CsvProblem(line, column, reason, code, **extra)


def decode_csv(raw: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem(
            1, None, f"file is not UTF-8 (byte {exc.start})", "not_utf8", byte=exc.start
        ) from exc


def parse_households(text: str) -> list[HouseholdRow]:
    """Validate every row; the first fault raises ``CsvProblem`` and nothing is kept."""
    return list(iter_households(text))


#: The staging table's columns, in the order ``stage_households`` writes them.
STAGED_COLUMNS = (
    "line",
    "building",
    "unit",
    "floor",
    "area_m2",
    "owner_key",
    "owner_name",
    "hardship_cap_fen",
)


def stage_households(raw: bytes) -> StagedImport:
    """Decode and validate a whole file, and write its rows as COPY CSV (``STAGED_COLUMNS``).

    CPU-bound (about 1 s for 200,000 rows): the service runs it in a worker thread. The first
    fault raises ``CsvProblem``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    buildings: set[str] = set()
    count = 0
    for row in iter_households(decode_csv(raw)):
        buildings.add(row.building)
        writer.writerow(
            (
                row.line,
                row.building,
                row.unit,
                row.floor,
                row.area_m2,
                row.owner_key,
                row.owner_name,
                row.hardship_cap_fen,
            )
        )
        count += 1
    return StagedImport(rows=count, buildings=sorted(buildings), copy_csv=out.getvalue().encode())


def iter_households(text: str) -> Iterator[HouseholdRow]:
    """The rows, validated one by one; the first fault raises ``CsvProblem``."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(1, None, "empty file", "csv_empty") from None
    except csv.Error as exc:
        raise CsvProblem(1, None, f"malformed CSV: {exc}", error=str(exc)) from exc
    columns = _columns(header)
    count = 0
    seen: dict[tuple[str, str], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if count >= MAX_ROWS:
                raise CsvProblem(line, None, f"more than {MAX_ROWS} rows", "too_many", max=MAX_ROWS)
            if len(cells) != len(columns):
                raise CsvProblem(
                    line,
                    None,
                    f"expected {len(columns)} fields, got {len(cells)}",
                    "csv_field_count",
                    expected=len(columns),
                    got=len(cells),
                )
            row = _row(line, dict(zip(columns, (c.strip() for c in cells), strict=True)))
            key = (row.building, row.unit)
            if key in seen:
                raise CsvProblem(
                    line,
                    "unit",
                    f"duplicate unit {row.building} {row.unit} (also line {seen[key]})",
                    "csv_duplicate_unit",
                    building=row.building,
                    unit=row.unit,
                    other_line=seen[key],
                )
            seen[key] = line
            count += 1
            yield row
    except csv.Error as exc:
        raise CsvProblem(reader.line_num, None, f"malformed CSV: {exc}", error=str(exc)) from exc
    if not count:
        raise CsvProblem(2, None, "no households in the file", "csv_empty")


def _columns(header: list[str]) -> list[str]:
    columns = [ALIASES.get(h.strip(), h.strip()) for h in header]
    unknown = [h for h in columns if h not in COLUMNS]
    if unknown:
        raise CsvProblem(
            1,
            None,
            f"unknown columns: {', '.join(unknown)}",
            "csv_unknown_columns",
            columns=unknown,
        )
    duplicated = {c for c in columns if columns.count(c) > 1}
    if duplicated:
        names = sorted(duplicated)
        raise CsvProblem(
            1,
            None,
            f"duplicate columns: {', '.join(names)}",
            "csv_duplicate_columns",
            columns=names,
        )
    missing = [c for c in COLUMNS if c not in columns and c not in OPTIONAL]
    if missing:
        raise CsvProblem(
            1,
            None,
            f"missing columns: {', '.join(missing)}",
            "csv_missing_columns",
            columns=missing,
        )
    return columns


#: Cells that name things: the name rules of ``planner.model.text_fault``, kept in NFC.
NAMES = ("building", "unit", "owner_key", "owner_name")


def _row(line: int, cells: dict[str, str]) -> HouseholdRow:
    for column, value in cells.items():
        if column not in OPTIONAL and not value:
            raise CsvProblem(line, column, "missing value", "required")
        if column in NAMES:
            fault = text_fault(value, name=True)
            if fault is not None:
                raise CsvProblem(line, column, fault.reason, fault.code, **fault.params)
            cells[column] = value = nfc(value)
        longest = MAX_LENGTHS.get(column, MAX_FIELD)
        if len(value) > longest:
            raise CsvProblem(
                line, column, f"longer than {longest} characters", "too_long", max=longest
            )
    return HouseholdRow(
        line=line,
        building=cells["building"],
        unit=cells["unit"],
        floor=_floor(line, cells["floor"]),
        area_m2=_area(line, cells["area_m2"]),
        owner_key=cells["owner_key"],
        owner_name=cells["owner_name"],
        hardship_cap_fen=_cap(line, cells.get("hardship_cap_fen", "")),
    )


def _floor(line: int, value: str) -> int:
    try:
        floor = int(value)
    except ValueError:
        raise CsvProblem(
            line, "floor", f"not a whole number: {value!r}", "not_a_whole_number", value=value
        ) from None
    if not -10 <= floor <= 200:
        raise CsvProblem(
            line, "floor", "must be between -10 and 200", "out_of_range", min=-10, max=200
        )
    return floor


def _area(line: int, value: str) -> Decimal:
    try:
        area = Decimal(value)
    except InvalidOperation:
        raise CsvProblem(
            line, "area_m2", f"not a number: {value!r}", "not_a_number", value=value
        ) from None
    if not area.is_finite():
        raise CsvProblem(line, "area_m2", "must be a finite number", "not_a_number", value=value)
    exponent = area.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise CsvProblem(line, "area_m2", "more than two decimal places", "too_precise", places=2)
    if area <= 0:
        raise CsvProblem(line, "area_m2", "must be positive", "not_positive")
    if area >= Decimal("10000000000"):
        raise CsvProblem(line, "area_m2", "too large", "too_large", max="9999999999.99")
    return area.quantize(Decimal("0.01"))


def _cap(line: int, value: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,16}", value):
        raise CsvProblem(
            line,
            "hardship_cap_fen",
            f"must be a whole number of fen ≥ 0: {value!r}",
            "not_a_whole_number",
            value=value,
        )
    cap = int(value)
    if cap > 10**15:
        raise CsvProblem(line, "hardship_cap_fen", "too large", "too_large", max=10**15)
    return cap
