"""The minutes print the estate's wall clock (issue 16): a meeting closed at 11:30 UTC was
closed at 19:30 in Shanghai; and each voter is named with the units voted for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.db.pool import connect_raw
from tests.conftest import bearer
from tests.integration.deliberation.helpers import Voting, setup_voting, vote

MakeEstate = Callable[..., Awaitable[int]]

ROWS = [
    ("1栋", "202", "85.00", "A"),
    ("1栋", "101", "80.00", "A"),
    ("2栋", "101", "95.00", "B"),
    ("10栋", "101", "60.50", "C"),
]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _closed_meeting(client: httpx.AsyncClient, voting: Voting, database_url: str) -> int:
    h = bearer(voting.committee)
    meeting = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=h,
        json={"title": "楼栋议事会", "kind": "building_meeting", "agenda": ["加装电梯"]},
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id: int = meeting.json()["id"]
    assert (await client.post(f"/api/meetings/{meeting_id}/open", headers=h)).status_code == 200
    motion = await client.post(
        f"/api/meetings/{meeting_id}/motions", headers=h, json={"title": "加装电梯", "matter": 7}
    )
    motion_id = motion.json()["id"]
    assert (await client.post(f"/api/motions/{motion_id}/open", headers=h)).status_code == 200
    # C's flat is voted by B as a proxy.
    delegated = await client.post(
        f"/api/estates/{voting.estate_id}/delegations",
        headers=h,
        json={
            "household_ids": [voting.households["10栋/101"]],
            "proxy_member_id": voting.owners["B"][0],
            "reference": "委托书1",
        },
    )
    assert delegated.status_code == 201, delegated.text
    for key in "AB":
        assert (await vote(client, voting.owners[key][1], motion_id, "yes")).status_code == 201
    closed = await client.post(f"/api/meetings/{meeting_id}/close", headers=h)
    assert closed.status_code == 200, closed.text
    # The meeting opened at 09:00 and closed at 11:30 UTC on 16 May 2026.
    conn = await connect_raw(database_url)
    try:
        await conn.execute(
            """UPDATE meetings SET opened_at = '2026-05-16 09:00+00',
                                   closed_at = '2026-05-16 11:30+00' WHERE id = $1""",
            meeting_id,
        )
    finally:
        await conn.close()
    return meeting_id


async def test_minutes_print_shanghai_time_and_each_voters_units(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    meeting_id = await _closed_meeting(client, voting, database_url)
    h = bearer(voting.committee)
    md = await client.get(f"/api/meetings/{meeting_id}/minutes", headers=h)
    assert md.status_code == 200, md.text
    assert "2026-05-16 17:00 (Asia/Shanghai)" in md.text
    assert "2026-05-16 19:30 (Asia/Shanghai)" in md.text
    assert "UTC" not in md.text and "11:30" not in md.text
    assert "业主A（1栋\\-101、1栋\\-202）" in md.text  # natural order, Markdown-escaped
    assert "业主B（2栋\\-101；受托 10栋\\-101）" in md.text
    page = await client.get(f"/api/meetings/{meeting_id}/minutes.html", headers=h)
    assert page.status_code == 200
    assert "19:30 (Asia/Shanghai)" in page.text and "11:30" not in page.text
    assert "<td>业主A（1栋-101、1栋-202）</td>" in page.text
    assert "<td>业主B（2栋-101；受托 10栋-101）</td>" in page.text
    # The API's own timestamps stay ISO 8601 with their offset (UTC).
    meeting = (await client.get(f"/api/meetings/{meeting_id}", headers=h)).json()
    assert meeting["closed_at"].startswith("2026-05-16T11:30:00")
    assert meeting["closed_at"].endswith(("Z", "+00:00"))


async def test_minutes_follow_the_estates_zone_with_daylight_saving(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    changed = await client.patch(
        f"/api/estates/{voting.estate_id}",
        json={"time_zone": "America/New_York"},
        headers=bearer(voting.admin),
    )
    assert changed.status_code == 200, changed.text
    meeting_id = await _closed_meeting(client, voting, database_url)
    md = await client.get(
        f"/api/meetings/{meeting_id}/minutes?lang=en", headers=bearer(voting.admin)
    )
    assert "2026-05-16 07:30 (America/New_York)" in md.text  # EDT, UTC-4 in May
