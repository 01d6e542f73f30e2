"""A written consultation runs on its schedule: notice, open at opens_at, close at closes_at
(issue 17), with the estate's rule set and a both-channels rule."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import (
    ROWS,
    at,
    create,
    open_consultation,
    publish,
    wait_status,
)

MakeEstate = Callable[..., Awaitable[int]]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def test_draft_publish_open_vote_and_close_by_itself(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    created = await create(client, voting, opens_in=1, closes_in=4)
    assert created["status"] == "draft"
    assert created["rule_set"] == "civil_code_2021"
    assert [m["matter"] for m in created["motions"]] == [5]
    owner = voting.owners["B"][1]
    # an owner does not see a draft
    hidden = await client.get(f"/api/consultations/{created['id']}", headers=bearer(owner))
    assert hidden.status_code == 404
    await publish(client, voting, created["id"])
    opened = await wait_status(client, owner, created["id"], "open")
    motion_id = opened["motions"][0]["id"]
    cast = await client.post(
        f"/api/motions/{motion_id}/ballots", json={"choice": "yes"}, headers=bearer(owner)
    )
    assert cast.status_code == 201, cast.text
    closed = await wait_status(client, owner, created["id"], "closed")
    assert closed["closed_by"] is None
    late = await client.post(
        f"/api/motions/{motion_id}/ballots", json={"choice": "no"}, headers=bearer(owner)
    )
    assert late.status_code == 409
    tally = (await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(owner))).json()
    assert tally["participating_units"] == 1
    assert tally["rule_set"] == "civil_code_2021"


async def test_notice_period_and_meeting_routes_refused(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    created = await create(client, voting, opens_in=3600, closes_in=7200, notice_days=15)
    short = await client.post(
        f"/api/consultations/{created['id']}/publish", headers=bearer(voting.committee)
    )
    assert short.status_code == 409
    assert short.json()["code"] == "notice_too_short"
    opening = await client.post(
        f"/api/meetings/{created['id']}/open", headers=bearer(voting.committee)
    )
    assert opening.status_code == 409
    assert opening.json()["code"] == "managed_by_consultation"
    bad = await client.post(
        f"/api/estates/{voting.estate_id}/consultations",
        json={"title": "x", "opens_at": at(10), "closes_at": at(5)},
        headers=bearer(voting.committee),
    )
    assert bad.status_code == 400
    unknown = await client.post(
        f"/api/estates/{voting.estate_id}/consultations",
        json={"title": "x", "opens_at": at(10), "closes_at": at(50), "rule_set": "nope"},
        headers=bearer(voting.committee),
    )
    assert unknown.status_code == 400


async def test_early_close_only_when_everyone_voted(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    opened = await open_consultation(client, voting)
    cid, motion_id = opened["id"], opened["motions"][0]["id"]
    refused = await client.post(f"/api/consultations/{cid}/close", headers=bearer(voting.committee))
    assert refused.status_code == 409
    assert refused.json()["code"] == "early_close_refused"
    for _, token in voting.owners.values():
        r = await client.post(
            f"/api/motions/{motion_id}/ballots", json={"choice": "yes"}, headers=bearer(token)
        )
        assert r.status_code == 201, r.text
    closed = await client.post(f"/api/consultations/{cid}/close", headers=bearer(voting.committee))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    announced = await client.post(
        f"/api/consultations/{cid}/announce", headers=bearer(voting.committee)
    )
    assert announced.json()["status"] == "announced"
