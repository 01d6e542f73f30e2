"""The access use cases: sign-in and sign-out, granting and revoking members' roles.

Each runs in one transaction with the events it records.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import asyncpg
import msgspec

from planner.access import failures, lookups, store
from planner.access.cache import Key, PrincipalCache, session_key, token_key
from planner.access.guards import (
    MANAGERS,
    RevocationPath,
    authorize,
    may_withdraw_revocation,
    revocation_path,
)
from planner.access.model import (
    MemberOut,
    NewGrant,
    NewMember,
    NewSession,
    Principal,
    RevocationOut,
)
from planner.access.tokens import new_token, token_hash
from planner.db.pool import Database
from planner.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PlannerError,
)
from planner.estates import store as estates_store
from planner.events import append_event
from planner.settings import AuthLimits

# Who is calling (every request and socket), through the per-process cache ------------------


async def principal_for_token(
    db: Database, cache: PrincipalCache | None, token: str
) -> Principal | None:
    """The member signed in by ``token``, or None (unknown or revoked)."""
    hashed = token_hash(token)
    return await _cached(cache, token_key(hashed), lookups.tokens(db), hashed)


async def principal_for_session(
    db: Database, cache: PrincipalCache | None, session_id: str
) -> Principal | None:
    """The member signed in by the browser session ``session_id``, or None (ended, expired)."""
    hashed = token_hash(session_id)
    return await _cached(cache, session_key(hashed), lookups.sessions(db), hashed)


async def _cached(
    cache: PrincipalCache | None, key: Key, lookup: lookups.Lookups, hashed: bytes
) -> Principal | None:
    """From the cache, else from the (coalesced) lookup, cached unless rung meanwhile."""
    if cache is not None and (found := cache.get(key)) is not None:
        return found
    generation = cache.generation if cache is not None else 0
    principal = await lookup.get(hashed)
    if principal is not None and cache is not None:
        cache.put(key, principal, generation)
    return principal


async def sign_in(db: Database, token: str, client: str, limits: AuthLimits) -> NewSession:
    """Open a browser session for a sign-in link's token.

    A wrong token is 401 ``signin_link_invalid``, a revoked one 401 ``signin_link_revoked``,
    or either is 429 once ``client`` (or everyone) has failed too
    often (``planner.access.failures``); a right token always signs in.
    """
    async with db.transaction() as conn:
        principal = await store.principal_by_token(conn, token) if token else None
        if principal is not None:
            session = NewSession(
                session_id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(24)
            )
            await store.create_session(
                conn, principal.member_id, session.session_id, session.csrf_token
            )
            return session
        # Telling a revoked link from a wrong one helps no guesser: only someone holding a
        # token that was really issued (32 random bytes) ever hears "revoked".
        revoked = bool(token) and await store.token_was_revoked(conn, token)
    # recorded outside the transaction above (a wrong token must not roll its record back)
    if revoked:
        await failures.wrong_token(
            db, client, limits, "this sign-in link was revoked", "signin_link_revoked"
        )
    await failures.wrong_token(
        db, client, limits, "this sign-in link is not valid", "signin_link_invalid"
    )


async def sign_out(db: Database, session_id: str | None) -> None:
    """End the browser session (nothing to do without one)."""
    if session_id:
        async with db.transaction() as conn:
            await store.delete_session(conn, session_id)


async def add_member(
    db: Database, principal: Principal, estate_id: int, data: NewMember
) -> NewGrant:
    """Grant a role in the estate; the token is returned once and stored hashed.

    Managers only; an admin role only by the global admin; ``supplier_id`` with role
    supplier and only with it; households and supplier must be the estate's.
    """
    authorize(principal, estate_id, MANAGERS, what="estate")
    if data.role == "admin" and not principal.is_global_admin:
        raise Forbidden("only the global admin may create admins", "admin_only")
    if (data.role == "supplier") != (data.supplier_id is not None):
        raise BadRequest(
            "supplier_id", "required for role supplier and only for it", "supplier_id_mismatch"
        )
    if data.role != "partner" and data.partner_kind is not None:
        raise BadRequest(
            "partner_kind", "only for role partner", "partner_kind_mismatch", {"role": data.role}
        )
    partner_kind = (data.partner_kind or "other") if data.role == "partner" else None
    token = new_token()
    async with db.transaction() as conn:
        if not await estates_store.estate_exists(conn, estate_id):
            raise NotFound("estate")
        outside = await estates_store.households_outside_estate(conn, estate_id, data.household_ids)
        if outside:
            raise BadRequest(
                "household_ids",
                f"not households of this estate: {outside}",
                "not_in_estate",
                {"what": "household", "ids": outside},
            )
        if data.supplier_id is not None and not await store.supplier_in_estate(
            conn, estate_id, data.supplier_id
        ):
            raise BadRequest(
                "supplier_id",
                "no such supplier in this estate",
                "not_in_estate",
                {"what": "supplier", "ids": [data.supplier_id]},
            )
        member_id = await store.insert_member(
            conn,
            estate_id=estate_id,
            role=data.role,
            display_name=data.display_name,
            token=token,
            supplier_id=data.supplier_id,
            household_ids=data.household_ids,
            partner_kind=partner_kind,
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="member.added",
            data={"member_id": member_id, "role": data.role, "display_name": data.display_name},
            actor_id=principal.member_id,
            audience="staff",
        )
    return NewGrant(member_id=member_id, token=token)


async def list_members(db: Database, principal: Principal, estate_id: int) -> list[MemberOut]:
    """The estate's members, each with its pending revocation request and what the
    caller's revoke would do (``revocable``) or whether they may withdraw it."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    async with db.connection() as conn:
        members = await store.list_members(conn, estate_id)
    return [_for_caller(principal, estate_id, m) for m in members]


