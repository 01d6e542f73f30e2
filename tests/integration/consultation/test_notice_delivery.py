"""How a consultation's notice reached each owner (issue 17): not yet → online the first time
the owner opens it (once), on paper as a committee member records it (who, when); a committee
member opening it is no delivery; the door-to-door list of owners not reached or not voted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest

from planner.db.pool import Database
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, open_consultation, publish

MakeEstate = Callable[..., Awaitable[int]]


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def _events(db: Database, estate_id: int) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT audience, actor_id, data::text AS data FROM events
               WHERE estate_id = $1 AND type = 'notice.delivered' ORDER BY seq""",
            estate_id,
        )
    return [
        {"audience": r["audience"], "actor": r["actor_id"], **msgspec.json.decode(r["data"])}
        for r in rows
    ]


async def _states(client: httpx.AsyncClient, v: Voting, cid: int) -> dict[str, dict[str, Any]]:
    listed = await client.get(f"/api/consultations/{cid}/deliveries", headers=bearer(v.committee))
    assert listed.status_code == 200, listed.text
    return {o["owner_key"]: o for o in listed.json()["items"]}


async def _me(client: httpx.AsyncClient, token: str) -> int:
    member_id: int = (await client.get("/api/me", headers=bearer(token))).json()["member_id"]
    return member_id


async def test_online_once_paper_by_whom_and_committee_is_no_delivery(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    created = await create(client, voting, opens_in=600, closes_in=1200)
    cid = created["id"]
    # a draft has no delivery list for owners, and nobody is reached yet
    await publish(client, voting, cid)
    states = await _states(client, voting, cid)
    assert sorted(states) == ["A", "B", "C", "D"]
    assert {o["state"] for o in states.values()} == {"not_yet"}
    assert states["A"]["buildings"] == ["1栋"] and len(states["A"]["units"]) == 2
    assert states["A"]["voted"] == "none" and states["A"]["owner_name"] == "业主A"

    # the committee opening it is no delivery
    for path in (f"/api/consultations/{cid}", f"/api/consultations/{cid}/notice.html"):
        seen = await client.get(path, headers=bearer(voting.committee))
        assert seen.status_code == 200
    assert {o["state"] for o in (await _states(client, voting, cid)).values()} == {"not_yet"}

    # owner A opens it twice: online, once, by A
    a_id, a_token = voting.owners["A"]
    for _ in range(2):
        seen = await client.get(f"/api/consultations/{cid}", headers=bearer(a_token))
        assert seen.status_code == 200
    # owner C opens the printable notice: that counts too
    c_id, c_token = voting.owners["C"]
    page = await client.get(f"/api/consultations/{cid}/notice.html", headers=bearer(c_token))
    assert page.status_code == 200 and "书面征求意见公告" in page.text
    states = await _states(client, voting, cid)
    assert (states["A"]["state"], states["A"]["by"]) == ("online", a_id)
    assert states["A"]["at"] is not None and len(states["A"]["deliveries"]) == 1
    assert (states["C"]["state"], states["C"]["by"]) == ("online", c_id)
    assert states["B"]["state"] == "not_yet" and states["D"]["state"] == "not_yet"

    # the committee hands B's notice over on paper: who and when are kept
    committee_id = await _me(client, voting.committee)
    handed = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"household_id": voting.households["1栋/201"], "channel": "paper", "note": "本人签收"},
        headers=bearer(voting.committee),
    )
    assert handed.status_code == 201, handed.text
    b = handed.json()
    assert (b["owner_key"], b["state"], b["by"], b["by_name"]) == (
        "B",
        "paper",
        committee_id,
        "主任",
    )
    assert b["at"] is not None and b["deliveries"][0]["note"] == "本人签收"
    # a paper delivery to A (already online) is kept beside it; A's state stays online
    again = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"owner_key": "A", "channel": "paper"},
        headers=bearer(voting.committee),
    )
    assert again.status_code == 201, again.text
    assert again.json()["state"] == "online"
    assert [d["channel"] for d in again.json()["deliveries"]] == ["online", "paper"]

    # refusals: an owner may not record deliveries or see the list; unknown owners; bad body
    refused = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"owner_key": "D", "channel": "paper"},
        headers=bearer(a_token),
    )
    assert refused.status_code == 403
    hidden = await client.get(f"/api/consultations/{cid}/deliveries", headers=bearer(a_token))
    assert hidden.status_code == 403
    for body, status, code in (
        ({"owner_key": "Z", "channel": "paper"}, 400, "not_in_scope"),
        ({"channel": "paper"}, 400, "required"),
        ({"household_id": 999999, "channel": "paper"}, 404, "household_not_found"),
        ({"owner_key": "D", "channel": "online"}, 400, None),
    ):
        bad = await client.post(
            f"/api/consultations/{cid}/deliveries", json=body, headers=bearer(voting.committee)
        )
        assert bad.status_code == status, (body, bad.text)
        if code:
            assert bad.json()["code"] == code

    events = await _events(db, voting.estate_id)
    assert [(e["owner_key"], e["channel"]) for e in events] == [
        ("A", "online"),
        ("C", "online"),
        ("B", "paper"),
        ("A", "paper"),
    ]
    assert {e["audience"] for e in events} == {"staff"}
    assert events[2]["actor"] == committee_id and events[0]["actor"] == a_id


