"""The demo's 5栋 roof consultation as plain data: a calendar that fits the rules it shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from planner.demo import population as pop
from planner.demo import story

ROOF = story.ROOF_CONSULTATION
TODAY = date(2026, 12, 4)


def at(day: story.Day) -> datetime:
    days, hhmm = day
    return datetime.combine(TODAY + timedelta(days=days), time.fromisoformat(hhmm))


def test_the_notice_comes_15_days_before_the_voting_week() -> None:
    assert at(ROOF.drafted) < at(ROOF.published)
    assert at(ROOF.opens) - at(ROOF.published) >= timedelta(days=15)
    assert at(story.PLAN_APPROVED) < at(ROOF.drafted), "decided after the funding plan"
    assert at(ROOF.opens) < at(ROOF.proxy_day) < at(ROOF.first_entries)
    assert at(ROOF.first_entries) < at(ROOF.second_entries) < at(ROOF.third_entry)
    assert ROOF.third_entry[0] < 0, "everything before the day of the load"
    # the meeting is called first: the consultation's publication and its opening follow
    # each other at once in the load (another instance's schedule has no moment to open it)
    assert at(story.PLAN_APPROVED) < at(story.OPEN_MEETING.called) < at(ROOF.drafted)


def test_the_channels_the_story_shows() -> None:
    online = ROOF.online.yes + ROOF.online.no + ROOF.online.abstain
    owners = {u.owner_key for u in pop.units_of(pop.JINGUI) if u.building == ROOF.building}
    voters = len(owners - {pop.TOUR_OWNER_KEY})
    assert abs(online - len(owners) / 2) <= 2, "about half the owners vote on the phone"
    assert online + len(ROOF.proxy_choices) + len(ROOF.paper) <= voters
    assert len(ROOF.paper) == 10
    assert sorted(ROOF.proxy_choices) == ["no", "yes"], "the proxy holder splits"
    assert ROOF.mistyped != ROOF.paper[ROOF.mismatch], "one sheet typed differently"
    assert 0 < ROOF.retried < online
    assert ROOF.matter == 5 and ROOF.work == "roof"
