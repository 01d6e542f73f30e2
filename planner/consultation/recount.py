"""The recountable record of a written consultation: its lines, their hash chain, and the
offline recount (``planner recount FILE``). Pure: no database, no web framework.
(Over 400 lines on purpose: the whole format and its recount in one file an outside auditor
can read and rerun with nothing but ``rules.py`` and ``rule_sets.py`` beside it.)

A record is a sequence of *lines*, each a kind and its fields as text: one ``consultation``
line (window, rule set with its fractions, both-channels rule, close time, chain head at the
close), then per motion a ``motion`` line, one ``unit`` line per unit on its roll (area as a
decimal string, the owner as a pseudonym), one ``ballot`` line per ballot ever cast (channel
online/paper/proxy, choice, time, the voter's pseudonym, the proxy's written authorisation,
the paper entries) and its ``tally`` line (the tally of record). The JSON and the CSV forms
hold the same lines; the same canonical text of a line is hashed from either form.

Chain: ``hash_1 = sha256(GENESIS "\\n" canonical_1)``, ``hash_i = sha256(hash_(i-1) "\\n"
canonical_i)`` (hex); every line carries its hash, the file its final digest (the last
line's hash), which the service publishes with the consultation. Each line is checked
against the hash of the line before it, so an edited line is named by itself; a removed or
inserted line breaks the link of the line after it.

The recount applies the motion's both-channels rule (the last ballot of a unit counts, or
under "paper prevails" its last paper ballot when it has one; a later id is a later ballot)
and its rule set (``planner.deliberation.rules`` and ``rule_sets``) to the roll and the
ballots, and compares every figure with the tally of record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from planner.deliberation.rules import Ballot, Tally, UnitInScope, tally
from planner.rule_sets import RULE_SETS, RuleSet

FORMAT = "planner-consultation-record/1"
GENESIS = hashlib.sha256(FORMAT.encode()).hexdigest()

#: The fields of each kind of line, in canonical order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "consultation": (
        "consultation_id",
        "estate_id",
        "estate",
        "title",
        "opens_at",
        "closes_at",
        "closed_at",
        "both_channels",
        "open_ballot",
        "rule_set",
        "rule_set_terms",
        "chain_head_seq",
        "chain_head_hash",
    ),
    "motion": ("motion_id", "title", "matter", "rule_set", "paper_prevails"),
    "unit": ("motion_id", "household_id", "building", "unit", "area_m2", "owner"),
    "ballot": (
        "motion_id",
        "ballot_id",
        "household_id",
        "channel",
        "choice",
        "cast_at",
        "cast_by",
        "delegation_id",
        "delegation_reference",
        "paper_entries",
    ),
    "tally": (
        "motion_id",
        "matter",
        "rule",
        "rule_set",
        "total_area_m2",
        "participating_area_m2",
        "yes_area_m2",
        "no_area_m2",
        "abstain_area_m2",
        "total_owners",
        "participating_owners",
        "yes_owners",
        "no_owners",
        "abstain_owners",
        "total_units",
        "participating_units",
        "quorum_area_met",
        "quorum_owners_met",
        "quorum_met",
        "consent_area_met",
        "consent_owners_met",
        "passed",
    ),
}
#: The CSV's columns: the kind, every field of any kind (first use order), the line's hash.
CSV_COLUMNS: tuple[str, ...] = (
    "kind",
    *dict.fromkeys(c for cols in COLUMNS.values() for c in cols),
    "line_hash",
)
#: What ``planner recount`` prints per motion (the tally endpoint's figures).
FIGURES = (
    "quorum_met",
    "passed",
    "participating_owners",
    "participating_area_m2",
    "yes_owners",
    "yes_area_m2",
)

Scalar = str | int | bool | None


def text(value: Scalar) -> str:
    """A field as the canonical text and the CSV write it (None: empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Line(msgspec.Struct, kw_only=True):
    """One line of a record: its kind, fields (as given) and hash; ``number`` from 1."""

    number: int
    kind: str
    fields: dict[str, Scalar]
    line_hash: str = ""

    def value(self, name: str) -> str:
        return text(self.fields.get(name))

    def canonical(self) -> bytes:
        return json.dumps(
            [self.kind, *(self.value(c) for c in COLUMNS[self.kind])], ensure_ascii=False
        ).encode()

    def where(self) -> str:
        """The line as a reader finds it: its number and what it is about."""
        about = [
            f"{n} {self.value(f'{n}_id')}" for n in ("motion", "ballot") if self.value(f"{n}_id")
        ]
        if self.value("household_id"):
            about.append(f"unit {self.value('household_id')}")
        kind = self.kind if self.kind in COLUMNS else repr(self.kind)
        return f"line {self.number} ({kind}{': ' if about else ''}{', '.join(about)})"


def chain_hash(previous: str, line: Line) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + line.canonical()).hexdigest()


