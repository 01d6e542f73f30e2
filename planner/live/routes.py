"""Live routes: the estate's event socket and who is in a meeting room; start/stop hooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Litestar, WebSocket, get, websocket
from litestar.params import FromPath

from planner.access.guards import MEMBERS, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import NotFound
from planner.live import store
from planner.live.connection import serve_estate_stream
from planner.live.service import LiveConfig, LiveService


class PresentMemberOut(msgspec.Struct, kw_only=True):
    member_id: int
    display_name: str
    since: datetime


class RoomPresence(msgspec.Struct, kw_only=True):
    meeting_id: int
    members: list[PresentMemberOut]
    window_s: float


@websocket("/ws/estates/{estate_id:int}", opt={"exclude_from_auth": True})
async def estate_stream(socket: WebSocket[Any, Any, Any], estate_id: FromPath[int]) -> None:
    """Every event after ``?after=<seq>`` the caller may see, then live ones, in seq order.

    Without ``after`` the stream starts at the estate's head. Close codes: 4401 not
    signed in, 4403 not a member of the estate, 4400 bad ``after``, 4008 too slow
    (resume with the last seq), 4000 heartbeat timeout, 1012 server restarting.
    """
    live: LiveService = socket.app.state.live
    await serve_estate_stream(socket, live, estate_id)


@get("/api/meetings/{meeting_id:int}/presence", tags=["live"])
async def meeting_presence(
    meeting_id: FromPath[int], db: DbDep, principal: PrincipalDep
) -> RoomPresence:
    """Members in the meeting room now (seen within the presence window)."""
    window = LiveConfig.from_env().presence_window_s
    async with db.connection() as conn:
        estate_id = await store.meeting_estate(conn, meeting_id)
        if estate_id is None:
            raise NotFound("meeting")
        authorize(principal, estate_id, MEMBERS)
        members = await store.present_members(conn, meeting_id, window)
    return RoomPresence(
        meeting_id=meeting_id,
        members=[PresentMemberOut(**msgspec.structs.asdict(m)) for m in members],
        window_s=window,
    )


async def on_startup(app: Litestar) -> None:
    live = LiveService(app.state.db, app.state.database_url, LiveConfig.from_env())
    await live.start()
    app.state.live = live


async def on_shutdown(app: Litestar) -> None:
    live: LiveService | None = getattr(app.state, "live", None)
    if live is not None:
        await live.stop()


route_handlers = [estate_stream, meeting_presence]
