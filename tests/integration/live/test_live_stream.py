"""The estate socket under uvicorn: replay, the replay/live seam, filtering, auth, bad frames."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from live_helpers import (
    Received,
    append_events,
    closed_with,
    events_up_to,
    live_socket,
    new_estate,
    new_member,
    read_until,
    running_app,
    ws_url,
)
from websockets.asyncio.client import connect

from planner.settings import Settings

pytestmark = pytest.mark.timeout(60)


class Live:
    def __init__(self, base_url: str, admin_token: str, database_url: str) -> None:
        self.base_url = base_url
        self.admin_token = admin_token
        self.database_url = database_url


@pytest.fixture
async def live(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Live]:
    monkeypatch.setenv("PLANNER_LIVE_HEARTBEAT_S", "0.5")
    monkeypatch.setenv("PLANNER_LIVE_POLL_S", "1")
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    async with running_app(settings) as (base_url, app):
        yield Live(base_url, app.state.new_admin_token, database_url)


def caught_up(received: Received) -> bool:
    return any(c["type"] == "caught_up" for c in received.controls)


async def test_replays_after_seq_then_streams_live_with_no_gap_or_duplicate(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    _, token = await new_member(live.base_url, live.admin_token, estate_id, "committee")
    seqs = await append_events(live.database_url, estate_id, 40)
    after = seqs[9]
    # Events keep being committed while the socket connects, replays and goes live.
    writer = asyncio.create_task(append_events(live.database_url, estate_id, 60, pause_s=0.01))
    async with live_socket(live.base_url, estate_id, token, after=after) as ws:
        written = await writer
        got = await read_until(ws, events_up_to(written[-1]))
    assert got.seqs == list(range(after + 1, written[-1] + 1))
    done_replaying = got.controls[1]
    assert done_replaying["type"] == "caught_up"
    assert done_replaying["last_seq"] < written[-1], "the writer should still be running"
    assert got.controls[0]["type"] == "hello" and got.controls[0]["after"] == after
    assert all(e["type"] == "test.ping" for e in got.events)
    assert set(got.events[-1]) == {"seq", "type", "at", "actor", "data"}


async def test_without_after_the_stream_starts_at_the_head(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    _, token = await new_member(live.base_url, live.admin_token, estate_id, "owner")
    before = await append_events(live.database_url, estate_id, 3)
    async with live_socket(live.base_url, estate_id, token) as ws:
        hello = await read_until(ws, caught_up)
        assert hello.controls[0]["head"] == before[-1] and not hello.events
        later = await append_events(live.database_url, estate_id, 2)
        got = await read_until(ws, events_up_to(later[-1]))
    assert got.seqs == later


async def test_reconnecting_with_the_last_seq_misses_nothing(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    _, token = await new_member(live.base_url, live.admin_token, estate_id, "owner")
    first = await append_events(live.database_url, estate_id, 5)
    async with live_socket(live.base_url, estate_id, token, after=0) as ws:
        got = await read_until(ws, events_up_to(first[-1]))
    last = got.seqs[-1]
    missed = await append_events(live.database_url, estate_id, 7)  # while disconnected
    async with live_socket(live.base_url, estate_id, token, after=last) as ws:
        again = await read_until(ws, events_up_to(missed[-1]))
    assert got.seqs[-5:] == first
    assert again.seqs == missed


async def test_a_supplier_never_receives_another_suppliers_quote_events(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    ids = []
    for name in ("甲电力", "乙电力"):
        conn = await asyncpg.connect(live.database_url)
        ids.append(
            await conn.fetchval(
                "INSERT INTO suppliers (estate_id, name) VALUES ($1, $2) RETURNING id",
                estate_id,
                name,
            )
        )
        await conn.close()
    supplier_a, supplier_b = ids
    _, token_a = await new_member(
        live.base_url, live.admin_token, estate_id, "supplier", supplier_id=supplier_a
    )
    _, committee = await new_member(live.base_url, live.admin_token, estate_id, "committee")

    async def mixed_batch() -> list[int]:
        seqs = []
        seqs += await append_events(live.database_url, estate_id, 1, audience="all")
        seqs += await append_events(live.database_url, estate_id, 1, audience="members")
        seqs += await append_events(live.database_url, estate_id, 1, audience="staff")
        for supplier in (supplier_a, supplier_b):
            for audience in ("supplier", "bidder"):
                seqs += await append_events(
                    live.database_url,
                    estate_id,
                    1,
                    type="quote.revised",
                    audience=audience,
                    supplier_id=supplier,
                )
        return seqs

    replayed = await mixed_batch()  # all / members / staff / A sup / A bid / B sup / B bid
    async with (
        live_socket(live.base_url, estate_id, token_a, after=replayed[0] - 1) as supplier_ws,
        live_socket(live.base_url, estate_id, committee, after=replayed[0] - 1) as committee_ws,
    ):
        live_batch = await mixed_batch()
        marker = await append_events(live.database_url, estate_id, 1, audience="all")
        seen_by_a = await read_until(supplier_ws, events_up_to(marker[0]))
        seen_by_committee = await read_until(committee_ws, events_up_to(marker[0]))

    def pick(batch: list[int], *positions: int) -> list[int]:
        return [batch[p] for p in positions]

    assert seen_by_a.seqs == pick(replayed, 0, 3, 4) + pick(live_batch, 0, 3, 4) + marker
    assert all(e["data"].get("i") is not None for e in seen_by_a.events)
    assert seen_by_committee.seqs == (
        pick(replayed, 0, 1, 2, 3, 5) + pick(live_batch, 0, 1, 2, 3, 5) + marker
    )


async def test_callers_outside_the_estate_or_unsigned_are_refused(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    other_estate = await new_estate(live.base_url, live.admin_token, name="别的小区")
    _, outsider = await new_member(live.base_url, live.admin_token, other_estate, "committee")
    _, owner = await new_member(live.base_url, live.admin_token, estate_id, "owner")
    cases = [
        (None, None, 4401),
        ("not-a-token", None, 4401),
        (outsider, None, 4403),
        (owner, "abc", 4400),
        (owner, "-1", 4400),
    ]
    for token, after, expected in cases:
        url = ws_url(live.base_url, estate_id, token)
        if after is not None:
            url += ("&" if "?" in url else "?") + f"after={after}"
        async with connect(url) as ws:
            code, _reason = await closed_with(ws)
        assert code == expected, (token, after)


async def test_bad_client_frames_get_error_frames_and_the_stream_goes_on(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    _, token = await new_member(live.base_url, live.admin_token, estate_id, "owner")
    async with live_socket(live.base_url, estate_id, token) as ws:
        await read_until(ws, caught_up)
        for bad in ["garbage", "{}", '{"type":"explode"}', '{"type":"join","meeting_id":"x"}']:
            await ws.send(bad)
        await ws.send(b"\x00\xff binary junk")
        await ws.send(json.dumps({"type": "ping", "nonce": "n1"}))
        got = await read_until(ws, lambda r: any(c["type"] == "pong" for c in r.controls))
        errors = [c for c in got.controls if c["type"] == "error"]
        assert len(errors) == 5 and all(e["reason"] for e in errors)
        assert errors[3]["field"] == "meeting_id"
        seqs = await append_events(live.database_url, estate_id, 2)
        after = await read_until(ws, events_up_to(seqs[-1]))
        assert after.seqs == seqs


async def test_idle_socket_gets_heartbeats(live: Live) -> None:
    estate_id = await new_estate(live.base_url, live.admin_token)
    _, token = await new_member(live.base_url, live.admin_token, estate_id, "owner")
    async with live_socket(live.base_url, estate_id, token) as ws:
        got = await read_until(
            ws, lambda r: sum(c["type"] == "heartbeat" for c in r.controls) >= 2, timeout=5
        )
    assert got.controls[-1]["head"] == got.controls[0]["head"]
