"""The access use cases: sign-in and sign-out, granting and revoking members' roles.

Each runs in one transaction with the events it records.
"""

from __future__ import annotations

import secrets

from planner.access import failures, store
from planner.access.guards import MANAGERS, authorize
from planner.access.model import MemberOut, NewGrant, NewMember, NewSession, Principal
from planner.access.tokens import new_token
from planner.db.pool import Database
from planner.errors import BadRequest, Forbidden, NotFound
from planner.estates import store as estates_store
from planner.events import append_event
from planner.settings import AuthLimits


async def sign_in(db: Database, token: str, client: str, limits: AuthLimits) -> NewSession:
    """Open a browser session for a sign-in link's token.

    A wrong or revoked token is 401, or 429 once ``client`` (or everyone) has failed too
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
    # recorded outside the transaction above (a wrong token must not roll its record back)
    await failures.wrong_token(db, client, limits, "this sign-in link is invalid or was revoked")


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
    authorize(principal, estate_id, MANAGERS, what="estate")
    async with db.connection() as conn:
        return await store.list_members(conn, estate_id)


async def revoke_member(db: Database, principal: Principal, member_id: int) -> bool:
    """Revoke a member's token and sessions (their next request gets 401); False when the
    member was already revoked."""
    async with db.transaction() as conn:
        estate_id = await store.member_estate(conn, member_id)
        if estate_id is None:
            raise NotFound("member")
        authorize(principal, estate_id, MANAGERS, what="member")
        revoked = await store.revoke_member(conn, member_id)
        if revoked:
            await append_event(
                conn,
                estate_id=estate_id,
                type="member.revoked",
                data={"member_id": member_id},
                actor_id=principal.member_id,
                audience="staff",
            )
    return revoked
