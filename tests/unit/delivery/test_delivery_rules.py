"""Planned periods, overdue flags, weighted progress and what an acceptance lacks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.delivery import rules


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026-03", "month", date(2026, 3, 1), date(2026, 3, 31)),
        ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-H1", "half", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", "half", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-03-15", "day", date(2026, 3, 15), date(2026, 3, 15)),
    ],
)
def test_periods(text: str, kind: str, start: date, end: date) -> None:
    assert rules.parse_period(text) == rules.Period(kind, start, end)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-H3", "2026-02-30", "26-03", "march", "1999-01"]
)
def test_bad_periods(text: str) -> None:
    with pytest.raises(rules.BadPeriod):
        rules.parse_period(text)


@given(st.integers(2000, 2200), st.integers(1, 12))
def test_a_month_lies_in_its_quarter_and_half(year: int, month: int) -> None:
    m = rules.parse_period(f"{year}-{month:02d}")
    q = rules.parse_period(f"{year}-Q{(month - 1) // 3 + 1}")
    h = rules.parse_period(f"{year}-H{(month - 1) // 6 + 1}")
    assert h.start <= q.start <= m.start <= m.end <= q.end <= h.end
    assert m.start.month == m.end.month == month


def test_overdue_after_the_last_day_in_the_estate_zone() -> None:
    end = date(2026, 3, 31)
    # 2026-03-31 17:00 UTC is 2026-04-01 01:00 in Shanghai: overdue there, not in UTC
    now = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert rules.is_overdue(end, None, now, "Asia/Shanghai")
    assert not rules.is_overdue(end, None, now, "UTC")
    assert not rules.is_overdue(end, now, now, "Asia/Shanghai")
    assert rules.done_late(end, now, "Asia/Shanghai")
    assert not rules.done_late(end, now, "UTC")


def test_weights_share_what_is_left() -> None:
    assert rules.work_progress([]) == 0
    assert rules.work_progress([(None, 100), (None, 0)]) == 50
    assert rules.work_progress([(30, 100), (None, 0), (None, 0)]) == 30
    assert rules.work_progress([(30, 0), (None, 100), (None, 0)]) == 35
    assert rules.work_progress([(60, 100), (40, 50)]) == 80
    assert rules.weights_fit([60, 40, None]) and not rules.weights_fit([60, 41])


@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(1, 100)), st.integers(0, 100)),
        min_size=1,
        max_size=12,
    )
)
def test_progress_lies_between_the_milestones(milestones: list[tuple[int | None, int]]) -> None:
    given_weights = [w for w, _ in milestones]
    if not rules.weights_fit(given_weights):
        return
    progress = rules.work_progress(milestones)
    assert 0 <= progress <= 100
    if all(p == 100 for _, p in milestones):
        assert progress == 100
    ws = rules.weights(given_weights)
    counted = [p for w, (_, p) in zip(ws, milestones, strict=True) if w > 0]
    if counted:
        assert min(counted) <= progress <= max(counted)


def test_progress_goes_back_only_with_a_note() -> None:
    assert rules.decrease_needs_note(50, 40, "  ")
    assert not rules.decrease_needs_note(50, 40, "退货")
    assert not rules.decrease_needs_note(50, 50, "")


def test_acceptance_needs_the_committee_two_owners_and_every_defect_fixed() -> None:
    assert rules.missing(1, 2, 0).complete
    assert rules.missing(0, 2, 0) == rules.Missing(
        committee_signatures=1, owner_signatures=0, open_defects=0
    )
    assert not rules.missing(2, 1, 0).complete
    assert not rules.missing(1, 3, 1).complete


def test_owner_representatives() -> None:
    assert rules.is_owner_representative([1], [])
    assert rules.is_owner_representative([1, 2], [2, 3])
    assert not rules.is_owner_representative([1], [2])
    assert not rules.is_owner_representative([], [])
