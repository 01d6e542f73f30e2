"""Sign-in, sign-out, the caller's identity, and members of an estate."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Response
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from planner.access import service, signin_page
from planner.access.failures import TooManyFailures
from planner.access.guards import capabilities
from planner.access.middleware import CSRF_COOKIE, SESSION_COOKIE
from planner.access.model import Me, MemberCreated, MemberOut, NewMember, RevocationOut
from planner.access.store import SESSION_DAYS
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.errors import Forbidden, Unauthorized


class SignInController(Controller):
    include_in_schema = False

    @get("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        settings: SettingsDep,
        token: FromQuery[str] = "",
        lang: FromQuery[str] = "",
        why: FromQuery[str] = "",
        wait: FromQuery[str] = "",
    ) -> Response[Any]:
        """Exchange a sign-in link's token for an HttpOnly session cookie, then go home.

        A link that does not work: problem+json (401 ``signin_link_invalid`` or
        ``signin_link_revoked``, 429 over the failed-sign-in limit), or for a browser the
        sign-in page in its language (``planner.access.signin_page``). Without a token a
        browser gets that page too (``why``/``wait`` keep what it said across its language
        switch) and no failure is counted."""
        if _wants_html(request) and not token:
            reason = why if why in signin_page.REASONS else "missing"
            minutes = int(wait) if wait.isdigit() and 0 < int(wait) < 10_000 else 1
            return _page(request, lang, reason, minutes, chosen=bool(lang))
        return await _sign_in(request, db, settings, token, lang, from_form=False)

    @post("/login", status_code=303, opt={"exclude_from_auth": True})
    async def login_form(
        self, request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep
    ) -> Response[Any]:
        """The sign-in page's form: ``link`` (a pasted link or bare token) and ``lang``.
        Signs in like ``GET /login`` (303 to ``/``) or answers with the page again (problem+json
        to a client that does not ask for HTML). Left out
        of authentication: a stale session cookie must not make it a CSRF-checked change.
        A form posted from another site (its ``Origin`` is not this host) is refused (403
        ``csrf_failed``): another site must not sign a visitor in as someone else."""
        if _from_another_site(request):
            raise Forbidden("the sign-in form was posted from another site", "csrf_failed")
        form = await request.form()
        link = str(form.get("link") or "")
        lang = str(form.get("lang") or "")
        token = token_of(link)
        if not token:  # nothing pasted: no guess, so no failure counted
            if _wants_html(request):
                return _page(request, lang, "missing", 1, chosen=False)
            raise Unauthorized("paste a sign-in link or its token", "signin_link_invalid")
        return await _sign_in(request, db, settings, token, lang, from_form=True)

    @post("/logout", status_code=200)
    async def logout(self, request: Request[Any, Any, Any], db: DbDep) -> Response[Any]:
        """End the browser session (idempotent)."""
        await service.sign_out(db, request.cookies.get(SESSION_COOKIE))
        response: Response[dict[str, bool]] = Response({"signed_out": True})
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response


def _from_another_site(request: Request[Any, Any, Any]) -> bool:
    """A browser's request made by another site's page: ``Sec-Fetch-Site`` says so, or an
    ``Origin`` that is not this host (``null``, sent under our no-referrer policy, is left to
    ``Sec-Fetch-Site``)."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin")
    return (
        bool(origin) and origin != "null" and urlsplit(origin).netloc != request.headers.get("host")
    )


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


def token_of(link: str) -> str:
    """The token in a pasted sign-in link (``...?token=...``), or the pasted text itself."""
    text = link.strip()
    if "token=" in text:
        values = parse_qs(urlsplit(text).query).get("token") or parse_qs(text).get("token")
        return values[0].strip() if values else ""
    return text


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser's navigation (text/html preferred); ``*/*`` and JSON keep problem+json."""
    best = request.accept.best_match(["application/json", "application/problem+json", "text/html"])
    return best == "text/html"


def _lang_cookie(lang: str) -> Cookie:
    return Cookie(
        key=signin_page.LANG_COOKIE, value=lang, samesite="lax", max_age=365 * 86400, path="/"
    )


def _page(
    request: Request[Any, Any, Any],
    asked: str,
    reason: signin_page.Reason,
    minutes: int,
    *,
    chosen: bool,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    lang = signin_page.pick_lang(
        asked,
        request.cookies.get(signin_page.LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    return Response(
        signin_page.render(lang, reason, minutes),
        status_code=status or (429 if reason == "limited" else 401),
        media_type=MediaType.HTML,
        headers={"cache-control": "no-store", **(headers or {})},
        cookies=[_lang_cookie(lang)] if chosen else None,
    )


async def _sign_in(
    request: Request[Any, Any, Any],
    db: DbDep,
    settings: SettingsDep,
    token: str,
    lang: str,
    *,
    from_form: bool,
) -> Response[Any]:
    client = request.client.host if request.client else "unknown"
    try:
        session = await service.sign_in(db, token, client, settings.auth)
    except (Unauthorized, TooManyFailures) as error:
        if not _wants_html(request):
            raise
        reason = signin_page.CODE_REASONS.get(error.code, "invalid")
        retry = (
            int(error.headers.get("retry-after", "60"))
            if isinstance(error, TooManyFailures)
            else 60
        )
        return _page(
            request,
            lang,
            reason,
            signin_page.retry_minutes(retry),
            chosen=False,
            status=error.status,
            headers=getattr(error, "headers", None),
        )
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
    if from_form and lang in signin_page.LANGUAGES:
        cookies.append(_lang_cookie(lang))
    return Redirect("/", cookies=cookies, status_code=303 if from_form else 302)


route_handlers = [SignInController, MemberController]
