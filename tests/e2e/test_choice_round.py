"""Issue 18, choosing works by equal shares in the browser at 375 px, in Chinese and English:
the committee creates a round over candidate works (budget in yuan), opens it (confirm), an
owner ticks works on the phone, the other owners' approvals arrive through the API and the
count moves live, the committee closes it (confirm) and sees "most votes" and equal shares
side by side, with why for each work."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.consultation_helpers import fits_phone, in_language, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n" + "".join(
    f"1栋,{100 + i},1,80.00,K{i},业主{i},\n" for i in range(1, 9)
)
# title, estimate in fen; the majority block wants 1 and 2, smaller groups 3, 4, 5
WORKS = [
    ("加装电梯", 300_000),
    ("屋面防水", 300_000),
    ("外墙修补", 200_000),
    ("路灯更换", 100_000),
    ("健身器材", 50_000),
]
APPROVALS = [{0, 1}, {0, 1}, {0, 1}, {0}, {2}, {2, 3}, {3}]  # owners 1..7; owner 8 on the phone
WORDS = {
    "zh-CN": {"open": "勾选中", "greedy": "按票数多少", "equal": "等额份额法"},
    "en": {"open": "Open for ticking", "greedy": "Most votes", "equal": "Equal shares"},
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_runs_a_round_and_sees_both_methods_side_by_side(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, chair_token = estate.member("committee", "王主任")
    chair = estate.api(chair_token)
    units = sorted(estate.households(), key=lambda h: h["id"])
    owners = [
        estate.member("owner", f"业主{i + 1}", household_ids=[h["id"]])[1]
        for i, h in enumerate(units)
    ]
    work_ids = [
        chair.post(
            f"/api/estates/{estate.id}/works",
            {"title": title, "category": "facilities", "estimate_fen": fen, "status": "candidate"},
        )["id"]
        for title, fen in WORKS
    ]
    base = estate.svc.base_url
    words = WORDS[lang]

    page = await open_page(base, chair_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/choice")
    await page.get_by_test_id("choice-none").wait_for()
    await page.locator("[data-testid=new-choice-round] summary").click()
    await page.fill("#cr-title", "2026年改造项目")
    await page.fill("#cr-budget", "6,000")
    # the works load after the form shows: wait for every candidate before ticking them
    await expect(page.get_by_test_id("choice-candidate")).to_have_count(len(WORKS))
    for box in await page.get_by_test_id("choice-candidate").all():
        await box.check()
    await fits_phone(page)
    await page.get_by_test_id("create-choice-round").click()
    await page.get_by_test_id("choice-title").wait_for()
    await page.get_by_test_id("open-choice-round").click()
    await page.get_by_test_id("confirm-open-yes").click()
    await page.get_by_text(words["open"]).first.wait_for()
    round_id = int(page.url.rsplit("/", 1)[1])

    # an owner ticks a work on the phone, changes their mind, saves again
    owner_page = await open_page(base, owners[7], phone=True, lang=lang)
    await owner_page.goto(f"{base}/#/choice/{round_id}")
    ticks = owner_page.get_by_test_id("choice-tick")
    await ticks.nth(0).wait_for()
    await ticks.nth(2).check()
    await owner_page.get_by_test_id("save-ticks").click()
    await owner_page.get_by_test_id("ticks-saved").wait_for()
    await ticks.nth(2).uncheck()
    await ticks.nth(4).check()
    await owner_page.get_by_test_id("save-ticks").click()
    await owner_page.get_by_test_id("ticks-saved").wait_for()
    await fits_phone(owner_page)
    await in_language(owner_page, lang, missing_keys)
    await screenshot(owner_page, f"choice-ticks-{lang}")
    mine = estate.api(owners[7]).get(f"/api/choice-rounds/{round_id}/mine")
    assert mine["owners"][0]["work_ids"] == [work_ids[4]]

    # the other owners approve through the API; the committee's count moves live
    for token, wanted in zip(owners[:7], APPROVALS, strict=True):
        estate.api(token).post(
            f"/api/choice-rounds/{round_id}/approvals", {"work_ids": [work_ids[i] for i in wanted]}
        )
    count = page.get_by_test_id("choice-approvals")
    await count.filter(has_text="8").wait_for()

    await page.get_by_test_id("close-choice-round").click()
    await page.get_by_test_id("confirm-close").wait_for()
    await fits_phone(page)
    await page.get_by_test_id("confirm-close-yes").click()
    await page.get_by_test_id("choice-result").wait_for()
    result = wait_until(lambda: chair.get(f"/api/choice-rounds/{round_id}")["result"])
    assert result["greedy_work_ids"] == [work_ids[0], work_ids[1]]
    assert result["mes_work_ids"] == [work_ids[0], work_ids[3], work_ids[4]]
    greedy = page.get_by_test_id("method-greedy")
    equal = page.get_by_test_id("method-equal")
    assert words["greedy"] in await greedy.inner_text()
    assert words["equal"] in await equal.inner_text()
    assert await greedy.get_by_test_id("method-work").count() == len(result["greedy_work_ids"])
    assert await equal.get_by_test_id("method-work").count() == len(result["funded_work_ids"])
    assert "屋面防水" in await greedy.inner_text() and "屋面防水" not in await equal.inner_text()
    # side by side, even on the phone
    g, e = await greedy.bounding_box(), await equal.bounding_box()
    assert g and e and abs(g["y"] - e["y"]) < 2 and g["x"] < e["x"]
    assert await page.get_by_test_id("why-work").count() == len(WORKS)
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    await screenshot(page, f"choice-result-{lang}")
    # the chosen candidates are proposed works now
    for work_id in result["funded_work_ids"]:
        assert chair.get(f"/api/works/{work_id}")["status"] == "proposed"
