"""A plan version's status path (issue 15, item 3): draft → approved → superseded, one plan
in force, and which notice an owner may have."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import Conflict
from planner.funding.model import PlanInForce
from planner.funding.rules import check_approval, owner_may_see_notice

V1 = PlanInForce(id=11, version=1)
V2 = PlanInForce(id=12, version=2)


def refusal(*args: object) -> tuple[str, dict[str, object]]:
    with pytest.raises(Conflict) as caught:
        check_approval(*args)  # type: ignore[arg-type]
    return caught.value.code, caught.value.params


def test_a_draft_solved_over_the_plan_in_force_may_be_approved() -> None:
    check_approval("draft", 3, None, None)  # the first plan of the estate
    check_approval("draft", 3, V1.id, V1)  # replaces version 1


@pytest.mark.parametrize("status", ["approved", "superseded", "failed"])
def test_only_a_draft_is_approved(status: str) -> None:
    assert refusal(status, 3, V1.id, V1) == ("plan_not_draft", {"status": status})


def test_a_draft_solved_before_another_approval_is_refused() -> None:
    # solved over version 1, but version 2 was approved since: the race's loser
    assert refusal("draft", 3, V1.id, V2) == ("plan_in_force_changed", {"version": 2, "draft": 3})
    # solved before any approval, and one came in between
    assert refusal("draft", 3, None, V1) == ("plan_in_force_changed", {"version": 1, "draft": 3})


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=12))
def test_drafts_solved_over_one_plan_yield_exactly_one_approval(order: list[str]) -> None:
    """Whatever order the approvals of drafts solved over the same plan come in, the first
    wins and every later one is refused: there is one plan in force, never two."""
    drafts = {name: (i + 2, V1.id) for i, name in enumerate("abcd")}
    in_force = V1
    approved: list[str] = []
    for name in order:
        version, replaces = drafts[name]
        status = "approved" if name in approved else "draft"
        try:
            check_approval(status, version, replaces, in_force)
        except Conflict:
            continue
        approved.append(name)
        in_force = PlanInForce(id=100 + version, version=version)
    assert approved == [order[0]]


@pytest.mark.parametrize(
    ("status", "any_in_force", "visible"),
    [
        ("approved", True, True),
        ("superseded", True, False),
        ("draft", True, False),
        ("draft", False, True),
        ("failed", False, False),
    ],
)
def test_owners_see_the_notice_of_the_plan_in_force_only(
    status: str, any_in_force: bool, visible: bool
) -> None:
    assert owner_may_see_notice(status, any_in_force) is visible
