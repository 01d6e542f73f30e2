"""The ledger's pure rules (issue 19): instalments add up, balances add up, bank lines
matched by reference, unit label and amount; the statement CSV read all-or-nothing."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.payments.bank_rules import Matcher, label_key, parse_statement
from planner.payments.ledger_model import HouseholdLabel
from planner.payments.ledger_rules import balance, building_totals, due_by, schedule_parts, totals

DAY = date(2027, 1, 1)


@st.composite
def schedules(draw: st.DrawFn) -> list[dict[str, object]]:
    n = draw(st.integers(1, 6))
    out: list[dict[str, object]] = []
    for i in range(n):
        when = (DAY + timedelta(days=30 * i)).isoformat()
        if draw(st.booleans()):
            out.append(
                {
                    "due_date": when,
                    "share": str(draw(st.sampled_from(["0.1", "0.25", "0.5", "0.333"]))),
                }
            )
        else:
            out.append({"due_date": when, "amount_fen": draw(st.integers(0, 10**6))})
    return out


@given(st.integers(0, 10**9), schedules())
def test_instalments_add_up_and_never_go_back(due: int, schedule: list[dict[str, object]]) -> None:
    parts = schedule_parts(due, schedule)
    assert sum(fen for _, fen in parts) == due
    assert all(fen >= 0 for _, fen in parts)
    assert due_by(due, schedule, DAY - timedelta(days=1)) == 0
    assert due_by(due, schedule, DAY + timedelta(days=400)) == due
    previous = 0
    for k in range(0, 200, 7):
        now = due_by(due, schedule, DAY + timedelta(days=k))
        assert previous <= now <= due
        previous = now


def test_half_now_half_later() -> None:
    schedule = [
        {"due_date": "2027-01-31", "share": "0.5"},
        {"due_date": "2027-03-31", "share": "0.5"},
    ]
    assert schedule_parts(10_001, schedule) == [
        (date(2027, 1, 31), 5_000),
        (date(2027, 3, 31), 5_001),
    ]
    row = balance(1, 10_001, 4_000, schedule, date(2027, 2, 1))
    assert (row.due_now_fen, row.overdue_fen, row.overdue, row.balance_fen) == (
        5_000,
        1_000,
        True,
        6_001,
    )
    assert due_by(10_001, [], date(2000, 1, 1)) == 10_001


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(0, 10**7), st.integers(-(10**6), 10**7)),
        max_size=40,
    )
)
def test_building_totals_add_up_to_the_plan(rows: list[tuple[int, int, int]]) -> None:
    items = [
        balance(
            i,
            due,
            paid,
            [],
            DAY,
            HouseholdLabel(
                household_id=i, building_id=b, building=f"{b}栋", unit=str(i), owner_name="x"
            ),
        )
        for i, (b, due, paid) in enumerate(rows, start=1)
    ]
    whole = totals(items)
    parts = building_totals(items)
    assert sum(p.due_fen for p in parts) == whole.due_fen
    assert sum(p.paid_fen for p in parts) == whole.paid_fen
    assert sum(p.balance_fen for p in parts) == whole.balance_fen == whole.due_fen - whole.paid_fen
    assert sum(p.households for p in parts) == len(rows)


def _matcher() -> Matcher:
    labels = {1: ("3栋", "502"), 2: ("13栋", "502"), 3: ("3栋", "501"), 4: ("A座", "1201")}
    due = {1: 100_00, 2: 200_00, 3: 100_00, 4: 300_00}
    return Matcher(labels, due, dict(due))


def test_matching_by_label_reference_and_amount() -> None:
    m = _matcher()
    assert label_key("3栋", "502") == "3502"
    assert m.match(100_00, "3栋 502 维修资金").household_id == 1
    assert m.match(100_00, "3-502室").household_id == 1
    assert m.match(100_00, "３＃５０２").household_id == 1  # full-width
    assert m.match(200_00, "13栋502").household_id == 2  # not 3栋502: touches a digit
    assert m.match(1, "转账 JF4").household_id == 4
    assert m.match(300_00, "a座1201").household_id == 4
    assert m.match(5, "物业费").status == "unmatched"
    assert m.match(100_00, "物业费").candidates == [1, 3]
    assert m.match(-5, "3栋502").status == "ignored"
    both = m.match(7, "3栋502 3栋501")
    assert both.status == "ambiguous" and both.candidates == [1, 3]


@given(st.text(max_size=40), st.integers(1, 10**6))
def test_matching_never_fails_and_names_a_candidate(memo: str, amount: int) -> None:
    found = _matcher().match(amount, memo)
    assert found.status in ("matched", "unmatched", "ambiguous")
    if found.status == "matched":
        assert found.household_id in found.candidates or found.household_id in (1, 2, 3, 4)


def test_statement_csv_headers_in_both_languages_and_faults_by_line() -> None:
    zh = '交易日期,交易金额,摘要,交易流水号\n2026/11/03,"1,234.50",3栋502,T1\n'.encode()
    lines, faults = parse_statement(zh, date(2026, 12, 4))
    assert not faults and lines[0].amount_fen == 123_450 and lines[0].tx_date == date(2026, 11, 3)
    en = b"\xef\xbb\xbfbank_tx_id,date,amount\nT2,2026-11-03,0.01\n"
    lines, faults = parse_statement(en, date(2026, 12, 4))
    assert not faults and lines[0].memo == "" and lines[0].amount_fen == 1
    bad = b"date,amount,bank_tx_id\n2026-11-03,1.001,T3\nnope,1,T4\n2026-11-03,1,\n"
    _, faults = parse_statement(bad, date(2026, 12, 4))
    assert [(f.line, f.field) for f in faults] == [(2, "amount"), (3, "date"), (4, "bank_tx_id")]
    _, faults = parse_statement(b"\xff\xfe", date(2026, 12, 4))
    assert faults
