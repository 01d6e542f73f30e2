"""Sign-in, sign-out, the caller's identity, and members of an estate."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Response
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from planner.access import service
from planner.access.guards import capabilities
from planner.access.middleware import CSRF_COOKIE, SESSION_COOKIE
from planner.access.model import Me, MemberCreated, MemberOut, NewMember, RevocationOut
from planner.access.store import SESSION_DAYS
from planner.deps import DbDep, PrincipalDep, SettingsDep


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
        session = await service.sign_in(db, token, client, settings.auth)
        cookies = [
            Cookie(
                key=key,
                value=value,
                httponly=httponly,
                samesite="lax",
                secure=settings.cookie_secure,
                max_age=SESSION_DAYS * 86400,
                path="/",
            )
            for key, value, httponly in (
                (SESSION_COOKIE, session.session_id, True),
                (CSRF_COOKIE, session.csrf_token, False),
            )
        ]
        return Redirect("/", cookies=cookies)

    @post("/logout", status_code=200)
    async def logout(self, request: Request[Any, Any, Any], db: DbDep) -> Response[Any]:
        """End the browser session (idempotent)."""
        await service.sign_out(db, request.cookies.get(SESSION_COOKIE))
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
        grant = await service.add_member(db, principal, estate_id, data)
        return MemberCreated(
            member_id=grant.member_id,
            token=grant.token,
            login_url=f"{settings.base_url}/login?token={grant.token}",
        )

    @get("/api/estates/{estate_id:int}/members")
    async def list_members(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[MemberOut]:
        return await service.list_members(db, principal, estate_id)

    @post("/api/members/{member_id:int}/revoke", status_code=200)
    async def revoke(
        self, member_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> Response[RevocationOut]:
        """Revoke a member's token and sessions: their next request gets 401 and their open
        sockets close (4401). Ranks admin > committee > others: nobody revokes a higher rank
        (403 ``rank_too_low``); anyone may revoke themselves; a committee member revoking
        another records a request (202, ``pending``) that a second committee member's revoke
        confirms (the same one again: 409); the admin revokes at once."""
        outcome = await service.revoke_member(db, principal, member_id)
        return Response(outcome, status_code=HTTP_202_ACCEPTED if outcome.pending else 200)

    @delete("/api/members/{member_id:int}/revocation-request", status_code=200)
    async def withdraw_revocation(
        self, member_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> dict[str, bool]:
        """Withdraw the pending request to revoke the member (the one who asked, or the
        admin); 409 ``revocation_not_pending`` when there is none."""
        await service.withdraw_revocation(db, principal, member_id)
        return {"withdrawn": True}


route_handlers = [SignInController, MemberController]
