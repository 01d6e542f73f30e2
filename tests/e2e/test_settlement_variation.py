"""Issue 19, settlement in the browser at 375 px, in Chinese and English: the committee
proposes the roof's variation (+¥8,600, below the estate's threshold) and approves it after
the confirm dialog; the treasurer runs the final accounts (the pipes' final cost typed in)
and approves them; the owner then sees her final share, what she paid and her refund or
top-up on "my share"."""

from __future__ import annotations

from typing import Any

import pytest

from planner.testing.settlement import QUOTE_LINES
from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""


def _scene(estate: Any) -> dict[str, Any]:
    """An awarded roof (¥40,000), the pipes on an estimate, an approved plan, payments."""
    units = {f"{h['building']} {h['unit']}": h["id"] for h in estate.households()}
    _, owner = estate.member("owner", "业主甲", household_ids=[units["1栋 101"]])
    _, chair = estate.member("committee", "王主任")
    _, treasurer = estate.member("treasurer", "李会计")
    c, tr = estate.api(chair), estate.api(treasurer)
    supplier = c.post(f"/api/estates/{estate.id}/suppliers", {"name": "屋面公司"})
    _, quoter = estate.member("supplier", "报价人", supplier_id=supplier["id"])
    roof = c.post(
        f"/api/estates/{estate.id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 4_000_000},
    )
    c.post(f"/api/works/{roof['id']}/status", {"status": "approved"})
    c.post(f"/api/works/{roof['id']}/invitations", {"supplier_id": supplier["id"]})
    quote = estate.api(quoter).post(f"/api/works/{roof['id']}/quotes", {"lines": QUOTE_LINES})
    c.post(f"/api/quotes/{quote['id']}/award", {"round": 1})
    pipes = c.post(
        f"/api/estates/{estate.id}/works",
        {"title": "雨污水管道", "category": "pipes", "estimate_fen": 2_000_000},
    )
    tr.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 2_000_000,
            "eligible_work_ids": [roof["id"], pipes["id"]],
        },
    )
    plan = tr.post(f"/api/estates/{estate.id}/funding-plans", {"resident_band": ["0.20", "0.90"]})
    tr.post(f"/api/funding-plans/{plan['id']}/approve")
    amounts = {h["household_id"]: h["amount_fen"] for h in plan["households"]}
    mine = units["1栋 101"]
    paid = amounts[mine] + 300_000  # she paid more than her share: a refund is likely
    response = tr.http.put(
        f"/api/funding-plans/{plan['id']}/payments/{mine}", json={"paid_fen": paid}
    )
    assert response.status_code == 200, response.text
    return {"owner": owner, "chair": chair, "treasurer": treasurer, "paid": paid, "unit": mine}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_approves_a_variation_and_the_owner_sees_her_refund(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    scene = _scene(estate)
    base = estate.svc.base_url

    # The committee proposes the roof's variation and approves it, below the threshold.
    chair = await open_page(base, scene["chair"], phone=True, lang=lang)
    await chair.goto(f"{base}/#/settlement")
    await chair.get_by_test_id("variation-costs").wait_for()
    assert "50,000" in await chair.get_by_test_id("threshold").inner_text()
    await chair.locator("[data-testid=variations] details summary").click()
    await chair.fill("#var-amount", "8600")
    await chair.fill("#var-reason", "屋面基层破损，增加找平层")
    await chair.locator("[data-testid=propose-variation] button[type=submit]").click()
    item = chair.get_by_test_id("variation").first
    await item.wait_for()
    assert await item.get_attribute("data-needs-decision") == "false"
    await item.get_by_test_id("variation-approve").click()
    await chair.get_by_test_id("confirm-variation-approve").wait_for()
    await fits_phone(chair)
    await screenshot(chair, f"settlement-variation-confirm-{lang}")
    await chair.get_by_test_id("confirm-variation-approve-yes").click()
    await chair.locator("[data-testid=variation][data-status=approved]").wait_for()
    await chair.wait_for_function(
        "() => document.querySelector('[data-testid=final-cost]').innerText.includes('48,600')"
    )
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)
    await screenshot(chair, f"settlement-variation-approved-{lang}")

    # The estate's admin lowers the threshold to ¥30,000.
    _, admin_token = estate.member("admin", "赵管理员")
    admin = await open_page(base, admin_token, phone=True, lang=lang)
    await admin.goto(f"{base}/#/settlement")
    await admin.get_by_test_id("variation-costs").wait_for()
    await admin.locator("[data-testid=variations] details summary").first.click()
    await admin.fill("#var-threshold", "30000")
    await admin.locator("[data-testid=set-threshold] button[type=submit]").click()
    await admin.wait_for_function(
        "() => document.querySelector('[data-testid=threshold]').innerText.includes('30,000')"
    )
    await fits_phone(admin)

    # The treasurer types the pipes' final cost, runs the final accounts and approves them.
    treasurer = await open_page(base, scene["treasurer"], phone=True, lang=lang)
    await treasurer.goto(f"{base}/#/settlement")
    await treasurer.get_by_test_id("final-cost-input").fill("17200")
    await treasurer.get_by_test_id("run-final").click()
    table = treasurer.get_by_test_id("final-accounts-table")
    await table.wait_for()
    assert await table.get_attribute("data-status") == "draft"
    await treasurer.get_by_test_id("final-approve").click()
    await treasurer.get_by_test_id("confirm-final-approve-yes").click()
    await treasurer.locator("[data-testid=final-accounts-table][data-status=approved]").wait_for()
    await fits_phone(treasurer)
    await in_language(treasurer, lang, missing_keys)
    await screenshot(treasurer, f"settlement-final-accounts-{lang}")

    # The owner sees her final share, what she paid and her refund or top-up.
    owner = await open_page(base, scene["owner"], phone=True, lang=lang)
    await owner.goto(f"{base}/#/my")
    line = owner.get_by_test_id("my-settlement-line")
    await line.wait_for()
    paid_text = await line.get_by_test_id("settle-paid").inner_text()
    assert f"{scene['paid'] // 100:,}" in paid_text.replace("万元", "") or "万" in paid_text
    assert (await line.get_by_test_id("settle-final").inner_text()).strip()
    assert (await line.get_by_test_id("settle-due").inner_text()).strip()
    assert await owner.get_by_test_id("settlement-notice").count() == 1
    await fits_phone(owner)
    await in_language(owner, lang, missing_keys)
    await screenshot(owner, f"settlement-owner-{lang}")
