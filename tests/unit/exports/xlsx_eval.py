"""Evaluate the few formula shapes the workbook uses, exactly, to check their cached values.

Supports ``=SUM(A1:B2)``, cell references (also ``'Sheet'!$I$7``), ``+ - /``, comparisons,
``IF`` and ``AND`` — what the exporter writes, nothing more. Numbers are Decimals made
from the cells' stored text, so money sums are exact.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from openpyxl.utils import column_index_from_string
from openpyxl.workbook import Workbook


def _cells(first: str, last: str) -> list[tuple[int, int]]:
    a = re.fullmatch(r"([A-Z]+)(\d+)", first)
    b = re.fullmatch(r"([A-Z]+)(\d+)", last)
    assert a and b
    c1, r1 = column_index_from_string(a[1]), int(a[2])
    c2, r2 = column_index_from_string(b[1]), int(b[2])
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def to_python(formula: str) -> str:
    f = formula.removeprefix("=")
    f = f.replace("IF(", "_if(").replace("AND(", "_and(")
    f = re.sub(r"SUM\(\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)\)", r'_sum("\1\2","\3\4")', f)
    f = re.sub(r"'([^']+)'!\$?([A-Z]+)\$?(\d+)", r'_ref("\1","\2\3")', f)
    f = re.sub(r'(?<![A-Za-z"_])\$?([A-Z]{1,3})\$?(\d+)(?![\d"(])', r'_ref(None,"\1\2")', f)
    return re.sub(r"(?<![<>=!])=(?!=)", "==", f)


class Evaluator:
    def __init__(self, formulas: Workbook) -> None:
        self.book = formulas

    def value(self, sheet: str, ref: str) -> Any:
        cell = self.book[sheet][ref]
        raw = cell.value
        if isinstance(raw, str) and raw.startswith("=") and cell.data_type == "f":
            return self.evaluate(sheet, raw)
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float):
            return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return raw

    def evaluate(self, sheet: str, formula: str) -> Any:
        def ref(name: str | None, cell: str) -> Any:
            return self.value(name or sheet, cell)

        def total(first: str, last: str) -> Decimal:
            out = Decimal(0)
            for row, col in _cells(first, last):
                v = self.value(sheet, self.book[sheet].cell(row, col).coordinate)
                if isinstance(v, Decimal):
                    out += v
            return out

        def if_(cond: bool, yes: Any, no: Any) -> Any:
            return yes if cond else no

        def and_(*conds: bool) -> bool:
            return all(conds)

        scope = {"_ref": ref, "_sum": total, "_if": if_, "_and": and_, "Decimal": Decimal}
        return eval(to_python(formula), scope)
