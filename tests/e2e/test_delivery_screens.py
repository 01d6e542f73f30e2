"""Issue 19, works delivery in the browser at 375 px, in Chinese and English: the committee adds
a milestone and records progress with a site photo on the phone, an owner watching the work's
page sees it change live; the committee opens the acceptance with one defect, re-checks it and
signs; two owner representatives sign on their own phones (each asked first); the committee
completes it and the work is done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.testing.delivery import delivered_work
from tests.e2e.consultation_helpers import fits_phone, in_language, png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
TITLE = {"zh-CN": "更换楼顶防水层", "en": "New roof membrane"}
NOTE = {"zh-CN": "防水卷材已铺一半", "en": "Half of the membrane is laid"}


async def _sign(page: Any) -> None:
    await page.get_by_test_id("acc-sign").click()
    await page.get_by_test_id("confirm-sign-yes").click()
    await page.get_by_test_id("acc-sign").wait_for(state="detached")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_delivers_owners_follow_and_sign_acceptance(
    make_service_estate: Any,
    open_page: Any,
    screenshot: Any,
    missing_keys: Any,
    tmp_path: Path,
    lang: str,
) -> None:
    estate = make_service_estate(CSV)
    units = {f"{h['building']} {h['unit']}": h["id"] for h in estate.households()}
    _, chair_token = estate.member("committee", "王主任")
    _, owner_a = estate.member("owner", "业主甲", household_ids=[units["1栋 101"]])
    _, owner_b = estate.member("owner", "业主乙", household_ids=[units["1栋 102"]])
    base = estate.svc.base_url
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        work_id = await delivered_work(
            http, estate.svc.admin_token, chair_token, estate.id, title=TITLE[lang]
        )

    chair = await open_page(base, chair_token, phone=True, lang=lang)
    await chair.goto(f"{base}/#/delivery/works/{work_id}")
    await chair.fill("#ms-title", "防水层施工" if lang == "zh-CN" else "Membrane")
    await chair.fill("#ms-planned", "2026-Q2")
    await chair.fill("#ms-responsible_unit", "湘江建设 项目部")
    await chair.fill("#ms-responsible_person", "王工")
    await chair.get_by_test_id("ms-submit").click()
    milestone = chair.get_by_test_id("milestone")
    await milestone.wait_for()
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)

    # an owner follows the work's page
    watcher = await open_page(base, owner_a, phone=True, lang=lang)
    await watcher.goto(f"{base}/#/delivery")
    await watcher.get_by_test_id("timeline-work").wait_for()
    await fits_phone(watcher)
    await in_language(watcher, lang, missing_keys)
    await screenshot(watcher, f"delivery-timeline-{lang}")
    await watcher.goto(f"{base}/#/delivery/works/{work_id}")
    await watcher.get_by_test_id("milestone").wait_for()
    assert await watcher.get_by_test_id("progress-form").count() == 0

    # progress with a photo; the owner sees it without reloading
    await chair.get_by_test_id("progress-percent").fill("60")
    await chair.get_by_test_id("progress-note").fill(NOTE[lang])
    await chair.get_by_test_id("progress-photo").set_input_files(str(png(tmp_path / "site.png")))
    await chair.get_by_test_id("photos-ready").wait_for()
    await chair.get_by_test_id("progress-submit").click()
    await watcher.locator("[data-testid=milestone][data-percent='60']").wait_for()
    assert NOTE[lang] in await watcher.get_by_test_id("progress-update").first.inner_text()
    await screenshot(watcher, f"delivery-work-owner-{lang}")
    await chair.get_by_test_id("progress-percent").fill("100")
    await chair.get_by_test_id("progress-submit").click()
    await watcher.locator("[data-testid=milestone][data-percent='100']").wait_for()

    # acceptance: one defect, re-checked; the committee signs
    await chair.reload()
    await chair.get_by_test_id("acc-defects").fill(
        "女儿墙泛水开裂" if lang == "zh-CN" else "Cracked flashing"
    )
    await chair.get_by_test_id("acc-open").click()
    await chair.get_by_test_id("defect").wait_for()
    await chair.get_by_test_id("defect-fixed").click()
    await chair.locator("[data-testid=defect][data-fixed=true]").wait_for()
    await _sign(chair)
    await fits_phone(chair)
    await in_language(chair, lang, missing_keys)

    # two owner representatives sign on their phones
    await watcher.get_by_test_id("acc-sign").wait_for()
    await _sign(watcher)
    second = await open_page(base, owner_b, phone=True, lang=lang)
    await second.goto(f"{base}/#/delivery/works/{work_id}")
    await _sign(second)
    await fits_phone(second)
    await in_language(second, lang, missing_keys)

    await chair.reload()
    await chair.get_by_test_id("acc-complete").click()
    await chair.get_by_test_id("confirm-complete-yes").click()
    await chair.locator("[data-testid=acc-state] .badge-done").wait_for()
    assert await chair.locator("[data-testid=signatures] li").count() == 3
    await screenshot(chair, f"delivery-acceptance-{lang}")
    await watcher.locator("[data-testid=acc-state] .badge-done").wait_for()
