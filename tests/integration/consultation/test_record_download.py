"""The recountable record (issue 17): downloaded as JSON or CSV once the consultation has
closed, recounted offline to the tally endpoint's figures; an edited line makes the recount
disagree and say where."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.consultation.recount import FIGURES
from planner.db.pool import Database
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, publish, wait_status
from tests.integration.consultation.record_helpers import (
    delegate,
    member_id,
    paper_ballot,
    run_recount,
    vote,
)

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


class Closed:
    def __init__(self, consultation: dict[str, Any], paper: dict[str, int]) -> None:
        self.consultation = consultation
        self.paper = paper


async def _closed_consultation(
    client: httpx.AsyncClient, db: Database, v: Voting, **more: Any
) -> Closed:
    """Two motions: A online yes (two units, one owner), B yes and, as proxy for D, no;
    C no on paper then yes online (which counts depends on the both-channels rule)."""
    created = await create(client, v, opens_in=1, closes_in=6, matters=(5, 7), **more)
    cid = created["id"]
    early = await client.get(f"/api/consultations/{cid}/record", headers=bearer(v.committee))
    assert early.status_code == 409
    b_member, b_token = v.owners["B"]
    await delegate(client, v, v.households["2栋/102"], b_member, "委托书-2026-007")
    await publish(client, v, cid)
    opened = await wait_status(client, v.committee, cid, "open")
    committee = await member_id(client, v.committee)
    paper: dict[str, int] = {}
    for motion in opened["motions"]:
        mid = motion["id"]
        await vote(client, v.owners["A"][1], mid, "yes")
        await vote(client, b_token, mid, "yes", [v.households["1栋/201"]])
        await vote(client, b_token, mid, "no", [v.households["2栋/102"]])
        paper[str(mid)] = await paper_ballot(db, mid, committee, v.households["2栋/101"], "no")
        await vote(client, v.owners["C"][1], mid, "yes")
    closed = await wait_status(client, v.committee, cid, "closed")
    return Closed(closed, paper)


async def _tallies(client: httpx.AsyncClient, token: str, c: Closed) -> list[dict[str, Any]]:
    found = []
    for motion in c.consultation["motions"]:
        tally = (
            await client.get(f"/api/motions/{motion['id']}/tally", headers=bearer(token))
        ).json()
        found.append({"motion_id": motion["id"], **{f: tally[f] for f in FIGURES}})
    return found


@pytest.mark.parametrize("both_channels", ["last", "paper"])
async def test_record_recounts_to_the_tally(
    client: httpx.AsyncClient, db: Database, voting: Voting, both_channels: str
) -> None:
    c = await _closed_consultation(client, db, voting, both_channels=both_channels)
    cid, owner = c.consultation["id"], voting.owners["A"][1]
    digest = c.consultation["record_digest"]
    assert isinstance(digest, str) and len(digest) == 64
    tallies = await _tallies(client, owner, c)
    as_json = await client.get(f"/api/consultations/{cid}/record", headers=bearer(owner))
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["x-record-digest"] == digest
    as_csv = await client.get(
        f"/api/consultations/{cid}/record", params={"format": "csv"}, headers=bearer(owner)
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    for data in (as_json.content, as_csv.content):
        code, figures, said = run_recount(data, digest)
        assert code == 0, said
        assert figures == tallies
    record = json.loads(as_json.content)
    assert record["digest"] == digest
    assert record["consultation"]["rule_set"] == "civil_code_2021"
    assert "2/3" in record["consultation"]["rule_set_terms"]
    assert record["consultation"]["chain_head_hash"]
    motion = record["motions"][0]
    # one owner's two units share a pseudonym that is not the owner key
    owners = {u["household_id"]: u["owner"] for u in motion["roll"]}
    a1, a2 = voting.households["1栋/101"], voting.households["1栋/102"]
    assert owners[a1] == owners[a2] != "A"
    assert len(set(owners.values())) == 4
    assert {u["area_m2"] for u in motion["roll"]} >= {"80.00", "95.00"}
    channels = [b["channel"] for b in motion["ballots"]]
    assert channels.count("paper") == 1 and channels.count("proxy") == 1
    proxy = next(b for b in motion["ballots"] if b["channel"] == "proxy")
    assert proxy["delegation_reference"] == "委托书-2026-007"
    # C voted no on paper, then yes online: the rule decides which counts
    c_yes = both_channels == "last"
    assert tallies[0]["yes_owners"] == (3 if c_yes else 2)
    # the ballot lines are one CSV row each
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert sum(r["kind"] == "ballot" for r in rows) == 2 * 6
    assert rows[-1]["kind"] == "digest" and rows[-1]["line_hash"] == digest
    # the same record on every download
    again = await client.get(f"/api/consultations/{cid}/record", headers=bearer(owner))
    assert again.content == as_json.content
    # and the announcement carries the digest
    announced = await client.post(
        f"/api/consultations/{cid}/announce", headers=bearer(voting.committee)
    )
    assert announced.json()["record_digest"] == digest


async def test_edited_record_disagrees_and_says_where(
    client: httpx.AsyncClient,
    db: Database,
    voting: Voting,
    admin_token: str,
    make_estate: MakeEstate,
) -> None:
    c = await _closed_consultation(client, db, voting)
    cid, owner = c.consultation["id"], voting.owners["B"][1]
    # another estate's owner: as for a missing consultation
    elsewhere = await setup_voting(client, admin_token, make_estate, ROWS)
    hidden = await client.get(
        f"/api/consultations/{cid}/record", headers=bearer(elsewhere.owners["A"][1])
    )
    assert hidden.status_code == 404
    missing = await client.get(f"/api/consultations/{cid + 1000}/record", headers=bearer(owner))
    assert missing.status_code == 404
    digest = c.consultation["record_digest"]
    as_json = (await client.get(f"/api/consultations/{cid}/record", headers=bearer(owner))).content
    as_csv = (
        await client.get(
            f"/api/consultations/{cid}/record", params={"format": "csv"}, headers=bearer(owner)
        )
    ).text

    # a choice flipped (JSON): A's first unit from yes to no
    record = json.loads(as_json)
    motion = record["motions"][0]
    a1 = voting.households["1栋/101"]
    flipped = next(b for b in motion["ballots"] if b["household_id"] == a1)
    flipped["choice"] = "no"
    code, figures, said = run_recount(json.dumps(record, ensure_ascii=False).encode())
    assert code == 1
    assert f"ballot {flipped['ballot_id']}, unit {a1}" in said
    assert "its hash does not match" in said
    assert "yes_area_m2 365.00 in the record, 285.00 recounted" in said
    assert figures[0]["yes_area_m2"] == "285.00"

    # a ballot line removed (CSV): the proxy's ballot for D
    lines = as_csv.splitlines(keepends=True)
    d_unit = str(voting.households["2栋/102"])
    removed = next(
        i for i, line in enumerate(lines) if line.startswith("ballot,") and ",proxy," in line
    )
    assert f",{d_unit}," in lines[removed]
    edited = "".join(lines[:removed] + lines[removed + 1 :])
    code, _, said = run_recount(edited.encode())
    assert code == 1
    assert f"line {removed + 1} (" in said  # the line that now follows the gap
    assert "a line just before it removed" in said
    assert "participating_area_m2" in said and "participating_units" in said

    # an area changed (CSV): 2栋/101 from 95.00 to 59.00
    c_unit = str(voting.households["2栋/101"])
    rows = list(csv.reader(io.StringIO(as_csv)))
    header = rows[0]
    at = next(
        i
        for i, r in enumerate(rows)
        if r[0] == "unit" and r[header.index("household_id")] == c_unit
    )
    rows[at][header.index("area_m2")] = "59.00"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    code, _, said = run_recount(buffer.getvalue().encode())
    assert code == 1
    assert f"line {at + 1} (unit: motion {motion['motion_id']}, unit {c_unit})" in said
    assert "total_area_m2 425.00 in the record, 389.00 recounted" in said

    # a re-chained forgery verifies alone, but not against the published digest
    from planner.consultation import recount as rc

    forged = rc.read(json.dumps(record, ensure_ascii=False).encode())
    rc.seal(forged.lines)
    forged.digest = forged.lines[-1].line_hash
    code, _, said = run_recount(rc.to_json(forged), digest)
    assert code == 1
    assert "not the published digest" in said
    code, _, _ = run_recount(as_json, "0" * 64)
    assert code == 1
    code, _, said = run_recount(b"not a record")
    assert code == 2
