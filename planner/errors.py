"""Domain errors that the app renders as problem+json responses."""

from __future__ import annotations

from typing import Any


class PlannerError(Exception):
    """Base of every error a handler may raise on purpose."""

    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}


class BadRequest(PlannerError):
    """400 naming the failing field (a JSON path such as ``lines[2].quantity``) and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", [{"field": field, "reason": reason}])


class Unauthorized(PlannerError):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str = "missing or invalid token") -> None:
        super().__init__(detail)


class Forbidden(PlannerError):
    status = 403
    title = "Forbidden"

    def __init__(self, detail: str = "not allowed for your role or estate") -> None:
        super().__init__(detail)


class NotFound(PlannerError):
    status = 404
    title = "Not found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"{what} not found")


class Conflict(PlannerError):
    status = 409
    title = "Conflict"


class Unprocessable(PlannerError):
    """422: the request is well formed but no result can be made (e.g. an infeasible plan)."""

    status = 422
    title = "Unprocessable"

    def __init__(self, detail: str, details: Any = None) -> None:
        super().__init__(detail, extra={"details": details} if details is not None else None)
