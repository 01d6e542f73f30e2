"""The common problems' status path, supporter counts and figures (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.needs.categories import PROBLEM_STATUSES
from planner.needs.problem_rules import (
    TRANSITIONS,
    IllegalMove,
    NoteRequired,
    ProblemFact,
    Supporter,
    allowed_moves,
    count_supporters,
    next_status,
    problem_figures,
)


def test_the_path_forward() -> None:
    status = "collecting"
    for target in ("listed", "in_progress", "solved"):
        status = next_status(status, target, None)
    assert status == "solved"


@pytest.mark.parametrize("current", ["collecting", "listed", "in_progress"])
def test_declined_from_any_unsolved_status_with_a_reason(current: str) -> None:
    assert next_status(current, "declined", "不在物业职责范围") == "declined"
    with pytest.raises(NoteRequired):
        next_status(current, "declined", None)
    with pytest.raises(NoteRequired):
        next_status(current, "declined", "   ")


def test_illegal_moves_name_the_allowed_ones() -> None:
    with pytest.raises(IllegalMove) as raised:
        next_status("collecting", "solved", None)
    assert raised.value.params == {
        "what": "problem",
        "from": "collecting",
        "to": "solved",
        "allowed": ["declined", "listed"],
    }
    assert allowed_moves("solved") == [] and allowed_moves("declined") == []


@given(st.sampled_from(PROBLEM_STATUSES), st.sampled_from(PROBLEM_STATUSES))
def test_only_listed_moves_pass(current: str, target: str) -> None:
    try:
        assert next_status(current, target, "reason") == target
        assert target in TRANSITIONS[current]
    except IllegalMove:
        assert target not in TRANSITIONS[current]


def test_final_statuses_are_final() -> None:
    assert not TRANSITIONS["solved"] and not TRANSITIONS["declined"]


supporters = st.lists(
    st.builds(Supporter, st.integers(1, 30), st.sampled_from(["", "A", "B", "C"])), max_size=40
)


@given(supporters)
def test_counts_by_head_never_exceed_units(found: list[Supporter]) -> None:
    count = count_supporters(found)
    assert count.owners <= count.units == len({s.household_id for s in found})
    assert count_supporters(found + found) == count


def test_units_sharing_an_owner_are_one_head_and_keyless_units_count_alone() -> None:
    count = count_supporters(
        [Supporter(1, "A"), Supporter(2, "A"), Supporter(3, ""), Supporter(4, "")]
    )
    assert (count.owners, count.units) == (3, 4)


def test_figures() -> None:
    facts = [
        ProblemFact("solved", "urgent"),
        ProblemFact("solved", "normal"),
        ProblemFact("in_progress", "urgent"),
        ProblemFact("collecting", "urgent"),
        ProblemFact("declined", "normal"),
    ]
    assert problem_figures(facts) == {
        "problems_total": 5,
        "problems_listed": 3,
        "problems_solved": 2,
        "problems_urgent_solved": 1,
        "problems_declined": 1,
    }
