"""``planner audit verify`` recounts a consultation from the chain under its both-channels
rule and rule set (issue 17): under "paper prevails" the counted ballot of a unit that voted
online after its paper ballot is the paper one, which the chain knows from the
``paper_ballots`` of each ``ballot.cast``; a ballot's channel changed in the table is named."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.db.pool import Database, connect_raw
from planner.live.audit import verify_all
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, publish, wait_status
from tests.integration.consultation.record_helpers import member_id, paper_ballot, vote

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _audit(database_url: str) -> list[str]:
    conn = await connect_raw(database_url)
    try:
        return await verify_all(conn)
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("both_channels", "rule_set"),
    [("paper", "civil_code_2021"), ("paper", "property_law_2007"), ("last", "civil_code_2021")],
)
async def test_audit_recounts_paper_ballots_under_the_rule(
    client: httpx.AsyncClient,
    db: Database,
    database_url: str,
    voting: Voting,
    both_channels: str,
    rule_set: str,
) -> None:
    created = await create(
        client,
        voting,
        opens_in=1,
        closes_in=5,
        matters=(5, 7),
        both_channels=both_channels,
        rule_set=rule_set,
    )
    await publish(client, voting, created["id"])
    opened = await wait_status(client, voting.committee, created["id"], "open")
    committee = await member_id(client, voting.committee)
    c_unit, d_unit = voting.households["2栋/101"], voting.households["2栋/102"]
    paper: list[int] = []
    for motion in opened["motions"]:
        mid = motion["id"]
        await vote(client, voting.owners["A"][1], mid, "yes")
        paper.append(await paper_ballot(db, mid, committee, c_unit, "no"))
        await vote(client, voting.owners["C"][1], mid, "yes")  # after the paper ballot
        paper.append(await paper_ballot(db, mid, committee, d_unit, "abstain"))
    closed = await wait_status(client, voting.committee, created["id"], "closed")
    motion_id = closed["motions"][0]["id"]
    tally = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    assert tally["rule_set"] == rule_set
    assert tally["by_channel"]["paper"]["owners"] == (2 if both_channels == "paper" else 1)
    assert tally["yes_owners"] == (1 if both_channels == "paper" else 2)

    lines = await _audit(database_url)
    assert lines[-1] == "audit: OK", lines
    assert any("2 motions" in line for line in lines), lines

    # the paper ballot said to have come online: the chain names it
    conn = await connect_raw(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE ballots SET channel = 'online' WHERE id = $1", paper[0])
    finally:
        await conn.close()
    lines = await _audit(database_url)
    assert lines[-1] == "audit: FAILED"
    assert any(
        f"unit {c_unit}: ballot {paper[0]} came online in the ballots table but paper" in line
        for line in lines
    ), lines
