"""Issue 16: a page opened by link that the member's role may not see (an owner opening
#/works/4) shows one clear "no access to this page" in the page's language, not the view's
refused requests ("role owner may not do this") followed by "还没有报价"."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""
SAYS = {
    "zh-CN": ("您无权访问此页面", "您的角色（{role}）不能查看此页面。如需查看，请联系业委会。"),
    "en": ("You have no access to this page", "Your role ({role}) cannot see this page."),
}
ROLE = {
    "zh-CN": {"owner": "业主", "supplier": "供应商"},
    "en": {"owner": "Owner", "supplier": "Supplier"},
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_page_the_role_may_not_see_says_so_once(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    base = estate.svc.base_url
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    work = committee.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "benefit_rule": "area", "estimate_fen": 10**6},
    )
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "议事会", "kind": "building_meeting"}
    )
    supplier = committee.post(f"/api/estates/{estate.id}/suppliers", {"name": "湘江建设"})
    owned = [h["id"] for h in estate.households()]
    _, owner_token = estate.member("owner", "业主甲", household_ids=owned)
    _, supplier_token = estate.member("supplier", "刘经理", supplier_id=supplier["id"])
    title, sentence = SAYS[lang]

    for token, role, pages in (
        (owner_token, "owner", [f"#/works/{work['id']}", "#/funding/1", "#/households"]),
        (supplier_token, "supplier", [f"#/meetings/{meeting['id']}", "#/members"]),
    ):
        page = await open_page(base, token, phone=True, lang=lang)
        for where in pages:
            await page.goto(f"{base}/{where}")
            box = page.get_by_test_id("no-access")
            await box.wait_for()
            await page.wait_for_load_state("networkidle")
            text = await page.locator("main").inner_text()
            assert title in text, text
            assert sentence.format(role=ROLE[lang][role]) in text, text
            assert await page.locator("main .error").count() == 0, text
            assert "may not" not in text and "还没有" not in text and "无权执行此操作" not in text
            assert await page.locator("main h1").count() == 1
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (where, widths)
            assert not await missing_keys(page)
        await screenshot(page, f"no-access-{role}-{lang}")

    # The committee still sees the work's page itself.
    chair = await open_page(base, committee_token, phone=True, lang=lang)
    await chair.goto(f"{base}/#/works/{work['id']}")
    await chair.get_by_test_id("work-title").wait_for()
    assert await chair.get_by_test_id("no-access").count() == 0
