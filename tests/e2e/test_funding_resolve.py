"""Issue 16: the treasurer re-solves the demo's plan after the retrofit's award.

The solve form lists the works with status and cost, ticks the plan in force's works and
the newly awarded retrofit, and shows live (before anything is saved) that residents would
pay far more than the band allows, beside the plan in force; unticking the retrofit gives
a plan, saved on purpose as the next version; approving it asks first, saying which
version it supersedes. At 375 and 1280 px, in Chinese and English, with no horizontal
overflow and no failed attempt stored as a version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.demo.demo_run import DemoRun, run_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RETROFIT = "二次供电设施改造"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[DemoRun]:
    run = run_demo(database_url, tmp_path / "data")
    yield run
    run.stop()


def token(run: DemoRun, role: str) -> str:
    return run.links[role].split("token=", 1)[1]


def versions(run: DemoRun) -> list[dict[str, Any]]:
    with httpx.Client(base_url=run.base_url, timeout=30) as http:
        me = http.get("/api/me", headers={"Authorization": f"Bearer {token(run, 'treasurer')}"})
        estate_id = me.json()["estate_id"]
        listed = http.get(
            f"/api/estates/{estate_id}/funding-plans",
            headers={"Authorization": f"Bearer {token(run, 'treasurer')}"},
        )
    assert listed.status_code == 200, listed.text
    plans: list[dict[str, Any]] = listed.json()
    return sorted(plans, key=lambda p: p["version"])


async def no_overflow(page: Any) -> None:
    width = page.viewport_size["width"]
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide in a {width}px viewport"


async def resolve_after_award(page: Any, lang: str, in_force: int, screenshot: Any) -> None:
    """Open the form, see the default fail live, untick the retrofit, see it pass."""
    zh = lang == "zh"
    form = page.get_by_test_id("solve-form")
    retrofit = form.get_by_role("checkbox", name=re.compile(RETROFIT))
    await retrofit.wait_for()
    # the default: the plan in force's works and the newly awarded retrofit, with its status
    assert await retrofit.is_checked()
    row = form.locator("li").filter(has=page.get_by_role("checkbox", name=re.compile(RETROFIT)))
    await row.get_by_text("已定标" if zh else "Awarded", exact=True).wait_for()
    await row.get_by_text("新定标" if zh else "newly awarded", exact=True).wait_for()
    await row.get_by_text("¥1,700,000.00").wait_for()
    # the band is in percent
    assert (
        await page.get_by_label(
            "居民出资比例下限" if zh else "Residents' share, lowest"
        ).input_value()
        == "20"
    )
    assert (
        await page.get_by_label(
            "居民出资比例上限" if zh else "Residents' share, highest"
        ).input_value()
        == "30"
    )
    # the infeasibility, live, compared with the plan in force
    failed = page.locator('[data-testid="preview"][data-status="failed"]')
    await failed.wait_for()
    sentence = await failed.get_by_test_id("comparison").inner_text()
    if zh:
        assert re.search(
            rf"居民需承担 \d+\.\d%（现行第{in_force}版为 \d+\.\d%）；比例区间为 20%–30%", sentence
        ), sentence
    else:
        assert re.search(
            rf"Residents' share would be \d+\.\d% vs \d+\.\d% in v{in_force}; "
            r"the band allows 20–30%",
            sentence,
        ), sentence
    share = float(re.search(r"(\d+\.\d)%", sentence).group(1))  # type: ignore[union-attr]
    assert share > 30
    # the gauge reaches the share: its scale's top is above it and the marker is inside
    gauge = failed.get_by_test_id("band-gauge")
    top = int(await gauge.get_attribute("data-top") or "0")
    assert top >= share
    track = await gauge.locator(".gauge").bounding_box()
    marker = await gauge.get_by_test_id("gauge-marker").bounding_box()
    band = await gauge.get_by_test_id("gauge-band").bounding_box()
    assert track and marker and band
    assert (
        track["x"] <= marker["x"]
        and marker["x"] + marker["width"] <= track["x"] + track["width"] + 1
    )
    assert band["width"] > 0 and band["x"] + band["width"] <= track["x"] + track["width"] + 1
    await failed.get_by_test_id("problems").get_by_text("¥", exact=False).first.wait_for()
    if zh:
        text = await failed.inner_text()
        assert not LATIN_WORD.search(text), text
    save = page.get_by_test_id("solve")
    assert (await save.inner_text()).strip() == (
        "仍然保存（记为失败版本）" if zh else "Save anyway (as a failed version)"
    )
    await no_overflow(page)
    await screenshot(page, f"funding-resolve-failed-{lang}")
    # untick the retrofit: the same works as the plan in force, a plan
    await retrofit.uncheck()
    ok = page.locator('[data-testid="preview"][data-status="ok"]')
    await ok.wait_for()
    await (
        ok.get_by_test_id("comparison")
        .get_by_text(f"（现行第{in_force}版为" if zh else f"in v{in_force};", exact=False)
        .wait_for()
    )
    await ok.get_by_test_id("band-gauge").wait_for()
    assert (await save.inner_text()).strip() == ("保存为新版本" if zh else "Save as a new version")
    await no_overflow(page)
    await screenshot(page, f"funding-resolve-ok-{lang}")


@pytest.mark.timeout(600)
async def test_treasurer_resolves_after_the_award_with_a_work_selection(
    demo: DemoRun, open_page: Any, screenshot: Any
) -> None:
    start = versions(demo)
    assert [(p["version"], p["status"]) for p in start] == [(1, "approved")]

    # Chinese, on a phone: fails live, nothing stored; unticked, saved as version 2
    phone = await open_page(demo.base_url, token(demo, "treasurer"), phone=True)
    await phone.goto(f"{demo.base_url}/#/funding")
    await resolve_after_award(phone, "zh", 1, screenshot)
    assert versions(demo) == start  # previews store nothing
    await phone.get_by_test_id("solve").click()
    plan = phone.get_by_test_id("plan")
    await plan.get_by_role("heading", name=re.compile("第 2 版")).wait_for()
    await plan.get_by_text("草稿").first.wait_for()
    # approving asks first with the consequence; cancel changes nothing
    await phone.get_by_test_id("approve").click()
    confirm = phone.get_by_test_id("confirm-approve")
    await confirm.get_by_text("批准第2版：第1版将被替代，其缴费通知单作废").wait_for()
    await no_overflow(phone)
    await screenshot(phone, "funding-approve-confirm")
    await confirm.get_by_test_id("confirm-approve-no").click()
    await confirm.wait_for(state="detached")
    assert [(p["version"], p["status"]) for p in versions(demo)] == [(1, "approved"), (2, "draft")]
    await phone.get_by_test_id("approve").click()
    await phone.get_by_test_id("confirm-approve-yes").click()
    await plan.get_by_text("已批准").first.wait_for()
    assert [(p["version"], p["status"]) for p in versions(demo)] == [
        (1, "superseded"),
        (2, "approved"),
    ]

    # English, at desktop width: the same re-solve against version 2, saved as version 3
    desktop = await open_page(demo.base_url, token(demo, "treasurer"), lang="en")
    await desktop.goto(f"{demo.base_url}/#/funding")
    await resolve_after_award(desktop, "en", 2, screenshot)
    await desktop.get_by_test_id("solve").click()
    plan = desktop.get_by_test_id("plan")
    await plan.get_by_role("heading", name=re.compile("Version 3")).wait_for()
    await desktop.get_by_test_id("approve").click()
    await (
        desktop.get_by_test_id("confirm-approve")
        .get_by_text("Approve version 3: version 2 will be superseded and its payment notices void")
        .wait_for()
    )
    await no_overflow(desktop)
    await desktop.get_by_test_id("confirm-approve-no").click()

    # the other two: Chinese at desktop width, English on a phone (failure, then a plan)
    zh_desktop = await open_page(demo.base_url, token(demo, "treasurer"))
    await zh_desktop.goto(f"{demo.base_url}/#/funding")
    await resolve_after_award(zh_desktop, "zh", 2, screenshot)
    en_phone = await open_page(demo.base_url, token(demo, "treasurer"), phone=True, lang="en")
    await en_phone.goto(f"{demo.base_url}/#/funding")
    await resolve_after_award(en_phone, "en", 2, screenshot)
    # with the retrofit and a 20–80 % band there is a plan at about 75 %: the gauge shows the
    # whole band and the share on one 0–80 % scale
    await en_phone.get_by_role("checkbox", name=re.compile(RETROFIT)).check()
    await en_phone.get_by_label("Residents' share, highest").fill("80")
    ok = en_phone.locator('[data-testid="preview"][data-status="ok"]')
    await (
        ok.get_by_test_id("comparison")
        .get_by_text("the band allows 20–80%", exact=False)
        .wait_for()
    )
    gauge = ok.get_by_test_id("band-gauge")
    assert await gauge.get_attribute("data-top") == "80"
    track = await gauge.locator(".gauge").bounding_box()
    band = await gauge.get_by_test_id("gauge-band").bounding_box()
    marker = await gauge.get_by_test_id("gauge-marker").bounding_box()
    assert track and band and marker
    assert abs(band["x"] - (track["x"] + track["width"] / 4)) <= 2  # 20 % of 80 %
    assert abs(band["x"] + band["width"] - (track["x"] + track["width"])) <= 2  # up to 80 %
    assert band["x"] < marker["x"] < track["x"] + track["width"]  # about 75 %, inside
    for tick in ("0%", "20%", "40%", "60%", "80%"):
        await gauge.get_by_text(tick, exact=True).wait_for()
    await no_overflow(en_phone)
    await screenshot(en_phone, "funding-resolve-wide-band-en")
    # only the two versions saved on purpose were added
    assert [(p["version"], p["status"]) for p in versions(demo)] == [
        (1, "superseded"),
        (2, "approved"),
        (3, "draft"),
    ]
