"""Sign-in, sign-out, the caller's identity, and members of an estate."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Response
from litestar.status_codes import HTTP_201_CREATED

from planner.access import store
from planner.access.guards import MANAGERS, authorize, capabilities
from planner.access.middleware import CSRF_COOKIE, SESSION_COOKIE
from planner.access.model import Me, MemberCreated, MemberOut, NewMember
from planner.access.tokens import new_token
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.errors import BadRequest, Forbidden, NotFound, PlannerError, Unauthorized
from planner.events import append_event

SIGN_IN_LIMIT = 20
SIGN_IN_WINDOW_S = 60


class TooManyAttempts(PlannerError):
    status = 429
    title = "Too many sign-in attempts"


class SignInController(Controller):
    include_in_schema = False

    @get("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        settings: SettingsDep,
        token: FromQuery[str] = "",
    ) -> Response[Any]:
        """Exchange a sign-in link's token for an HttpOnly session cookie, then go home."""
        client = request.client.host if request.client else "unknown"
        # The attempt is recorded in its own transaction: a wrong token rolls back the one
        # below, and attempts that are not counted would not slow down guessing.
        async with db.transaction() as conn:
            attempts = await store.count_recent_sign_ins(conn, client, SIGN_IN_WINDOW_S)
        if attempts > SIGN_IN_LIMIT:
            raise TooManyAttempts("too many sign-in attempts; wait a minute")
        async with db.transaction() as conn:
            principal = await store.principal_by_token(conn, token) if token else None
            if principal is None:
                raise Unauthorized("this sign-in link is invalid or was revoked")
            session_id = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(24)
            await store.create_session(conn, principal.member_id, session_id, csrf)
        max_age = store.SESSION_DAYS * 86400
        return Redirect(
            "/",
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value=session_id,
                    httponly=True,
                    samesite="lax",
                    secure=settings.cookie_secure,
                    max_age=max_age,
                    path="/",
                ),
                Cookie(
                    key=CSRF_COOKIE,
                    value=csrf,
                    httponly=False,
                    samesite="lax",
                    secure=settings.cookie_secure,
                    max_age=max_age,
                    path="/",
                ),
            ],
        )

    @post("/logout", status_code=200)
    async def logout(self, request: Request[Any, Any, Any], db: DbDep) -> Response[Any]:
        """End the browser session (idempotent)."""
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            async with db.transaction() as conn:
                await store.delete_session(conn, session_id)
        response: Response[dict[str, bool]] = Response({"signed_out": True})
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response


class MemberController(Controller):
    tags = ["members"]

    @get("/api/me")
    async def me(self, principal: PrincipalDep) -> Me:
        return Me(
            member_id=principal.member_id,
            estate_id=principal.estate_id,
            role=principal.role,
            display_name=principal.display_name,
            supplier_id=principal.supplier_id,
            household_ids=list(principal.household_ids),
            csrf_token=principal.csrf_token,
            capabilities=capabilities(principal),
        )

    @post("/api/estates/{estate_id:int}/members", status_code=HTTP_201_CREATED)
    async def add_member(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewMember],
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
    ) -> MemberCreated:
        """Grant a role in this estate; the token is shown once and stored hashed."""
        authorize(principal, estate_id, MANAGERS)
        if data.role == "admin" and not principal.is_global_admin:
            raise Forbidden("only the global admin may create admins")
        if (data.role == "supplier") != (data.supplier_id is not None):
            raise BadRequest("supplier_id", "required for role supplier and only for it")
        token = new_token()
        async with db.transaction() as conn:
            if not await conn.fetchval("SELECT 1 FROM estates WHERE id = $1", estate_id):
                raise NotFound("estate")
            outside = await store.households_outside_estate(conn, estate_id, data.household_ids)
            if outside:
                raise BadRequest("household_ids", f"not households of this estate: {outside}")
            if data.supplier_id is not None and not await store.supplier_in_estate(
                conn, estate_id, data.supplier_id
            ):
                raise BadRequest("supplier_id", "no such supplier in this estate")
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
        return MemberCreated(
            member_id=member_id, token=token, login_url=f"{settings.base_url}/login?token={token}"
        )

    @get("/api/estates/{estate_id:int}/members")
    async def list_members(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MemberOut]:
        authorize(principal, estate_id, MANAGERS)
        async with db.connection() as conn:
            return await store.list_members(conn, estate_id)

    @post("/api/members/{member_id:int}/revoke", status_code=200)
    async def revoke(
        self, member_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> dict[str, bool]:
        """Revoke a member's token and sessions; their next request gets 401."""
        async with db.transaction() as conn:
            estate_id = await store.member_estate(conn, member_id)
            if estate_id is None:
                raise NotFound("member")
            authorize(principal, estate_id, MANAGERS)
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
        return {"revoked": revoked}


route_handlers = [SignInController, MemberController]
