"""A motion row is its answer plus what casting needs; answers never carry the extra fields."""

from __future__ import annotations

import msgspec

from planner.deliberation.model import MotionOut, MotionRow


def test_a_motion_row_answers_as_its_motion_out_part() -> None:
    row = MotionRow(
        id=7,
        meeting_id=3,
        estate_id=1,
        title="使用维修资金",
        text="",
        matter=6,
        rule="special",
        work_id=None,
        hide_results=True,
        status="closed",
        opened_at=None,
        closed_at=None,
        rule_set="civil_code_2021",
        meeting_status="closed",
        scope_building_ids=[2],
        final_tally={"matter": 6},
    )
    out = row.out()
    assert type(out) is MotionOut
    assert set(msgspec.to_builtins(out)) == set(MotionOut.__struct_fields__)
    assert msgspec.to_builtins(out) == {
        name: value
        for name, value in msgspec.to_builtins(row).items()
        if name in MotionOut.__struct_fields__
    }
