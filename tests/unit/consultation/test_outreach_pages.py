"""The printed pages escape every piece of user text and carry a QR code of the public
address (planner/consultation/pages.py, issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from planner.consultation.model import ConsultationOut
from planner.consultation.outreach_model import OwnerDelivery, OwnerUnit
from planner.consultation.pages import (
    AnnouncedMotion,
    AnnouncementInput,
    NoticeInput,
    UnreachedInput,
    render_announcement,
    render_notice,
    render_unreached,
)
from planner.deliberation.model import ChainHead, ChannelTurnout, MotionOut
from planner.deliberation.rules import Ballot, UnitInScope, tally

T = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script>'
URL = "https://wy.example.cn/#/c/tok<en>"


def _consultation(announced: bool) -> ConsultationOut:
    motion = MotionOut(
        id=1,
        meeting_id=1,
        estate_id=1,
        title=EVIL,
        text=EVIL,
        matter=5,
        rule="ordinary",
        work_id=None,
        hide_results=True,
        status="closed",
        opened_at=T,
        closed_at=T,
        rule_set="civil_code_2021",
    )
    return ConsultationOut(
        id=1,
        estate_id=1,
        title=EVIL,
        status="announced" if announced else "closed",
        scope_building_ids=[],
        notice_days=15,
        opens_at=T,
        closes_at=T,
        both_channels="last",
        rule_set="civil_code_2021",
        open_ballot=True,
        published_at=T,
        opened_at=T,
        closed_at=T,
        closed_by=None,
        announced_at=T if announced else None,
        created_at=T,
        public_token="tok",
        motions=[motion],
    )


def _pages(announced: bool) -> list[str]:
    c = _consultation(announced)
    units = [
        UnitInScope(household_id=i, owner_key=f"k{i}", area_m2=Decimal("50.00")) for i in (1, 2)
    ]
    result = tally(5, units, [Ballot(seq=1, household_ids=(1,), choice="yes")])
    owner = OwnerDelivery(
        owner_key="k2",
        owner_name=EVIL,
        buildings=[EVIL],
        units=[OwnerUnit(household_id=2, building_id=1, building=EVIL, unit=EVIL, area_m2="50.00")],
        state="not_yet",
        by=None,
        by_name=None,
        at=None,
        deliveries=[],
        voted="none",
    )
    return [
        render_notice(
            NoticeInput(
                estate_name=EVIL,
                time_zone="Asia/Shanghai",
                consultation=c,
                building_names=[EVIL],
                public_url=URL,
                preview=not announced,
            )
        ),
        render_unreached(
            UnreachedInput(
                estate_name=EVIL,
                time_zone="Asia/Shanghai",
                consultation=c,
                owners=[owner],
                printed_at=T,
            ),
            "en",
        ),
        render_announcement(
            AnnouncementInput(
                estate_name=EVIL,
                time_zone="Europe/Berlin",
                consultation=c,
                building_names=[EVIL],
                motions=[AnnouncedMotion(motion=c.motions[0], tally=result, units=[(EVIL, "yes")])],
                by_channel={"online": ChannelTurnout(owners=1, area_m2="50.00")},
                chain_head=ChainHead(seq=9, hash="ab" * 32),
                public_url=URL,
            )
        ),
    ]


@pytest.mark.parametrize("announced", [False, True])
def test_user_text_is_escaped_and_the_qr_leads_to_the_public_page(announced: bool) -> None:
    notice, unreached, announcement = _pages(announced)
    for page in (notice, unreached, announcement):
        assert "<script>" not in page and "&lt;script&gt;" in page
    for page in (notice, announcement):
        assert page.count("<svg") == 1 and "https://wy.example.cn/#/c/tok&lt;en&gt;" in page
    assert ("草稿预览" in notice) is not announced
    assert ("未公告（草稿）" in announcement) is not announced
    assert "（Europe/Berlin）" in announcement  # another zone is named by its IANA name
    assert "&lt;/script&gt; 同意" in announcement  # an open ballot shows the choice
    assert "☐" in unreached and "not reached" in unreached
