"""Logs: the request id, and one JSON object per line with ``PLANNER_LOG_FORMAT=json``.

Every HTTP request and socket gets an id: the caller's ``X-Request-ID`` when it is short and
made of safe characters (a proxy's or a client's), otherwise a new one; it is sent back in
the ``X-Request-ID`` answer header (``planner.ops.observe``) and stamped on every log line
written while the request runs (``request_id``, a context variable).

JSON lines: ``{"time", "level", "logger", "message", "request_id", "route", "status",
"duration_ms"}`` (the last three on the one line per request, logger ``planner.access``)
plus ``exc`` with the traceback when there is one.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

#: the id of the request being served (None outside requests)
request_id: ContextVar[str | None] = ContextVar("planner_request_id", default=None)

_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
#: the per-request line's logger (written only in JSON mode)
ACCESS_LOGGER = "planner.access"
_FIELDS = ("route", "status", "duration_ms", "method")


def valid_request_id(value: str | None) -> str | None:
    """The caller's id if it is 1–64 characters of ``A-Z a-z 0-9 . _ : -``; else None."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return None


#: new ids: this process's random prefix and a counter (unique across instances and
#: restarts in practice; a random id per request cost a system call, 4 µs)
_PREFIX = secrets.token_hex(5)
_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_PREFIX}-{next(_COUNTER):x}"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(log_format: str, level: int = logging.INFO) -> dict[str, Any] | None:
    """Set up the root logger for ``log_format`` ("json" or "text"); return the log config
    uvicorn should use (None: keep uvicorn's own for text).

    JSON: one handler on the root logger writing JSON lines to stderr; uvicorn's loggers
    hand their records to it (no handlers of their own).
    """
    if log_format != "json":
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("planner").setLevel(level)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            "uvicorn": {"level": "WARNING", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "WARNING", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }
