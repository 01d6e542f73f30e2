"""Double entry of paper sheets, the pure rules (issue 17)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.consultation.paper_rules import Choices, complete_choices, judge, next_round
from planner.errors import BadRequest

MOTIONS = [11, 12, 13]
choice = st.sampled_from(["yes", "no", "abstain"])
entries = st.lists(choice, min_size=3, max_size=3).map(
    lambda cs: [(m, c) for m, c in zip(MOTIONS, cs, strict=True)]
)


@given(entries)
def test_the_first_entry_waits_for_a_second(choices: Choices) -> None:
    assert judge([], choices).state == "awaiting_second"


@given(st.lists(entries, min_size=1, max_size=5), entries)
def test_counted_exactly_when_an_earlier_entry_agrees(earlier: list[Choices], new: Choices) -> None:
    verdict = judge(earlier, new)
    assert (verdict.state == "counted") == (new in earlier)
    assert verdict.agreeing == [n for n, e in enumerate(earlier) if e == new]
    if verdict.state == "mismatch":
        assert verdict.agreeing == [] and "differ" in verdict.explanation


@given(st.lists(entries, min_size=1, max_size=5), entries, st.randoms())
def test_the_order_of_earlier_entries_does_not_matter(
    earlier: list[Choices], new: Choices, rnd: random.Random
) -> None:
    shuffled = list(earlier)
    rnd.shuffle(shuffled)
    assert judge(shuffled, new).state == judge(earlier, new).state


def test_a_mismatch_names_the_motions_that_differ_and_a_third_resolves() -> None:
    a = [(11, "yes"), (12, "no"), (13, "yes")]
    b = [(11, "no"), (12, "no"), (13, "abstain")]
    second = judge([a], b)
    assert second.state == "mismatch" and "[11, 13]" in second.explanation
    third = judge([a, b], b)
    assert third.state == "counted" and third.agreeing == [1]
    neither = judge([a, b], [(11, "abstain"), (12, "no"), (13, "yes")])
    assert neither.state == "mismatch" and "none of the earlier" in neither.explanation


@given(st.permutations(MOTIONS), st.lists(choice, min_size=3, max_size=3))
def test_choices_in_any_order_come_back_in_motion_order(order: list[int], cs: list[str]) -> None:
    given_ = [(m, c) for m, c in zip(order, cs, strict=True)]
    assert complete_choices(MOTIONS, given_) == sorted(given_)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given_", "missing", "extra"),
    [
        ([(11, "yes"), (12, "no")], "13", ""),
        ([(11, "yes"), (12, "no"), (13, "no"), (13, "yes")], "", "13"),
        ([(11, "yes"), (12, "no"), (13, "no"), (99, "yes")], "", "99"),
        ([], "11, 12, 13", ""),
    ],
)
def test_every_motion_needs_exactly_one_choice(
    given_: list[tuple[int, str]], missing: str, extra: str
) -> None:
    with pytest.raises(BadRequest) as refused:
        complete_choices(MOTIONS, given_)  # type: ignore[arg-type]
    assert refused.value.code == "sheet_choices_invalid"
    assert refused.value.params == {"missing": missing, "extra": extra}


def test_a_counted_sheet_entered_again_starts_a_new_round() -> None:
    assert next_round("counted", 1) == 2
    assert next_round("mismatch", 1) == 1 and next_round("awaiting_second", 3) == 3
