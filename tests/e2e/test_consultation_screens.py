"""Issue 17, the written consultation in the browser at 375 px, in Chinese and English: the
committee creates and publishes a consultation (notice period 0, voting opens seconds later),
prints the ballot sheets, two committee members enter the same sheet by its typed code and the
turnout moves live on a third page; an owner votes, goes offline, and the queued ballot is
sent once on reconnect; the public page shows without a sign-in.

The paper steps need the paper slice's routes (sheets, paper entries): without them on the
server those steps are skipped, saying so."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.consultation_helpers import (
    draft,
    fits_phone,
    in_language,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
SHANGHAI = ZoneInfo("Asia/Shanghai")
WORDS = {
    "zh-CN": {
        "noticed": "公告期",
        "open": "表决中",
        "queued": "选票已保存在本机",
        "recorded": "已记录：反对",
    },
    "en": {
        "noticed": "Notice posted",
        "open": "Voting open",
        "queued": "saved on this device",
        "recorded": "Recorded: No",
    },
}


def local_input(seconds: float) -> str:
    """A datetime-local value ``seconds`` from now on the estate's wall clock (Beijing)."""
    when = datetime.now(UTC).astimezone(SHANGHAI) + timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def has_paper_routes(api: Any, consultation_id: int) -> bool:
    response = api.http.get(f"/api/consultations/{consultation_id}/sheets")
    return bool(response.status_code == 200)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_publishes_enters_a_sheet_twice_and_turnout_moves_live(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, chair_token = estate.member("committee", "王主任")
    _, second_token = estate.member("committee", "李委员")
    _, third_token = estate.member("committee", "赵委员")
    chair = estate.api(chair_token)
    base = estate.svc.base_url
    words = WORDS[lang]

    # The committee creates the consultation on the phone.
    page = await open_page(base, chair_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/consultations")
    await page.get_by_test_id("consultations-none").wait_for()
    await page.locator("[data-testid=new-consultation] summary").click()
    await page.fill("#c-title", "5栋屋面防水维修")
    await page.fill("#c-notice-days", "0")
    await page.fill("#c-opens", local_input(25))
    await page.fill("#c-closes", local_input(86400))
    await page.get_by_test_id("motion-title").first.fill("使用维修资金修屋面")
    await page.get_by_test_id("motion-matter").first.select_option("5")
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    await screenshot(page, f"consultation-new-{lang}")
    await page.get_by_test_id("create-consultation").click()
    await page.get_by_test_id("consult-title").wait_for()
    consultation_id = int(page.url.rsplit("/", 1)[-1])
    created = chair.get(f"/api/consultations/{consultation_id}")
    assert created["status"] == "draft" and created["notice_days"] == 0
    assert [m["matter"] for m in created["motions"]] == [5]

    # The draft can still change.
    await page.locator("[data-testid=edit-consultation] summary").click()
    await page.fill("#c-title", "5栋屋面防水维修（维修资金）")
    await page.get_by_test_id("save-consultation").click()
    await page.get_by_test_id("consult-title").get_by_text("（维修资金）").wait_for()
    changed = chair.get(f"/api/consultations/{consultation_id}")
    assert changed["opens_at"] == created["opens_at"]  # the seconds kept

    # Publishing asks first, saying what follows.
    await page.get_by_test_id("publish-consultation").click()
    confirm = page.get_by_test_id("confirm-publish")
    await confirm.wait_for()
    assert chair.get(f"/api/consultations/{consultation_id}")["status"] == "draft"
    await screenshot(page, f"consultation-publish-confirm-{lang}")
    await page.get_by_test_id("confirm-publish-yes").click()
    await page.locator("[data-testid=timeline] li[data-step=noticed][aria-current=step]").wait_for()
    assert words["noticed"] in await page.inner_text("main")
    # It opens by itself; the page follows the live event.
    await page.locator("[data-testid=timeline] li[data-step=open][aria-current=step]").wait_for(
        timeout=60_000
    )
    await page.get_by_test_id("turnout").wait_for()
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    await screenshot(page, f"consultation-open-committee-{lang}")

    if not has_paper_routes(chair, consultation_id):
        pytest.skip("the paper slice's routes (sheets, paper entries) are not on this server")

    # Print the sheets: the printable page opens.
    async with page.context.expect_page() as opened:
        await page.get_by_test_id("sheets-link").click()
    sheets_page = await opened.value
    await sheets_page.wait_for_load_state()
    assert "5栋屋面防水维修" in await sheets_page.content()
    await sheets_page.close()
    sheet = next(
        s
        for s in chair.get(f"/api/consultations/{consultation_id}/sheets")["items"]
        if s["owner_key"] == "B"
    )
    motion_id = created["motions"][0]["id"]

    # A third member watches the turnout.
    watcher = await open_page(base, third_token, phone=True, lang=lang)
    await watcher.goto(f"{base}/#/consultations/{consultation_id}")
    paper_cell = watcher.get_by_test_id("channel-paper")
    await paper_cell.wait_for()
    before = await paper_cell.inner_text()

    # Two members enter the same sheet by its typed code, written loosely.
    loose = "-".join(re.findall(".{1,4}", sheet["code"].lower()))
    states = []
    for token in (chair_token, second_token):
        entry = await open_page(base, token, phone=True, lang=lang)
        await entry.goto(f"{base}/#/consultations/{consultation_id}/paper")
        await entry.get_by_test_id("sheet-code").fill(f" {loose} ")
        await entry.get_by_test_id("use-code").click()
        await entry.get_by_test_id("entry-form").wait_for()
        await entry.locator("[data-testid=paper-motion] [data-testid=paper-yes]").click()
        await fits_phone(entry)
        await entry.get_by_test_id("submit-entry").click()
        state = entry.get_by_test_id("entry-result")
        await state.wait_for()
        states.append(await state.get_attribute("data-state"))
        await in_language(entry, lang, missing_keys)
        await screenshot(entry, f"paper-entry-{len(states)}-{lang}")
    assert states == ["awaiting_second", "counted"]

    # The turnout moved on the third page without a reload.
    await watcher.wait_for_function(
        "([el, before]) => el.innerText !== before",
        arg=[await paper_cell.element_handle(), before],
        timeout=20_000,
    )
    owners = (await paper_cell.inner_text()).split("·")[0]
    assert re.findall(r"\d+", owners) == ["1"], owners
    tally = chair.get(f"/api/motions/{motion_id}/tally")
    assert tally["participating_owners"] == 1
    await fits_phone(watcher)
    await screenshot(watcher, f"consultation-turnout-live-{lang}")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_an_owner_votes_offline_and_the_ballot_is_sent_once_on_reconnect(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    units = [h["id"] for h in estate.households() if h["owner_key"] == "A"]
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主甲", household_ids=units)
    committee = estate.api(committee_token)
    created = draft(committee, estate.id)
    committee.post(f"/api/consultations/{created['id']}/publish")
    wait_until(lambda: committee.get(f"/api/consultations/{created['id']}")["status"] == "open")
    motion_id = created["motions"][0]["id"]
    base = estate.svc.base_url
    words = WORDS[lang]

    page = await open_page(base, owner_token, phone=True, lang=lang)
    # The home page leads to the open consultation.
    await page.goto(f"{base}/#/")
    await page.get_by_test_id("home-consultation").locator("a.button").click()
    await page.wait_for_url(f"**/#/consultations/{created['id']}")
    row = page.get_by_test_id("vote-row-own")
    await row.get_by_test_id("vote-no").wait_for()
    await page.get_by_test_id("consult-notice").wait_for()
    await fits_phone(page)
    await in_language(page, lang, missing_keys)

    await page.context.set_offline(True)
    await row.get_by_test_id("vote-no").click()
    queued = row.get_by_test_id("vote-queued")
    await queued.wait_for()
    assert words["queued"] in await queued.inner_text()
    assert committee.get(f"/api/motions/{motion_id}/ballots") == []
    await screenshot(page, f"consultation-vote-queued-{lang}")

    await page.context.set_offline(False)
    mine = row.get_by_test_id("my-vote")
    await mine.wait_for(timeout=30_000)
    assert words["recorded"] in await mine.inner_text()
    record = committee.get(f"/api/motions/{motion_id}/ballots")
    assert len(record) == 2, record  # two units, one cast: recorded once
    assert {b["choice"] for b in record} == {"no"}
    receipt = await row.get_by_test_id("receipt").inner_text()
    assert all(b["receipt"] in receipt for b in record), (receipt, record)
    assert (
        await page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('planner.ballot.')).length"
        )
        == 0
    )
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    await screenshot(page, f"consultation-vote-sent-{lang}")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_public_page_needs_no_sign_in(
    make_service_estate: Any, browser: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    created = draft(committee, estate.id)
    published = committee.post(f"/api/consultations/{created['id']}/publish")
    base = estate.svc.base_url
    public = committee.http.get(f"/api/public/consultations/{published['public_token']}")
    if public.status_code == 404:
        pytest.skip("the notice slice's public route is not on this server")

    context = await browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        await context.add_init_script(f"localStorage.setItem('planner.lang', '{lang}')")
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{base}/#/c/{published['public_token']}")
        await page.get_by_test_id("public-title").wait_for()
        assert "5栋屋面防水维修" in await page.inner_text("main")
        await page.get_by_test_id("public-notice").wait_for()
        assert await page.get_by_test_id("public-page").count() == 1
        await fits_phone(page)
        await in_language(page, lang, missing_keys)
        await screenshot(page, f"consultation-public-{lang}")
        assert errors == []
    finally:
        await context.close()
