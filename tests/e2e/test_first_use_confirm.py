"""Issue 16: 结束表决 and 散会 do not act on one click: they ask again, saying what will be
recorded ("按当前票数，表决将不通过：参与人数还差 1 人 …"); cancelling changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
1栋,202,2,50.00,C,业主丙,
"""
SAYS = {
    "zh-CN": (
        "按当前票数，表决将不通过：",
        "参与人数还差 1 人",
        "仍有 1 项表决未结束",
        "表决未通过",
    ),
    "en": (
        "On the current votes the motion will fail:",
        "Participation still needs 1 owner(s)",
        "1 motion(s) still open",
        "Motion not passed",
    ),
}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_closing_asks_again_with_the_consequence(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = {h["unit"]: h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "王主任")
    _, owner_b = estate.member("owner", "业主乙", household_ids=[units["201"]])
    committee = estate.api(committee_token)
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "1栋议事会", "kind": "building_meeting"}
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "屋面防水", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    estate.api(owner_b).post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    will_fail, short, still_open, failed = SAYS[lang]

    chair = await open_page(base, committee_token, phone=True, lang=lang)
    await chair.goto(f"{base}/#/meetings/{meeting['id']}")
    await chair.get_by_test_id("close-motion").click()
    box = chair.get_by_test_id("confirm-close-motion")
    await box.wait_for()
    text = await box.inner_text()
    assert will_fail in text and short in text, text
    await screenshot(chair, f"confirm-close-motion-{lang}")
    await chair.get_by_test_id("confirm-close-motion-no").click()
    await box.wait_for(state="detached")
    assert committee.get(f"/api/motions/{motion['id']}/tally")["status"] == "open"

    await chair.get_by_test_id("close-meeting").click()
    meeting_box = chair.get_by_test_id("confirm-close-meeting")
    await meeting_box.wait_for()
    assert still_open in await meeting_box.inner_text()
    await chair.get_by_test_id("confirm-close-meeting-no").click()
    assert committee.get(f"/api/meetings/{meeting['id']}")["status"] == "open"

    await chair.get_by_test_id("close-motion").click()
    await chair.get_by_test_id("confirm-close-motion-yes").click()
    await chair.get_by_test_id("result").get_by_text(failed).wait_for()
    widths = await chair.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
