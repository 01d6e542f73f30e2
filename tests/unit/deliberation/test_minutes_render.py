"""Minutes rendering (pure): content, rule text, receipts, and escaping of user text."""

from datetime import UTC, datetime
from decimal import Decimal

import msgspec

from planner.deliberation.minutes import (
    MinutesInput,
    MotionMinutes,
    md_escape,
    render_html,
    render_markdown,
)
from planner.deliberation.model import (
    AgendaItemOut,
    Attendee,
    ChainHead,
    CountedReceipt,
    MeetingOut,
    MotionOut,
)
from planner.deliberation.rules import Ballot, UnitInScope, tally

AT = datetime(2024, 9, 28, 9, 30, tzinfo=UTC)


def scene(title: str = "楼栋议事会", motion_title: str = "筹集维修资金") -> MinutesInput:
    units = [
        UnitInScope(household_id=i, owner_key=f"o{i}", area_m2=Decimal("80.00"))
        for i in range(1, 5)
    ]
    ballots = [
        Ballot(seq=i, household_ids=(i,), choice="yes" if i < 4 else "no") for i in range(1, 5)
    ]
    motion = MotionOut(
        id=1,
        meeting_id=1,
        estate_id=1,
        title=motion_title,
        text="<b>自筹 20%</b>",
        matter=6,
        rule="special",
        work_id=None,
        hide_results=False,
        status="closed",
        opened_at=AT,
        closed_at=AT,
        rule_set="civil_code_2021",
    )
    draft = MotionOut(
        id=2,
        meeting_id=1,
        estate_id=1,
        title="其他",
        text="",
        matter=9,
        rule="ordinary",
        work_id=None,
        hide_results=False,
        status="draft",
        opened_at=None,
        closed_at=None,
        rule_set="civil_code_2021",
    )
    meeting = MeetingOut(
        id=1,
        estate_id=1,
        title=title,
        kind="building_meeting",
        scope_building_ids=[1],
        scheduled_at=None,
        status="closed",
        created_at=AT,
        opened_at=AT,
        closed_at=AT,
        agenda=[AgendaItemOut(position=1, text="二次供电改造", work_id=7)],
    )
    return MinutesInput(
        estate_name="株洲小区",
        meeting=meeting,
        building_names=["1栋"],
        attendance=[
            Attendee(
                member_id=5,
                display_name="王<五>",
                own_units=2,
                proxy_units=1,
                references=["委托书 #3"],
            )
        ],
        motions=[
            MotionMinutes(
                motion=motion,
                tally=tally(6, units, ballots),
                receipts=[CountedReceipt(receipt="ABCD-EFGH-JK", choice="yes")],
            ),
            MotionMinutes(motion=draft, tally=None, receipts=[]),
        ],
    )


def test_markdown_minutes_carry_tally_rule_result_and_receipts() -> None:
    text = render_markdown(scene())
    assert text.startswith("# 会议纪要: 楼栋议事会\n")
    assert "楼栋议事会" in text and "1栋" in text
    assert "2024-09-28 17:30（北京时间）" in text  # 09:30 UTC, in the estate's zone
    assert "四分之三以上" in text  # matter 6: the special rule
    assert "| 同意 | 240.00 | 3 |" in text
    assert "| 参与 | 320.00 | 4 |" in text
    assert "**结果: 通过**" in text  # 3/4 of area and owners exactly
    assert "`ABCD-EFGH-JK` 同意" in text
    assert "未付表决" in text  # the draft motion
    assert "二次供电改造 (关联工程 #7)" in text


def test_english_minutes() -> None:
    text = render_markdown(scene(), "en")
    assert "Civil Code Art. 278: at least three quarters" in text
    assert "PASSED" in text and "not put to the vote" in text


def test_user_text_is_escaped_in_markdown_and_html() -> None:
    hostile = scene(title="<script>x()</script> [a](javascript:x)", motion_title="**粗** `c`")
    md = render_markdown(hostile)
    assert "<script>" not in md and "[a](javascript:x)" not in md
    assert "\\*\\*粗\\*\\*" in md and "王\\<五\\>" in md
    page = render_html(hostile)
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "&lt;b&gt;自筹 20%&lt;/b&gt;" in page and "王&lt;五&gt;" in page
    assert page.startswith("<!doctype html>") and 'lang="zh-CN"' in page


def test_md_escape_flattens_newlines() -> None:
    assert md_escape("a\n# b") == "a \\# b"


def test_minutes_print_the_chain_head_at_close() -> None:
    head = ChainHead(seq=42, hash="ab" * 32)
    kept = msgspec.structs.replace(scene(), chain_head=head)
    md = render_markdown(kept, "en")
    assert f"- Audit chain head at close: event 42, `{'ab' * 32}`" in md
    assert f"planner audit verify --expect-head {'ab' * 32}" in md
    assert "闭会时审计链头: 第 42 条事件" in render_markdown(kept)
    page = render_html(kept)
    assert f'<code class=head lang="en">{"ab" * 32}</code>' in page
    assert f'<code lang="en">planner audit verify --expect-head {"ab" * 32}</code>' in page
    # a meeting closed before heads were kept prints none
    assert "chain head" not in render_markdown(scene(), "en")


def test_minutes_print_times_in_the_estates_zone() -> None:
    closed = datetime(2026, 5, 16, 11, 30, tzinfo=UTC)
    base = scene()
    meeting = msgspec.structs.replace(base.meeting, opened_at=closed, closed_at=closed)
    data = msgspec.structs.replace(base, meeting=meeting)
    for text in (render_markdown(data), render_html(data)):
        assert "闭会时间: 2026-05-16 19:30（北京时间）" in text
        assert "UTC" not in text
    elsewhere = msgspec.structs.replace(data, time_zone="America/New_York")
    assert "Closed: 2026-05-16 07:30 (America/New_York)" in render_markdown(elsewhere, "en")


def test_minutes_name_each_voter_with_the_units_voted_for() -> None:
    twins = [
        Attendee(
            member_id=8,
            display_name="曹玉兰",
            own_units=2,
            proxy_units=0,
            references=[],
            own_unit_labels=["1栋-101", "1栋-202"],
        ),
        Attendee(
            member_id=9,
            display_name="曹玉兰",
            own_units=1,
            proxy_units=1,
            references=["委托书 #3"],
            own_unit_labels=["3栋-502"],
            proxy_unit_labels=["10栋-101"],
        ),
    ]
    data = msgspec.structs.replace(scene(), attendance=twins)
    md = render_markdown(data)
    assert "| 曹玉兰（1栋\\-101、1栋\\-202） | 2 | 0 | — |" in md
    assert "| 曹玉兰（3栋\\-502；受托 10栋\\-101） | 1 | 1 | 委托书 \\#3 |" in md
    page = render_html(data)
    assert "<td>曹玉兰（1栋-101、1栋-202）</td>" in page
    assert "<td>曹玉兰（3栋-502；受托 10栋-101）</td>" in page
    english = render_html(data, "en")
    assert "<td>曹玉兰 (3栋-502; as proxy 10栋-101)</td>" in english


def test_minutes_are_phone_sized_on_screen_and_a4_in_print() -> None:
    page = render_html(scene())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media screen and (max-width: 600px)" in page
    assert "@page { size: A4;" in page and "@media print" in page
