"""An estate's consultation settings (issue 17): the notice period in days (0..90, default
15) and the rule set (a name from ``GET /api/rule-sets``, default civil_code_2021), set by the
estate's admin in its PATCH and used as the defaults of new consultations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from planner.testing.voting import add_member
from tests.conftest import bearer


async def test_defaults_change_and_refusals(
    client: httpx.AsyncClient, admin_token: str, make_estate
) -> None:
    estate_id = await make_estate()
    shown = (await client.get(f"/api/estates/{estate_id}", headers=bearer(admin_token))).json()
    assert shown["notice_days"] == 15 and shown["rule_set"] == "civil_code_2021"
    _, committee = await add_member(client, admin_token, estate_id, "committee")
    refused = await client.patch(
        f"/api/estates/{estate_id}", json={"notice_days": 7}, headers=bearer(committee)
    )
    assert refused.status_code == 403
    changed = await client.patch(
        f"/api/estates/{estate_id}",
        json={"notice_days": 7, "rule_set": "property_law_2007"},
        headers=bearer(admin_token),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["notice_days"] == 7
    assert changed.json()["rule_set"] == "property_law_2007"
    assert changed.json()["name"] == "测试小区"
    for body, field, code in (
        ({"rule_set": "shenzhen_2099"}, "rule_set", "unknown_rule_set"),
        ({"notice_days": 91}, "notice_days", None),
        ({"notice_days": -1}, "notice_days", None),
    ):
        bad = await client.patch(
            f"/api/estates/{estate_id}", json=body, headers=bearer(admin_token)
        )
        assert bad.status_code == 400, (body, bad.text)
        assert bad.json()["errors"][0]["field"] == field
        if code:
            assert bad.json()["code"] == code
            assert bad.json()["params"]["name"] == "shenzhen_2099"
    listed = await client.get("/api/estates", headers=bearer(admin_token))
    mine = next(e for e in listed.json() if e["id"] == estate_id)
    assert (mine["notice_days"], mine["rule_set"]) == (7, "property_law_2007")
    # a new consultation takes the estate's settings
    start = datetime.now(UTC) + timedelta(days=30)
    made = await client.post(
        f"/api/estates/{estate_id}/consultations",
        json={
            "title": "设置测试",
            "opens_at": start.isoformat(),
            "closes_at": (start + timedelta(days=7)).isoformat(),
        },
        headers=bearer(committee),
    )
    assert made.status_code == 201, made.text
    assert (made.json()["notice_days"], made.json()["rule_set"]) == (7, "property_law_2007")
