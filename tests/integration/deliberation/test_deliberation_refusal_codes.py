"""Every refusal of deliberation carries its stable code and parameters beside the sentence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import bearer
from tests.integration.deliberation.helpers import (
    Voting,
    add_member,
    open_motion,
    setup_voting,
    vote,
)

MakeEstate = Callable[..., Awaitable[int]]

ROWS = [
    ("1栋", "101", "80.00", "A"),
    ("1栋", "102", "90.00", "B"),
    ("2栋", "101", "95.00", "C"),
]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


def refused(
    response: httpx.Response, status: int, code: str, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    if params is not None:
        assert body["params"] == params, body
    return body


async def test_ballots_refused_with_codes(client: httpx.AsyncClient, voting: Voting) -> None:
    meeting_id, motion_id = await open_motion(client, voting, scope=[voting.buildings["1栋"]])
    a_token, c_token = voting.owners["A"][1], voting.owners["C"][1]
    a_unit, b_unit = voting.households["1栋/101"], voting.households["1栋/102"]
    c_unit = voting.households["2栋/101"]

    body = refused(
        await vote(client, a_token, motion_id, "yes", [a_unit, b_unit]),
        403,
        "not_your_unit",
        {"ids": [b_unit]},
    )
    assert body["detail"] == f"you may not vote for units {[b_unit]}"
    body = refused(await vote(client, c_token, motion_id, "yes"), 403, "no_units_in_scope")
    assert body["detail"] == "you hold no units (own or delegated) in this motion's scope"
    body = refused(
        await vote(client, c_token, motion_id, "yes", [c_unit]),
        400,
        "not_in_scope",
        {"what": "units", "ids": [c_unit]},
    )
    assert body["errors"][0]["field"] == "household_ids"
    assert body["errors"][0]["code"] == "not_in_scope"
    _, observer = await add_member(client, voting.admin, voting.estate_id, "observer")
    refused(
        await vote(client, observer, motion_id, "yes"),
        403,
        "role_not_allowed",
        {"role": "observer"},
    )
    committee = bearer(voting.committee)
    draft = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=committee,
        json={"title": "草案", "matter": 9},
    )
    body = refused(
        await vote(client, a_token, draft.json()["id"], "yes"),
        409,
        "wrong_status",
        {"what": "motion", "status": "draft", "needed": "open"},
    )
    assert body["detail"] == "motion is draft; ballots are taken only while it is open"
    refused(
        await client.get(f"/api/motions/{motion_id}/receipts", headers=bearer(a_token)),
        409,
        "not_yet_available",
        {"when": "motion_closed"},
    )
    closed = await client.post(f"/api/motions/{motion_id}/close", headers=committee)
    assert closed.status_code == 200, closed.text
    refused(await vote(client, a_token, motion_id, "yes"), 409, "motion_closed")
    body = refused(
        await client.post(f"/api/motions/{motion_id}/close", headers=committee),
        409,
        "wrong_status",
        {"what": "motion", "status": "closed", "needed": "open"},
    )
    assert body["detail"] == "motion is closed, not open"
    refused(
        await client.post(f"/api/motions/{motion_id}/open", headers=committee),
        409,
        "wrong_status",
        {"what": "motion", "status": "closed", "needed": "draft"},
    )
    refused(await client.get("/api/motions/999999", headers=committee), 404, "motion_not_found")


async def test_meetings_refused_with_codes(client: httpx.AsyncClient, voting: Voting) -> None:
    committee = bearer(voting.committee)
    made = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=committee,
        json={"title": "楼栋议事会", "kind": "building_meeting"},
    )
    meeting_id = made.json()["id"]
    body = refused(
        await client.post(f"/api/meetings/{meeting_id}/close", headers=committee),
        409,
        "wrong_status",
        {"what": "meeting", "status": "scheduled", "needed": "open"},
    )
    assert body["detail"] == "meeting is scheduled, not open"
    draft = await client.post(
        f"/api/meetings/{meeting_id}/motions", headers=committee, json={"title": "x", "matter": 9}
    )
    body = refused(
        await client.post(f"/api/motions/{draft.json()['id']}/open", headers=committee),
        409,
        "meeting_not_open",
        {"status": "scheduled"},
    )
    assert body["detail"] == "the meeting is scheduled; open it first"
    refused(
        await client.get(f"/api/meetings/{meeting_id}/minutes", headers=committee),
        409,
        "not_yet_available",
        {"when": "meeting_closed"},
    )
    assert (
        await client.post(f"/api/meetings/{meeting_id}/open", headers=committee)
    ).status_code == 200
    body = refused(
        await client.post(f"/api/meetings/{meeting_id}/open", headers=committee),
        409,
        "wrong_status",
        {"what": "meeting", "status": "open", "needed": "scheduled"},
    )
    assert body["detail"] == "meeting is open"
    assert (
        await client.post(f"/api/meetings/{meeting_id}/close", headers=committee)
    ).status_code == 200
    body = refused(
        await client.post(
            f"/api/meetings/{meeting_id}/motions",
            headers=committee,
            json={"title": "x", "matter": 1},
        ),
        409,
        "meeting_closed",
    )
    assert body["detail"] == "meeting is closed"
    refused(
        await client.post(
            f"/api/estates/{voting.estate_id}/meetings",
            headers=committee,
            json={"title": "x", "kind": "public_hearing", "scope_building_ids": [999999]},
        ),
        400,
        "not_in_estate",
        {"what": "buildings", "ids": [999999]},
    )
    refused(
        await client.post(
            f"/api/estates/{voting.estate_id}/meetings",
            headers=committee,
            json={"title": "x", "kind": "public_hearing", "agenda": [{"text": "t", "work_id": 9}]},
        ),
        400,
        "not_in_estate",
        {"what": "works", "ids": [9]},
    )
    refused(await client.get("/api/meetings/999999", headers=committee), 404, "meeting_not_found")


async def test_delegations_refused_with_codes(client: httpx.AsyncClient, voting: Voting) -> None:
    committee = bearer(voting.committee)
    url = f"/api/estates/{voting.estate_id}/delegations"
    unit = voting.households["1栋/101"]
    observer_id, _ = await add_member(client, voting.admin, voting.estate_id, "observer")
    body = refused(
        await client.post(
            url,
            headers=committee,
            json={"household_ids": [unit], "proxy_member_id": observer_id, "reference": "x"},
        ),
        400,
        "proxy_not_voter",
        {"role": "observer"},
    )
    assert body["detail"] == "proxy_member_id: a observer may not vote, so not as proxy"
    owner_id = voting.owners["B"][0]
    refused(
        await client.post(
            url,
            headers=committee,
            json={"household_ids": [999999], "proxy_member_id": owner_id, "reference": "x"},
        ),
        400,
        "not_in_estate",
        {"what": "households", "ids": [999999]},
    )
    refused(
        await client.post(
            url,
            headers=committee,
            json={"household_ids": [unit], "proxy_member_id": 999999, "reference": "x"},
        ),
        400,
        "not_in_estate",
        {"what": "member"},
    )
    refused(
        await client.post(
            url,
            headers=committee,
            json={
                "household_ids": [unit],
                "proxy_member_id": owner_id,
                "reference": "x",
                "meeting_id": 999999,
            },
        ),
        400,
        "not_in_estate",
        {"what": "meeting"},
    )
    refused(
        await client.post("/api/delegations/999999/revoke", headers=committee),
        404,
        "delegation_not_found",
    )