def seal(lines: Sequence[Line]) -> str:
    """Give each line its chained hash; the final digest (GENESIS for no line)."""
    previous = GENESIS
    for line in lines:
        line.line_hash = previous = chain_hash(previous, line)
    return previous


class Record(msgspec.Struct, kw_only=True):
    lines: list[Line]
    digest: str


# Writing --------------------------------------------------------------------------------------


def _object(line: Line) -> dict[str, Scalar]:
    return {**{c: line.fields.get(c) for c in COLUMNS[line.kind]}, "line_hash": line.line_hash}


def to_json(record: Record) -> bytes:
    """The JSON form: the consultation, its motions each with roll, ballots and tally."""
    out: dict[str, Any] = {"format": FORMAT, "consultation": None, "motions": []}
    motion: dict[str, Any] | None = None
    for line in record.lines:
        if line.kind == "consultation":
            out["consultation"] = _object(line)
        elif line.kind == "motion":
            motion = {**_object(line), "roll": [], "ballots": [], "tally": None}
            out["motions"].append(motion)
        elif motion is not None and line.kind == "unit":
            motion["roll"].append(_object(line))
        elif motion is not None and line.kind == "ballot":
            motion["ballots"].append(_object(line))
        elif motion is not None and line.kind == "tally":
            motion["tally"] = _object(line)
    out["digest"] = record.digest
    return json.dumps(out, ensure_ascii=False, indent=1).encode()


#: A cell a spreadsheet would run as a formula starts with one of these; the CSV writes such
#: a cell (and one starting with the quote itself) behind a ``'``, which reading removes.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def to_csv(record: Record) -> str:
    """The CSV form: one row per line (one per ballot), then a ``digest`` row. Text that a
    spreadsheet would take for a formula is written behind a ``'`` (see ``_FORMULA_START``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in record.lines:
        cells = {c: _cell(line.value(c)) for c in COLUMNS[line.kind]}
        writer.writerow(
            [
                line.kind,
                *(cells.get(c, "") for c in CSV_COLUMNS[1:-1]),
                line.line_hash,
            ]
        )
    writer.writerow(["digest", *("" for _ in CSV_COLUMNS[1:-1]), record.digest])
    return buffer.getvalue()


# Reading --------------------------------------------------------------------------------------


class RecordUnreadable(ValueError):
    """The file is not a record in either form."""


def _line(number: int, kind: str, found: Mapping[str, Any]) -> Line:
    known = COLUMNS.get(kind, ())
    fields: dict[str, Scalar] = {}
    for c in known:
        value = found.get(c)
        fields[c] = value if isinstance(value, str | int | bool) or value is None else str(value)
    return Line(number=number, kind=kind, fields=fields, line_hash=text(found.get("line_hash")))


def from_json(data: bytes) -> Record:
    """The lines of a JSON record; ``number`` is the line's place in the chain (from 1). A
    missing part (a null or absent object) is a missing line, which the chain reports."""
    lines: list[Line] = []

    def add(kind: str, found: Any) -> None:
        if found is None:
            return
        if not isinstance(found, dict):
            raise RecordUnreadable(f"not a consultation record in JSON: a {kind} is not an object")
        lines.append(_line(len(lines) + 1, kind, found))

    try:
        found = json.loads(data)
        if not isinstance(found, dict):
            raise RecordUnreadable("not a consultation record in JSON: not an object")
        add("consultation", found.get("consultation"))
        for motion in found.get("motions") or []:
            add("motion", motion)
            for kind, items in (("unit", motion["roll"]), ("ballot", motion["ballots"])):
                for item in items:
                    add(kind, item)
            add("tally", motion.get("tally"))
        return Record(lines=lines, digest=text(found.get("digest")))
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, RecordUnreadable):
            raise
        raise RecordUnreadable(f"not a consultation record in JSON: {exc!r}") from exc


def from_csv(data: str) -> Record:
    """The lines of a CSV record; ``number`` is the file's line number (the header is 1)."""
    reader = csv.DictReader(io.StringIO(data))
    if reader.fieldnames is None or "kind" not in reader.fieldnames:
        raise RecordUnreadable("not a consultation record in CSV: no 'kind' column")
    lines: list[Line] = []
    digest = ""
    for row in reader:
        number = reader.line_num
        if row.get("kind") == "digest":
            digest = row.get("line_hash") or ""
            continue
        cells = {k: _uncell(v) for k, v in row.items() if isinstance(k, str) and v is not None}
        lines.append(_line(number, row.get("kind") or "", cells))
    return Record(lines=lines, digest=digest)


