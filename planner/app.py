"""create_app(settings): the one place where the service is wired together.

Settings (the live ones included), the database, the slices' routes and start/stop hooks,
authentication, problem answers, static pages, and the ASGI entry the server runs
(``create_asgi``, ``serve``).

Problem answers (``planner.problems``): Litestar's ``ProblemDetailsPlugin`` is not used. It
answers with a ``ProblemDetailsException`` (an ``HTTPException``), but our errors live in
``planner.errors`` below the web framework (pure rules raise them and must not import
litestar), so each kind of error would still need a converter of its own; the converters do
not see the request, which the answers to refused database input and to unhandled errors
log; and the plugin adds nothing to our body ``{status, title, detail, code, params,
errors}``. One handler, ``problem_answer``, registered for ``Exception``, answers them all.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Response
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from planner.access import routes as access
from planner.access.bootstrap import ensure_admin
from planner.access.middleware import TokenOrSessionMiddleware
from planner.access.model import Principal
from planner.auction import routes as auction
from planner.choice import routes as choice
from planner.connections import (
    ForwardedHeaders,
    Ledger,
    TrustedProxies,
    guarded_protocols,
    raise_open_files_limit,
)
from planner.consultation import outreach_routes as consultation_outreach
from planner.consultation import paper_routes as consultation_paper
from planner.consultation import record_routes as consultation_record
from planner.consultation import routes as consultation
from planner.db import store as db_store
from planner.db.embedded import EmbeddedPostgres
from planner.db.migrate import migrate
from planner.db.outage import RETRY_AFTER_S, DatabaseUnavailable
from planner.db.pool import Database, connect_raw
from planner.db.replica import ReadDatabase
from planner.deliberation import routes as deliberation
from planner.delivery import routes as delivery
from planner.deps import DbDep
from planner.disclosure import routes as disclosure
from planner.district import routes as district
from planner.errors import Unauthorized
from planner.estates import routes as estates
from planner.funding import routes as funding
from planner.funding.exports import routes as funding_exports
from planner.live import routes as live
from planner.live.connection import RAW_SEND
from planner.needs import board_routes as needs_board
from planner.needs import problem_routes as needs_problems
from planner.needs import questionnaire_routes as needs_questionnaires
from planner.needs import suggestion_routes as needs_suggestions
from planner.negotiation import routes as negotiation
from planner.ocds import routes as ocds
from planner.ops import routes as ops
from planner.ops.logs import configure_logging
from planner.ops.metrics import Metrics, multiprocess_dir
from planner.ops.observe import RequestObserver
from planner.payments import ledger_routes as payments_ledger
from planner.payments import routes as payments
from planner.problems import problem_answer, strict_json_body
from planner.settings import Settings
from planner.settlement import routes as settlement
from planner.wishes import routes as wishes
from planner.works import routes as works

log = logging.getLogger("planner")

# Every slice's routes module: its ``route_handlers`` are served and its ``on_startup`` /
# ``on_shutdown`` hooks run (in this order at start, in reverse at stop). A new slice is one
# import above and one name here.
SLICES: tuple[ModuleType, ...] = (
    access,
    estates,
    works,
    negotiation,
    deliberation,
    consultation,
    consultation_outreach,
    consultation_paper,
    consultation_record,
    funding,
    funding_exports,
    payments,
    payments_ledger,
    needs_suggestions,
    needs_questionnaires,
    needs_problems,
    needs_board,
    wishes,
    choice,
    delivery,
    settlement,
    auction,
    disclosure,
    ocds,
    district,
    live,
)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
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
#: the encoded pairs SecurityHeadersMiddleware adds (when the answer has none of its own)
_SCHEMA_HEADERS = tuple((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
_PAGE_HEADERS = (*_SCHEMA_HEADERS, (b"content-security-policy", PAGE_CSP.encode()))
#: /health reports the database down if it has not answered within this many seconds.
HEALTH_TIMEOUT_S = 3.0


# Middleware, dependencies, the health check ------------------------------------------------


class SecurityHeadersMiddleware:
    """Adds no-sniff, frame-deny, no-referrer and (outside /schema) a strict CSP to responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        extra = _PAGE_HEADERS if not scope["path"].startswith("/schema") else _SCHEMA_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def provide_db(state: State) -> Database:
    db: Database = state.db
    return db


def provide_read_db(state: State) -> Database:
    """The standby's pool (falling back to the primary's), or the primary's if none is set."""
    db: Database = state.read_db
    return db


async def provide_principal(request: Request) -> Principal:  # type: ignore[type-arg]
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthorized()
    return user


