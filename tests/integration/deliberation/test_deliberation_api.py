"""Meetings, motions, ballots, proxies, receipts, hidden results and minutes over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.deliberation.ballot_box import PUSH_INTERVAL_S
from tests.conftest import bearer
from tests.integration.deliberation.helpers import (
    Voting,
    add_member,
    add_supplier,
    event_rows,
    open_motion,
    setup_voting,
    vote,
)

MakeEstate = Callable[..., Awaitable[int]]

# Owner A holds three units (one person, 270 m²); B, C, D one each.
ROWS = [
    ("1栋", "101", "80.00", "A"),
    ("1栋", "102", "90.00", "A"),
    ("1栋", "201", "100.00", "A"),
    ("1栋", "202", "85.00", "B"),
    ("2栋", "101", "95.00", "C"),
    ("2栋", "102", "60.50", "D"),
]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def tally_of(client: httpx.AsyncClient, token: str, motion_id: int) -> dict:  # type: ignore[type-arg]
    response = await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_owner_votes_all_units_at_once_and_the_tally_follows_art_278(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting, matter=5)
    cast = await vote(client, voting.owners["A"][1], motion_id, "yes")
    assert cast.status_code == 201, cast.text
    ballots = cast.json()["ballots"]
    assert len(ballots) == 3
    assert len({b["receipt"] for b in ballots}) == 3
    assert all(not b["by_proxy"] for b in ballots)
    assert (await vote(client, voting.owners["B"][1], motion_id, "no")).status_code == 201
    tally = await tally_of(client, voting.committee, motion_id)
    assert tally["total_area_m2"] == "510.50"
    assert tally["participating_area_m2"] == "355.00"
    assert tally["yes_area_m2"] == "270.00"
    assert (tally["total_owners"], tally["participating_owners"], tally["yes_owners"]) == (4, 2, 1)
    assert tally["rule"] == "ordinary"
    # 2 of 4 owners is below 2/3: no quorum yet.
    assert tally["quorum_met"] is False and tally["passed"] is False
    assert (await vote(client, voting.owners["C"][1], motion_id, "yes")).status_code == 201
    tally = await tally_of(client, voting.owners["D"][1], motion_id)
    assert tally["quorum_met"] is True
    assert tally["yes_owners"] == 2 and tally["participating_owners"] == 3
    assert tally["passed"] is True


async def test_owner_cannot_vote_for_units_they_do_not_hold(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting)
    b_unit = voting.households["1栋/202"]
    a_unit = voting.households["1栋/101"]
    denied = await vote(client, voting.owners["A"][1], motion_id, "yes", [a_unit, b_unit])
    assert denied.status_code == 403
    # nothing of the refused cast was recorded
    record = (
        await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(voting.committee))
    ).json()
    assert record == []
    # choosing some of one's own units is fine
    chosen = await vote(client, voting.owners["A"][1], motion_id, "no", [a_unit])
    assert chosen.status_code == 201
    assert [b["household_id"] for b in chosen.json()["ballots"]] == [a_unit]


async def test_units_outside_a_building_meeting_scope(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting, scope=[voting.buildings["2栋"]])
    tally = await tally_of(client, voting.committee, motion_id)
    assert (tally["total_area_m2"], tally["total_owners"]) == ("155.50", 2)
    # A owns nothing in 2栋
    assert (await vote(client, voting.owners["A"][1], motion_id, "yes")).status_code == 403
    outside = await vote(
        client, voting.owners["A"][1], motion_id, "yes", [voting.households["1栋/101"]]
    )
    assert outside.status_code == 400
    assert outside.json()["errors"][0]["field"] == "household_ids"
    assert (await vote(client, voting.owners["C"][1], motion_id, "yes")).status_code == 201


async def test_proxy_votes_only_delegated_units_and_the_record_shows_for_whom(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    meeting_id, motion_id = await open_motion(client, voting)
    proxy_id, proxy = await add_member(
        client, voting.admin, voting.estate_id, "owner", display_name="代理人"
    )
    d_unit, c_unit = voting.households["2栋/102"], voting.households["2栋/101"]
    denied = await vote(client, proxy, motion_id, "yes", [d_unit])
    assert denied.status_code == 403
    made = await client.post(
        f"/api/estates/{voting.estate_id}/delegations",
        headers=bearer(voting.committee),
        json={
            "household_ids": [d_unit],
            "proxy_member_id": proxy_id,
            "reference": "委托书 2024-017",
        },
    )
    assert made.status_code == 201, made.text
    assert (await vote(client, proxy, motion_id, "yes", [c_unit])).status_code == 403
    cast = await vote(client, proxy, motion_id, "yes")
    assert cast.status_code == 201, cast.text
    assert [(b["household_id"], b["by_proxy"]) for b in cast.json()["ballots"]] == [(d_unit, True)]
    record = (
        await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(voting.committee))
    ).json()
    assert [
        (r["household_id"], r["cast_by"], r["cast_by_name"], r["delegation_reference"])
        for r in record
    ] == [(d_unit, proxy_id, "代理人", "委托书 2024-017")]
    # owners may not read the record; a proxy sees delegations made out to them
    assert (
        await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(proxy))
    ).status_code == 403
    mine = (
        await client.get(f"/api/estates/{voting.estate_id}/delegations", headers=bearer(proxy))
    ).json()
    assert [d["household_id"] for d in mine] == [d_unit]
    # an observer cannot be made a proxy; a revoked delegation no longer lets the proxy vote
    observer_id, _ = await add_member(client, voting.admin, voting.estate_id, "observer")
    bad = await client.post(
        f"/api/estates/{voting.estate_id}/delegations",
        headers=bearer(voting.committee),
        json={"household_ids": [d_unit], "proxy_member_id": observer_id, "reference": "x"},
    )
    assert bad.status_code == 400
    revoked = await client.post(
        f"/api/delegations/{made.json()[0]['id']}/revoke", headers=bearer(voting.committee)
    )
    assert revoked.status_code == 200
    assert (await vote(client, proxy, motion_id, "no", [d_unit])).status_code == 403
    assert meeting_id


async def test_change_before_close_counts_last_and_every_change_is_kept(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting)
    token = voting.owners["B"][1]
    first = (await vote(client, token, motion_id, "yes")).json()["ballots"][0]
    second = (await vote(client, token, motion_id, "abstain")).json()["ballots"][0]
    third = (await vote(client, token, motion_id, "no")).json()["ballots"][0]
    assert first["ballot_id"] < second["ballot_id"] < third["ballot_id"]
    tally = await tally_of(client, voting.committee, motion_id)
    assert (tally["yes_area_m2"], tally["abstain_area_m2"], tally["no_area_m2"]) == (
        "0.00",
        "0.00",
        "85.00",
    )
    record = (
        await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(voting.committee))
    ).json()
    assert [(r["choice"], r["counted"]) for r in record] == [
        ("yes", False),
        ("abstain", False),
        ("no", True),
    ]


async def test_after_close_ballots_get_409_and_receipts_are_verifiable(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting, matter=6)
    early = await client.get(
        f"/api/motions/{motion_id}/receipts", headers=bearer(voting.owners["A"][1])
    )
    assert early.status_code == 409
    superseded = (await vote(client, voting.owners["B"][1], motion_id, "no")).json()["ballots"]
    counted = []
    for key, choice in [("A", "yes"), ("B", "yes"), ("C", "yes"), ("D", "no")]:
        counted += (await vote(client, voting.owners[key][1], motion_id, choice)).json()["ballots"]
    closed = await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = await vote(client, voting.owners["D"][1], motion_id, "yes")
    assert late.status_code == 409
    again = await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    assert again.status_code == 409
    published = await client.get(
        f"/api/motions/{motion_id}/receipts", headers=bearer(voting.owners["D"][1])
    )
    assert published.status_code == 200
    listed = {(r["receipt"], r["choice"]) for r in published.json()["receipts"]}
    assert listed == {(b["receipt"], b["choice"]) for b in counted}
    assert superseded[0]["receipt"] not in {r for r, _ in listed}
    assert "household_id" not in published.json()["receipts"][0]
    tally = await tally_of(client, voting.owners["A"][1], motion_id)
    # 3 of 4 owners yes (exactly 3/4); area 450.00 of 510.50 < 3/4? 450*4=1800 >= 1531.5: yes.
    assert tally["rule"] == "special"
    assert tally["yes_owners"] == 3 and tally["participating_owners"] == 4
    assert tally["passed"] is True
    assert tally["status"] == "closed"


@pytest.mark.parametrize("role", ["supplier", "observer"])
async def test_suppliers_and_observers_cannot_vote(
    client: httpx.AsyncClient, voting: Voting, role: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    supplier = (
        await add_supplier(client, voting.admin, voting.estate_id) if role == "supplier" else None
    )
    _, token = await add_member(
        client,
        voting.admin,
        voting.estate_id,
        role,
        (voting.households["1栋/101"],),
        supplier_id=supplier,
    )
    response = await vote(client, token, motion_id, "yes")
    assert response.status_code == 403


async def test_other_estates_and_unopened_motions(
    client: httpx.AsyncClient,
    voting: Voting,
    make_estate: MakeEstate,
) -> None:
    other = await make_estate(name="别的小区", csv=None)
    _, outsider = await add_member(client, voting.admin, other, "committee")
    meeting_id, motion_id = await open_motion(client, voting)
    assert (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(outsider))
    ).status_code == 404
    assert (
        await client.post(f"/api/motions/{motion_id}/close", headers=bearer(outsider))
    ).status_code == 404
    # an owner may not open or close motions
    assert (
        await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.owners["A"][1]))
    ).status_code == 403
    draft = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=bearer(voting.committee),
        json={"title": "草案", "matter": 9},
    )
    draft_id = draft.json()["id"]
    assert (await vote(client, voting.owners["A"][1], draft_id, "yes")).status_code == 409
    bad = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=bearer(voting.committee),
        json={"title": "x", "matter": 10},
    )
    assert bad.status_code == 400
    assert (
        await client.get("/api/motions/999999/tally", headers=bearer(voting.committee))
    ).status_code == 404


async def test_hidden_results_until_close(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting, hide_results=True)
    for key in "ABC":
        assert (await vote(client, voting.owners[key][1], motion_id, "yes")).status_code == 201
    owner_view = await tally_of(client, voting.owners["D"][1], motion_id)
    assert owner_view["results_hidden"] is True
    assert owner_view["yes_area_m2"] is None and owner_view["passed"] is None
    assert owner_view["participating_owners"] == 3
    committee_view = await tally_of(client, voting.committee, motion_id)
    assert committee_view["results_hidden"] is False
    assert committee_view["yes_owners"] == 3
    rows = await event_rows(database_url, voting.estate_id)
    types = [r["type"] for r in rows]
    assert types.count("ballot.cast") == 3
    assert "tally.updated" not in types
    # members' only sign of progress while the tally is hidden
    assert {r["audience"] for r in rows if r["type"] == "ballot.cast"} == {"members"}
    await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    after = await tally_of(client, voting.owners["D"][1], motion_id)
    assert after["results_hidden"] is False and after["passed"] is True


async def test_events_carry_tallies_but_not_who_voted_what(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)
    await vote(client, voting.owners["A"][1], motion_id, "yes")
    rows = await event_rows(database_url, voting.estate_id)
    by_type = {r["type"]: r for r in rows}
    assert {
        "meeting.created",
        "meeting.opened",
        "motion.created",
        "motion.opened",
        "ballot.cast",
        "tally.updated",
    } <= set(by_type)
    cast = by_type["ballot.cast"]
    assert cast["audience"] == "staff"  # members follow tally.updated while results show
    data = cast["data"]
    assert {k: data[k] for k in ("motion_id", "casts", "units")} == {
        "motion_id": motion_id,
        "casts": 1,
        "units": 3,
    }
    # each ballot is in the chain only as an opaque keyed commitment: no unit, no choice
    assert set(data) == {"motion_id", "casts", "units", "cast_at", "ballots"}
    assert [len(b) for b in data["ballots"]] == [2, 2, 2]
    assert all(re.fullmatch(r"[0-9a-f]{32}", commitment) for _, commitment in data["ballots"])
    assert "yes" not in json.dumps(data)
    pushed = by_type["tally.updated"]["data"]
    assert pushed["yes_area_m2"] == "270.00" and pushed["motion_id"] == motion_id


async def test_tally_pushes_are_paced_and_the_last_one_is_never_lost(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    _, motion_id = await open_motion(client, voting)

    async def pushes() -> list[dict]:  # type: ignore[type-arg]
        rows = await event_rows(database_url, voting.estate_id)
        return [r["data"] for r in rows if r["type"] == "tally.updated"]

    await vote(client, voting.owners["A"][1], motion_id, "yes")
    assert [p["participating_owners"] for p in await pushes()] == [1]  # the first goes at once
    # two more casts within the interval: recorded at once, their push owed
    began = time.monotonic()
    await vote(client, voting.owners["B"][1], motion_id, "no")
    await vote(client, voting.owners["C"][1], motion_id, "yes")
    if time.monotonic() - began < PUSH_INTERVAL_S / 2:
        assert [p["participating_owners"] for p in await pushes()] == [1]
    await asyncio.sleep(PUSH_INTERVAL_S * 3)
    last = (await pushes())[-1]
    assert (last["participating_owners"], last["yes_owners"], last["no_owners"]) == (3, 2, 1)
    assert len(await pushes()) == 2
    # an owed push after the close is dropped: motion.closed carries the tally of record
    await vote(client, voting.owners["D"][1], motion_id, "yes")
    await vote(client, voting.owners["B"][1], motion_id, "yes")
    closed = await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    assert closed.status_code == 200
    await asyncio.sleep(PUSH_INTERVAL_S * 3)
    rows = await event_rows(database_url, voting.estate_id)
    types = [r["type"] for r in rows]
    assert types.index("motion.closed") > max(
        i for i, t in enumerate(types) if t == "tally.updated"
    )
    final = next(r["data"]["tally"] for r in rows if r["type"] == "motion.closed")
    assert (final["participating_owners"], final["yes_owners"]) == (4, 4)


async def test_a_cast_does_not_wait_for_the_paced_push(
    client: httpx.AsyncClient, voting: Voting, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Casts one after another are recorded at once while the writer waits out the push
    interval (made 5 s here: they used to wait with it); the push still comes once."""
    monkeypatch.setattr("planner.deliberation.ballot_box.PUSH_INTERVAL_S", 5.0)
    _, motion_id = await open_motion(client, voting)

    async def pushes() -> list[dict]:  # type: ignore[type-arg]
        rows = await event_rows(database_url, voting.estate_id)
        return [r["data"] for r in rows if r["type"] == "tally.updated"]

    began = time.monotonic()
    await vote(client, voting.owners["A"][1], motion_id, "yes")  # carries the first push
    for owner, choice in (("B", "no"), ("C", "yes"), ("D", "yes")):
        await asyncio.wait_for(vote(client, voting.owners[owner][1], motion_id, choice), 2.5)
    if time.monotonic() - began < 4:  # all within the interval: one push so far
        assert [p["participating_owners"] for p in await pushes()] == [1]
    for _ in range(100):  # the owed push, once the interval has passed
        if len(await pushes()) == 2:
            break
        await asyncio.sleep(0.1)
    assert [p["participating_owners"] for p in await pushes()] == [1, 4]


