"""``GET /metrics`` (Prometheus text) and ``GET /ready`` (may this instance take traffic)."""

from __future__ import annotations

import asyncio
import functools
import hmac
from typing import Any

import asyncpg
from litestar import Request, get
from litestar.response import Response

from planner.db import store as db_store
from planner.db.migrate import available_migrations, checksum
from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database
from planner.db.replica import ReadDatabase
from planner.errors import Unauthorized
from planner.ops.metrics import CONTENT_TYPE, Metrics

#: a check that has not answered within this many seconds has failed
READY_TIMEOUT_S = 3.0


@get(
    "/metrics",
    include_in_schema=True,
    tags=["service"],
    opt={"exclude_from_auth": True},
    media_type=CONTENT_TYPE,
)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """This instance's metrics in the Prometheus text format (docs/operations.md).

    Open to anyone, like ``/health``, unless ``PLANNER_METRICS_TOKEN`` is set: then only
    with ``Authorization: Bearer <that token>`` (401 otherwise)."""
    expected: str | None = request.app.state.settings.metrics_token
    if expected:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise Unauthorized("the metrics token is missing or wrong")
    registry: Metrics = request.app.state.metrics
    reads = getattr(request.app.state, "read_db", None)
    if isinstance(reads, ReadDatabase):
        fresh = await reads.replica_freshness(READY_TIMEOUT_S)
        usable = fresh is not None and not reads.too_far_behind(fresh)
        registry.observe_replica(fresh.lag_s if fresh is not None else None, usable)
    return Response(registry.render(), media_type=CONTENT_TYPE)


@get("/ready", include_in_schema=True, tags=["service"], opt={"exclude_from_auth": True})
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Whether this instance should take traffic (a load balancer's check; ``/health`` says
    whether it is alive). 200 ``{"status": "ready", "checks": {"database": "ok",
    "migrations": "ok", "doorbell": "ok"}}``; otherwise 503 with ``"status": "not_ready"``,
    the failed checks in ``failed`` and each check's state: ``database`` "down" (no answer
    within 3 s), ``migrations`` "pending" (not every migration this code ships is applied, or
    one differs) or "unknown" (no database), ``doorbell`` "down" (the live feed's LISTEN
    connection is reconnecting: live events would come late)."""
    checks = {"database": "ok", "migrations": "ok", "doorbell": "ok"}
    live = getattr(request.app.state, "live", None)
    if live is None or not live.feed.listening.is_set():
        checks["doorbell"] = "down"
    db: Database = request.app.state.db
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), db.connection() as conn:
            applied = await db_store.applied_migrations(conn)
    except (DatabaseUnavailable, TimeoutError, OSError, asyncpg.PostgresError):
        # refused, away, not answering, or not accepting connections
        checks["database"] = "down"
        checks["migrations"] = "unknown"
    else:
        if any(applied.get(name) != digest for name, digest in _shipped().items()):
            checks["migrations"] = "pending"
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        body = {"status": "not_ready", "checks": checks, "failed": failed}
        return Response(body, status_code=503, headers={"retry-after": "3"})
    return Response({"status": "ready", "checks": checks})


@functools.cache
def _shipped() -> dict[str, str]:
    """The migrations this code ships: file name → checksum (read once)."""
    return {name: checksum(sql) for name, sql in available_migrations()}


route_handlers = [metrics, ready]
