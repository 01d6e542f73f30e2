"""Who is calling, and the bodies of the access routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Id, Out, ShortText

Role = Literal["admin", "committee", "owner", "supplier", "treasurer", "observer"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticated member of one request or WebSocket."""

    member_id: int
    estate_id: int | None
    role: Role
    display_name: str
    supplier_id: int | None = None
    household_ids: tuple[int, ...] = ()
    via_cookie: bool = False
    csrf_token: str | None = None
    #: the browser session (signed in by cookie): its stored hash and when it expires
    session_hash: bytes | None = None
    session_expires_at: datetime | None = None

    @property
    def is_global_admin(self) -> bool:
        return self.role == "admin" and self.estate_id is None


class NewMember(Body):
    role: Role
    display_name: ShortText
    household_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] = []
    supplier_id: Id | None = None


class MemberCreated(Out):
    member_id: int
    token: str
    login_url: str


class MemberOut(Out):
    id: int
    estate_id: int | None
    role: str
    display_name: str
    supplier_id: int | None
    household_ids: list[int]
    revoked: bool


class Me(Out):
    member_id: int
    estate_id: int | None
    role: str
    display_name: str
    supplier_id: int | None
    household_ids: list[int]
    csrf_token: str | None
    capabilities: list[str] = []


class NewSession(msgspec.Struct, frozen=True, kw_only=True):
    """A browser session made by a sign-in link: the cookie's secret and its CSRF token."""

    session_id: str
    csrf_token: str


class NewGrant(msgspec.Struct, frozen=True, kw_only=True):
    """A member just added; ``token`` is shown once."""

    member_id: int
    token: str
