"""Live routes: the estate's event socket and who is in a meeting room; start/stop hooks."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, WebSocket, get, websocket
from litestar.params import FromPath

from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.live.connection import serve_estate_stream
from planner.live.model import RoomPresence
from planner.live.service import LiveService, room_presence
from planner.settings import Settings


@websocket("/ws/estates/{estate_id:int}", opt={"exclude_from_auth": True})
async def estate_stream(socket: WebSocket[Any, Any, Any], estate_id: FromPath[int]) -> None:
    """Every event after ``?after=<seq>`` the caller may see, then live ones, in seq order.

    Without ``after`` the stream starts at the estate's head. Close codes: 4401 not
    signed in, or (on an open socket, on every instance, before any later event) the
    member was revoked or the session signed out or expired; 4403 not a member of the
    estate, 4400 bad ``after``, 4008 too slow (resume with the last seq), 4000 heartbeat
    timeout, 1012 server restarting.
    """
    live: LiveService = socket.app.state.live
    await serve_estate_stream(socket, live, estate_id)


@get("/api/meetings/{meeting_id:int}/presence", tags=["live"])
async def meeting_presence(
    meeting_id: FromPath[int], db: DbDep, principal: PrincipalDep, settings: SettingsDep
) -> RoomPresence:
    """Members in the meeting room now (seen within the presence window)."""
    return await room_presence(db, principal, meeting_id, settings.live.presence_window_s)


async def on_startup(app: Litestar) -> None:
    settings: Settings = app.state.settings
    metrics = getattr(app.state, "metrics", None)  # planner.ops.metrics: the event lag
    observe_lag = metrics.event_lag.observe if metrics is not None else None
    live = LiveService(app.state.db, app.state.database_url, settings.live, observe_lag)
    app.state.live = live
    app.state.principals = live.principals  # read by planner.access.middleware
    await live.start()


async def on_shutdown(app: Litestar) -> None:
    live: LiveService | None = getattr(app.state, "live", None)
    if live is not None:
        await live.stop()


route_handlers = [estate_stream, meeting_presence]
