"""create_app(settings): the one place where the service is wired together."""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Response
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from planner.access.bootstrap import ensure_admin
from planner.access.middleware import TokenOrSessionMiddleware
from planner.access.model import Principal
from planner.db.embedded import EmbeddedPostgres
from planner.db.migrate import migrate
from planner.db.pool import Database, connect_raw
from planner.deps import DbDep
from planner.errors import BadRequest, PlannerError, Unauthorized, code_for_reason, field_error
from planner.settings import Settings

log = logging.getLogger("planner")

SLICES = (
    "access",
    "estates",
    "works",
    "negotiation",
    "deliberation",
    "funding",
    "funding.exports",
    "payments",
    "live",
)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PROBLEM_JSON = "application/problem+json"
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _slice_modules() -> list[ModuleType]:
    """Each slice's ``routes`` module (slices without one yet are skipped)."""
    modules = []
    for name in SLICES:
        qualified = f"planner.{name}.routes"
        try:
            modules.append(importlib.import_module(qualified))
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
    return modules


def _hooks(modules: Sequence[ModuleType], name: str) -> list[Callable[[Litestar], Any]]:
    return [getattr(m, name) for m in modules if callable(getattr(m, name, None))]


def provide_db(state: State) -> Database:
    db: Database = state.db
    return db


async def provide_principal(request: Request) -> Principal:  # type: ignore[type-arg]
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthorized()
    return user


_STATUS_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    code: str | None = None,
    params: dict[str, Any] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "code": code or _STATUS_CODES.get(status, "invalid"),
        "params": params or {},
        "errors": errors or [],
    }
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _planner_error(_: Request, exc: PlannerError) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    return problem(exc.status, exc.title, exc.detail, exc.errors, exc.code, exc.params, **exc.extra)


def _validation_error(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            reason = str(item.get("message", ""))
            field = str(item.get("key") or "body")
            unknown = _UNKNOWN_FIELD.search(reason)
            if unknown:
                field = (
                    unknown.group(1) if field in ("data", "body") else f"{field}.{unknown.group(1)}"
                )
            code, params = code_for_reason(reason)
            errors.append(field_error(field, code, reason, params))
    if not errors:
        errors.append(field_error("body", "invalid", exc.detail, {"reason": exc.detail}))
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(400, "Bad request", detail, errors, errors[0]["code"], errors[0]["params"])


def _http_error(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    detail = str(exc.detail)
    code = _STATUS_CODES.get(exc.status_code, "invalid")
    errors = [field_error("body", code, detail)] if exc.status_code == 400 else []
    return problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), detail, errors, code)


def _undecodable_body(_: Request, exc: Exception) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    """Bodies the JSON decoder gives up on (bad UTF-8, nesting past the recursion limit)."""
    too_deep = isinstance(exc, RecursionError)
    code = "too_deep" if too_deep else "not_utf8"
    reason = "the body is nested too deeply" if too_deep else "the body is not valid UTF-8"
    return problem(400, "Bad request", reason, [field_error("body", code, reason)], code)


def _data_error(request: Request, exc: asyncpg.DataError) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    """Values PostgreSQL cannot hold (NUL in text, integers past bigint): the transaction
    rolled back, so nothing was stored; the caller's input is at fault."""
    log.info("refused input on %s %s: %s", request.method, request.url.path, exc)
    reason = "a value cannot be stored (text with NUL characters, or a number out of range)"
    return problem(
        400, "Bad request", reason, [field_error("body", "not_storable", reason)], "not_storable"
    )


_AT_PATH = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)


