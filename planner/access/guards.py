"""Role and estate checks used by every route."""

from __future__ import annotations

from collections.abc import Iterable

from planner.access.model import Principal
from planner.errors import Forbidden, NotFound

ALL_ROLES = ("admin", "committee", "owner", "supplier", "treasurer", "observer")
ANY_MEMBER = ALL_ROLES
MEMBERS = ("admin", "committee", "owner", "treasurer", "observer")
STAFF = ("admin", "committee", "treasurer", "observer")
MANAGERS = ("admin", "committee")
TREASURY = ("admin", "committee", "treasurer")
# Who may cast a ballot (for their own units, or as a proxy for delegated ones): the one
# statement of it, used by the ballot box and by the delegation rules.
VOTERS = ("admin", "committee", "owner", "treasurer")
# Who approves a funding plan (the committee solves drafts but does not approve them).
PLAN_APPROVERS = ("admin", "treasurer")

# What each role may do, by name: ``/api/me`` lists the caller's capabilities, and the web
# shows screens and buttons from that list instead of keeping role lists of its own.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "meetings.view": MEMBERS,
    "meetings.manage": MANAGERS,
    "ballots.cast": VOTERS,
    "works.view": STAFF,
    "works.manage": MANAGERS,
    "quotes.negotiate": MANAGERS,
    "quotes.submit": ("supplier",),
    "funding.view": STAFF,
    "funding.manage": TREASURY,
    "funding.approve": PLAN_APPROVERS,
    "exports.download": TREASURY,
    "households.view": STAFF,
    "households.import": MANAGERS,
    "members.manage": MANAGERS,
    "share.own": ("owner",),
}


def capabilities(principal: Principal) -> list[str]:
    """The capability names the principal's role holds (the global admin: all, and estates)."""
    held = [name for name, roles in CAPABILITIES.items() if principal.role in roles]
    if principal.is_global_admin:
        held.append("estates.manage")
    return held


def in_estate(principal: Principal, estate_id: int) -> bool:
    return principal.is_global_admin or principal.estate_id == estate_id


def authorize(principal: Principal, estate_id: int, roles: Iterable[str], *, what: str) -> None:
    """Raise unless the principal holds one of ``roles`` in ``estate_id``.

    ``what`` names the thing the request addressed (``"work"``, ``"funding plan"``; ``"estate"``
    for routes addressed by estate id). Outside the caller's estate the answer is the 404
    ``<what>_not_found`` that a missing id gets, byte for byte, so that another estate's ids
    cannot be told from ids that do not exist (issue 15, item 7). Inside it, a role that may
    not do this is 403 ``role_not_allowed``. The global admin passes every estate check.
    """
    if not in_estate(principal, estate_id):
        raise NotFound(what)
    if principal.role not in tuple(roles):
        raise Forbidden(
            f"role {principal.role} may not do this", "role_not_allowed", {"role": principal.role}
        )
