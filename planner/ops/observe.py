"""``RequestObserver``: the ASGI layer around the app's router that gives every request its
id (``X-Request-ID`` in and out), counts it in the metrics by route template and status,
and, in JSON log mode, writes one line for it."""

from __future__ import annotations

import logging
import time
from typing import Any

from planner.ops import logs
from planner.ops.metrics import Metrics, current

access_log = logging.getLogger(logs.ACCESS_LOGGER)

REQUEST_ID_HEADER = b"x-request-id"
#: the route label of requests no route matched (404s for unknown paths)
UNMATCHED = "unmatched"


def _incoming_id(scope: Any) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            return logs.valid_request_id(value.decode("latin-1"))
    return None


class RequestObserver:
    """Wraps the app's ASGI handler (inside Litestar, after routing sets ``path_template``)."""

    def __init__(self, app: Any, metrics: Metrics, *, log_requests: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or logs.new_request_id()
        header = (REQUEST_ID_HEADER, rid.encode())
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        id_token = logs.request_id.set(rid)
        metrics_token = current.set(self.metrics)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if kind == "http":
                self._done(scope, status, time.perf_counter() - started)
            logs.request_id.reset(id_token)
            current.reset(metrics_token)

    def _done(self, scope: Any, status: int, seconds: float) -> None:
        route = scope.get("path_template") or UNMATCHED
        self.metrics.observe_request(scope["method"], route, status, seconds)
        if self.log_requests:
            access_log.info(
                "%s %s %d",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
