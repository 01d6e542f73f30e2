"""One decision per unit and motion whatever the channel (issue 17): under "last" the later of
the online and the paper ballot counts; under "paper" the paper ballot counts over a later
online one. Every ballot stays in the record and the committee sees the conflicts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.testing import audit_verify
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, open_consultation
from tests.integration.consultation.paper_helpers import (
    committee_members,
    entered,
    sheets,
    tally,
)

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _online(client: httpx.AsyncClient, token: str, motion_id: int, choice: str) -> None:
    cast = await client.post(
        f"/api/motions/{motion_id}/ballots", json={"choice": choice}, headers=bearer(token)
    )
    assert cast.status_code == 201, cast.text


async def _paper(
    client: httpx.AsyncClient, members: list[str], c: dict[str, Any], owner: str, choice: str
) -> None:
    code = (await sheets(client, members[0], c["id"]))[owner]["code"]
    motion_id = c["motions"][0]["id"]
    await entered(client, members[0], c["id"], code, {motion_id: choice})
    counted = await entered(client, members[1], c["id"], code, {motion_id: choice})
    assert counted["state"] == "counted"


async def _conflicts(client: httpx.AsyncClient, token: str, c: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/api/consultations/{c['id']}/conflicts", headers=bearer(token))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_last_rule_the_later_ballot_counts_whatever_its_channel(
    client: httpx.AsyncClient, voting: Voting, database_url: str, tmp_path: Path
) -> None:
    c = await open_consultation(client, voting, both_channels="last")
    members = await committee_members(client, voting, 1)
    motion_id = c["motions"][0]["id"]
    owner_b = voting.owners["B"][1]  # one unit, 100.00 m²
    await _online(client, owner_b, motion_id, "yes")
    await _paper(client, members, c, "B", "no")  # later: counts
    t = await tally(client, members[0], motion_id)
    assert (t["yes_owners"], t["no_owners"]) == (0, 1)
    assert t["by_channel"]["paper"]["owners"] == 1 and t["by_channel"]["online"]["owners"] == 0
    conflicts = await _conflicts(client, members[0], c)
    assert conflicts["both_channels"] == "last"
    [one] = conflicts["items"]
    assert one["household_id"] == voting.households["1栋/201"] and one["label"] == "1栋-201"
    assert (one["online"]["choice"], one["paper"]["choice"], one["counted"]) == (
        "yes",
        "no",
        "paper",
    )
    await _online(client, owner_b, motion_id, "abstain")  # later again: online counts
    t = await tally(client, members[0], motion_id)
    assert (t["no_owners"], t["abstain_owners"]) == (0, 1)
    assert t["by_channel"]["online"]["owners"] == 1 and t["by_channel"]["paper"]["owners"] == 0
    [one] = (await _conflicts(client, members[0], c))["items"]
    assert (one["online"]["choice"], one["counted"]) == ("abstain", "online")
    record = await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(members[0]))
    assert [r["choice"] for r in record.json()] == ["yes", "no", "abstain"]
    verified = audit_verify(database_url, tmp_path / "data")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_paper_rule_paper_counts_over_a_later_online_ballot(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await open_consultation(client, voting, both_channels="paper")
    members = await committee_members(client, voting, 1)
    motion_id = c["motions"][0]["id"]
    owner_c = voting.owners["C"][1]
    owner_d = voting.owners["D"][1]
    await _online(client, owner_c, motion_id, "yes")
    await _paper(client, members, c, "C", "no")  # paper counts
    await _online(client, owner_c, motion_id, "yes")  # later online: recorded, not counted
    await _online(client, owner_d, motion_id, "yes")  # online alone counts
    t = await tally(client, members[0], motion_id)
    assert (t["yes_owners"], t["no_owners"]) == (1, 1)
    assert t["by_channel"]["paper"] == {"owners": 1, "area_m2": "95.00"}
    assert t["by_channel"]["online"] == {"owners": 1, "area_m2": "60.00"}
    conflicts = await _conflicts(client, members[0], c)
    assert conflicts["both_channels"] == "paper"
    [one] = conflicts["items"]
    assert (one["online"]["choice"], one["paper"]["choice"], one["counted"]) == (
        "yes",
        "no",
        "paper",
    )
    assert one["online"]["cast_at"] > one["paper"]["cast_at"]
    record = (
        await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(members[0]))
    ).json()
    mine = [r for r in record if r["household_id"] == voting.households["2栋/101"]]
    assert [(r["choice"], r["counted"]) for r in mine] == [
        ("yes", False),
        ("no", True),
        ("yes", False),
    ]
    # an owner sees nobody's conflicts
    owner = await client.get(f"/api/consultations/{c['id']}/conflicts", headers=bearer(owner_c))
    assert owner.status_code == 403


async def test_audit_verifies_when_paper_prevails_over_a_later_online_ballot(
    client: httpx.AsyncClient, voting: Voting, database_url: str, tmp_path: Path
) -> None:
    c = await open_consultation(client, voting, both_channels="paper")
    members = await committee_members(client, voting, 1)
    motion_id = c["motions"][0]["id"]
    owner_c = voting.owners["C"][1]
    await _paper(client, members, c, "C", "no")
    await _online(client, owner_c, motion_id, "yes")  # recorded, not counted
    assert (await tally(client, members[0], motion_id))["no_owners"] == 1
    verified = audit_verify(database_url, tmp_path / "data")
    assert verified.returncode == 0, verified.stdout + verified.stderr