async def test_closing_the_meeting_closes_motions_and_makes_minutes(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    h = bearer(voting.committee)
    meeting = (
        await client.post(
            f"/api/estates/{voting.estate_id}/meetings",
            headers=h,
            json={
                "title": "<script>alert(1)</script> 楼栋议事会",
                "kind": "building_meeting",
                "scope_building_ids": [voting.buildings["1栋"]],
                "agenda": ["加装电梯 <b>讨论</b>"],
            },
        )
    ).json()
    meeting_id = meeting["id"]
    early = await client.get(f"/api/meetings/{meeting_id}/minutes", headers=h)
    assert early.status_code == 409
    await client.post(f"/api/meetings/{meeting_id}/open", headers=h)
    motion = (
        await client.post(
            f"/api/meetings/{meeting_id}/motions",
            headers=h,
            json={
                "title": "改造 [链接](http://evil)",
                "matter": 7,
                "text": "<img src=x onerror=alert(1)>",
            },
        )
    ).json()
    await client.post(
        f"/api/meetings/{meeting_id}/motions", headers=h, json={"title": "未表决事项", "matter": 9}
    )
    await client.post(f"/api/motions/{motion['id']}/open", headers=h)
    proxy_id, proxy = await add_member(
        client, voting.admin, voting.estate_id, "owner", display_name="代理<人>"
    )
    await client.post(
        f"/api/estates/{voting.estate_id}/delegations",
        headers=h,
        json={
            "household_ids": [voting.households["1栋/202"]],
            "proxy_member_id": proxy_id,
            "reference": "委托书#1",
        },
    )
    receipts = (await vote(client, voting.owners["A"][1], motion["id"], "yes")).json()["ballots"]
    receipts += (await vote(client, proxy, motion["id"], "yes")).json()["ballots"]
    closed = await client.post(f"/api/meetings/{meeting_id}/close", headers=h)
    assert closed.status_code == 200
    statuses = [m["status"] for m in closed.json()["motions"]]
    assert statuses == ["closed", "draft"]
    md = await client.get(f"/api/meetings/{meeting_id}/minutes", headers=h)
    assert md.status_code == 200
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    text = md.text
    assert "楼栋议事会" in text and "第二百七十八条" in text and "四分之三" in text
    assert "通过" in text and "未付表决" in text
    assert "[链接](http://evil)" not in text and "\\[链接\\]" in text
    assert "<script>" not in text
    for r in receipts:
        assert r["receipt"] in text
    assert "代理\\<人\\>" in text and "委托书#1" not in text.replace("委托书\\#1", "")
    page = await client.get(
        f"/api/meetings/{meeting_id}/minutes.html?lang=en", headers=bearer(voting.owners["B"][1])
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "代理&lt;人&gt;" in html
    assert "PASSED" in html and "Art. 278" in html
    assert (
        await client.post(
            f"/api/meetings/{meeting_id}/motions", headers=h, json={"title": "太晚", "matter": 1}
        )
    ).status_code == 409


async def test_meeting_listing_and_validation(
    client: httpx.AsyncClient, voting: Voting, make_estate: MakeEstate
) -> None:
    h = bearer(voting.committee)
    other = await make_estate(
        name="另一个",
        csv="building,unit,floor,area_m2,owner_key,owner_name,"
        "hardship_cap_fen\n9栋,1,1,50.00,Z,某,\n",
    )
    other_buildings = (
        await client.get(f"/api/estates/{other}/buildings", headers=bearer(voting.committee))
    ).status_code
    assert other_buildings == 404
    bad_kind = await client.post(
        f"/api/estates/{voting.estate_id}/meetings", headers=h, json={"title": "x", "kind": "party"}
    )
    assert bad_kind.status_code == 400
    unknown = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=h,
        json={"title": "x", "kind": "public_hearing", "extra": 1},
    )
    assert unknown.status_code == 400
    foreign = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=h,
        json={"title": "x", "kind": "public_hearing", "scope_building_ids": [999999]},
    )
    assert foreign.status_code == 400
    owner = bearer(voting.owners["A"][1])
    assert (
        await client.post(
            f"/api/estates/{voting.estate_id}/meetings",
            headers=owner,
            json={"title": "x", "kind": "public_hearing"},
        )
    ).status_code == 403
    made = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=h,
        json={"title": "民情恳谈会", "kind": "public_hearing"},
    )
    listed = (await client.get(f"/api/estates/{voting.estate_id}/meetings", headers=owner)).json()
    assert [m["id"] for m in listed] == [made.json()["id"]]
    got = (await client.get(f"/api/meetings/{made.json()['id']}", headers=owner)).json()
    assert got["status"] == "scheduled" and got["agenda"] == [] and got["motions"] == []
    again = await client.post(f"/api/meetings/{made.json()['id']}/close", headers=h)
    assert again.status_code == 409


