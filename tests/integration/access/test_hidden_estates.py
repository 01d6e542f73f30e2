"""Another estate's ids cannot be told from ids that do not exist (issue 15, item 7).

A member of estate B asking for estate A's work, quote, motion, plan, meeting (or any route
addressed by A's estate id) gets the very answer a missing id gets: the same status and the
same problem body byte for byte (``<what>_not_found``, same detail). The same holds for a
supplier asking for another supplier's quote in its own estate, and for the live socket.
Nothing here changes A's state: every request is refused.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from planner.testing import ROLES, Served, World, bearer
from planner.testing.routes_spec import MISSING_ID, REQUESTS, call, fill, missing_ids

pytestmark = pytest.mark.timeout(120)

Route = tuple[str, str]

#: One read and one change per object kind, the committee member's answer named.
OBJECT_ROUTES: dict[str, list[tuple[Route, str]]] = {
    "work": [
        (("GET", "/api/works/{work_id:int}"), "work_not_found"),
        (("PATCH", "/api/works/{work_id:int}"), "work_not_found"),
        (("POST", "/api/works/{work_id:int}/status"), "work_not_found"),
    ],
    "quote": [
        (("GET", "/api/quotes/{quote_id:int}"), "quote_not_found"),
        (("POST", "/api/quotes/{quote_id:int}/counter-offers"), "quote_not_found"),
        (("POST", "/api/quotes/{quote_id:int}/award"), "quote_not_found"),
    ],
    "motion": [
        (("GET", "/api/motions/{motion_id:int}"), "motion_not_found"),
        (("POST", "/api/motions/{motion_id:int}/ballots"), "motion_not_found"),
        (("POST", "/api/motions/{motion_id:int}/close"), "motion_not_found"),
    ],
    "plan": [
        (("GET", "/api/funding-plans/{plan_id:int}"), "funding_plan_not_found"),
        (("GET", "/api/funding-plans/{plan_id:int}/export.csv"), "funding_plan_not_found"),
        (("POST", "/api/funding-plans/{plan_id:int}/approve"), "funding_plan_not_found"),
    ],
    "meeting": [
        (("GET", "/api/meetings/{meeting_id:int}"), "meeting_not_found"),
        (("GET", "/api/meetings/{meeting_id:int}/presence"), "meeting_not_found"),
        (("POST", "/api/meetings/{meeting_id:int}/close"), "meeting_not_found"),
    ],
    "estate": [
        (("GET", "/api/estates/{estate_id:int}"), "estate_not_found"),
        (("GET", "/api/estates/{estate_id:int}/works"), "estate_not_found"),
        (("POST", "/api/estates/{estate_id:int}/works"), "estate_not_found"),
        (("POST", "/api/estates/{estate_id:int}/members"), "estate_not_found"),
        (("POST", "/api/estates/{estate_id:int}/households/import"), "estate_not_found"),
    ],
}


def _answer(response: httpx.Response) -> tuple[int, str, bytes]:
    return response.status_code, response.headers.get("content-type", ""), response.content


async def _twins(
    http: httpx.AsyncClient, world: World, route: Route, token: str
) -> tuple[tuple[int, str, bytes], tuple[int, str, bytes]]:
    """The answer for A's ids and for ids that do not exist (same body, same query)."""
    existing = await call(http, world, route, bearer(token))
    missing = await call(http, world, route, bearer(token), missing_ids(world))
    return _answer(existing), _answer(missing)


@pytest.mark.parametrize("kind", sorted(OBJECT_ROUTES))
async def test_another_estates_object_answers_as_a_missing_one(served: Served, kind: str) -> None:
    """A committee member of B: A's object and a missing one get the same 404, byte for byte."""
    world = served.world
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for route, code in OBJECT_ROUTES[kind]:
            existing, missing = await _twins(http, world, route, world.other["committee"])
            assert existing == missing, f"{route}: {existing} != {missing}"
            status, _, body = existing
            problem = json.loads(body)
            assert (status, problem["code"]) == (404, code), f"{route}: {problem}"


async def test_every_route_hides_another_estate(served: Served) -> None:
    """Every route addressed by an id, every role of B: A's ids answer as missing ones do."""
    world = served.world
    differ: list[str] = []
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for route in REQUESTS:
            if "{" not in route[1]:
                continue
            for role in ROLES:
                existing, missing = await _twins(http, world, route, world.other[role])
                if existing != missing:
                    differ.append(f"{route} as other:{role}: {existing!r} != {missing!r}")
                elif existing[0] == 403 and b"not_a_member" in existing[2]:
                    differ.append(f"{route} as other:{role}: still 403 not_a_member")
    assert not differ, "another estate's ids told apart from missing ones:\n" + "\n".join(differ)


async def test_another_suppliers_quote_answers_as_a_missing_one(served: Served) -> None:
    """A supplier of the same estate, invited to the same work, learns nothing of the other
    supplier's quote: every quote route answers as for a quote that does not exist."""
    world = served.world
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for route in REQUESTS:
            if "{quote_id:int}" not in route[1]:
                continue
            existing, missing = await _twins(http, world, route, world.other_supplier)
            assert existing == missing, f"{route}: {existing} != {missing}"
            assert existing[0] == 404, f"{route}: {existing}"


async def _closed(url: str) -> tuple[int | None, str | None, list[Any]]:
    """Open the socket and read until the server closes it: (code, reason, frames)."""
    frames: list[Any] = []
    async with connect(url, open_timeout=10) as ws:
        try:
            async with asyncio.timeout(10):
                while True:
                    frames.append(json.loads(await ws.recv()))
        except Exception:  # closed by the server
            return ws.close_code, ws.close_reason, frames
    return None, None, frames  # pragma: no cover


async def test_another_estates_socket_closes_as_a_missing_one(served: Served) -> None:
    """B's committee member on A's estate stream: the same close code and reason as on an
    estate that does not exist, and nothing of A is sent first."""
    world = served.world
    base = world.base_url.replace("http://", "ws://")
    token = world.other["committee"]
    existing = await _closed(f"{base}{fill('/ws/estates/{estate_id:int}', world)}?token={token}")
    missing = await _closed(f"{base}/ws/estates/{MISSING_ID}?token={token}")
    assert existing == missing
    assert existing[2] == []


async def test_another_estates_meeting_room_answers_as_a_missing_one(served: Served) -> None:
    """On B's own stream, joining A's meeting room answers as joining a missing meeting."""
    world = served.world
    url = (
        world.base_url.replace("http://", "ws://")
        + f"/ws/estates/{world.estate_b}?token={world.other['committee']}"
    )
    answers = []
    async with connect(url, open_timeout=10) as ws:
        async with asyncio.timeout(10):
            while "caught_up" not in str(await ws.recv()):
                pass
            for meeting_id in (world.ids["meeting_id"], MISSING_ID):
                await ws.send(json.dumps({"type": "join", "meeting_id": meeting_id}))
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("type") in ("error", "presence"):
                        answers.append(frame)
                        break
    assert answers[0] == answers[1]
    assert answers[0]["type"] == "error"