def _for_caller(principal: Principal, estate_id: int, member: MemberOut) -> MemberOut:
    if member.revoked:
        return member
    pending = member.revocation
    try:
        path: RevocationPath | None = revocation_path(
            principal,
            estate_id,
            member.id,
            member.role,
            pending.requested_by if pending else None,
        )
    except PlannerError:
        path = None
    withdrawable = pending is not None and may_withdraw_revocation(
        principal, estate_id, pending.requested_by
    )
    return msgspec.structs.replace(member, revocable=path, withdrawable=withdrawable)


async def revoke_member(db: Database, principal: Principal, member_id: int) -> RevocationOut:
    """Revoke a member's token and sessions (their next request gets 401, their open
    sockets close), by the ranks of ``guards.revocation_path``: at once, or a request that a
    second committee member confirms. ``revoked`` is False (and nothing changes) when the
    member was already revoked."""
    async with db.transaction() as conn:
        target = await store.member_for_revocation(conn, member_id)
        if target is None or target.estate_id is None:
            raise NotFound("member")
        estate_id = target.estate_id
        path = revocation_path(principal, estate_id, member_id, target.role, target.requested_by)
        if target.revoked:
            return RevocationOut(revoked=False)
        if path == "request":
            request_id = await store.insert_revocation_request(
                conn, estate_id, member_id, principal.member_id
            )
            await _record(
                conn,
                principal,
                estate_id,
                "member.revocation_requested",
                member_id,
                {"request_id": request_id, "role": target.role},
            )
            return RevocationOut(revoked=False, pending=True, request_id=request_id)
        confirms: dict[str, int] = {}
        if target.request_id is not None:
            asked_by = target.requested_by
            confirmed = asked_by != principal.member_id
            await store.decide_revocation_request(
                conn,
                target.request_id,
                "confirmed" if confirmed else "withdrawn",
                principal.member_id,
            )
            if confirmed and asked_by is not None:
                confirms = {"request_id": target.request_id, "requested_by": asked_by}
        await store.revoke_member(conn, member_id)
        await store.withdraw_requests_by(conn, member_id, principal.member_id)
        await _record(conn, principal, estate_id, "member.revoked", member_id, confirms)
    return RevocationOut(revoked=True, request_id=confirms.get("request_id"))


async def withdraw_revocation(db: Database, principal: Principal, member_id: int) -> None:
    """Withdraw the pending request to revoke ``member_id``: by the member who asked or an
    admin of the estate (403 ``revocation_not_yours``); 409 ``revocation_not_pending``
    when there is none."""
    async with db.transaction() as conn:
        target = await store.member_for_revocation(conn, member_id)
        if target is None or target.estate_id is None:
            raise NotFound("member")
        authorize(principal, target.estate_id, MANAGERS, what="member")
        if target.request_id is None or target.requested_by is None:
            raise Conflict("no revocation of this member is pending", "revocation_not_pending")
        if not may_withdraw_revocation(principal, target.estate_id, target.requested_by):
            raise Forbidden(
                "only the member who asked, or the admin, may withdraw this revocation request",
                "revocation_not_yours",
            )
        await store.decide_revocation_request(
            conn, target.request_id, "withdrawn", principal.member_id
        )
        await _record(
            conn,
            principal,
            target.estate_id,
            "member.revocation_withdrawn",
            member_id,
            {"request_id": target.request_id},
        )


async def _record(
    conn: asyncpg.Connection,
    principal: Principal,
    estate_id: int,
    event_type: str,
    member_id: int,
    extra: Mapping[str, object],
) -> None:
    await append_event(
        conn,
        estate_id=estate_id,
        type=event_type,
        data={"member_id": member_id, **extra},
        actor_id=principal.member_id,
        audience="staff",
    )
