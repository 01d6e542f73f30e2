"""Choice rounds over HTTP: one set per owner, replace until the close, paper sheets, the
close equal to the pure rules, chosen candidates become proposed works, access, the record."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from planner.choice.record import recount
from planner.choice.rules import CandidateWork, choose
from planner.cli import main as cli_main
from planner.db.pool import Database
from tests.conftest import bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


async def households(db: Database, estate_id: int) -> dict[str, int]:
    """'1栋101' → household id."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT h.id, b.name || h.unit AS label FROM households h
               JOIN buildings b ON b.id = h.building_id WHERE h.estate_id = $1""",
            estate_id,
        )
    return {r["label"]: r["id"] for r in rows}


async def events(db: Database, estate_id: int, type_: str) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT audience, data::text AS data FROM events"
            " WHERE estate_id = $1 AND type = $2 ORDER BY seq",
            estate_id,
            type_,
        )
    return [{"audience": r["audience"], **msgspec.json.decode(r["data"])} for r in rows]


async def new_work(
    client: httpx.AsyncClient,
    token: str,
    estate_id: int,
    title: str,
    estimate: int | None,
    status: str = "candidate",
) -> int:
    body: dict[str, Any] = {"title": title, "category": "facilities", "status": status}
    if estimate is not None:
        body["estimate_fen"] = estimate
    response = await client.post(
        f"/api/estates/{estate_id}/works", json=body, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


class Scene(msgspec.Struct):
    estate_id: int
    committee: str
    owners: dict[str, str]
    houses: dict[str, int]
    works: list[int]


async def scene(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> Scene:
    estate_id = await make_estate()
    houses = await households(db, estate_id)
    _, committee = await make_member(estate_id, "committee")
    owners = {
        # owner A holds 1栋101 and 1栋201: one person, two members (one per unit)
        "A1": (await make_member(estate_id, "owner", household_ids=(houses["1栋101"],)))[1],
        "A2": (await make_member(estate_id, "owner", household_ids=(houses["1栋201"],)))[1],
        "B": (await make_member(estate_id, "owner", household_ids=(houses["1栋102"],)))[1],
        "C": (await make_member(estate_id, "owner", household_ids=(houses["2栋101"],)))[1],
    }
    works = [
        await new_work(client, committee, estate_id, "电梯加装", 300_000),
        await new_work(client, committee, estate_id, "屋面防水", 300_000),
        await new_work(client, committee, estate_id, "路灯更换", 100_000),
        await new_work(client, committee, estate_id, "健身器材", 60_000, status="proposed"),
    ]
    return Scene(estate_id, committee, owners, houses, works)


async def create_round(
    client: httpx.AsyncClient, s: Scene, budget: int = 400_000, work_ids: list[int] | None = None
) -> int:
    response = await client.post(
        f"/api/estates/{s.estate_id}/choice-rounds",
        json={"title": "2026年改造项目", "budget_fen": budget, "work_ids": work_ids or s.works},
        headers=bearer(s.committee),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def approve(
    client: httpx.AsyncClient, token: str, round_id: int, work_ids: list[int]
) -> httpx.Response:
    return await client.post(
        f"/api/choice-rounds/{round_id}/approvals",
        json={"work_ids": work_ids},
        headers=bearer(token),
    )


async def test_a_round_from_creation_to_close(
    client: httpx.AsyncClient,
    db: Database,
    make_estate: Any,
    make_member: MakeMember,
    tmp_path: Path,
) -> None:
    s = await scene(client, db, make_estate, make_member)
    lift, roof, lamps, gym = s.works
    round_id = await create_round(client, s)
    assert (await approve(client, s.owners["B"], round_id, [lift])).status_code == 409  # draft
    # a re-estimate before the opening counts: the costs are snapshotted at the open
    edited = await client.patch(
        f"/api/works/{gym}", json={"estimate_fen": 50_000}, headers=bearer(s.committee)
    )
    assert edited.status_code == 200, edited.text
    opened = await client.post(f"/api/choice-rounds/{round_id}/open", headers=bearer(s.committee))
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert [w["cost_fen"] for w in opened.json()["works"]] == [300_000, 300_000, 100_000, 50_000]

    # owner A: the second member replaces the first one's set (one person, one set)
    assert (await approve(client, s.owners["A1"], round_id, [lift, roof])).status_code == 200
    stored = await approve(client, s.owners["A2"], round_id, [lift])
    assert stored.status_code == 200 and stored.json()["approvals"] == 1
    mine = await client.get(f"/api/choice-rounds/{round_id}/mine", headers=bearer(s.owners["A1"]))
    assert mine.json()["owners"][0]["work_ids"] == [lift]
    assert (await approve(client, s.owners["B"], round_id, [lift, roof])).status_code == 200
    assert (await approve(client, s.owners["C"], round_id, [])).status_code == 200
    assert (await approve(client, s.owners["C"], round_id, [lamps, gym])).status_code == 200
    # a work outside the round, twice the same work
    assert (await approve(client, s.owners["C"], round_id, [999_999])).status_code == 400
    assert (await approve(client, s.owners["C"], round_id, [lamps, lamps])).status_code == 400

    # paper for owner D (2栋102): a sheet is entered once; paper prevails over online
    paper = await client.post(
        f"/api/choice-rounds/{round_id}/paper-approvals",
        json={"household_id": s.houses["2栋102"], "work_ids": [lamps], "sheet_no": "S-001"},
        headers=bearer(s.committee),
    )
    assert paper.status_code == 200, paper.text
    again = await client.post(
        f"/api/choice-rounds/{round_id}/paper-approvals",
        json={"household_id": s.houses["2栋101"], "work_ids": [lamps], "sheet_no": "S-001"},
        headers=bearer(s.committee),
    )
    assert again.status_code == 409 and again.json()["code"] == "choice_sheet_entered"
    sheet_b = await client.post(
        f"/api/choice-rounds/{round_id}/paper-approvals",
        json={"household_id": s.houses["1栋102"], "work_ids": [roof], "sheet_no": "S-002"},
        headers=bearer(s.committee),
    )
    assert sheet_b.status_code == 200
    refused = await approve(client, s.owners["B"], round_id, [lift])
    assert refused.status_code == 409 and refused.json()["code"] == "choice_paper_prevails"

    live = await client.get(f"/api/choice-rounds/{round_id}", headers=bearer(s.owners["C"]))
    assert live.json()["approvals"] == 4 and live.json()["result"] is None
    assert (
        await client.get(f"/api/choice-rounds/{round_id}/record", headers=bearer(s.committee))
    ).status_code == 409

    closed = await client.post(f"/api/choice-rounds/{round_id}/close", headers=bearer(s.committee))
    assert closed.status_code == 200, closed.text
    result = closed.json()
    expected = choose(
        [
            CandidateWork(lift, 300_000),
            CandidateWork(roof, 300_000),
            CandidateWork(lamps, 100_000),
            CandidateWork(gym, 50_000),
        ],
        400_000,
        [{lift}, {roof}, {lamps, gym}, {lamps}],
    )
    assert result["mes_work_ids"] == expected.mes_work_ids
    assert result["funded_work_ids"] == expected.funded_work_ids
    assert result["greedy_work_ids"] == expected.greedy_work_ids
    assert result["voters"] == 4 and len(result["explanations"]) == 4
    assert (await approve(client, s.owners["C"], round_id, [lift])).status_code == 409

    # funded candidates are proposed works now, one event each; others stay candidates
    for work_id in s.works:
        work = (await client.get(f"/api/works/{work_id}", headers=bearer(s.committee))).json()
        if work_id in result["funded_work_ids"]:
            assert work["status"] == "proposed"
        else:
            assert work["status"] == "candidate" or work_id == gym
    changed = await events(db, s.estate_id, "work.status_changed")
    assert sorted(e["work_id"] for e in changed) == sorted(
        w for w in result["funded_work_ids"] if w != gym
    )
    assert [e["approvals"] for e in await events(db, s.estate_id, "choice.approval")][-1] == 4
    closed_events = await events(db, s.estate_id, "choice.closed")
    assert closed_events[0]["funded_work_ids"] == result["funded_work_ids"]
    assert all(e["audience"] == "members" for e in closed_events)

    # the record: pseudonyms, the digest; the recount matches, from the file alone
    response = await client.get(
        f"/api/choice-rounds/{round_id}/record", headers=bearer(s.owners["C"])
    )
    assert response.status_code == 200
    record = response.json()
    assert len(record["approvals"]) == 4 and "A" not in json.dumps(record["approvals"])
    mine_after = await client.get(
        f"/api/choice-rounds/{round_id}/mine", headers=bearer(s.owners["C"])
    )
    assert mine_after.json()["owners"][0]["pseudonym"] in {a["voter"] for a in record["approvals"]}
    assert recount(record).matches and recount(record).digest_ok
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        cli_main(["recount-choice", str(path)])
    assert done.value.code == 0
    record["result"]["funded_work_ids"] = [lift]
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        cli_main(["recount-choice", str(path)])
    assert done.value.code == 1

    listed = await client.get(
        f"/api/estates/{s.estate_id}/choice-rounds", headers=bearer(s.owners["A1"])
    )
    assert [r["id"] for r in listed.json()] == [round_id]


async def test_creation_refuses_works_that_cannot_be_chosen(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> None:
    s = await scene(client, db, make_estate, make_member)
    no_estimate = await new_work(client, s.committee, s.estate_id, "无估算", None)
    response = await client.post(
        f"/api/estates/{s.estate_id}/choice-rounds",
        json={"title": "t", "budget_fen": 100, "work_ids": [s.works[0], no_estimate]},
        headers=bearer(s.committee),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "choice_work_not_eligible" or response.json()["errors"]


async def test_access_partner_and_supplier_403_other_estate_404(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> None:
    s = await scene(client, db, make_estate, make_member)
    round_id = await create_round(client, s)
    await client.post(f"/api/choice-rounds/{round_id}/open", headers=bearer(s.committee))
    made = await client.post(
        f"/api/estates/{s.estate_id}/members",
        json={"role": "partner", "display_name": "工商银行", "partner_kind": "bank"},
        headers=bearer(s.committee),
    )
    assert made.status_code == 201, made.text
    partner = made.json()["token"]
    supplier = await client.post(
        f"/api/estates/{s.estate_id}/suppliers",
        json={"name": "甲公司"},
        headers=bearer(s.committee),
    )
    assert supplier.status_code == 201, supplier.text
    _, supplier_token = await make_member(
        s.estate_id, "supplier", supplier_id=supplier.json()["id"]
    )
    _, observer = await make_member(s.estate_id, "observer")
    for token in (partner, supplier_token):
        assert (
            await client.get(f"/api/choice-rounds/{round_id}", headers=bearer(token))
        ).status_code == 403
        assert (await approve(client, token, round_id, [])).status_code == 403
    assert (await approve(client, observer, round_id, [])).status_code == 403
    # an owner may not open, close or enter paper
    for action in ("open", "close"):
        r = await client.post(
            f"/api/choice-rounds/{round_id}/{action}", headers=bearer(s.owners["B"])
        )
        assert r.status_code == 403
    # a committee member without a unit has no approvals to give
    no_unit = await approve(client, s.committee, round_id, [])
    assert no_unit.status_code == 403 and no_unit.json()["code"] == "choice_no_unit"
    other = await make_estate("别的小区")
    _, stranger = await make_member(other, "committee")
    for path in ("", "/mine", "/record"):
        r = await client.get(f"/api/choice-rounds/{round_id}{path}", headers=bearer(stranger))
        assert r.status_code == 404 and r.json()["code"] == "choice_round_not_found"
    r = await client.post(f"/api/choice-rounds/{round_id}/close", headers=bearer(stranger))
    assert r.status_code == 404


async def test_opening_refuses_a_work_that_can_no_longer_be_chosen(
    client: httpx.AsyncClient, db: Database, make_estate: Any, make_member: MakeMember
) -> None:
    s = await scene(client, db, make_estate, make_member)
    round_id = await create_round(client, s)
    rejected = await client.post(
        f"/api/works/{s.works[0]}/status", json={"status": "rejected"}, headers=bearer(s.committee)
    )
    assert rejected.status_code == 200, rejected.text
    opened = await client.post(f"/api/choice-rounds/{round_id}/open", headers=bearer(s.committee))
    assert opened.status_code == 409 and opened.json()["code"] == "choice_work_not_eligible"
    assert opened.json()["params"]["ids"] == [s.works[0]]