@get("/health", include_in_schema=True, tags=["service"], opt={"exclude_from_auth": True})
async def health(request: Request, db: DbDep) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    """Which parts of the service work: ``database`` (answers within
    ``HEALTH_TIMEOUT_S``) and ``listener`` (the live feed's LISTEN connection).

    200 ``{"status": "ok", "database": "ok", "listener": "ok", "postgres": "18.1"}``; while
    the listener reconnects the API works and live events come by polling, so that is 200
    with ``"status": "degraded"``. Without the database: 503 with ``Retry-After`` and
    ``{"status": "degraded", "database": "down", "listener": ...}``. With a read replica
    (``DATABASE_REPLICA_URL``) also ``"replica": "ok"`` and ``"replica_lag_s"``; while it is
    away ``"replica": "down"`` and 200 ``"degraded"`` (its reads go to the primary).
    """
    live = getattr(request.app.state, "live", None)
    listener = "ok" if live is None or live.feed.listening.is_set() else "down"
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_S), db.connection() as conn:
            version = await db_store.server_version(conn)
    except (DatabaseUnavailable, TimeoutError):
        db.outage.refuse()
        body = {"status": "degraded", "database": "down", "listener": listener}
        retry = {"retry-after": str(RETRY_AFTER_S)}
        return Response(body, status_code=503, headers=retry)
    status = "ok" if listener == "ok" else "degraded"
    replica = await _replica_health(request.app.state)
    if replica.get("replica") == "down":
        status = "degraded"
    return Response(
        {"status": status, "database": "ok", "listener": listener, "postgres": version, **replica}
    )


async def _replica_health(state: State) -> dict[str, Any]:
    """``replica`` and ``replica_lag_s`` when a read replica is set (nothing otherwise)."""
    reads = getattr(state, "read_db", None)
    if not isinstance(reads, ReadDatabase):
        return {}
    fresh = await reads.replica_freshness(HEALTH_TIMEOUT_S)
    if fresh is None:
        return {"replica": "down"}
    return {"replica": "ok", "replica_lag_s": fresh.lag_s}


# The app, and what the server runs ---------------------------------------------------------

AfterStart = Callable[[Litestar], Awaitable[None]]


@asynccontextmanager
async def _database(app: Litestar, url: str, embedded: bool) -> AsyncIterator[Database]:
    """Migrate, open the pool, make sure there is an admin; close the pool at the end."""
    conn = await connect_raw(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    db = await Database.connect(
        url, app.state.settings.pool_min_size, app.state.settings.pool_max_size
    )
    reads: ReadDatabase | None = None
    try:
        app.state.db = db
        app.state.database_url = url
        app.state.metrics.pool = lambda: db.pool
        async with db.connection() as conn:
            app.state.new_admin_token = await ensure_admin(conn, app.state.settings.data_dir)
        app.state.embedded = embedded
        replica_url = app.state.settings.database_replica_url
        if replica_url:
            reads = await ReadDatabase.open(
                replica_url,
                db,
                app.state.settings.pool_max_size,
                app.state.settings.replica_max_lag_s,
            )
        app.state.read_db = reads or db
        yield db
    finally:
        if reads is not None:
            await reads.close()
        await db.close()


def _lifespan(settings: Settings, after_start: AfterStart | None) -> Callable[[Litestar], Any]:
    """Start: the database (embedded when no URL), migrations, pool, admin, the slices' hooks,
    then ``after_start``. Stop: the hooks in reverse, the pool, the embedded server."""
    hooks = [m.on_startup for m in SLICES if hasattr(m, "on_startup")]
    unhooks = [m.on_shutdown for m in SLICES if hasattr(m, "on_shutdown")]

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        embedded: EmbeddedPostgres | None = None
        url = settings.database_url
        if url is None:
            embedded = EmbeddedPostgres(settings.data_dir)
            url = await asyncio.to_thread(embedded.start)
        try:
            async with _database(app, url, embedded is not None):
                for hook in hooks:
                    await hook(app)
                # one of several workers: keep the shared metrics' gauges current
                refresher = (
                    asyncio.create_task(app.state.metrics.refresh_forever())
                    if multiprocess_dir() is not None
                    else None
                )
                try:
                    if after_start is not None:
                        await after_start(app)
                    yield
                finally:
                    if refresher is not None:
                        refresher.cancel()
                    for unhook in reversed(unhooks):
                        await unhook(app)
        finally:
            # also when start-up failed: the server is stopped unless another instance
            # uses it (planner.db.embedded)
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)

    return lifespan


