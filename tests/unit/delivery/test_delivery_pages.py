"""The printable timeline and acceptance record: both languages, no Latin sentence in Chinese,
user text escaped, the Gantt's bars in the SVG."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from planner.delivery.model import (
    AcceptanceOut,
    DefectOut,
    MilestoneOut,
    MissingOut,
    SignatureOut,
    Timeline,
    TimelineWork,
    UnitGoal,
)
from planner.delivery.pages import render_acceptance, render_timeline

ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w<>]+[A-Za-z]+){2,}")
AT = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def _text(page: str) -> str:
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _milestone(overdue: bool) -> MilestoneOut:
    return MilestoneOut(
        id=1,
        work_id=7,
        title="防水层<施工>",
        planned="2026-Q2",
        period_kind="quarter",
        planned_start=date(2026, 4, 1),
        planned_end=date(2026, 6, 30),
        responsible_unit="湘江建设 项目部",
        responsible_person="王工",
        weight_pct=None,
        percent=60,
        done=False,
        done_at=None,
        overdue=overdue,
        late=False,
    )


def test_timeline_page() -> None:
    timeline = Timeline(
        estate_id=1,
        time_zone="Asia/Shanghai",
        today=date(2026, 5, 1),
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        works=[
            TimelineWork(
                id=7,
                title="屋面防水",
                status="in_progress",
                progress_pct=60,
                overdue=True,
                accepted=False,
                start=date(2026, 4, 1),
                end=date(2026, 6, 30),
                milestones=[_milestone(True)],
            )
        ],
        goals=[
            UnitGoal(
                planned="2026-Q2",
                period_kind="quarter",
                planned_end=date(2026, 6, 30),
                responsible_unit="湘江建设 项目部",
                milestone_ids=[1],
                done=0,
                overdue=1,
            )
        ],
    )
    zh = render_timeline(timeline, "zh")
    assert "一张图" in zh and "已逾期" in zh and "&lt;施工&gt;" in zh
    assert zh.count("<rect") == 2 and "<title>" in zh
    assert not ENGLISH.search(_text(zh)), ENGLISH.search(_text(zh))
    en = render_timeline(timeline, "en")
    assert "Works delivery timeline" in en and "overdue" in en


def test_acceptance_page() -> None:
    acceptance = AcceptanceOut(
        id=3,
        work_id=7,
        work_title="屋面防水",
        opened_by=1,
        opened_at=AT,
        accepted_at=None,
        defects=[
            DefectOut(
                id=1,
                acceptance_id=3,
                description="顶层渗水",
                photo_sha256=None,
                fixed=True,
                recheck_note="已整改",
                rechecked_by=1,
                rechecked_at=AT,
            )
        ],
        signatures=[
            SignatureOut(member_id=1, display_name="王主任", capacity="committee", signed_at=AT)
        ],
        missing=MissingOut(committee_signatures=0, owner_signatures=2, open_defects=0),
    )
    zh = render_acceptance(acceptance, "Asia/Shanghai", "zh")
    assert "验收记录" in zh and "业主代表 2" in zh and "2026-05-01 10:00" in zh
    assert not ENGLISH.search(_text(zh)), ENGLISH.search(_text(zh))
    en = render_acceptance(acceptance, "Asia/Shanghai", "en")
    assert "Acceptance record" in en and "owner representative 2" in en
