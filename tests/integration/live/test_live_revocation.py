"""Revoked means out everywhere: open sockets of a revoked member, or of an ended or expired
browser session, close with 4401 within a second on every instance (issue 15, item 1)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_helpers import append_events, live_socket, new_estate, new_member, read_until, ws_url
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from planner.access.bootstrap import ensure_admin
from planner.access.tokens import token_hash
from planner.db.pool import Database, connect_raw
from planner.live.service import LiveService
from planner.settings import LiveSettings
from tests.conftest import RunningService

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

#: The safety-net poll is slowed right down: the notifications must do the closing.
SLOW_POLL = {"PLANNER_LIVE_POLL_S": "60"}


def caught_up(received: Any) -> bool:
    return any(c["type"] == "caught_up" for c in received.controls)


async def read_to_close(
    ws: ClientConnection, events: list[dict[str, Any]], timeout: float = 15.0
) -> float:
    """Collect event frames until the server closes; return the loop time of the close."""
    async with asyncio.timeout(timeout):
        with contextlib.suppress(ConnectionClosed):
            while True:
                frame = json.loads(await ws.recv())
                if "seq" in frame:
                    events.append(frame)
    return asyncio.get_running_loop().time()


async def event_seq(database_url: str, estate_id: int, event_type: str) -> int:
    conn = await connect_raw(database_url)
    try:
        seq: int = await conn.fetchval(
            "SELECT seq FROM events WHERE estate_id = $1 AND type = $2", estate_id, event_type
        )
    finally:
        await conn.close()
    return seq


async def sign_in(base_url: str, token: str) -> tuple[str, str]:
    """A browser session for the token: (session cookie, CSRF token)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.get("/login", params={"token": token})
        assert response.status_code in (302, 303), response.text
        return response.cookies["planner_session"], response.cookies["planner_csrf"]


@asynccontextmanager
async def cookie_socket(
    base_url: str, estate_id: int, session: str
) -> AsyncIterator[ClientConnection]:
    headers = {"Cookie": f"planner_session={session}"}
    async with connect(ws_url(base_url, estate_id, None), additional_headers=headers) as ws:
        await read_until(ws, caught_up)
        yield ws


async def test_revoked_members_sockets_close_on_every_instance_and_see_nothing_later(
    services: Callable[..., RunningService], database_url: str
) -> None:
    a = services(extra_env=SLOW_POLL)
    b = services(extra_env=SLOW_POLL)
    estate_id = await new_estate(a.base_url, a.admin_token)
    owner_id, owner = await new_member(a.base_url, a.admin_token, estate_id, "owner")
    stop_writing = asyncio.Event()

    async def write_events() -> None:
        # A steady stream of events any owner may see, before, during and after the revocation.
        while not stop_writing.is_set():
            await append_events(database_url, estate_id, 1, audience="all")
            await asyncio.sleep(0.005)

    async with (
        live_socket(a.base_url, estate_id, owner) as on_a,
        live_socket(b.base_url, estate_id, owner) as on_b,
    ):
        await read_until(on_a, caught_up)
        await read_until(on_b, caught_up)
        writer = asyncio.create_task(write_events())
        seen_a: list[dict[str, Any]] = []
        seen_b: list[dict[str, Any]] = []
        readers = [
            asyncio.create_task(read_to_close(on_a, seen_a)),
            asyncio.create_task(read_to_close(on_b, seen_b)),
        ]
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(base_url=a.base_url, timeout=10) as http:
            response = await http.post(
                f"/api/members/{owner_id}/revoke",
                headers={"Authorization": f"Bearer {a.admin_token}"},
            )
        revoked_at = loop.time()
        assert response.status_code == 200, response.text
        closed_at = await asyncio.gather(*readers)
        await asyncio.sleep(0.3)
        stop_writing.set()
        await writer
        for ws, closed in zip((on_a, on_b), closed_at, strict=True):
            assert ws.close_code == 4401
            assert ws.close_reason == "membership revoked"
            assert closed - revoked_at < 1.0
    cut = await event_seq(database_url, estate_id, "member.revoked")
    assert seen_a and seen_b, "the sockets were live before the revocation"
    assert max(e["seq"] for e in seen_a + seen_b) < cut
    # and the event writer kept committing after the cut, so there was something to withhold
    conn = await connect_raw(database_url)
    try:
        assert await conn.fetchval(
            "SELECT count(*) FROM events WHERE estate_id = $1 AND seq > $2", estate_id, cut
        )
    finally:
        await conn.close()
    # A new socket with the revoked token is refused as before.
    async with live_socket(b.base_url, estate_id, owner) as again:
        with contextlib.suppress(ConnectionClosed):
            await asyncio.wait_for(again.recv(), 5)
        assert again.close_code == 4401


