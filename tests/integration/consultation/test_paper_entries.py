"""Paper ballots entered twice (issue 17): signed codes, double entry, mismatch and its
resolution, the same member twice, entries before the opening and after the close."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.consultation.codes import ALPHABET, normalize
from planner.db.pool import connect_raw
from planner.testing import audit_verify
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import (
    ROWS,
    create,
    open_consultation,
    publish,
    wait_status,
)
from tests.integration.consultation.paper_helpers import (
    committee_members,
    enter,
    entered,
    sheets,
    tally,
)

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


def _altered(code: str) -> str:
    """The code with one symbol changed (the last of its first group)."""
    symbols = normalize(code)
    assert symbols is not None
    other = ALPHABET[(ALPHABET.index(symbols[3]) + 1) % len(ALPHABET)]
    return symbols[:3] + other + symbols[4:]


async def _made_by(database_url: str, ballot_ids: list[int]) -> dict[int, list[int]]:
    """The entries each paper ballot names (``paper_ballots``)."""
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            "SELECT ballot_id, entry_ids FROM paper_ballots WHERE ballot_id = ANY($1::bigint[])",
            ballot_ids,
        )
    finally:
        await conn.close()
    return {r["ballot_id"]: list(r["entry_ids"]) for r in rows}


async def _opened(client: httpx.AsyncClient, v: Voting, **more: Any) -> dict[str, Any]:
    return await open_consultation(client, v, matters=(5, 9), **more)


async def test_forged_altered_and_foreign_codes_are_refused(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await _opened(client, voting)
    other = await _opened(client, voting)
    own = (await sheets(client, voting.committee, c["id"]))["B"]["code"]
    foreign = (await sheets(client, voting.committee, other["id"]))["B"]["code"]
    choices = {m["id"]: "yes" for m in c["motions"]}
    for code in (_altered(own), foreign, "23AB-CDEF-GHJK-MNPQ", "not a code"):
        refused = await enter(client, voting.committee, c["id"], code, choices)
        assert refused.status_code == 400, (code, refused.text)
        assert refused.json()["code"] == "sheet_code_invalid"
        looked_up = await client.get(
            f"/api/consultations/{c['id']}/paper-entries/{code}", headers=bearer(voting.committee)
        )
        assert looked_up.status_code == 400 and looked_up.json()["code"] == "sheet_code_invalid"
    # the genuine code, typed in lower case without dashes, is accepted
    typed = own.replace("-", "").lower()
    first = await entered(client, voting.committee, c["id"], typed, choices)
    assert first["state"] == "awaiting_second" and first["code"] == own


async def test_equal_double_entry_counts_as_paper_ballots(
    client: httpx.AsyncClient, voting: Voting, database_url: str, tmp_path: Path
) -> None:
    c = await _opened(client, voting)
    first_member, second_member, _ = await committee_members(client, voting)
    sheet = (await sheets(client, first_member, c["id"]))["A"]  # two units: 1栋/101, 1栋/102
    assert sorted(sheet["household_ids"]) == sorted(
        [voting.households["1栋/101"], voting.households["1栋/102"]]
    )
    m5, m9 = (m["id"] for m in c["motions"])
    choices = {m5: "yes", m9: "no"}
    photo = await client.post(
        f"/api/estates/{voting.estate_id}/photos",
        content=b"\xff\xd8\xff\xe0" + b"signed sheet" * 10,
        headers={**bearer(first_member), "content-type": "image/jpeg"},
    )
    assert photo.status_code == 201, photo.text
    sha = photo.json()["sha256"]
    one = await entered(client, first_member, c["id"], sheet["code"], choices, sha)
    assert one["state"] == "awaiting_second" and one["entry_no"] == 1
    before = await tally(client, first_member, m5)
    assert before["by_channel"]["paper"] == {"owners": 0, "area_m2": "0.00"}
    two = await entered(client, second_member, c["id"], sheet["code"], choices, sha)
    assert two["state"] == "counted" and two["entry_no"] == 2
    assert len(two["ballot_ids"]) == 4  # two units, two motions
    assert await _made_by(database_url, two["ballot_ids"]) == {
        b: [one["entry_id"], two["entry_id"]] for b in two["ballot_ids"]
    }
    after5 = await tally(client, first_member, m5)
    assert after5["by_channel"]["paper"] == {"owners": 1, "area_m2": "170.00"}
    assert after5["yes_owners"] == 1 and after5["yes_area_m2"] == "170.00"
    after9 = await tally(client, first_member, m9)
    assert after9["no_owners"] == 1 and after9["by_channel"]["paper"]["owners"] == 1
    record = (await client.get(f"/api/motions/{m5}/ballots", headers=bearer(first_member))).json()
    assert {r["household_id"] for r in record} == set(sheet["household_ids"])
    assert all(r["counted"] for r in record)
    # both entries side by side, the photo's hash, who entered them
    listed = (
        await client.get(
            f"/api/consultations/{c['id']}/paper-entries?state=counted",
            headers=bearer(first_member),
        )
    ).json()["items"]
    assert [s["code"] for s in listed] == [sheet["code"]]
    entries = listed[0]["entries"]
    assert [e["entry_no"] for e in entries] == [1, 2]
    assert [e["entered_by_name"] for e in entries] == ["主任", "委员2"]
    assert all(e["photo_sha256"] == sha for e in entries)
    assert entries[0]["choices"] == [
        {"motion_id": m5, "choice": "yes"},
        {"motion_id": m9, "choice": "no"},
    ]
    # every entry is an event for staff with the photo's hash and no choices
    conn = await connect_raw(database_url)
    try:
        rows = await conn.fetch(
            "SELECT data, audience FROM events WHERE estate_id = $1 AND type = 'paper.entry'",
            voting.estate_id,
        )
    finally:
        await conn.close()
    assert len(rows) == 2 and all(r["audience"] == "staff" for r in rows)
    datas = [json.loads(r["data"]) if isinstance(r["data"], str) else r["data"] for r in rows]
    assert all(d["photo_sha256"] == sha and "choices" not in d for d in datas)
    assert [d["state"] for d in datas] == ["awaiting_second", "counted"]
    # the paper ballots go through the normal commitment path: the audit still verifies
    verified = audit_verify(database_url, tmp_path / "data")
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def test_unequal_entries_count_nothing_until_a_third_resolves(
    client: httpx.AsyncClient, voting: Voting, database_url: str
) -> None:
    c = await _opened(client, voting)
    a, b, d = await committee_members(client, voting)
    m5, m9 = (m["id"] for m in c["motions"])
    code = (await sheets(client, a, c["id"]))["C"]["code"]
    await entered(client, a, c["id"], code, {m5: "yes", m9: "yes"})
    second = await entered(client, b, c["id"], code, {m5: "no", m9: "yes"})
    assert second["state"] == "mismatch" and str(m5) in second["explanation"]
    assert (await tally(client, a, m5))["participating_owners"] == 0
    assert (await tally(client, a, m5))["by_channel"]["paper"]["owners"] == 0
    mismatched = (
        await client.get(
            f"/api/consultations/{c['id']}/paper-entries?state=mismatch", headers=bearer(a)
        )
    ).json()["items"]
    assert [s["code"] for s in mismatched] == [code]
    third = await entered(client, d, c["id"], code, {m5: "no", m9: "yes"})
    assert third["state"] == "counted" and third["entry_no"] == 3
    # the ballots name the two entries that agreed, not the first
    assert set(map(tuple, (await _made_by(database_url, third["ballot_ids"])).values())) == {
        (second["entry_id"], third["entry_id"])
    }
    counted = await tally(client, a, m5)
    assert counted["no_owners"] == 1 and counted["by_channel"]["paper"]["owners"] == 1
    sheet = (
        await client.get(f"/api/consultations/{c['id']}/paper-entries/{code}", headers=bearer(a))
    ).json()
    assert sheet["state"] == "counted"
    assert [e["state"] for e in sheet["entries"]] == ["awaiting_second", "mismatch", "counted"]


async def test_a_third_entry_equal_to_neither_stays_mismatch(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await _opened(client, voting)
    a, b, d = await committee_members(client, voting)
    m5, m9 = (m["id"] for m in c["motions"])
    code = (await sheets(client, a, c["id"]))["D"]["code"]
    await entered(client, a, c["id"], code, {m5: "yes", m9: "yes"})
    await entered(client, b, c["id"], code, {m5: "no", m9: "yes"})
    third = await entered(client, d, c["id"], code, {m5: "abstain", m9: "yes"})
    assert third["state"] == "mismatch" and "none of the earlier" in third["explanation"]
    assert (await tally(client, a, m5))["participating_owners"] == 0


async def test_the_same_member_twice_is_refused_and_choices_are_checked(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await _opened(client, voting)
    m5, m9 = (m["id"] for m in c["motions"])
    code = (await sheets(client, voting.committee, c["id"]))["B"]["code"]
    missing = await enter(client, voting.committee, c["id"], code, {m5: "yes"})
    assert missing.status_code == 400 and missing.json()["code"] == "sheet_choices_invalid"
    assert missing.json()["params"]["missing"] == str(m9)
    foreign = await enter(
        client, voting.committee, c["id"], code, {m5: "yes", m9: "no", 999_999: "no"}
    )
    assert foreign.status_code == 400 and foreign.json()["code"] == "sheet_choices_invalid"
    no_photo = await enter(client, voting.committee, c["id"], code, {m5: "yes", m9: "no"}, "0" * 64)
    assert no_photo.status_code == 400 and no_photo.json()["code"] == "photo_not_found"
    await entered(client, voting.committee, c["id"], code, {m5: "yes", m9: "no"})
    again = await enter(client, voting.committee, c["id"], code, {m5: "yes", m9: "no"})
    assert again.status_code == 409 and again.json()["code"] == "same_member_entry"
    owner = voting.owners["B"][1]
    refused = await enter(client, owner, c["id"], code, {m5: "yes", m9: "no"})
    assert refused.status_code == 403


async def test_before_the_opening_and_after_the_close_entries_are_refused(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    draft = await create(client, voting, opens_in=2, closes_in=4)
    not_yet = await client.get(
        f"/api/consultations/{draft['id']}/sheets", headers=bearer(voting.committee)
    )
    assert not_yet.status_code == 409 and not_yet.json()["code"] == "wrong_status"
    await publish(client, voting, draft["id"])
    a, b, _ = await committee_members(client, voting)
    code = (await sheets(client, a, draft["id"]))["B"]["code"]
    choices = {m["id"]: "yes" for m in draft["motions"]}
    early = await enter(client, a, draft["id"], code, choices)
    assert early.status_code == 409 and early.json()["code"] == "wrong_status"
    await wait_status(client, a, draft["id"], "open")
    await entered(client, a, draft["id"], code, choices)
    # the closing time passes; whether or not the schedule has recorded the close yet,
    # a paper sheet is refused
    await asyncio.sleep(max(0.0, 4.2 - 2))
    late = await enter(client, b, draft["id"], code, choices)
    assert late.status_code == 409 and late.json()["code"] == "consultation_closed"
    await wait_status(client, a, draft["id"], "closed")
    later = await enter(client, b, draft["id"], code, choices)
    assert later.status_code == 409 and later.json()["code"] == "consultation_closed"
    motion_id = draft["motions"][0]["id"]
    assert (await tally(client, a, motion_id))["participating_owners"] == 0


async def test_a_counted_sheet_entered_again_starts_a_new_round(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await _opened(client, voting)
    a, b, _ = await committee_members(client, voting)
    m5, m9 = (m["id"] for m in c["motions"])
    code = (await sheets(client, a, c["id"]))["B"]["code"]
    await entered(client, a, c["id"], code, {m5: "yes", m9: "yes"})
    await entered(client, b, c["id"], code, {m5: "yes", m9: "yes"})
    # a corrected sheet signed by the same owner: a new round of double entry
    again = await entered(client, a, c["id"], code, {m5: "no", m9: "yes"})
    assert again["round"] == 2 and again["state"] == "awaiting_second"
    assert (await tally(client, a, m5))["yes_owners"] == 1  # the first round still counts
    counted = await entered(client, b, c["id"], code, {m5: "no", m9: "yes"})
    assert counted["state"] == "counted" and counted["round"] == 2
    now = await tally(client, a, m5)
    assert now["yes_owners"] == 0 and now["no_owners"] == 1
    record = (await client.get(f"/api/motions/{m5}/ballots", headers=bearer(a))).json()
    assert [r["choice"] for r in record] == ["yes", "no"]  # both stay in the record


async def test_two_members_entering_one_sheet_at_once_count_it_once(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await _opened(client, voting)
    a, b, d = await committee_members(client, voting)
    m5, m9 = (m["id"] for m in c["motions"])
    codes = await sheets(client, a, c["id"])
    choices = {m5: "yes", m9: "abstain"}
    # two sheets, each entered by two members at the same moment
    answers = await asyncio.gather(
        enter(client, a, c["id"], codes["B"]["code"], choices),
        enter(client, b, c["id"], codes["B"]["code"], choices),
        enter(client, b, c["id"], codes["C"]["code"], choices),
        enter(client, d, c["id"], codes["C"]["code"], choices),
    )
    assert [r.status_code for r in answers] == [201] * 4
    for pair in (answers[:2], answers[2:]):
        assert sorted(r.json()["state"] for r in pair) == ["awaiting_second", "counted"]
    t = await tally(client, a, m5)
    assert t["by_channel"]["paper"]["owners"] == 2 and t["yes_owners"] == 2
    record = (await client.get(f"/api/motions/{m5}/ballots", headers=bearer(a))).json()
    assert len(record) == 2  # one paper ballot per unit, not two
