"""The live meeting room: an owner votes on a phone, the committee watches the tally move."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Three owners: A holds two units (one person), B and C one each. Total area 320.00 m².
CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
B1,101,1,80.00,A,Owner A,
B1,102,1,90.00,A,Owner A,
B1,201,2,100.00,B,Owner B,
B1,202,2,50.00,C,Owner C,
"""
CJK = r"[\u3400-\u9fff]"


@pytest.mark.timeout(240)
async def test_owner_votes_on_phone_and_committee_sees_tally_live(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV, name="Harmony Court")
    units = {(h["owner_key"], h["unit"]): h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "Chair Wang")
    _, owner_a_token = estate.member(
        "owner", "Owner A", household_ids=[units["A", "101"], units["A", "102"]]
    )
    _, owner_b_token = estate.member("owner", "Owner B", household_ids=[units["B", "201"]])
    # The chair sets the meeting up through the screens: meeting, agenda, motion, voting.
    chair = await open_page(estate.svc.base_url, committee_token)
    await chair.goto(f"{estate.svc.base_url}/#/meetings")
    await chair.get_by_text("新建议事会").click()
    await chair.get_by_label("议事会名称").fill("Building meeting")
    await chair.get_by_label("议程（每行一项）").fill("Power retrofit\nAny other business")
    await chair.get_by_role("button", name="创建", exact=True).click()
    await chair.get_by_test_id("agenda-items").get_by_text("Any other business").wait_for()
    await chair.get_by_test_id("open-meeting").click()
    await chair.get_by_text("新增表决事项").click()
    await chair.get_by_label("表决事项", exact=True).fill(
        "Use the maintenance fund for the power retrofit"
    )
    await chair.get_by_role("button", name="添加").click()
    await chair.get_by_test_id("open-motion").click()
    room = chair.url
    meeting_id = int(room.rsplit("/", 1)[1])
    motion = estate.api(committee_token).get(f"/api/meetings/{meeting_id}")["motions"][0]
    assert motion["matter"] == 5 and motion["status"] == "open"
    participating = chair.get_by_test_id("bar-participating-owners")
    await participating.get_by_text("0 / 3").wait_for()

    owner = await open_page(estate.svc.base_url, owner_a_token, phone=True)
    await owner.goto(room)
    await owner.get_by_test_id("vote-yes").click()
    await owner.get_by_test_id("my-vote").wait_for()
    await screenshot(owner, "meeting-room")
    # after a reload the owner still sees the choice that counts (read back from the server)
    await owner.reload()
    await owner.get_by_test_id("my-vote").wait_for()
    assert await owner.get_by_test_id("vote-yes").get_attribute("aria-pressed") == "true"

    # The chair's page was not reloaded: the tally arrives over the live socket.
    await participating.get_by_text("1 / 3").wait_for()
    await (
        chair.get_by_test_id("bar-participating-area")
        .get_by_text("170.00 m²", exact=False)
        .wait_for()
    )
    await chair.get_by_test_id("presence").get_by_text("Owner A").wait_for()
    estate.api(owner_b_token).post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    await participating.get_by_text("2 / 3").wait_for()  # exactly two thirds: quorum met
    await screenshot(chair, "meeting-room")

    await chair.get_by_test_id("close-motion").click()
    await chair.get_by_test_id("confirm-close-motion-yes").click()
    for page in (chair, owner):
        await page.get_by_test_id("result").get_by_text("表决通过").wait_for()
    await screenshot(owner, "meeting-room-closed")

    # English: every visible string switches; nothing is left as a raw key or in Chinese.
    await owner.get_by_test_id("lang-toggle").click()
    await owner.get_by_test_id("result").get_by_text("Motion passed").wait_for()
    assert await missing_keys(owner) == []
    text = (await owner.inner_text("body")).replace("中文", "", 1)  # the toggle back
    assert re.findall(CJK, text) == [], text
    await owner.reload()  # the choice sticks
    await owner.get_by_test_id("result").get_by_text("Motion passed").wait_for()
    await screenshot(owner, "meeting-room-en")
