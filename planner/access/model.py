"""Who is calling, and the bodies of the access routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Id, Out, ShortText

#: the roles granted in one estate (``POST /api/estates/{id}/members``)
EstateRole = Literal["admin", "committee", "owner", "supplier", "treasurer", "observer", "partner"]
#: every role a principal may hold: ``district`` (issue 21) is bound to a set of estates
#: (``planner.district``), has no estate of its own and is refused on every estate route
Role = Literal[EstateRole, "district"]
#: what kind of partner unit (共建单位) a member with role ``partner`` speaks for
PartnerKind = Literal["bank", "school", "hospital", "law_firm", "enterprise", "other"]


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
    role: EstateRole
    display_name: ShortText
    household_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] = []
    supplier_id: Id | None = None
    #: role partner only (defaults to ``other`` for it)
    partner_kind: PartnerKind | None = None


class MemberCreated(Out):
    member_id: int
    token: str
    login_url: str


class PendingRevocation(Out):
    """A committee member's request to revoke another, awaiting a second one (or the admin)."""

    request_id: int
    requested_by: int
    requested_by_name: str
    requested_at: datetime


class MemberOut(Out):
    id: int
    estate_id: int | None
    role: str
    display_name: str
    supplier_id: int | None
    household_ids: list[int]
    revoked: bool
    #: the pending request to revoke this member, if any
    revocation: PendingRevocation | None = None
    #: what the caller's revoke would do: ``now``, ``request`` (a second committee member
    #: must confirm), ``confirm`` (confirms another's request), or null (may not)
    revocable: Literal["now", "request", "confirm"] | None = None
    #: role partner: the kind of unit (bank, school, hospital, law_firm, enterprise, other)
    partner_kind: str | None = None
    #: whether the caller may withdraw the pending request
    withdrawable: bool = False


class RevocationOut(Out, omit_defaults=True):
    """The answer of a revoke: revoked now, or a request recorded (``pending``)."""

    revoked: bool
    pending: bool = False
    request_id: int | None = None


class RevocationTarget(msgspec.Struct, frozen=True, kw_only=True):
    """A member about to be revoked (row locked): estate, role, and any pending request."""

    estate_id: int | None
    role: str
    revoked: bool
    request_id: int | None
    requested_by: int | None


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
