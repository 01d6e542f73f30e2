"""Issue 16, words: every label translated, one word for a draft plan (草稿), signage named
as on an estate (楼栋标识标牌, not 店招), "no BOM" explained, a closed motion titled as a
result. Each screen in Chinese and English on a phone, without horizontal scrolling."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,100.00,C,业主丙,
"""
LATIN = re.compile(r"[A-Za-z]")


async def no_horizontal_scroll(page: Any) -> None:
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: the page scrolls sideways {widths}"


def setting_up(estate: Any) -> dict[str, Any]:
    """Two works (one per benefit rule), a draft plan, a meeting whose motion is closed."""
    _, committee_token = estate.member("committee", "王主任")
    _, treasurer_token = estate.member("treasurer", "刘会计")
    committee = estate.api(committee_token)
    buildings = {b["name"]: b["id"] for b in committee.get(f"/api/estates/{estate.id}/buildings")}
    work_ids = []
    for title, category, rule, scope in (
        ("楼栋标识与导视标牌", "signage", "building", [buildings["1栋"]]),
        ("二次供电改造", "power", "area", []),
    ):
        work = committee.post(
            f"/api/estates/{estate.id}/works",
            {
                "title": title,
                "category": category,
                "benefit_rule": rule,
                "scope_building_ids": scope,
                "estimate_fen": 10_000_000,
            },
        )
        committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
        work_ids.append(work["id"])
    treasurer = estate.api(treasurer_token)
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "改造补贴",
            "kind": "subsidy",
            "budget_fen": 15_000_000,
            "eligible_work_ids": work_ids,
        },
    )
    plan = treasurer.post(
        f"/api/estates/{estate.id}/funding-plans",
        {"policy": "minimum", "resident_band": ["0.20", "0.30"], "work_ids": work_ids},
    )
    assert plan["status"] == "draft"
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings",
        {
            "title": "1栋议事会",
            "kind": "building_meeting",
            "scope_building_ids": [buildings["1栋"]],
        },
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "更换楼栋标识", "matter": 9}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    committee.post(f"/api/motions/{motion['id']}/close")
    # one person holding the two flats of 1栋 (keys A and B)
    owned = [h["id"] for h in estate.households() if h["owner_key"] in ("A", "B")]
    _, owner_token = estate.member("owner", "业主甲", household_ids=owned)
    return {
        "committee": committee_token,
        "treasurer": treasurer_token,
        "owner": owner_token,
        "plan": plan["id"],
        "meeting": meeting["id"],
        "owner_due": sum(h["amount_fen"] for h in plan["households"] if h["household_id"] in owned),
    }


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_labels_are_translated_and_named_as_people_say_them(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    made = setting_up(estate)
    base = estate.svc.base_url
    zh = lang == "zh-CN"

    owner = await open_page(base, made["owner"], phone=True, lang=lang)
    await owner.goto(f"{base}/#/my")
    notice = owner.get_by_test_id("my-notice").first
    await notice.wait_for()
    by_area = "分摊方式：按面积" if zh else "How it is shared: By floor area"
    await notice.get_by_text(by_area, exact=True).wait_for()  # the works have loaded
    why = notice.locator(".muted").filter(has_text="分摊方式" if zh else "How it is shared")
    texts = await why.all_inner_texts()
    if zh:
        assert "分摊方式：按面积" in texts and "分摊方式：仅限所在楼栋" in texts, texts
        assert not any(LATIN.search(text) for text in texts), texts
        assert "草稿" in await owner.locator("main").inner_text()
    else:
        assert "How it is shared: By floor area" in texts, texts
        assert "How it is shared: Building only" in texts, texts
    assert "Shared" not in await owner.locator("main").inner_text()
    total = owner.get_by_test_id("my-total")  # her two flats together
    yuan, fen = divmod(made["owner_due"], 100)
    assert f"¥{yuan:,}.{fen:02d}" in await total.inner_text()
    assert ("2 套房屋" if zh else "your 2 flats") in await total.inner_text()
    await no_horizontal_scroll(owner)
    await screenshot(owner, f"words-my-{lang}")

    committee = await open_page(base, made["committee"], phone=True, lang=lang)
    await committee.goto(f"{base}/#/works")
    works = committee.locator("main")
    await works.get_by_text("楼栋标识与导视标牌").first.wait_for()
    text = await works.inner_text()
    assert "店招" not in text and "Shop" not in text
    assert ("楼栋标识标牌" if zh else "Building signage") in text
    await no_horizontal_scroll(committee)

    await committee.goto(f"{base}/#/meetings/{made['meeting']}")
    title = committee.get_by_test_id("tally-title")
    await title.wait_for()
    assert await title.inner_text() == ("表决结果" if zh else "Result")
    assert "实时计票" not in await committee.locator("main").inner_text()
    await no_horizontal_scroll(committee)
    await screenshot(committee, f"words-result-{lang}")

    treasurer = await open_page(base, made["treasurer"], lang=lang)
    await treasurer.goto(f"{base}/#/funding/{made['plan']}")
    await treasurer.get_by_test_id("plan").wait_for()
    main = await treasurer.locator("main").inner_text()
    if zh:
        assert "草稿" in main and "草案" not in main
        assert "不带 BOM 标记，适用于 Mac Numbers 等旧工具" in main
    else:
        assert "no BOM (for Mac Numbers / older tools)" in main
    assert not await missing_keys(treasurer)
    for page in (owner, committee):
        assert not await missing_keys(page)
