"""The service's own HTTP API, called in-process, as one member at a time."""

from __future__ import annotations

from typing import Any

import httpx


class DemoLoadError(RuntimeError):
    """A call the demo made was refused: the story no longer fits the service's rules."""


class Caller:
    """One member's view of the API over an in-process (ASGI) client."""

    def __init__(self, http: httpx.AsyncClient, token: str, member_id: int | None = None) -> None:
        self.http = http
        self.token = token
        self.member_id = member_id
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str) -> Any:
        response = await self.http.get(path, headers=self.headers)
        return _checked("GET", path, response)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        if body is not None:
            kwargs["json"] = body
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.http.post(path, headers=headers, **kwargs)
        return _checked("POST", path, response)

    async def put(self, path: str, body: Any) -> Any:
        response = await self.http.put(path, headers=self.headers, json=body)
        return _checked("PUT", path, response)


def _checked(method: str, path: str, response: httpx.Response) -> Any:
    if response.status_code >= 300:
        raise DemoLoadError(f"{method} {path}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else None


def items(data: Any) -> list[Any]:
    """A list answer, or the ``items`` of a paged one."""
    return list(data["items"]) if isinstance(data, dict) else list(data)
