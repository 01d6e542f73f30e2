"""Paper ballot sheets (issue 17): one per owner in scope once published, signed codes that
stay the same from the notice to the close, printable A4 pages with the QR code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.consultation.codes import SheetRef, read_code
from planner.consultation.sheets import qr_svg
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, publish, wait_status
from tests.integration.consultation.paper_helpers import sheets

MakeEstate = Callable[..., Awaitable[int]]
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


async def test_one_sheet_per_owner_with_a_stable_signed_code(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await create(client, voting, opens_in=1.5, matters=(5, 9))
    await publish(client, voting, c["id"])
    noticed = await sheets(client, voting.committee, c["id"])
    assert sorted(noticed) == ["A", "B", "C", "D"]
    assert [noticed[k]["sheet_no"] for k in "ABCD"] == [1, 2, 3, 4]
    a = noticed["A"]
    assert [u["label"] for u in a["units"]] == ["1栋-101", "1栋-102"]
    assert [u["area_m2"] for u in a["units"]] == ["80.00", "90.00"]
    assert a["owner_name"] == "业主A" and a["state"] == "not_entered"
    assert read_code(a["code"]) == SheetRef(c["id"], 1)
    await wait_status(client, voting.committee, c["id"], "open")
    opened = await sheets(client, voting.committee, c["id"])
    assert {k: s["code"] for k, s in opened.items()} == {k: s["code"] for k, s in noticed.items()}
    in_2 = await client.get(
        f"/api/consultations/{c['id']}/sheets",
        params={"building_id": voting.buildings["2栋"]},
        headers=bearer(voting.committee),
    )
    assert [s["owner_key"] for s in in_2.json()["items"]] == ["C", "D"]
    only_b = await client.get(
        f"/api/consultations/{c['id']}/sheets",
        params={"owner_key": "B"},
        headers=bearer(voting.committee),
    )
    assert [s["code"] for s in only_b.json()["items"]] == [noticed["B"]["code"]]


async def test_printable_sheets_carry_the_qr_code_and_the_typed_code(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    c = await create(client, voting, opens_in=3600, closes_in=7200, matters=(5, 9))
    await publish(client, voting, c["id"])
    listed = await sheets(client, voting.committee, c["id"])
    page = await client.get(
        f"/api/consultations/{c['id']}/sheets.html", headers=bearer(voting.committee)
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="zh-CN">' in html and html.count('<section class="sheet"') == 4
    assert "@page { size: A4" in html and "break-after: page" in html
    for s in listed.values():
        assert f'data-code="{s["code"]}"' in html and qr_svg(s["code"]) in html
    assert "同意" in html and "反对" in html and "弃权" in html and "北京时间" in html
    assert "事项5" in html and "事项9" in html and "业主A" in html and "170.00" in html
    english = await client.get(
        f"/api/consultations/{c['id']}/sheets.html",
        params={"lang": "en", "building_id": voting.buildings["2栋"]},
        headers=bearer(voting.committee),
    )
    assert '<html lang="en">' in english.text and english.text.count('class="sheet"') == 2
    assert "Beijing time" in english.text and "Abstain" in english.text


async def test_sheets_are_the_committees_and_not_for_a_draft(
    client: httpx.AsyncClient, voting: Voting, make_estate: MakeEstate
) -> None:
    c = await create(client, voting, opens_in=3600, closes_in=7200)
    path = f"/api/consultations/{c['id']}/sheets"
    draft = await client.get(path, headers=bearer(voting.committee))
    assert draft.status_code == 409 and draft.json()["code"] == "wrong_status"
    await publish(client, voting, c["id"])
    owner = voting.owners["A"][1]
    for suffix in ("", ".html", "/../paper-entries", "/../conflicts"):
        url = (
            path + suffix if not suffix.startswith("/..") else path[: -len("/sheets")] + suffix[3:]
        )
        assert (await client.get(url, headers=bearer(owner))).status_code == 403, url
    other = await setup_voting(client, voting.admin, make_estate, ROWS)
    hidden = await client.get(path, headers=bearer(other.committee))
    assert hidden.status_code == 404 and hidden.json()["code"] == "consultation_not_found"
