"""Role and estate checks used by every route."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from planner.access.model import Principal
from planner.errors import Conflict, Forbidden, NotFound

ALL_ROLES = ("admin", "committee", "owner", "supplier", "treasurer", "observer", "partner")
# Everyone of the estate but partner units, who see wishes, pledges, the estate and its works
# (public facts they pledge to) and nothing else.
ANY_MEMBER = ("admin", "committee", "owner", "supplier", "treasurer", "observer")
ESTATE_READERS = ALL_ROLES
WORK_READERS = ALL_ROLES
PARTNERS = ("partner",)
MEMBERS = ("admin", "committee", "owner", "treasurer", "observer")
STAFF = ("admin", "committee", "treasurer", "observer")
MANAGERS = ("admin", "committee")
TREASURY = ("admin", "committee", "treasurer")
# Who may cast a ballot (for their own units, or as a proxy for delegated ones): the one
# statement of it, used by the ballot box and by the delegation rules.
VOTERS = ("admin", "committee", "owner", "treasurer")
# Who approves a funding plan (the committee solves drafts but does not approve them).
PLAN_APPROVERS = ("admin", "treasurer")
# Who may submit a suggestion (owners for their own units; the committee and the admin also
# on paper and on behalf of a household).
SUGGESTERS = ("admin", "committee", "owner")
# District staff (区/街道/社区, issue 21): no estate of their own, so ``authorize`` refuses
# them on every estate route (as an outsider: 404); they read ``planner.district`` only.
DISTRICT = ("district",)

# What each role may do, by name: ``/api/me`` lists the caller's capabilities, and the web
# shows screens and buttons from that list instead of keeping role lists of its own.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "meetings.view": MEMBERS,
    "meetings.manage": MANAGERS,
    "ballots.cast": VOTERS,
    "consultations.view": MEMBERS,
    "consultations.manage": MANAGERS,
    "paper.enter": MANAGERS,
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
    # needs and choosing works (issue 18)
    "wishes.view": (*MEMBERS, "partner"),
    "wishes.fulfil": PARTNERS,
    "pledges.make": PARTNERS,
    "suggestions.submit": SUGGESTERS,
    "suggestions.view": STAFF,
    "suggestions.triage": MANAGERS,
    "questionnaires.answer": SUGGESTERS,
    "questionnaires.manage": MANAGERS,
    # common problems and the board (issue 18): the board is the estate's notice board,
    # partner units read it too; suppliers do not
    "problems.view": MEMBERS,
    "problems.manage": MANAGERS,
    "problems.support": VOTERS,
    "board.view": (*MEMBERS, "partner"),
    "wishes.post": ("admin", "committee", "owner"),
    "wishes.manage": MANAGERS,
    # the collection ledger (issue 19)
    "ledger.view": TREASURY,
    "ledger.record": ("admin", "treasurer"),
    "choice.view": MEMBERS,
    "choice.manage": MANAGERS,
    "choice.approve": VOTERS,
    # works delivery (issue 19): owners follow progress and sign acceptances as representatives
    "delivery.view": MEMBERS,
    "delivery.manage": MANAGERS,
    "acceptance.sign": ("admin", "committee", "owner"),
    # settlement (issue 19): variations by the committee, final accounts by the treasurer
    "variations.manage": MANAGERS,
    "final_accounts.manage": ("admin", "treasurer"),
    "final_accounts.approve": PLAN_APPROVERS,
    "variations.threshold": ("admin",),
    # disclosure (issue 19): members read it, the committee publishes the public link
    "disclosure.view": MEMBERS,
    "disclosure.publish": MANAGERS,
    # the district (issue 21): its staff read aggregates over their assigned estates only
    "district.view": DISTRICT,
}


def capabilities(principal: Principal) -> list[str]:
    """The capability names the principal's role holds (the global admin: all, and estates)."""
    held = [name for name, roles in CAPABILITIES.items() if principal.role in roles]
    if principal.is_global_admin:
        held.append("estates.manage")
    return held


def in_estate(principal: Principal, estate_id: int) -> bool:
    """The global admin is in every estate; a district member (no estate) in none."""
    if principal.role == "district":
        return False
    return principal.is_global_admin or principal.estate_id == estate_id


def authorize_district(principal: Principal, *, manage: bool = False) -> None:
    """Raise 403 ``role_not_allowed`` unless the principal is district staff (reading) or the
    global admin (reading every estate; ``manage``: only the global admin)."""
    if principal.is_global_admin or (principal.role in DISTRICT and not manage):
        return
    raise Forbidden(
        f"role {principal.role} may not do this", "role_not_allowed", {"role": principal.role}
    )


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


# Revoking members (issue 15): ranks admin > committee > everyone else.
RANKS: dict[str, int] = {"admin": 3, "committee": 2}
#: the lowest rank whose revocation needs the admin or a second committee member
GUARDED_RANK = 2

RevocationPath = Literal["now", "request", "confirm"]


def rank(role: str) -> int:
    return RANKS.get(role, 1)


def revocation_path(
    principal: Principal,
    estate_id: int,
    target_id: int,
    target_role: str,
    pending_requested_by: int | None = None,
) -> RevocationPath:
    """How the principal may revoke the member ``target_id`` (of ``estate_id``), or 403.

    * anyone may revoke themselves (``now``);
    * otherwise only managers (admin, committee) of the estate, and never a higher rank
      (403 ``rank_too_low``);
    * the admin revokes anyone of the estate at once (``now``); a committee member revokes
      lower ranks at once, and another committee member only with a second committee
      member: the first call records a request (``request``), a call by a different one
      confirms it (``confirm``); the same member asking twice is 409
      ``revocation_already_requested``.
    """
    if principal.member_id == target_id:
        return "now"
    authorize(principal, estate_id, MANAGERS, what="member")
    mine, theirs = rank(principal.role), rank(target_role)
    if mine < theirs:
        raise Forbidden(
            f"role {principal.role} may not revoke a member ranked higher ({target_role})",
            "rank_too_low",
            {"role": principal.role, "target_role": target_role},
        )
    if theirs < GUARDED_RANK or mine > theirs or mine == RANKS["admin"]:
        return "now"
    if pending_requested_by is None:
        return "request"
    if pending_requested_by == principal.member_id:
        raise Conflict(
            "you already asked to revoke this member; another committee member or the admin "
            "must confirm",
            "revocation_already_requested",
        )
    return "confirm"


def may_withdraw_revocation(principal: Principal, estate_id: int, requested_by: int) -> bool:
    """The member who asked, or an admin of the estate, may withdraw a revocation request."""
    return principal.member_id == requested_by or (
        in_estate(principal, estate_id) and rank(principal.role) == RANKS["admin"]
    )
