"""Times as people read them: in the estate's time zone (issue 16).

The API keeps ISO 8601 timestamps with their offset (UTC in JSON); minutes, payment notices,
exports, file names and the web pages show wall-clock times in the estate's zone, an IANA name
(``Asia/Shanghai`` unless the admin set another).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TIME_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """True for an IANA zone name that zoneinfo knows (``Asia/Shanghai``, ``UTC``)."""
    if name not in _known():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    """The zone named ``name`` (the default zone for ``None`` or an empty name)."""
    return ZoneInfo(name or DEFAULT_TIME_ZONE)


def to_local(moment: datetime, time_zone: str | None) -> datetime:
    """``moment`` (timezone-aware; a naive one is taken as UTC) in the estate's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone(time_zone))


def local_datetime(moment: datetime | None, time_zone: str | None) -> str:
    """``2026-05-16 19:30`` in the estate's zone; ``—`` for no time."""
    if moment is None:
        return "—"
    return to_local(moment, time_zone).strftime("%Y-%m-%d %H:%M")


def local_date(moment: datetime | None, time_zone: str | None) -> str:
    """``2026-05-16``: the calendar day in the estate's zone; empty for no time."""
    if moment is None:
        return ""
    return local_day(moment, time_zone).isoformat()


def local_day(moment: datetime, time_zone: str | None) -> date:
    return to_local(moment, time_zone).date()
