"""The record's lines, chain and offline recount (planner/consultation/recount.py), with no
database: JSON and CSV hold the same chain; any edited, removed or inserted line is named;
the recount applies the both-channels rule and the rule set as the service does."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.consultation import recount as rc
from planner.deliberation.rules import Ballot, UnitInScope, tally

UNITS = [
    (11, "1栋", "101", "80.00", "p1"),
    (12, "1栋", "102", "90.00", "p1"),
    (13, "2栋", "101", "95.50", "p2"),
    (14, "2栋", "102", "60.00", "p3"),
]
# (ballot id, unit, channel, choice)
BALLOTS = [
    (1, 11, "online", "yes"),
    (2, 13, "paper", "no"),
    (3, 13, "online", "yes"),
    (4, 14, "proxy", "abstain"),
    (5, 12, "online", "no"),
]


def make_record(
    paper_prevails: bool, rule_set: str = "civil_code_2021", matter: int = 5
) -> rc.Record:
    lines = rc.lines_of(
        "consultation",
        [
            {
                "consultation_id": 7,
                "estate_id": 1,
                "estate": "幸福里",
                "title": "屋面防水",
                "opens_at": "2026-12-01T00:00:00.000000Z",
                "closes_at": "2026-12-08T00:00:00.000000Z",
                "closed_at": "2026-12-08T00:00:00.120000Z",
                "both_channels": "paper" if paper_prevails else "last",
                "open_ballot": False,
                "rule_set": rule_set,
                "rule_set_terms": rc.rule_set_terms(rule_set),
                "chain_head_seq": 42,
                "chain_head_hash": "ab" * 32,
            }
        ],
    )
    lines += rc.lines_of(
        "motion",
        [
            {
                "motion_id": 3,
                "title": "使用维修资金",
                "matter": matter,
                "rule_set": rule_set,
                "paper_prevails": paper_prevails,
            }
        ],
    )
    lines += rc.lines_of(
        "unit",
        (
            {"motion_id": 3, "household_id": h, "building": b, "unit": u, "area_m2": a, "owner": o}
            for h, b, u, a, o in UNITS
        ),
    )
    lines += rc.lines_of(
        "ballot",
        (
            {
                "motion_id": 3,
                "ballot_id": i,
                "household_id": h,
                "channel": ch,
                "choice": c,
                "cast_at": f"2026-12-0{i}T01:00:00.000000Z",
                "cast_by": f"m{h}",
                "delegation_id": 9 if ch == "proxy" else None,
                "delegation_reference": "委托书-1" if ch == "proxy" else None,
                "paper_entries": None,
            }
            for i, h, ch, c in BALLOTS
        ),
    )
    counted = expected_tally(paper_prevails, rule_set, matter)
    built = msgspec.to_builtins(counted)
    lines += rc.lines_of(
        "tally", [{"motion_id": 3, **{f: built[f] for f in rc.COLUMNS["tally"][1:]}}]
    )
    rc.number_lines(lines)
    return rc.Record(lines=lines, digest=rc.seal(lines))


def expected_tally(paper_prevails: bool, rule_set: str, matter: int = 5):  # type: ignore[no-untyped-def]
    units = [
        UnitInScope(household_id=h, owner_key=o, area_m2=Decimal(a)) for h, _, _, a, o in UNITS
    ]
    ballots = [
        Ballot(seq=i, household_ids=(h,), choice=c)  # type: ignore[arg-type]
        for i, h, ch, c in BALLOTS
        if not (paper_prevails and h == 13 and ch == "online")
    ]
    return tally(matter, units, ballots, rule_set)


def test_json_and_csv_hold_the_same_chain_and_recount() -> None:
    for paper in (False, True):
        record = make_record(paper)
        for form in (rc.to_json(record), rc.to_csv(record).encode()):
            back = rc.read(form)
            assert back.digest == record.digest
            assert [line.line_hash for line in back.lines] == [
                line.line_hash for line in record.lines
            ]
            verdict = rc.verify(back, record.digest)
            assert verdict.agrees, verdict.problems
            (motion,) = verdict.motions
            assert motion.tally == expected_tally(paper, "civil_code_2021")


def test_paper_prevails_changes_the_count() -> None:
    last, paper = expected_tally(False, "civil_code_2021"), expected_tally(True, "civil_code_2021")
    assert last.yes_area_m2 == "175.50" and paper.yes_area_m2 == "80.00"
    # the record of one rule recounted under the other disagrees
    record = make_record(True)
    record.lines[1].fields["paper_prevails"] = False
    rc.seal(record.lines)
    verdict = rc.verify(record)
    assert any("yes_area_m2 80.00 in the record, 175.50 recounted" in p for p in verdict.problems)


def test_property_law_record_recounts_under_its_rule_set() -> None:
    record = make_record(False, "property_law_2007", matter=5)
    verdict = rc.verify(rc.read(rc.to_csv(record).encode()))
    assert verdict.agrees, verdict.problems
    assert verdict.motions[0].tally is not None
    assert verdict.motions[0].tally.rule_set == "property_law_2007"


def test_rule_set_terms_must_be_the_known_ones() -> None:
    record = make_record(False)
    record.lines[0].fields["rule_set_terms"] = "quorum >=1/2 total"
    rc.seal(record.lines)
    assert any("rule set's terms" in p for p in rc.verify(record).problems)


def test_the_command_prints_one_object_per_motion() -> None:
    record = make_record(False)
    out, err = io.StringIO(), io.StringIO()
    assert rc.recount_command(rc.to_json(record), record.digest, out, err) == 0
    (printed,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert list(printed) == ["motion_id", *rc.FIGURES]
    assert printed["motion_id"] == 3 and printed["yes_area_m2"] == "175.50"
    assert "the record verifies" in err.getvalue()


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_edited_field_is_named_by_its_line(data: st.DataObject) -> None:
    record = make_record(data.draw(st.booleans()))
    index = data.draw(st.integers(0, len(record.lines) - 1))
    line = record.lines[index]
    field = data.draw(st.sampled_from(rc.COLUMNS[line.kind]))
    line.fields[field] = rc.text(line.fields.get(field)) + "x"
    problems = rc.check_chain(rc.read(rc.to_csv(record).encode()))
    # CSV line numbers count the header: line i of the chain is file line i + 1
    assert problems and problems[0].startswith(f"line {index + 2} ("), problems
    assert len(problems) == 1


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_removed_line_is_found(data: st.DataObject) -> None:
    record = make_record(data.draw(st.booleans()))
    rows = rc.to_csv(record).splitlines(keepends=True)
    index = data.draw(st.integers(0, len(record.lines) - 1))
    del rows[index + 1]  # the chain's line index + 1 (after the header)
    problems = rc.check_chain(rc.read("".join(rows).encode()))
    assert problems
    if index < len(record.lines) - 1:  # named: the line after the gap, by its file line
        assert any(p.startswith(f"line {index + 2} (") for p in problems), problems
    else:
        assert any("last line's hash" in p for p in problems), problems


def test_unreadable_files_are_refused() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert rc.recount_command(b"{not json", None, out, err) == 2
    assert rc.recount_command(b"\xff\xfe", None, out, err) == 2


def test_planner_recount_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from planner.cli import main

    record = make_record(True)
    path = tmp_path / "record.csv"
    path.write_text(rc.to_csv(record))
    with pytest.raises(SystemExit) as done:
        main(["recount", str(path), "--expect-digest", record.digest])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["motion_id"] == 3
    path.write_text(rc.to_csv(record).replace(",80.00,", ",81.00,"))
    with pytest.raises(SystemExit) as done:
        main(["recount", str(path)])
    assert done.value.code == 1
    assert "line 4 (unit: motion 3, unit 11)" in capsys.readouterr().err


def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_read_back() -> None:
    record = make_record(False)
    ballot = next(line for line in record.lines if line.value("delegation_reference"))
    ballot.fields["delegation_reference"] = '=HYPERLINK("http://x","委托书")'
    record.lines[0].fields["title"] = "'quoted"
    record.digest = rc.seal(record.lines)
    written = rc.to_csv(record)
    import csv

    cells = [c for row in csv.reader(io.StringIO(written)) for c in row]
    assert """'=HYPERLINK("http://x","委托书")""" in cells and "''quoted" in cells
    assert not any(c.startswith("=") for c in cells)
    back = rc.read(written.encode())
    assert back.lines[0].value("title") == "'quoted"
    assert rc.verify(back, record.digest).agrees
