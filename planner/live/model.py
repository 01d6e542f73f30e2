"""Meeting-room presence: who is in a room, as the store returns it and the API shows it."""

from __future__ import annotations

from datetime import datetime

import msgspec


class PresentMember(msgspec.Struct, kw_only=True):
    member_id: int
    display_name: str
    since: datetime


class RoomPresence(msgspec.Struct, kw_only=True):
    meeting_id: int
    members: list[PresentMember]
    window_s: float


class ExpiredPresence(msgspec.Struct, kw_only=True, frozen=True):
    estate_id: int
    meeting_id: int
    member_id: int
    display_name: str


class RoomMember(msgspec.Struct, kw_only=True):
    """The data of a ``presence.joined`` event."""

    meeting_id: int
    member_id: int
    display_name: str


class RoomLeft(RoomMember, kw_only=True):
    """The data of a ``presence.left`` event (reason: left, disconnected, timeout)."""

    reason: str
