"""The members screen and revocation ranks (issue 15, item 2): a committee member's revoke
of another committee member is a request the screen shows as pending; a second committee
member confirms it there; in Chinese, with no missing translation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
"""


@pytest.mark.timeout(240)
async def test_a_second_committee_member_confirms_a_revocation_on_the_members_screen(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    _, first = estate.member("committee", "甲委员")
    _, second = estate.member("committee", "乙委员")
    target_id, target = estate.member("committee", "丙委员")
    base = estate.svc.base_url

    asking = await open_page(base, first, phone=True, lang="zh-CN")
    await asking.goto(f"{base}/#/members")
    await asking.get_by_role(
        "button", name="申请撤销 丙委员 的登录（需另一位业委会成员确认）"
    ).click()
    await expect(asking.get_by_test_id("revocation-notice")).to_contain_text("需另一位业委会成员")
    await expect(asking.get_by_test_id("revocation-pending")).to_have_text(
        "甲委员 已申请撤销，待确认"
    )
    await expect(asking.get_by_role("button", name="撤回撤销 丙委员 登录的申请")).to_be_visible()
    assert await missing_keys(asking) == []
    await screenshot(asking, "members-revocation-requested")
    assert estate.api(target).http.get("/api/me").status_code == 200

    confirming = await open_page(base, second, phone=True, lang="zh-CN")
    await confirming.goto(f"{base}/#/members")
    await expect(confirming.get_by_test_id("revocation-pending")).to_be_visible()
    await confirming.get_by_role("button", name="确认撤销 丙委员 的登录").click()
    row = confirming.get_by_test_id("members").locator("tr", has_text="丙委员")
    await expect(row).to_contain_text("已撤销")
    assert await missing_keys(confirming) == []
    assert estate.api(target).http.get("/api/me").status_code == 401
    assert target_id
