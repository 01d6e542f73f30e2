"""The recountable record names, for each paper ballot, the entries that made it count
(issue 17: "entry/verification ids"): after a mismatch, the two that agreed."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.consultation.recount import check_chain, read, recount
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, open_consultation, wait_status
from tests.integration.consultation.paper_helpers import committee_members, entered, sheets

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def test_paper_ballot_lines_name_their_entries(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await open_consultation(client, voting, closes_in=8)
    a, b, d = await committee_members(client, voting)
    (m5,) = (m["id"] for m in c["motions"])
    code = (await sheets(client, a, c["id"]))["C"]["code"]
    await entered(client, a, c["id"], code, {m5: "yes"})
    second = await entered(client, b, c["id"], code, {m5: "no"})
    third = await entered(client, d, c["id"], code, {m5: "no"})
    assert third["state"] == "counted"
    await wait_status(client, voting.committee, c["id"], "closed", timeout=20)
    got = await client.get(f"/api/consultations/{c['id']}/record", headers=bearer(a))
    assert got.status_code == 200, got.text
    record = json.loads(got.content)
    paper = [bl for bl in record["motions"][0]["ballots"] if bl["channel"] == "paper"]
    assert [bl["ballot_id"] for bl in paper] == third["ballot_ids"]
    assert {bl["paper_entries"] for bl in paper} == {f"{second['entry_id']} {third['entry_id']}"}
    online = [bl for bl in record["motions"][0]["ballots"] if bl["channel"] != "paper"]
    assert all(bl["paper_entries"] is None for bl in online)
    # the line chain and the tally still agree with the digest sealed at the close
    parsed = read(got.content)
    assert check_chain(parsed, record["digest"]) == []
    assert all(not motion.problems for motion in recount(parsed))