def read(data: bytes) -> Record:
    """A record from the bytes of either form (JSON when it starts with ``{``)."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return from_json(stripped)
    try:
        return from_csv(stripped.decode())
    except UnicodeDecodeError as exc:
        raise RecordUnreadable("not a consultation record: not UTF-8 text") from exc


# Checking and recounting ------------------------------------------------------------------------


def check_chain(record: Record, expect_digest: str | None = None) -> list[str]:
    """Where the line chain breaks, each problem in one sentence (empty: it verifies)."""
    problems: list[str] = []
    previous = GENESIS
    for line in record.lines:
        if line.kind not in COLUMNS:
            problems.append(f"{line.where()}: unknown kind of line")
        elif chain_hash(previous, line) != line.line_hash:
            problems.append(
                f"{line.where()}: its hash does not match its content and the line before "
                "it (this line was changed, or a line just before it removed or inserted)"
            )
        previous = line.line_hash
    last = record.lines[-1].line_hash if record.lines else GENESIS
    if record.digest != last:
        problems.append(
            f"the file's digest {record.digest or '(none)'} is not its last line's hash "
            f"{last} (lines removed or added at the end, or the digest changed)"
        )
    if expect_digest is not None and expect_digest.lower() != record.digest.lower():
        problems.append(
            f"the file's digest {record.digest or '(none)'} is not the published digest "
            f"{expect_digest}"
        )
    return problems


def _terms(rules: RuleSet) -> str:
    """A rule set's thresholds in one field, e.g. ``quorum>=2/3 total; 6,7,8: ...``."""

    def one(t: Any) -> str:
        return f"{'>' if t.strict else '>='}{t.share.numerator}/{t.share.denominator} {t.base}"

    quorum = one(rules.quorum) if rules.quorum else "none"
    special = ",".join(str(m) for m in sorted(rules.special_matters))
    return (
        f"quorum {quorum}; matters {special}: {one(rules.special)}; others: {one(rules.ordinary)}"
    )


def rule_set_terms(name: str) -> str:
    """The ``rule_set_terms`` field of a rule set (its fractions, as printed in the record);
    an unknown name has none (the recount then says the rule set is unknown)."""
    return _terms(RULE_SETS[name]) if name in RULE_SETS else "unknown"


class MotionRecount(msgspec.Struct, kw_only=True):
    motion_id: int
    tally: Tally | None
    problems: list[str]

    def figures(self) -> dict[str, object]:
        """What ``planner recount`` prints for the motion (the tally endpoint's names)."""
        shown: dict[str, object] = {"motion_id": self.motion_id}
        built = msgspec.to_builtins(self.tally) if self.tally is not None else {}
        shown.update({f: built.get(f) for f in FIGURES})
        return shown


def _int(line: Line, name: str, problems: list[str]) -> int | None:
    try:
        return int(line.value(name))
    except ValueError:
        problems.append(f"{line.where()}: {name} {line.value(name)!r} is not a number")
        return None


