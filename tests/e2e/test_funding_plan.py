"""The treasurer's funding plan: solve, see the charts, approve, download the XLSX."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
1栋,201,2,100.00,C,业主丙,0
1栋,202,2,50.00,D,业主丁,50000
"""


def numbers_in(workbook: Any) -> set[Decimal]:
    found: set[Decimal] = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.add(Decimal(str(value)).quantize(Decimal("0.01")))
    return found


@pytest.mark.timeout(240)
async def test_treasurer_solves_approves_and_downloads_xlsx(
    make_service_estate: Any, open_page: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    _, treasurer_token = estate.member("treasurer", "刘会计")
    committee = estate.api(committee_token)
    work_ids = []
    for title, category, estimate in (
        ("二次供电改造", "power", 170_000_000),
        ("污水管网改造", "sewage", 30_000_000),
    ):
        work = committee.post(
            f"/api/estates/{estate.id}/works",
            {
                "title": title,
                "category": category,
                "benefit_rule": "area",
                "estimate_fen": estimate,
            },
        )
        committee.post(f"/api/works/{work['id']}/status", {"status": "approved"})
        work_ids.append(work["id"])
    treasurer = estate.api(treasurer_token)
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "老旧小区改造补贴",
            "kind": "subsidy",
            "budget_fen": 120_000_000,
            "eligible_work_ids": work_ids,
        },
    )
    treasurer.post(
        f"/api/estates/{estate.id}/funding-sources",
        {
            "name": "供电公司",
            "kind": "utility",
            "budget_fen": 40_000_000,
            "eligible_work_ids": [work_ids[0]],
            "max_share": "0.50",
        },
    )

    page = await open_page(estate.svc.base_url, treasurer_token)
    await page.goto(f"{estate.svc.base_url}/#/funding")
    # A band (in percent) the budgets cannot meet: the preview says why in words, with the
    # shortfall, before anything is saved (issue 16: no failed version is stored).
    await page.get_by_label("居民出资比例下限").fill("5")
    await page.get_by_label("居民出资比例上限").fill("10")
    await (
        page.get_by_test_id("preview")
        .get_by_test_id("problems")
        .get_by_text("¥", exact=False)
        .wait_for()
    )
    await screenshot(page, "funding-infeasible")
    assert treasurer.get(f"/api/estates/{estate.id}/funding-plans") == []
    await page.get_by_label("居民出资比例下限").fill("20")
    await page.get_by_label("居民出资比例上限").fill("30")
    await page.locator('[data-testid="preview"][data-status="ok"]').wait_for()
    await page.get_by_test_id("solve").click()
    plan_view = page.get_by_test_id("plan")
    await plan_view.wait_for()
    await page.locator('[data-testid="works-chart"][data-ready="true"]').wait_for()
    await page.locator('[data-testid="burden-chart"][data-ready="true"]').wait_for()
    await page.get_by_test_id("plan-total").get_by_text("¥2,000,000.00").wait_for()
    await screenshot(page, "funding-plan")

    await page.get_by_test_id("approve").click()
    await page.get_by_test_id("confirm-approve").get_by_text("批准第1版：", exact=False).wait_for()
    await page.get_by_test_id("confirm-approve-yes").click()
    await plan_view.get_by_text("已批准").first.wait_for()
    plan_id = page.url.rsplit("/", 1)[-1]
    plan = treasurer.get(f"/api/funding-plans/{plan_id}")
    assert plan["status"] == "approved"

    async with page.expect_download() as download_info:
        await page.get_by_test_id("export-xlsx").click()
    download = await download_info.value
    path = await download.path()
    with open(path, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), data_only=True)
    values = numbers_in(workbook)
    assert Decimal(plan["total_cost_fen"]) / 100 in values
    assert Decimal(plan["residents_total_fen"]) / 100 in values

    # The owner of unit 101 sees their notice on a phone: the amount, in figures and capitals.
    owned = next(h for h in estate.households() if h["owner_key"] == "A")
    _, owner_token = estate.member("owner", "业主甲", household_ids=[owned["id"]])
    share = next(h for h in plan["households"] if h["household_id"] == owned["id"])
    owner = await open_page(estate.svc.base_url, owner_token, phone=True)
    await owner.goto(f"{estate.svc.base_url}/#/my")
    notice = owner.get_by_test_id("my-notice")
    yuan, fen = divmod(share["amount_fen"], 100)
    await notice.get_by_text(f"¥{yuan:,}.{fen:02d}").first.wait_for()
    await notice.get_by_text("人民币", exact=False).wait_for()
    await screenshot(owner, "owner-notice")

    # A new estimate makes the approved version stale, live, with the reason; the treasurer
    # re-solves with the same settings and gets a new draft (the approved one is kept).
    edited = committee.http.patch(f"/api/works/{work_ids[1]}", json={"estimate_fen": 40_000_000})
    assert edited.status_code == 200, edited.text
    stale = page.get_by_test_id("plan-stale")
    await stale.get_by_text(
        "工程「污水管网改造」费用由 ¥300,000.00 变为 ¥400,000.00", exact=False
    ).wait_for()
    await screenshot(page, "funding-stale")
    await page.get_by_test_id("resolve").click()
    await page.wait_for_url(lambda url: not url.endswith(f"/funding/{plan_id}"))
    await page.get_by_test_id("plan-total").get_by_text("¥2,100,000.00").wait_for()
    assert await page.get_by_test_id("plan-stale").count() == 0
    assert treasurer.get(f"/api/funding-plans/{plan_id}")["status"] == "approved"

    # Approving the new draft supersedes the approved one (issue 15, item 3): the draft says
    # so before; the old one then reads "superseded" by the version in force, in Chinese and
    # in English. Approving asks first, with the consequence.
    old, new = plan["version"], plan["version"] + 1
    await page.locator(
        '[data-testid="plan-replaces"]', has_text=f"批准本版将取代现行的第 {old} 版"
    ).wait_for()
    await page.get_by_test_id("approve").click()
    await (
        page.get_by_test_id("confirm-approve")
        .get_by_text(f"批准第{new}版：第{old}版将被替代，其缴费通知单作废")
        .wait_for()
    )
    await page.get_by_test_id("confirm-approve-yes").click()
    await plan_view.get_by_text("已批准").first.wait_for()
    await page.goto(f"{estate.svc.base_url}/#/funding/{plan_id}")
    superseded = page.get_by_test_id("plan-superseded")
    await superseded.get_by_text(f"已被第 {new} 版取代：本版的缴费通知单已作废").wait_for()
    await page.get_by_test_id("plan").get_by_text("已被取代").first.wait_for()
    await screenshot(page, "funding-superseded")
    assert treasurer.get(f"/api/funding-plans/{plan_id}")["status"] == "superseded"
    english = await open_page(estate.svc.base_url, treasurer_token, phone=True, lang="en")
    await english.goto(f"{estate.svc.base_url}/#/funding/{plan_id}")
    await (
        english.get_by_test_id("plan-superseded")
        .get_by_text(f"Superseded by version {new}: this version's payment notices are void")
        .wait_for()
    )
    await english.get_by_test_id("plan").get_by_text("Superseded").first.wait_for()
    # the owner's page follows the plan in force
    await owner.reload()
    await owner.get_by_text(f"第 {new} 版").first.wait_for()
