"""Problem answers: every error, ours or the framework's, as ``application/problem+json``.

The body: ``{status, title, detail, code, params, errors: [{field, code, reason, params}]}``
(see ``planner.errors``). ``problem_answer`` is the app's one exception handler;
``strict_json_body`` refuses bodies Litestar's lax conversion would let through.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Response

from planner.db.outage import RETRY_AFTER_S, DatabaseUnavailable
from planner.errors import BadRequest, Params, PlannerError, code_for_reason, field_error

log = logging.getLogger("planner")

PROBLEM_JSON = "application/problem+json"
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
# a refusal of planner.model's text rules names its field inside the Struct at the path
_TEXT_FIELD = re.compile(r"^field `(?P<field>[^`]+)`: (?P<reason>.*)$", re.S)
_AT_PATH = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
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
    503: "Service unavailable",
}
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


class Problem(msgspec.Struct, kw_only=True):
    """One error answer's body (``extra``: further members, e.g. an infeasible plan's details)."""

    status: int
    title: str
    detail: str
    code: str
    params: Params = {}
    errors: list[Params] = []
    extra: Params = {}
    headers: dict[str, str] = {}

    def response(self) -> Response[dict[str, Any]]:
        body = {
            "status": self.status,
            "title": self.title,
            "detail": self.detail,
            "code": self.code,
            "params": self.params,
            "errors": self.errors,
            **self.extra,
        }
        return Response(
            body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers or None
        )


def problem_answer(request: Request, exc: Exception) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
    """The one exception handler: every error, ours or the framework's, as problem+json."""
    if isinstance(exc, DatabaseUnavailable):
        # logged once per outage where it was found (planner.db.outage), not per request
        outage = getattr(getattr(request.app.state, "db", None), "outage", None)
        if outage is not None:
            outage.refuse()
        return database_unavailable().response()
    if isinstance(exc, asyncpg.DataError):
        log.info("refused input on %s %s: %s", request.method, request.url.path, exc)
        exc = _out_of_range_path_parameter(request) or exc
    problem = _problem_of(exc)
    if problem is None:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        detail = "the server failed; the change was not made"
        problem = Problem(status=500, title="Internal server error", detail=detail, code="internal")
    return problem.response()


def database_unavailable() -> Problem:
    """503 while the database cannot be reached: nothing was changed, try again shortly."""
    return Problem(
        status=503,
        title="Service unavailable",
        detail=f"the database cannot be reached; try again in {RETRY_AFTER_S} s",
        code="database_unavailable",
        params={"retry_after_s": RETRY_AFTER_S},
        headers={"retry-after": str(RETRY_AFTER_S)},
    )


def _problem_of(exc: Exception) -> Problem | None:
    """The answer to an error the service expects (None: a failure of the server)."""
    if isinstance(exc, PlannerError):
        return Problem(
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            code=exc.code,
            params=exc.params,
            errors=exc.errors,
            extra=exc.extra,
            headers=dict(getattr(exc, "headers", {})),  # e.g. Retry-After on a 429
        )
    if isinstance(exc, ValidationException):
        return _validation_problem(exc)
    if isinstance(exc, HTTPException):
        detail = str(exc.detail)
        code = _STATUS_CODES.get(exc.status_code, "invalid")
        errors = [field_error("body", code, detail)] if exc.status_code == 400 else []
        title = _TITLES.get(exc.status_code, "Error")
        return Problem(status=exc.status_code, title=title, detail=detail, code=code, errors=errors)
    if isinstance(exc, UnicodeDecodeError | RecursionError):
        # bodies the JSON decoder gives up on (bad UTF-8, nesting past the recursion limit)
        too_deep = isinstance(exc, RecursionError)
        code = "too_deep" if too_deep else "not_utf8"
        reason = "the body is nested too deeply" if too_deep else "the body is not valid UTF-8"
        return _bad_body(code, reason)
    if isinstance(exc, asyncpg.DataError):
        # values PostgreSQL cannot hold (NUL in text, integers past bigint): the transaction
        # rolled back, so nothing was stored; the caller's input is at fault
        reason = "a value cannot be stored (text with NUL characters, or a number out of range)"
        return _bad_body("not_storable", reason)
    return None


_BIGINT_MAX = 2**63 - 1


def _out_of_range_path_parameter(request: Request) -> BadRequest | None:  # type: ignore[type-arg]
    """An id in the path past PostgreSQL's bigint: the 400 names that parameter, not the body."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not -_BIGINT_MAX - 1 <= value <= _BIGINT_MAX:
            reason = f"must be at most {_BIGINT_MAX}"
            return BadRequest(name, reason, "too_large", {"max": str(_BIGINT_MAX)})
    return None


def _bad_body(code: str, reason: str) -> Problem:
    errors = [field_error("body", code, reason)]
    return Problem(status=400, title="Bad request", detail=reason, code=code, errors=errors)


def _validation_problem(exc: ValidationException) -> Problem:
    """Litestar's refusal of a parameter or body, one entry per failing field."""
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
            text = _TEXT_FIELD.match(reason)
            if text:  # planner.model's text rules, reached by a body not sent as JSON
                at = _AT_PATH.match(text.group("reason"))
                assert at is not None
                inner = (at.group("path") or "").lstrip(".")
                field = f"{inner}.{text.group('field')}" if inner else text.group("field")
                reason = at.group("reason")
            code, params = code_for_reason(reason)
            errors.append(field_error(field, code, reason, params))
    if not errors:
        errors.append(field_error("body", "invalid", exc.detail, {"reason": exc.detail}))
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return Problem(
        status=400,
        title="Bad request",
        detail=detail,
        code=errors[0]["code"],
        params=errors[0]["params"],
        errors=errors,
    )


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
        text = _TEXT_FIELD.match(reason)
        if text:
            named = text.group("field")
            path = named if path == "body" else f"{path}.{named}"
            reason = text.group("reason")
        raise BadRequest(path, reason, *code_for_reason(reason)) from None
    except msgspec.DecodeError as exc:
        raise BadRequest("body", f"not valid JSON: {exc}", "not_json") from None


def _struct_type(annotation: Any) -> Any:
    """The msgspec type to decode a handler's ``data`` with strictly, or None."""
    inner = getattr(annotation, "__origin__", None)
    if inner is list:
        (item,) = annotation.__args__
        return annotation if isinstance(item, type) and issubclass(item, msgspec.Struct) else None
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation
    return None
