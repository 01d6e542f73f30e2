"""A proxy splits (issue 17): one holder of written authorisations for two owners votes 同意
for one and 反对 for the other; each ballot is recorded with its authorisation (the
reference in the committee's ballot record and in the recountable record) and the tally's
``by_channel.proxy`` counts both owners."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, publish, wait_status
from tests.integration.consultation.record_helpers import delegate, run_recount, vote

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def test_one_proxy_votes_yes_for_one_owner_and_no_for_another(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    proxy_id, proxy = voting.owners["B"]
    c_unit, d_unit = voting.households["2栋/101"], voting.households["2栋/102"]
    created = await create(client, voting, opens_in=1, closes_in=5)
    cid = created["id"]
    refs = {c_unit: "委托书-C-2026-001", d_unit: "委托书-D-2026-002"}
    delegations = {
        unit: await delegate(client, voting, unit, proxy_id, ref) for unit, ref in refs.items()
    }
    await publish(client, voting, cid)
    opened = await wait_status(client, voting.committee, cid, "open")
    motion_id = opened["motions"][0]["id"]

    for_c = await vote(client, proxy, motion_id, "yes", [c_unit])
    for_d = await vote(client, proxy, motion_id, "no", [d_unit])
    own = await vote(client, proxy, motion_id, "yes", [voting.households["1栋/201"]])
    assert [b["by_proxy"] for b in (*for_c, *for_d, *own)] == [True, True, False]
    # a unit the proxy holds no authorisation for is refused
    stranger = await client.post(
        f"/api/motions/{motion_id}/ballots",
        json={"choice": "yes", "household_ids": [voting.households["1栋/101"]]},
        headers=bearer(proxy),
    )
    assert stranger.status_code == 403

    ballots = await client.get(
        f"/api/motions/{motion_id}/ballots", headers=bearer(voting.committee)
    )
    assert ballots.status_code == 200, ballots.text
    by_unit = {b["household_id"]: b for b in ballots.json()}
    for unit, choice in ((c_unit, "yes"), (d_unit, "no")):
        assert by_unit[unit]["choice"] == choice
        assert by_unit[unit]["cast_by"] == proxy_id
        assert by_unit[unit]["delegation_id"] == delegations[unit]
        assert by_unit[unit]["delegation_reference"] == refs[unit]
    assert by_unit[voting.households["1栋/201"]]["delegation_reference"] is None

    closed = await wait_status(client, voting.committee, cid, "closed")
    tally = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    assert tally["by_channel"]["proxy"] == {"owners": 2, "area_m2": "155.00"}
    assert tally["by_channel"]["online"] == {"owners": 1, "area_m2": "100.00"}
    assert (tally["yes_owners"], tally["no_owners"]) == (2, 1)

    record = await client.get(
        f"/api/consultations/{cid}/record", headers=bearer(voting.owners["A"][1])
    )
    assert record.status_code == 200
    lines = json.loads(record.content)["motions"][0]["ballots"]
    proxied = {b["household_id"]: b for b in lines if b["channel"] == "proxy"}
    assert {u: b["delegation_reference"] for u, b in proxied.items()} == refs
    assert {u: b["choice"] for u, b in proxied.items()} == {c_unit: "yes", d_unit: "no"}
    # one voter, one pseudonym, for both owners' ballots and their own
    assert len({b["cast_by"] for b in lines}) == 1
    code, figures, said = run_recount(record.content, closed["record_digest"])
    assert code == 0, said
    assert figures[0]["yes_owners"] == 2
