"""Live turnout of a consultation (issue 17): by area and head count, overall, per building,
per channel (online, paper, proxy) and per motion; choices hidden while a secret ballot runs;
owners get an event whenever turnout moves, even with the results hidden."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.db.pool import Database
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, open_consultation
from tests.integration.consultation.outreach_helpers import three_channels, vote_online

MakeEstate = Callable[..., Awaitable[int]]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _turnout(client: httpx.AsyncClient, token: str, cid: int) -> dict[str, object]:
    found = await client.get(f"/api/consultations/{cid}/turnout", headers=bearer(token))
    assert found.status_code == 200, found.text
    body: dict[str, object] = found.json()
    return body


async def test_turnout_by_building_channel_and_motion(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    opened = await open_consultation(client, voting, matters=(5, 1))
    cid = opened["id"]
    owner = voting.owners["B"][1]
    before = await _turnout(client, owner, cid)
    assert before["overall"] == {
        "owners": 0,
        "total_owners": 4,
        "area_m2": "0.00",
        "total_area_m2": "425.00",
    }
    await three_channels(client, voting, db, opened)
    for token in (owner, voting.committee):
        shown = await _turnout(client, token, cid)
        assert shown["status"] == "open"
        assert shown["overall"] == {
            "owners": 3,
            "total_owners": 4,
            "area_m2": "325.00",
            "total_area_m2": "425.00",
        }
        assert shown["by_building"] == [
            {
                "building_id": voting.buildings["1栋"],
                "building": "1栋",
                "owners": 1,
                "total_owners": 2,
                "area_m2": "170.00",
                "total_area_m2": "270.00",
            },
            {
                "building_id": voting.buildings["2栋"],
                "building": "2栋",
                "owners": 2,
                "total_owners": 2,
                "area_m2": "155.00",
                "total_area_m2": "155.00",
            },
        ]
        assert shown["by_channel"] == {
            "online": {"owners": 1, "area_m2": "170.00"},
            "paper": {"owners": 1, "area_m2": "60.00"},
            "proxy": {"owners": 1, "area_m2": "95.00"},
        }
        motions = shown["motions"]
        assert isinstance(motions, list) and len(motions) == 2
        for tally in motions:
            # a secret ballot while open: participation only, for the committee too
            assert tally["results_hidden"] is True
            assert tally["yes_area_m2"] is None and tally["passed"] is None
            assert tally["participating_owners"] == 3 and tally["participating_units"] == 4
            assert tally["participating_area_m2"] == "325.00"
            assert tally["rule_set"] == "civil_code_2021"
            assert tally["by_channel"]["paper"] == {"owners": 1, "area_m2": "60.00"}
    # everyone of the estate may watch; another role outside it may not
    observer = await client.get(f"/api/consultations/{cid}/turnout", headers=bearer(voting.admin))
    assert observer.status_code == 200


async def test_owners_hear_turnout_move_with_hidden_and_open_results(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    """With hidden results the ballot box sends ``ballot.cast`` to members (no choice in
    it); with an open ballot it sends ``tally.updated`` to members (paced): either way the
    owners' screens refetch the turnout."""
    secret = await open_consultation(client, voting)
    shown = await open_consultation(client, voting, open_ballot=True)
    await vote_online(client, voting.owners["A"][1], secret["motions"][0]["id"], "yes")
    await vote_online(client, voting.owners["A"][1], shown["motions"][0]["id"], "no")
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, audience, data->>'motion_id' AS motion FROM events
               WHERE estate_id = $1 AND type IN ('ballot.cast', 'tally.updated')""",
            voting.estate_id,
        )
    seen = {(r["type"], int(r["motion"]), r["audience"]) for r in rows}
    assert ("ballot.cast", secret["motions"][0]["id"], "members") in seen
    assert ("tally.updated", shown["motions"][0]["id"], "members") in seen
    assert not any(t == "tally.updated" and m == secret["motions"][0]["id"] for t, m, _ in seen)
    # the open ballot shows choices while it runs
    live = await _turnout(client, voting.owners["D"][1], shown["id"])
    tally = live["motions"][0]  # type: ignore[index]
    assert tally["results_hidden"] is False and tally["no_area_m2"] == "170.00"
