"""A client that stops reading is dropped (4008) without slowing the others, and resumes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from live_helpers import (
    StalledSocket,
    append_events,
    events_up_to,
    live_socket,
    new_estate,
    new_member,
    read_until,
    running_app,
    ws_url,
)

from planner.settings import Settings

pytestmark = pytest.mark.timeout(90)

EVENTS = 240
PAYLOAD = "议" * 20_000  # ~60 kB per frame: ~14 MB in all, more than any socket buffers hold


@pytest.fixture
async def base_url(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, str]]:
    monkeypatch.setenv("PLANNER_LIVE_QUEUE_SIZE", "32")
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    async with running_app(settings) as (url, app):
        yield url, app.state.new_admin_token


async def test_a_client_that_stops_reading_is_dropped_without_slowing_others(
    base_url: tuple[str, str], database_url: str
) -> None:
    url, admin = base_url
    estate_id = await new_estate(url, admin)
    _, token = await new_member(url, admin, estate_id, "owner")
    loop = asyncio.get_running_loop()
    stalled = await StalledSocket.open(ws_url(url, estate_id, token))
    try:
        async with (
            live_socket(url, estate_id, token, max_size=2**22) as fast_a,
            live_socket(url, estate_id, token, max_size=2**22) as fast_b,
        ):
            for ws in (fast_a, fast_b):
                hello = await read_until(ws, lambda r: len(r.controls) >= 2)  # hello, caught_up
            start = hello.controls[0]["head"]
            started = loop.time()
            written = await append_events(database_url, estate_id, EVENTS, data={"text": PAYLOAD})
            got_a, got_b = await asyncio.gather(
                read_until(fast_a, events_up_to(written[-1]), timeout=30),
                read_until(fast_b, events_up_to(written[-1]), timeout=30),
            )
            elapsed = loop.time() - started
        assert got_a.seqs == written and got_b.seqs == written
        assert elapsed < 30
        # Only now does the stalled client read: an in-order prefix, then the close frame.
        frames, code, reason = await stalled.drain()
    finally:
        stalled.close()
    prefix = [f["seq"] for f in frames if "seq" in f]
    assert code == 4008
    assert prefix == list(range(start + 1, start + 1 + len(prefix)))
    assert len(prefix) < EVENTS
    assert reason == f"too slow, resume with after={prefix[-1] if prefix else start}"

    resume_after = prefix[-1] if prefix else start
    async with live_socket(url, estate_id, token, after=resume_after, max_size=2**22) as again:
        rest = await read_until(again, events_up_to(written[-1]))
    assert prefix + rest.seqs == written
