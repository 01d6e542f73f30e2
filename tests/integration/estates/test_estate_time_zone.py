"""An estate's time zone (issue 16): Asia/Shanghai by default, set at creation or changed by
the estate's admin, checked against zoneinfo (400 ``unknown_time_zone``), shown by the API."""

from __future__ import annotations

import httpx

from planner.testing.voting import add_member
from tests.conftest import bearer


async def test_new_estates_are_in_shanghai_time_unless_told(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    shown = await client.get(f"/api/estates/{estate_id}", headers=bearer(admin_token))
    assert shown.status_code == 200
    assert shown.json()["time_zone"] == "Asia/Shanghai"
    made = await client.post(
        "/api/estates",
        json={"name": "乌鲁木齐小区", "time_zone": "Asia/Urumqi"},
        headers=bearer(admin_token),
    )
    assert made.status_code == 201, made.text
    assert made.json()["time_zone"] == "Asia/Urumqi"
    listed = await client.get("/api/estates", headers=bearer(admin_token))
    zones = {e["id"]: e["time_zone"] for e in listed.json()}
    assert zones[estate_id] == "Asia/Shanghai" and zones[made.json()["id"]] == "Asia/Urumqi"


async def test_an_unknown_zone_is_refused_with_its_code(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    for bad in ("Asia/Beijing", "CST", "../etc/passwd", "Asia/Shanghai "):
        made = await client.post(
            "/api/estates", json={"name": "小区", "time_zone": bad}, headers=bearer(admin_token)
        )
        assert made.status_code == 400, (bad, made.text)
        body = made.json()
        assert body["code"] == "unknown_time_zone"
        assert body["params"] == {"value": bad}
        assert body["errors"][0]["field"] == "time_zone"
    estate_id = await make_estate(csv=None)
    changed = await client.patch(
        f"/api/estates/{estate_id}", json={"time_zone": "Mars/Base"}, headers=bearer(admin_token)
    )
    assert changed.status_code == 400 and changed.json()["code"] == "unknown_time_zone"
    shown = await client.get(f"/api/estates/{estate_id}", headers=bearer(admin_token))
    assert shown.json()["time_zone"] == "Asia/Shanghai"


async def test_the_estate_admin_changes_the_zone_and_others_may_not(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate(csv=None)
    _, estate_admin = await add_member(client, admin_token, estate_id, "admin")
    _, committee = await add_member(client, admin_token, estate_id, "committee")
    refused = await client.patch(
        f"/api/estates/{estate_id}", json={"time_zone": "UTC"}, headers=bearer(committee)
    )
    assert refused.status_code == 403
    changed = await client.patch(
        f"/api/estates/{estate_id}",
        json={"time_zone": "America/New_York"},
        headers=bearer(estate_admin),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "America/New_York"
    assert changed.json()["name"] == "测试小区"  # fields not given are kept
    shown = await client.get(f"/api/estates/{estate_id}", headers=bearer(committee))
    assert shown.json()["time_zone"] == "America/New_York"
    missing = await client.patch(
        "/api/estates/999999", json={"time_zone": "UTC"}, headers=bearer(admin_token)
    )
    assert missing.status_code == 404