async def test_scope_and_draft(client: httpx.AsyncClient, voting: Voting) -> None:
    """Only owners in the scope's buildings are listed; a draft is nobody's delivery."""
    created = await create(
        client, voting, opens_in=600, closes_in=1200, scope_building_ids=[voting.buildings["2栋"]]
    )
    cid = created["id"]
    a_token = voting.owners["C"][1]
    # an owner cannot open a draft, so nothing is recorded
    assert (
        await client.get(f"/api/consultations/{cid}", headers=bearer(a_token))
    ).status_code == 404
    draft_paper = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"owner_key": "C", "channel": "paper"},
        headers=bearer(voting.committee),
    )
    assert draft_paper.status_code == 409 and draft_paper.json()["code"] == "wrong_status"
    await publish(client, voting, cid)
    assert sorted(await _states(client, voting, cid)) == ["C", "D"]
    outside = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"household_id": voting.households["1栋/101"], "channel": "paper"},
        headers=bearer(voting.committee),
    )
    assert outside.status_code == 400 and outside.json()["code"] == "not_in_scope"
    # owner A (1栋 only) opening it is no delivery to anyone
    seen = await client.get(f"/api/consultations/{cid}", headers=bearer(voting.owners["A"][1]))
    assert seen.status_code == 200
    assert {o["state"] for o in (await _states(client, voting, cid)).values()} == {"not_yet"}


async def test_unreached_list_per_building(client: httpx.AsyncClient, voting: Voting) -> None:
    """The printable list has, per building, the owners not reached or not voted on every
    matter, with units, name and a tick box; reached owners who voted are not on it."""
    opened = await open_consultation(client, voting, matters=(5, 1))
    cid = opened["id"]
    motions = [m["id"] for m in opened["motions"]]
    a_token = voting.owners["A"][1]
    # A opens (reached online) and votes on both motions: off the list
    await client.get(f"/api/consultations/{cid}", headers=bearer(a_token))
    for motion_id in motions:
        cast = await client.post(
            f"/api/motions/{motion_id}/ballots", json={"choice": "yes"}, headers=bearer(a_token)
        )
        assert cast.status_code == 201, cast.text
    # C votes on one motion only, without opening the consultation first
    c_token = voting.owners["C"][1]
    cast = await client.post(
        f"/api/motions/{motions[0]}/ballots", json={"choice": "no"}, headers=bearer(c_token)
    )
    assert cast.status_code == 201
    # D gets the notice on paper but has not voted
    handed = await client.post(
        f"/api/consultations/{cid}/deliveries",
        json={"owner_key": "D", "channel": "paper"},
        headers=bearer(voting.committee),
    )
    assert handed.status_code == 201
    states = await _states(client, voting, cid)
    assert {k: o["voted"] for k, o in states.items()} == {
        "A": "every",
        "B": "none",
        "C": "some",
        "D": "none",
    }
    page = await client.get(
        f"/api/consultations/{cid}/unreached.html", headers=bearer(voting.committee)
    )
    assert page.status_code == 200, page.text
    text = page.text
    assert "入户走访" in text and text.count('class="tick">☐') == 3
    assert "业主A" not in text  # reached and voted
    one, two = text.index("<h2>1栋</h2>"), text.index("<h2>2栋</h2>")
    assert one < text.index("业主B") < two < text.index("业主C") < text.index("业主D")
    assert "部分表决" in text and "已书面送达" in text and "未送达" in text
    english = await client.get(
        f"/api/consultations/{cid}/unreached.html?lang=en", headers=bearer(voting.committee)
    )
    assert "door-to-door" in english.text and "on some matters" in english.text
    owner_page = await client.get(
        f"/api/consultations/{cid}/unreached.html", headers=bearer(a_token)
    )
    assert owner_page.status_code == 403
