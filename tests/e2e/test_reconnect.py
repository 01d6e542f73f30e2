"""The meeting room survives a dropped connection: a banner shows while reconnecting, and
what happened meanwhile arrives on reconnect (replay from the last seq)."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
1栋,201,2,100.00,C,业主丙,
"""


@pytest.mark.timeout(240)
async def test_banner_while_reconnecting_and_missed_ballots_replayed(
    make_service_estate: Any, module_service: Any, open_page: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    households = {h["owner_key"]: h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主甲", household_ids=[households["A"]])
    committee = estate.api(committee_token)
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "1栋议事会", "kind": "building_meeting"}
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "屋面防水使用维修资金", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")

    first = estate.svc
    port = int(first.base_url.rsplit(":", 1)[1])
    chair = await open_page(first.base_url, committee_token)
    trail = _socket_trail(chair)
    await chair.goto(f"{first.base_url}/#/meetings/{meeting['id']}")
    participating = chair.get_by_test_id("bar-participating-owners")
    await participating.get_by_text("0 / 3").wait_for()

    trail.append((time.monotonic(), "service stopping"))
    first.stop()
    await chair.get_by_test_id("reconnecting").wait_for()
    await screenshot(chair, "meeting-room-reconnecting")

    # The service comes back, but this browser stays cut off while an owner votes.
    await chair.context.set_offline(True)
    trail.append((time.monotonic(), "offline, service starting"))
    module_service(port=port, data_dir=first.data_dir)
    trail.append((time.monotonic(), "service started"))
    estate.api(owner_token).post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    assert await participating.get_by_text("0 / 3").count() == 1  # nothing reached the page

    # Back online: the page reconnects after its last seq and the missed ballot arrives.
    await chair.context.set_offline(False)
    trail.append((time.monotonic(), "back online"))
    try:
        await participating.get_by_text("1 / 3").wait_for(timeout=40_000)
    except Exception:
        start = trail[0][0] if trail else 0.0
        print("\n".join(f"{t - start:7.2f} s  {what}" for t, what in trail))  # what the page saw
        raise
    await chair.get_by_test_id("reconnecting").wait_for(state="detached")


def _socket_trail(page: Any) -> list[tuple[float, str]]:
    """The page's sockets and console as they happen, printed when the replay does not come."""
    trail: list[tuple[float, str]] = []

    def note(what: str) -> None:
        trail.append((time.monotonic(), what))

    def on_socket(ws: Any) -> None:
        note(f"socket {ws.url.split('?')[-1]}")
        ws.on("framereceived", lambda frame: note(f"frame {str(frame)[:100]}"))
        ws.on("socketerror", lambda error: note(f"socket error {error}"))
        ws.on("close", lambda _: note("socket closed"))

    page.on("websocket", on_socket)
    page.on("console", lambda message: note(f"console {message.text[:160]}"))
    return trail
