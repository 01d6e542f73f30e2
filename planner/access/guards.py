"""Role and estate checks used by every route."""

from __future__ import annotations

from collections.abc import Iterable

from planner.access.model import Principal
from planner.errors import Forbidden

ALL_ROLES = ("admin", "committee", "owner", "supplier", "treasurer", "observer")
ANY_MEMBER = ALL_ROLES
MEMBERS = ("admin", "committee", "owner", "treasurer", "observer")
STAFF = ("admin", "committee", "treasurer", "observer")
MANAGERS = ("admin", "committee")
TREASURY = ("admin", "committee", "treasurer")


def in_estate(principal: Principal, estate_id: int) -> bool:
    return principal.is_global_admin or principal.estate_id == estate_id


def authorize(principal: Principal, estate_id: int, roles: Iterable[str]) -> None:
    """Raise 403 unless the principal holds one of ``roles`` in ``estate_id``.

    The global admin passes every estate check.
    """
    if not in_estate(principal, estate_id):
        raise Forbidden("not a member of this estate")
    if principal.role not in tuple(roles):
        raise Forbidden(f"role {principal.role} may not do this")