def _motion_recount(
    head: Line, units: list[Line], ballots: list[Line], recorded: Line | None
) -> MotionRecount:
    problems: list[str] = []
    motion_id = _int(head, "motion_id", problems) or 0
    name = head.value("rule_set")
    matter = _int(head, "matter", problems)
    if name not in RULE_SETS:
        problems.append(f"{head.where()}: unknown rule set {name!r}")
    paper_prevails = head.value("paper_prevails") == "true"
    roll: list[UnitInScope] = []
    for unit in units:
        household_id = _int(unit, "household_id", problems)
        try:
            area = Decimal(unit.value("area_m2"))
        except InvalidOperation:
            problems.append(f"{unit.where()}: area {unit.value('area_m2')!r} is not a decimal")
            continue
        if household_id is not None:
            roll.append(
                UnitInScope(household_id=household_id, owner_key=unit.value("owner"), area_m2=area)
            )
    counted: dict[int, tuple[bool, int, Line]] = {}  # unit -> (paper, ballot id, line)
    for ballot in ballots:
        household_id = _int(ballot, "household_id", problems)
        ballot_id = _int(ballot, "ballot_id", problems)
        if ballot.value("choice") not in ("yes", "no", "abstain"):
            problems.append(f"{ballot.where()}: choice {ballot.value('choice')!r} is unknown")
            continue
        if household_id is None or ballot_id is None:
            continue
        rank = (paper_prevails and ballot.value("channel") == "paper", ballot_id, ballot)
        if household_id not in counted or rank[:2] > counted[household_id][:2]:
            counted[household_id] = rank
    counted_ballots = [
        Ballot(seq=ballot_id, household_ids=(household_id,), choice=line.value("choice"))  # type: ignore[arg-type]
        for household_id, (_, ballot_id, line) in sorted(counted.items())
    ]
    recounted: Tally | None = None
    if matter is not None and name in RULE_SETS:
        try:
            recounted = tally(matter, roll, counted_ballots, name)
        except ValueError as refused:
            problems.append(f"motion {motion_id}: cannot be recounted: {refused}")
    if recorded is None:
        problems.append(f"motion {motion_id}: the record has no tally of record")
    elif recounted is not None:
        built = msgspec.to_builtins(recounted)
        differ = [
            f"{c} {recorded.value(c)} in the record, {text(built.get(c))} recounted"
            for c in COLUMNS["tally"]
            if c != "motion_id" and text(built.get(c)) != recorded.value(c)
        ]
        if differ:
            problems.append(
                f"motion {motion_id}: the recount differs from the tally of record "
                f"({recorded.where()}): " + "; ".join(differ)
            )
    return MotionRecount(motion_id=motion_id, tally=recounted, problems=problems)


def recount(record: Record) -> list[MotionRecount]:
    """Every motion recounted from its roll and ballots, compared with its tally of record."""
    results: list[MotionRecount] = []
    groups: list[tuple[Line, list[Line], list[Line], list[Line]]] = []
    for line in record.lines:
        if line.kind == "motion":
            groups.append((line, [], [], []))
        elif groups and line.kind in ("unit", "ballot", "tally"):
            head, units, ballots, tallies = groups[-1]
            {"unit": units, "ballot": ballots, "tally": tallies}[line.kind].append(line)
    for head, units, ballots, tallies in groups:
        results.append(_motion_recount(head, units, ballots, tallies[-1] if tallies else None))
    return results


def check_terms(record: Record) -> list[str]:
    """The consultation line's rule set must be one this program knows, with its fractions."""
    heads = [line for line in record.lines if line.kind == "consultation"]
    if len(heads) != 1:
        return [f"the record has {len(heads)} consultation lines, not one"]
    head = heads[0]
    name = head.value("rule_set")
    if name not in RULE_SETS:
        return [f"{head.where()}: unknown rule set {name!r}"]
    if head.value("rule_set_terms") != rule_set_terms(name):
        return [
            f"{head.where()}: the rule set's terms {head.value('rule_set_terms')!r} are not "
            f"those of {name} ({rule_set_terms(name)!r})"
        ]
    return []


class Verdict(msgspec.Struct, kw_only=True):
    motions: list[MotionRecount]
    problems: list[str]

    @property
    def agrees(self) -> bool:
        return not self.problems


def verify(record: Record, expect_digest: str | None = None) -> Verdict:
    """Chain, rule set and recount of every motion; every problem names its line."""
    motions = recount(record)
    problems = check_chain(record, expect_digest) + check_terms(record)
    for motion in motions:
        problems += motion.problems
    return Verdict(motions=motions, problems=problems)


def lines_of(kind: str, rows: Iterable[Mapping[str, Scalar]]) -> list[Line]:
    """Lines of one kind from field mappings (numbered later by ``number_lines``)."""
    return [Line(number=0, kind=kind, fields=dict(row)) for row in rows]


def number_lines(lines: list[Line]) -> list[Line]:
    for number, line in enumerate(lines, start=1):
        line.number = number
    return lines


def recount_command(data: bytes, expect_digest: str | None, out: Any, err: Any) -> int:
    """``planner recount FILE``: one JSON object per motion on ``out`` (the recounted
    figures), the problems on ``err``; 0 when the chain verifies and every recount equals
    the tally of record, 1 when not, 2 when the file is no record."""
    try:
        record = read(data)
    except RecordUnreadable as exc:
        print(f"planner recount: {exc}", file=err)
        return 2
    verdict = verify(record, expect_digest)
    for motion in verdict.motions:
        print(json.dumps(motion.figures(), ensure_ascii=False), file=out)
    for problem in verdict.problems:
        print(f"DISAGREES: {problem}", file=err)
    if verdict.agrees:
        print(
            f"the record verifies: {len(record.lines)} lines, digest {record.digest}; every "
            "recount equals the tally of record",
            file=err,
        )
        return 0
    return 1
