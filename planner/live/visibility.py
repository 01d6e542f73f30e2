"""Who may see which event: the one rule replay and live delivery both apply.

Audiences (set by the writer of the event, see docs/events.md):
  * ``all``      every member of the estate, suppliers included (public facts);
  * ``members``  every member except suppliers;
  * ``staff``    admin, committee, treasurer, observer;
  * ``supplier`` staff, and the members of the supplier named by ``supplier_id``;
  * ``bidder``   only the members of the supplier named by ``supplier_id`` (sealed
    quotes before opening: not even the committee);
  * ``wishes``   every member except suppliers, partner units included (small wishes and
    pledges: the only events a partner unit sees).
An unknown audience is shown to no one, so a typo hides an event instead of leaking it.
"""

from __future__ import annotations

from typing import Protocol

from planner.access.model import Principal

STAFF_ROLES = frozenset({"admin", "committee", "treasurer", "observer"})
LISTENING_ROLES = frozenset(
    {"admin", "committee", "owner", "supplier", "treasurer", "observer", "partner"}
)


class Audienced(Protocol):
    @property
    def audience(self) -> str: ...

    @property
    def supplier_id(self) -> int | None: ...


def may_listen(principal: Principal, estate_id: int) -> bool:
    """Whether the principal may open the estate's live stream at all."""
    in_estate = principal.estate_id == estate_id or (
        principal.role == "admin" and principal.estate_id is None
    )
    return in_estate and principal.role in LISTENING_ROLES


def audience_class(principal: Principal) -> tuple[str, int | None]:
    """What `may_see` reads of the principal: principals of one class see the same events."""
    return (principal.role, principal.supplier_id)


def may_see(principal: Principal, event: Audienced) -> bool:
    """Whether `event` may be sent to `principal` (who already passed `may_listen`)."""
    audience = event.audience
    is_own_supplier = (
        principal.role == "supplier"
        and principal.supplier_id is not None
        and principal.supplier_id == event.supplier_id
    )
    if principal.role == "partner":
        return audience == "wishes"
    if audience in ("all", "wishes"):
        return audience == "all" or principal.role != "supplier"
    if audience == "members":
        return principal.role != "supplier"
    if audience == "staff":
        return principal.role in STAFF_ROLES
    if audience == "supplier":
        return principal.role in STAFF_ROLES or is_own_supplier
    if audience == "bidder":
        return is_own_supplier
    return False
