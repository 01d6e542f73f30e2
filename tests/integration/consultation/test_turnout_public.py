"""The public page of a consultation (issue 17): no sign-in, reached by its unguessable token;
notice, status and turnout while it runs with no choice and no personal data; the result per
motion (tally with rule set and channels) after the close; unknown token or draft → 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import Database
from planner.testing.voting import Voting, setup_voting
from tests.conftest import bearer
from tests.integration.consultation.helpers import ROWS, create, open_consultation, wait_status
from tests.integration.consultation.outreach_helpers import three_channels

MakeEstate = Callable[..., Awaitable[int]]
PERSONAL = ("owner_key", "owner_name", "household_id", "display_name", "unit", "units")


@pytest.fixture
async def voting(client: httpx.AsyncClient, admin_token: str, make_estate: MakeEstate) -> Voting:
    return await setup_voting(client, admin_token, make_estate, ROWS)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_public_page_hides_choices_while_open_and_shows_the_result_after(
    client: httpx.AsyncClient, voting: Voting, db: Database
) -> None:
    opened = await open_consultation(client, voting, closes_in=6, matters=(5,))
    token = opened["public_token"]
    await three_channels(client, voting, db, opened)
    page = await client.get(f"/api/public/consultations/{token}")  # no sign-in
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["status"] == "open" and body["title"] == opened["title"]
    assert body["estate"] == "测试小区" and body["time_zone"] == "Asia/Shanghai"
    assert body["published_at"] is not None and body["rule_set"]["name"] == "civil_code_2021"
    assert body["overall"]["owners"] == 3 and body["overall"]["area_m2"] == "325.00"
    assert [b["building"] for b in body["by_building"]] == ["1栋", "2栋"]
    assert body["by_channel"]["proxy"] == {"owners": 1, "area_m2": "95.00"}
    assert body["motions"][0]["result"] is None and body["motions"][0]["matter"] == 5
    assert not _keys(body) & set(PERSONAL), _keys(body) & set(PERSONAL)
    assert "业主" not in page.text and "yes_area_m2" not in page.text

    await wait_status(client, voting.committee, opened["id"], "closed")
    after = (await client.get(f"/api/public/consultations/{token}")).json()
    assert after["status"] == "closed" and after["closed_at"] is not None
    result = after["motions"][0]["result"]
    assert result["results_hidden"] is False and result["rule_set"] == "civil_code_2021"
    assert result["yes_area_m2"] == "265.00" and result["no_area_m2"] == "60.00"
    assert result["yes_owners"] == 2 and result["no_owners"] == 1
    assert result["by_channel"]["paper"] == {"owners": 1, "area_m2": "60.00"}
    assert result["passed"] is True  # 3 of 4 owners and 325/425 of the area took part
    assert not _keys(after) & set(PERSONAL)


async def test_unknown_token_and_draft_are_404_and_pages_need_no_sign_in(
    client: httpx.AsyncClient, voting: Voting
) -> None:
    draft = await create(client, voting, opens_in=600, closes_in=1200)
    for token in ("no-such-token", draft["public_token"]):
        for suffix in ("", "/notice.html", "/announcement.html"):
            missing = await client.get(f"/api/public/consultations/{token}{suffix}")
            assert missing.status_code == 404, (token, suffix, missing.text)
    opened = await open_consultation(client, voting)
    token = opened["public_token"]
    notice = await client.get(f"/api/public/consultations/{token}/notice.html")
    assert notice.status_code == 200 and notice.headers["content-type"].startswith("text/html")
    assert f"http://testserver.local/#/c/{token}" in notice.text and "<svg" in notice.text
    assert "业主A" not in notice.text
    early = await client.get(f"/api/public/consultations/{token}/announcement.html")
    assert early.status_code == 409 and early.json()["code"] == "not_yet_available"
    # a wrong token in the header is still refused (the public routes add no way around it)
    forged = await client.get(
        f"/api/public/consultations/{token}", headers={"Authorization": "Bearer forged"}
    )
    assert forged.status_code == 401
    # the address printed follows the request's host
    other = await client.get(
        f"/api/public/consultations/{token}/notice.html", headers={"Host": "wy.example.cn"}
    )
    assert f"http://wy.example.cn/#/c/{token}" in other.text
    # members read the notice by id too, in English when asked
    seen = await client.get(
        f"/api/consultations/{opened['id']}/notice.html?lang=en",
        headers=bearer(voting.owners["D"][1]),
    )
    assert seen.status_code == 200 and "How to vote" in seen.text
