"""Times as people read them (planner.localtime, issue 16): the estate's wall clock, in a
zone without daylight saving (Shanghai) and in one with it (New York)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from planner.localtime import (
    DEFAULT_TIME_ZONE,
    is_time_zone,
    local_date,
    local_datetime,
    to_local,
)


def test_shanghai_is_eight_hours_ahead_all_year() -> None:
    assert DEFAULT_TIME_ZONE == "Asia/Shanghai"
    closed = datetime(2026, 5, 16, 11, 30, tzinfo=UTC)
    assert local_datetime(closed, "Asia/Shanghai") == "2026-05-16 19:30"
    assert local_datetime(closed, None) == "2026-05-16 19:30"  # the default zone
    for month in (1, 7):  # no daylight saving: +08:00 in winter and summer
        moment = datetime(2026, month, 15, 4, 0, tzinfo=UTC)
        assert to_local(moment, "Asia/Shanghai").utcoffset() == timedelta(hours=8)
    # After 16:00 UTC it is already the next day in Shanghai.
    assert local_date(datetime(2026, 5, 16, 16, 30, tzinfo=UTC), "Asia/Shanghai") == "2026-05-17"


def test_a_zone_with_daylight_saving() -> None:
    winter = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 16, 0, tzinfo=UTC)
    assert local_datetime(winter, "America/New_York") == "2026-01-15 12:00"
    assert local_datetime(summer, "America/New_York") == "2026-07-15 12:00"
    # The spring-forward night: 01:59 EST, then 03:00 EDT a minute later.
    assert local_datetime(datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York") == (
        "2026-03-08 01:59"
    )
    assert local_datetime(datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York") == (
        "2026-03-08 03:00"
    )
    assert local_date(datetime(2026, 1, 16, 3, 0, tzinfo=UTC), "America/New_York") == "2026-01-15"


def test_any_offset_in_naive_as_utc_and_no_time() -> None:
    east = datetime(2026, 5, 16, 19, 30, tzinfo=timezone(timedelta(hours=8)))
    assert local_datetime(east, "UTC") == "2026-05-16 11:30"
    assert local_datetime(datetime(2026, 5, 16, 11, 30), "Asia/Shanghai") == "2026-05-16 19:30"
    assert local_datetime(None, "Asia/Shanghai") == "—"
    assert local_date(None, "Asia/Shanghai") == ""


def test_zone_names_are_checked_against_zoneinfo() -> None:
    for good in ("Asia/Shanghai", "Asia/Urumqi", "America/New_York", "UTC"):
        assert is_time_zone(good), good
    for bad in ("Asia/Beijing", "", "CST8", "../../etc/passwd", "asia/shanghai", "Asia/Shanghai "):
        assert not is_time_zone(bad), bad
