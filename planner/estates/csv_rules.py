"""Parsing a household CSV: pure, all-or-nothing, with the line number of every fault."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from planner.estates.model import HouseholdRow

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
MAX_ROWS = 200_000


class CsvProblem(Exception):
    """A fault at ``line`` (1 = header) in ``column`` (or None for the whole line)."""

    def __init__(self, line: int, column: str | None, reason: str) -> None:
        super().__init__(f"line {line}: {column or 'row'}: {reason}")
        self.line = line
        self.column = column
        self.reason = reason

    @property
    def field(self) -> str:
        return f"line {self.line}" + (f".{self.column}" if self.column else "")


def decode_csv(raw: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem(1, None, f"file is not UTF-8 (byte {exc.start})") from exc


def parse_households(text: str) -> list[HouseholdRow]:
    """Validate every row; the first fault raises ``CsvProblem`` and nothing is kept."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(1, None, "empty file") from None
    except csv.Error as exc:
        raise CsvProblem(1, None, f"malformed CSV: {exc}") from exc
    columns = _columns(header)
    rows: list[HouseholdRow] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvProblem(line, None, f"more than {MAX_ROWS} rows")
            if len(cells) != len(columns):
                raise CsvProblem(line, None, f"expected {len(columns)} fields, got {len(cells)}")
            row = _row(line, dict(zip(columns, (c.strip() for c in cells), strict=True)))
            key = (row.building, row.unit)
            if key in seen:
                raise CsvProblem(
                    line,
                    "unit",
                    f"duplicate unit {row.building} {row.unit} (also line {seen[key]})",
                )
            seen[key] = line
            rows.append(row)
    except csv.Error as exc:
        raise CsvProblem(reader.line_num, None, f"malformed CSV: {exc}") from exc
    if not rows:
        raise CsvProblem(2, None, "no households in the file")
    return rows


def _columns(header: list[str]) -> list[str]:
    columns = [ALIASES.get(h.strip(), h.strip()) for h in header]
    unknown = [h for h in columns if h not in COLUMNS]
    if unknown:
        raise CsvProblem(1, None, f"unknown columns: {', '.join(unknown)}")
    duplicated = {c for c in columns if columns.count(c) > 1}
    if duplicated:
        raise CsvProblem(1, None, f"duplicate columns: {', '.join(sorted(duplicated))}")
    missing = [c for c in COLUMNS if c not in columns and c not in OPTIONAL]
    if missing:
        raise CsvProblem(1, None, f"missing columns: {', '.join(missing)}")
    return columns


def _row(line: int, cells: dict[str, str]) -> HouseholdRow:
    for column, value in cells.items():
        if column not in OPTIONAL and not value:
            raise CsvProblem(line, column, "missing value")
        if len(value) > MAX_FIELD:
            raise CsvProblem(line, column, f"longer than {MAX_FIELD} characters")
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
        raise CsvProblem(line, "floor", f"not a whole number: {value!r}") from None
    if not -10 <= floor <= 200:
        raise CsvProblem(line, "floor", "must be between -10 and 200")
    return floor


def _area(line: int, value: str) -> Decimal:
    try:
        area = Decimal(value)
    except InvalidOperation:
        raise CsvProblem(line, "area_m2", f"not a number: {value!r}") from None
    if not area.is_finite():
        raise CsvProblem(line, "area_m2", "must be a finite number")
    exponent = area.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise CsvProblem(line, "area_m2", "more than two decimal places")
    if area <= 0:
        raise CsvProblem(line, "area_m2", "must be positive")
    if area >= Decimal("10000000000"):
        raise CsvProblem(line, "area_m2", "too large")
    return area.quantize(Decimal("0.01"))


def _cap(line: int, value: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,16}", value):
        raise CsvProblem(line, "hardship_cap_fen", f"must be a whole number of fen ≥ 0: {value!r}")
    cap = int(value)
    if cap > 10**15:
        raise CsvProblem(line, "hardship_cap_fen", "too large")
    return cap
