"""Authentication of every HTTP request and WebSocket.

A bearer token (``Authorization: Bearer``, or ``?token=`` on WebSockets, where browsers
cannot set headers) or the session cookie identifies the member. Requests without
credentials pass through with no user; the ``principal`` dependency turns that into 401.
Principals come from the per-process cache (``planner.access.cache``) when it holds them.
Changes made with the cookie must repeat the CSRF token in ``X-CSRF-Token``. A wrong bearer
token counts as a failed sign-in (``planner.access.failures``): 401, or 429 over the limit.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)

from planner.access import failures, service
from planner.access.cache import PrincipalCache
from planner.access.model import Principal
from planner.access.tokens import same_secret
from planner.db.pool import Database
from planner.errors import Forbidden, Unauthorized
from planner.settings import Settings

SESSION_COOKIE = "planner_session"
CSRF_COOKIE = "planner_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(connection: ASGIConnection) -> str | None:  # type: ignore[type-arg]
    header = connection.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Authorization header must be 'Bearer <token>'")
        return value.strip()
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        return connection.query_params.get("token")
    return None


def principal_cache(connection: ASGIConnection) -> PrincipalCache | None:  # type: ignore[type-arg]
    """This process's principal cache (``app.state.principals``, set by the live service,
    which owns the doorbell that empties it); None before it started."""
    cache: PrincipalCache | None = getattr(connection.app.state, "principals", None)
    return cache


class TokenOrSessionMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self,
        connection: ASGIConnection,  # type: ignore[type-arg]
    ) -> AuthenticationResult:
        db: Database = connection.app.state.db
        token = bearer_token(connection)
        session_id = connection.cookies.get(SESSION_COOKIE)
        principal: Principal | None = None
        if token is None and not session_id:
            # Anonymous (the web app's files, sign-in): no database call, so static pages
            # load during a database outage and cost no pool connection.
            return AuthenticationResult(user=None, auth=None)
        cache = principal_cache(connection)
        if token is not None:
            principal = await service.principal_for_token(db, cache, token)
        elif session_id:
            principal = await service.principal_for_session(db, cache, session_id)
        if token is not None and principal is None:
            settings: Settings = connection.app.state.settings
            host = connection.client.host if connection.client else "unknown"
            await failures.wrong_token(db, host, settings.auth, "invalid or revoked token")
        if principal is not None and principal.via_cookie:
            _check_csrf(connection, principal)
        return AuthenticationResult(user=principal, auth="cookie" if session_id else "bearer")


def _check_csrf(connection: ASGIConnection, principal: Principal) -> None:  # type: ignore[type-arg]
    if connection.scope["type"] != ScopeType.HTTP:
        return
    method = connection.scope.get("method", "GET")
    if method in SAFE_METHODS:
        return
    sent = connection.headers.get(CSRF_HEADER, "")
    if not principal.csrf_token or not same_secret(sent, principal.csrf_token):
        raise Forbidden(
            "missing or wrong X-CSRF-Token for a cookie-authenticated change", "csrf_failed"
        )