def _struct_type(annotation: Any) -> Any:
    """The msgspec type to decode a handler's ``data`` with strictly, or None."""
    inner = getattr(annotation, "__origin__", None)
    if inner is list:
        (item,) = annotation.__args__
        return annotation if isinstance(item, type) and issubclass(item, msgspec.Struct) else None
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation
    return None


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Decode JSON bodies strictly against the handler's Struct before Litestar's lax pass.

    Litestar converts request data with ``strict=False``, which would take ``"100"`` or
    ``12.0`` for an integer number of fen; money must be a JSON integer, so the body is first
    decoded here with msgspec's strict rules and refused with the failing field's path.
    """
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    field = request.route_handler.parsed_data_field
    if field is None or not request.headers.get("content-type", "application/json").startswith(
        "application/json"
    ):
        return
    target = _struct_type(field.annotation)
    if target is None:
        return
    try:
        msgspec.json.decode(await request.body(), type=target, strict=True)
    except msgspec.ValidationError as exc:
        match = _AT_PATH.match(str(exc))
        assert match is not None
        path = (match.group("path") or "").lstrip(".") or "body"
        unknown = _UNKNOWN_FIELD.search(match.group("reason"))
        if unknown:
            path = unknown.group(1) if path == "body" else f"{path}.{unknown.group(1)}"
        reason = match.group("reason")
        raise BadRequest(path, reason, *code_for_reason(reason)) from None
    except msgspec.DecodeError as exc:
        raise BadRequest("body", f"not valid JSON: {exc}", "not_json") from None


def _internal_error(request: Request, exc: Exception) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal server error", "the server failed; the change was not made")


class SecurityHeadersMiddleware:
    """Adds no-sniff, frame-deny, no-referrer and (outside /schema) a strict CSP to responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        with_csp = not scope["path"].startswith("/schema")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                if with_csp:
                    extra["content-security-policy"] = PAGE_CSP
                headers += [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


@get("/health", include_in_schema=True, tags=["service"])
async def health(db: DbDep) -> dict[str, Any]:
    """200 when the database answers."""
    async with db.connection() as conn:
        version = await conn.fetchval("SELECT current_setting('server_version')")
    return {"status": "ok", "database": "ok", "postgres": version}


def create_app(
    settings: Settings, after_start: Callable[[Litestar], Awaitable[None]] | None = None
) -> Litestar:
    """Wire settings, database, access, every slice's routes, errors and static pages.

    ``after_start`` runs once the database is migrated and the pool is up (the CLI uses it
    to print where things are and to load the demo estate).
    """
    modules = _slice_modules()
    startup_hooks = _hooks(modules, "on_startup")
    shutdown_hooks = _hooks(modules, "on_shutdown")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        embedded: EmbeddedPostgres | None = None
        url = settings.database_url
        if url is None:
            embedded = EmbeddedPostgres(settings.data_dir)
            url = await asyncio.to_thread(embedded.start)
        conn = await connect_raw(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        db = await Database.connect(url, settings.pool_min_size, settings.pool_max_size)
        app.state.db = db
        app.state.database_url = url
        async with db.connection() as conn:
            app.state.new_admin_token = await ensure_admin(conn, settings.data_dir)
        app.state.embedded = embedded is not None
        for hook in startup_hooks:
            await hook(app)
        if after_start is not None:
            await after_start(app)
        try:
            yield
        finally:
            for hook in reversed(shutdown_hooks):
                await hook(app)
            await db.close()
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)

    handlers: list[Any] = [health]
    for module in modules:
        handlers.extend(module.route_handlers)
    if WEB_DIR.is_dir():
        handlers.append(
            create_static_files_router(
                path="/", directories=[WEB_DIR], html_mode=True, include_in_schema=False, name="web"
            )
        )

    return Litestar(
        route_handlers=handlers,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "principal": Provide(provide_principal),
        },
        middleware=[SecurityHeadersMiddleware, DefineMiddleware(TokenOrSessionMiddleware)],
        before_request=strict_json_body,
        exception_handlers={
            PlannerError: _planner_error,
            ValidationException: _validation_error,
            HTTPException: _http_error,
            UnicodeDecodeError: _undecodable_body,
            RecursionError: _undecodable_body,
            asyncpg.DataError: _data_error,
            Exception: _internal_error,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Gongshang planner API",
            version="0.1.0",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="member token from POST .../members",
                    ),
                }
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