async def test_signed_out_or_expired_sessions_sockets_close_on_every_instance(
    services: Callable[..., RunningService], database_url: str
) -> None:
    a = services(extra_env=SLOW_POLL)
    b = services(extra_env=SLOW_POLL)
    estate_id = await new_estate(a.base_url, a.admin_token)
    _, committee = await new_member(a.base_url, a.admin_token, estate_id, "committee")
    leaving, csrf = await sign_in(a.base_url, committee)
    staying, _ = await sign_in(a.base_url, committee)
    loop = asyncio.get_running_loop()

    # Sign-out on instance a closes that session's sockets on a and b, not the other session's.
    async with (
        cookie_socket(a.base_url, estate_id, leaving) as on_a,
        cookie_socket(b.base_url, estate_id, leaving) as on_b,
        cookie_socket(b.base_url, estate_id, staying) as other,
    ):
        readers = [asyncio.create_task(read_to_close(ws, [])) for ws in (on_a, on_b)]
        async with httpx.AsyncClient(base_url=a.base_url, timeout=10) as http:
            response = await http.post(
                "/logout", headers={"Cookie": f"planner_session={leaving}", "X-CSRF-Token": csrf}
            )
        signed_out_at = loop.time()
        assert response.status_code == 200, response.text
        for ws, closed in zip((on_a, on_b), await asyncio.gather(*readers), strict=True):
            assert ws.close_code == 4401
            assert "session ended" in ws.close_reason
            assert closed - signed_out_at < 1.0
        seqs = await append_events(database_url, estate_id, 1)
        got = await read_until(other, lambda r: bool(r.events), timeout=5)
        assert got.seqs == seqs, "the other session's socket stays open and live"

    # A session that expires closes its sockets at expiry.
    conn = await connect_raw(database_url)
    try:
        await conn.execute(
            "UPDATE sessions SET expires_at = now() + interval '3 seconds' WHERE id_hash = $1",
            token_hash(staying),
        )
    finally:
        await conn.close()
    async with (
        cookie_socket(a.base_url, estate_id, staying) as on_a,
        cookie_socket(b.base_url, estate_id, staying) as on_b,
    ):
        opened = loop.time()
        closed_at = await asyncio.gather(*(read_to_close(ws, []) for ws in (on_a, on_b)))
        for ws, closed in zip((on_a, on_b), closed_at, strict=True):
            assert ws.close_code == 4401
            assert closed - opened < 4.0


async def test_rotating_the_admin_token_closes_the_old_admins_sockets(
    services: Callable[..., RunningService], database_url: str, tmp_path: Path
) -> None:
    a = services(extra_env=SLOW_POLL)
    b = services(extra_env=SLOW_POLL)
    estate_id = await new_estate(a.base_url, a.admin_token)
    old = a.admin_token
    async with (
        live_socket(a.base_url, estate_id, old) as on_a,
        live_socket(b.base_url, estate_id, old) as on_b,
    ):
        await read_until(on_a, caught_up)
        await read_until(on_b, caught_up)
        readers = [asyncio.create_task(read_to_close(ws, [])) for ws in (on_a, on_b)]
        conn = await connect_raw(database_url)
        try:
            new = await ensure_admin(conn, tmp_path / "rotated", rotate=True)
        finally:
            await conn.close()
        rotated_at = asyncio.get_running_loop().time()
        for ws, closed in zip((on_a, on_b), await asyncio.gather(*readers), strict=True):
            assert ws.close_code == 4401
            assert closed - rotated_at < 1.0
    assert new and new != old


async def test_the_safety_net_closes_sockets_whose_notification_was_lost(
    db: Database, database_url: str, make_estate: Callable[..., Any], make_member: Any
) -> None:
    """Revoked or expired behind the notifications' back (a LISTEN connection that was
    down): the periodic check closes those subscribers, and only those."""
    estate_id = await make_estate(csv=None)
    kept_id, _ = await make_member(estate_id, "owner")
    gone_id, _ = await make_member(estate_id, "owner")
    live = LiveService(db, database_url, LiveSettings())
    kept = live.hub.subscribe(estate_id, member_id=kept_id)
    gone = live.hub.subscribe(estate_id, member_id=gone_id)
    session = live.hub.subscribe(estate_id, member_id=kept_id, session_hash=b"\x01" * 32)
    async with db.transaction() as conn:
        await conn.execute("UPDATE members SET revoked_at = now() WHERE id = $1", gone_id)
    await live.recheck_credentials()
    assert gone.closed and gone.close_code == 4401
    assert session.closed, "a session that no longer exists"
    assert not kept.closed