def create_app(settings: Settings, after_start: AfterStart | None = None) -> Litestar:
    """Wire settings, database, access, every slice's routes, errors and static pages.

    ``after_start`` runs once the database is migrated and the pool is up (the CLI uses it
    to print where things are and to load the demo estate).
    """
    handlers: list[Any] = [health, *ops.route_handlers]
    for module in SLICES:
        handlers.extend(module.route_handlers)
    if WEB_DIR.is_dir():
        handlers.append(
            create_static_files_router(
                path="/", directories=[WEB_DIR], html_mode=True, include_in_schema=False, name="web"
            )
        )
    app = Litestar(
        route_handlers=handlers,
        lifespan=[_lifespan(settings, after_start)],
        state=State({"settings": settings}),
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "read_db": Provide(provide_read_db, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "principal": Provide(provide_principal),
        },
        middleware=[
            DefineMiddleware(ForwardedHeaders, proxies=TrustedProxies(settings.trusted_proxies)),
            SecurityHeadersMiddleware,
            DefineMiddleware(TokenOrSessionMiddleware),
        ],
        before_request=strict_json_body,
        exception_handlers={Exception: problem_answer},
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
    metrics = Metrics()
    metrics.hub = lambda: _live_hub(app)
    app.state.metrics = metrics
    # every request: its id (X-Request-ID), its metrics, its log line (planner.ops)
    app.asgi_handler = RequestObserver(
        app.asgi_handler, metrics, log_requests=settings.log_format == "json"
    )
    return app


def _live_hub(app: Litestar) -> Any:
    live = getattr(app.state, "live", None)
    return live.hub if live is not None else None


def create_asgi(
    settings: Settings, after_start: AfterStart | None = None, ledger: Ledger | None = None
) -> ASGIApp:
    """The ASGI callable the server runs: the app, with each WebSocket's raw ``send`` kept in
    its scope (``planner.live.connection.RAW_SEND``).

    Once a live socket is accepted, its frames go straight to that ``send``, past the
    framework's per-message wrappers (connection-state and response-started bookkeeping
    that is settled by then). With 1,000 sockets that is 1,000 calls fewer per layer and
    event, about a tenth of the fan-out's CPU. Without it (in-process test clients) frames
    take the usual path.
    """
    app = create_app(settings, after_start)
    app.state.metrics.ledger = ledger  # connections open, refused, timed out (/metrics)

    async def entry(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.WEBSOCKET:
            scope[RAW_SEND] = send  # type: ignore[literal-required]
        await app(scope, receive, send)

    return entry


def serve(
    settings: Settings, after_start: AfterStart | None = None, sock: socket.socket | None = None
) -> None:
    """Run the service under uvicorn on ``settings.host:port`` (or on ``sock``, a listening
    socket shared by the workers of ``planner serve --workers N``) until stopped."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    open_files = raise_open_files_limit()
    ledger = Ledger(settings.connections, TrustedProxies(settings.trusted_proxies), open_files)
    http_protocol, ws_protocol = guarded_protocols(ledger)
    asgi = create_asgi(settings, after_start, ledger)
    # Requests allocate many short-lived objects: with the default gen-0 threshold (700) the
    # cyclic collector ran every request or two and took about a tenth of the CPU of a
    # ballot cast (py-spy, bench/vote_storm.py). Collect less often, and never rescan the
    # modules, routes and schemas built at start-up.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    log_config = configure_logging(settings.log_format)
    config = uvicorn.Config(
        asgi,
        log_config=log_config if log_config is not None else LOGGING_CONFIG,
        # SIGTERM: stop accepting, close live sockets with 1012 (clients resume by seq), give
        # requests in flight this long to finish, then stop the slices (docs/operations.md)
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_s)),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # protocol pings find script clients that vanished without closing; browsers also
        # ping at the application level (planner.live)
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # per-frame compression for every client cost about a fifth of fan-out CPU
        ws_per_message_deflate=False,
        # client frames are small JSON (planner.live.frames); refuse megabytes at the door
        ws_max_size=65_536,
        # the sans-I/O websockets protocol: about a quarter of the per-frame cost of the
        # legacy one, which set the fan-out p99 (docs/benchmarks.md, 2026-11-26 17:33)
        ws=ws_protocol,
        lifespan="on",
        # slow and greedy clients (planner.connections): head and body timeouts, caps per
        # address and overall, keep-alive limits; the protocol classes carry them
        http=http_protocol,
        timeout_keep_alive=max(1, round(settings.connections.keep_alive_s)),
        # forwarded headers are believed only from PLANNER_TRUSTED_PROXIES, in the app
        # (planner.connections.ForwardedHeaders); uvicorn's own would trust loopback
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock] if sock is not None else None)
    if not server.started:
        sys.exit(3)  # as uvicorn.run: start-up failed
