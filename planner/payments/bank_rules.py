"""Bank statements, pure: reading the CSV and matching lines to households.

Columns (header row, any order; zh or en names, UTF-8 with or without BOM):

- date: ``date`` / ``日期`` / ``交易日期`` (YYYY-MM-DD or YYYY/MM/DD)
- amount: ``amount`` / ``金额`` / ``交易金额`` / ``收入金额`` in yuan (``1234.50``; commas
  allowed; at most two decimals). Lines of zero or negative amount (debits) are ``ignored``.
- memo: ``memo`` / ``reference`` / ``摘要`` / ``附言`` / ``备注`` (optional column)
- bank transaction id: ``bank_tx_id`` / ``transaction_id`` / ``流水号`` / ``交易流水号``

One bad line rejects the whole file (every error with its line number); nothing is posted.

Matching (``match_line``):
1. A payment reference ``JF<household id>`` in the memo (e.g. ``JF1234``) names the household.
2. Else the unit label: the memo and each household's ``<building><unit>`` are normalised
   (NFKC, lower case, the words 号楼 栋 幢 座 单元 室 号 and separators removed), and a
   household matches when its label appears in the memo not touching other digits
   ("3栋 502", "3-502", "3#502室" all read ``3502``; "13栋502" is not 3栋 502; a space
   not after a building word separates: "3 502" is no label).
3. Several candidates: those whose balance (else whose due amount) equals the line's amount;
   exactly one is ``matched``, else ``ambiguous``. None: ``unmatched`` (the candidates listed
   are the households whose balance equals the amount, at most 10, as hints).
A transaction id already in the estate's ledger (or earlier in the same file) is a
``duplicate``: never posted twice.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期", "交易日期", "记账日期"),
    "amount": ("amount", "金额", "交易金额", "收入金额", "贷方金额"),
    "memo": ("memo", "reference", "摘要", "附言", "备注", "用途"),
    "bank_tx_id": ("bank_tx_id", "transaction_id", "tx_id", "流水号", "交易流水号"),
}
REQUIRED = ("date", "amount", "bank_tx_id")
MAX_LINES = 50_000


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    tx_date: date
    amount_fen: int
    memo: str
    bank_tx_id: str


@dataclass
class CsvFault:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class Match:
    status: str  # matched | unmatched | ambiguous | ignored
    household_id: int | None
    candidates: list[int] = field(default_factory=list)


def _amount(text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    value = Decimal(cleaned)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return int(value * 100)


def _date(text: str) -> date:
    return date.fromisoformat(text.strip().replace("/", "-"))


def parse_statement(raw: bytes, today: date) -> tuple[list[StatementLine], list[CsvFault]]:
    """The statement's lines, or the faults (line numbers count the header as line 1)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [CsvFault(1, "file", "not UTF-8")]
    if "\x00" in text:
        return [], [CsvFault(1, "file", "not a text file")]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], [CsvFault(1, "file", "empty")]
    header = [unicodedata.normalize("NFKC", h).strip().lower() for h in rows[0]]
    where: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for n, name in enumerate(header):
            if name in names:
                where[key] = n
    faults = [CsvFault(1, key, "missing column") for key in REQUIRED if key not in where]
    if faults:
        return [], faults
    lines: list[StatementLine] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            faults.append(CsvFault(n, "row", f"expected {len(header)} fields, got {len(row)}"))
            continue
        try:
            tx_date = _date(row[where["date"]])
        except ValueError:
            faults.append(CsvFault(n, "date", "not a date"))
            continue
        if tx_date > today:
            faults.append(CsvFault(n, "date", "after today"))
            continue
        try:
            amount = _amount(row[where["amount"]])
        except (InvalidOperation, ValueError):
            faults.append(CsvFault(n, "amount", "not an amount in yuan"))
            continue
        if abs(amount) > 10**15:
            faults.append(CsvFault(n, "amount", "too large"))
            continue
        tx_id = row[where["bank_tx_id"]].strip()
        if not tx_id or len(tx_id) > 64 or not tx_id.isprintable():
            faults.append(CsvFault(n, "bank_tx_id", "missing or not a transaction id"))
            continue
        memo = row[where["memo"]].strip() if "memo" in where else ""
        if len(memo) > 500 or not memo.isprintable():
            faults.append(CsvFault(n, "memo", "too long or not printable"))
            continue
        lines.append(StatementLine(n, tx_date, amount, memo, tx_id))
    if len(lines) > MAX_LINES:
        faults.append(CsvFault(MAX_LINES + 2, "file", f"more than {MAX_LINES} lines"))
    return lines, faults


_MARKER_SPACE = re.compile(r"(号楼|单元|[栋幢座#\-－—_/])\s+")
_DROP = re.compile(r"号楼|单元|[栋幢座室号#\-－—_/\\,.，。、:：()（）]")
_SPACE = re.compile(r"\s+")
_REF = re.compile(r"jf(\d{1,18})(?!\d)")


def normalise(text: str) -> str:
    """Lower case NFKC with the unit words and separators dropped; a space after a building
    word joins ("3栋 502" → "3502"), any other space stays a boundary ("502 3栋501")."""
    text = _MARKER_SPACE.sub(r"\1", unicodedata.normalize("NFKC", text).lower().strip())
    return _SPACE.sub(" ", _DROP.sub("", text))


def label_key(building: str, unit: str) -> str:
    return (normalise(building) + normalise(unit)).replace(" ", "")


class Matcher:
    """Matches lines against the households of a plan (labels, due and balance)."""

    def __init__(
        self,
        labels: Mapping[int, tuple[str, str]],
        due: Mapping[int, int],
        balance: Mapping[int, int],
    ) -> None:
        self.due = due
        self.balance = balance
        self.keys: dict[str, list[int]] = {}
        for hid, (building, unit) in labels.items():
            if hid in due:
                self.keys.setdefault(label_key(building, unit), []).append(hid)
        self.by_balance: dict[int, list[int]] = {}
        for hid, owing in balance.items():
            self.by_balance.setdefault(owing, []).append(hid)
        self.sizes = sorted({len(k) for k in self.keys if k})

    def _label_candidates(self, memo: str) -> list[int]:
        """Households whose label appears in the (normalised) memo, not touching digits."""
        found: list[int] = []
        for size in self.sizes:
            for start in range(len(memo) - size + 1):
                hids = self.keys.get(memo[start : start + size])
                if hids is None:
                    continue
                key = memo[start : start + size]
                before = memo[start - 1] if start > 0 else ""
                after = memo[start + size] if start + size < len(memo) else ""
                if (before.isdigit() and key[0].isdigit()) or (
                    after.isdigit() and key[-1].isdigit()
                ):
                    continue
                found.extend(hids)
        return found

    def match(self, amount_fen: int, memo: str) -> Match:
        if amount_fen <= 0:
            return Match("ignored", None)
        text = normalise(memo)
        ref = [int(m) for m in _REF.findall(text) if int(m) in self.due]
        candidates = sorted(set(ref)) or sorted(set(self._label_candidates(text)))
        if len(candidates) == 1:
            return Match("matched", candidates[0], candidates)
        if candidates:
            for figures in (self.balance, self.due):
                exact = [h for h in candidates if figures.get(h) == amount_fen]
                if len(exact) == 1:
                    return Match("matched", exact[0], candidates)
            return Match("ambiguous", None, candidates)
        return Match("unmatched", None, sorted(self.by_balance.get(amount_fen, []))[:10])
