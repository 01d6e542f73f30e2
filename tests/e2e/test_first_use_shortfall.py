"""Issue 16: while a motion is open, the room says why it would not pass now — how many
owners and how much area participation lacks, and how many more "yes" it needs — in the
page's language, on a phone."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A holds two units (one person), B and C one each: 3 owners, 320.00 m².
CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
1栋,202,2,50.00,C,业主丙,
"""
SAYS = {
    "zh-CN": [
        "参与人数还差 1 人",
        "参与面积还差 113.34 平方米",
        "还需 2 位未投票的业主投同意",
        "同意面积还差 100.01 平方米（由未投票的业主投同意）",
    ],
    "en": [
        "Participation still needs 1 owner(s)",
        "Participation still needs 113.34 m² of area",
        "Still needs 2 yes vote(s) from owners who have not voted",
        "Consent still needs 100.01 m² of yes area (from owners who have not voted)",
    ],
}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_room_says_what_the_motion_still_lacks(
    make_service_estate: Any, open_page: Any, screenshot: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    units = {h["unit"]: h["id"] for h in estate.households()}
    _, committee_token = estate.member("committee", "王主任")
    _, owner_a = estate.member("owner", "业主甲", household_ids=[units["101"], units["102"]])
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
    estate.api(owner_b).post(f"/api/motions/{motion['id']}/ballots", {"choice": "no"})

    page = await open_page(base, owner_a, phone=True, lang=lang)
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    short = page.get_by_test_id("shortfalls")
    await short.wait_for()
    assert await short.locator("li").all_inner_texts() == SAYS[lang]
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    await screenshot(page, f"shortfalls-{lang}")

    # A's "yes" (two flats, 170.00 m²): participation reached, consent still one vote short.
    await page.get_by_test_id("vote-yes").click()
    await page.get_by_test_id("my-vote").wait_for()
    await page.get_by_test_id("short-quorumOwners").wait_for(state="detached")
    assert await short.locator("li").all_inner_texts() == [SAYS[lang][2].replace("2 ", "1 ", 1)]
    # B changes to yes: the motion would pass, nothing is short.
    estate.api(owner_b).post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    await short.wait_for(state="detached")
    await (
        page.get_by_test_id("projection")
        .get_by_text("按当前票数将获通过" if lang == "zh-CN" else "would pass", exact=False)
        .wait_for()
    )