async def test_motions_and_agenda_may_refer_to_works_of_the_estate(
    client: httpx.AsyncClient, voting: Voting, make_estate: MakeEstate
) -> None:
    h = bearer(voting.committee)
    work = await client.post(
        f"/api/estates/{voting.estate_id}/works",
        headers=h,
        json={"title": "二次供电改造", "category": "power"},
    )
    assert work.status_code == 201, work.text
    work_id = work.json()["id"]
    meeting = await client.post(
        f"/api/estates/{voting.estate_id}/meetings",
        headers=h,
        json={
            "title": "业主大会",
            "kind": "owners_assembly",
            "agenda": [{"text": "电力改造", "work_id": work_id}],
        },
    )
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["agenda"] == [{"position": 1, "text": "电力改造", "work_id": work_id}]
    meeting_id = meeting.json()["id"]
    motion = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=h,
        json={"title": "使用维修资金", "matter": 5, "work_id": work_id},
    )
    assert motion.status_code == 201 and motion.json()["work_id"] == work_id
    listed = (await client.get(f"/api/meetings/{meeting_id}/motions", headers=h)).json()
    assert [m["work_id"] for m in listed] == [work_id]
    other = await make_estate(name="别处", csv=None)
    _, other_committee = await add_member(client, voting.admin, other, "committee")
    foreign = await client.post(
        f"/api/estates/{other}/works",
        headers=bearer(other_committee),
        json={"title": "别人的工程", "category": "roof"},
    )
    foreign_motion = await client.post(
        f"/api/meetings/{meeting_id}/motions",
        headers=h,
        json={"title": "x", "matter": 5, "work_id": foreign.json()["id"]},
    )
    assert foreign_motion.status_code == 400
    assert foreign_motion.json()["errors"][0]["field"] == "work_id"


async def test_a_voter_reads_back_only_their_own_ballots(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    _, motion_id = await open_motion(client, voting)
    a_token = voting.owners["A"][1]
    b_token = voting.owners["B"][1]
    assert (await vote(client, a_token, motion_id, "yes")).status_code == 201
    assert (await vote(client, a_token, motion_id, "no")).status_code == 201
    assert (await vote(client, b_token, motion_id, "abstain")).status_code == 201
    mine = (
        await client.get(f"/api/motions/{motion_id}/ballots/mine", headers=bearer(a_token))
    ).json()
    assert mine and {b["cast_by"] for b in mine} == {mine[0]["cast_by"]}
    counted = [b["choice"] for b in mine if b["counted"]]
    assert counted and set(counted) == {"no"}
    assert {b["choice"] for b in mine} == {"yes", "no"}
    theirs = (
        await client.get(f"/api/motions/{motion_id}/ballots/mine", headers=bearer(b_token))
    ).json()
    assert [b["choice"] for b in theirs] == ["abstain"] * len(theirs) and theirs
