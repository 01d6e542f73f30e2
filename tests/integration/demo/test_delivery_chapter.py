"""The demo's works delivery chapter plays through the API: milestones with two responsible
units, one overdue, the pipes and the roof accepted by the committee and two owners."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.delivery_chapter import BUILDER_SITE, PROPERTY_OFFICE, play_delivery
from planner.testing.delivery import delivered_work

pytestmark = pytest.mark.timeout(120)


async def test_the_chapter_plays(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    chair = await admin.post(
        f"/api/estates/{estate_id}/members", {"role": "committee", "display_name": "王主任"}
    )
    committee = Caller(client, chair["token"], chair["member_id"])
    households = await admin.get(f"/api/estates/{estate_id}/households")
    building = households[0]["building_id"]
    in_roof = [h["id"] for h in households if h["building_id"] == building]
    owners = []
    for n, household_id in enumerate(in_roof[:2]):
        made = await admin.post(
            f"/api/estates/{estate_id}/members",
            {"role": "owner", "display_name": f"业主{n}", "household_ids": [household_id]},
        )
        owners.append(Caller(client, made["token"], made["member_id"]))
    works = {}
    for key, status, scope in (
        ("pipes", "funded", []),
        ("roof", "awarded", [building]),
        ("parking", "in_progress", []),
        ("cameras", "funded", []),
        ("signage", "awarded", []),
    ):
        works[key] = await delivered_work(
            client,
            admin_token,
            chair["token"],
            estate_id,
            title=key,
            status=status,
            scope_building_ids=scope,
        )
    days: list[int] = []
    played = await play_delivery(committee, owners, works, today=date(2026, 12, 4), at=days.append)
    assert days == sorted(days) and days[0] < -80
    assert played.accepted == ["pipes", "roof"] and not played.skipped
    assert sum(len(ids) for ids in played.milestones.values()) == 12

    timeline = await owners[0].get(f"/api/estates/{estate_id}/timeline")
    by_key = {w["title"]: w for w in timeline["works"]}
    assert by_key["pipes"]["status"] == by_key["roof"]["status"] == "done"
    assert by_key["pipes"]["accepted"] and by_key["pipes"]["progress_pct"] == 100
    overdue = [m["title"] for w in timeline["works"] for m in w["milestones"] if m["overdue"]]
    assert overdue == ["摄像头点位确认"]
    units = {g["responsible_unit"] for g in timeline["goals"]}
    assert units == {BUILDER_SITE, PROPERTY_OFFICE}
    kinds = {m["period_kind"] for w in timeline["works"] for m in w["milestones"]}
    assert {"month", "quarter", "half", "day"} <= kinds
    pipes = await owners[1].get(f"/api/works/{works['pipes']}/acceptance")
    assert [d["fixed"] for d in pipes["defects"]] == [True]
    assert sorted(s["capacity"] for s in pipes["signatures"]) == ["committee", "owner", "owner"]
