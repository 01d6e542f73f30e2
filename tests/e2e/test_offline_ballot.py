"""Issue 16, voting in a hall with a weak network: when the server cannot be reached the room
says so in the page's language (never the browser's "Failed to fetch"), keeps the ballot on
the phone (also across a reload) and sends it when the connection returns; the ballot is
recorded once and its receipt shows. Chromium at 375 px, Chinese and English."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
"""
QUEUED = {
    "zh-CN": ("网络中断，选票已保存在本机，恢复连接后自动提交", "反对"),
    "en": ("No connection: your ballot is saved on this device", "No"),
}
RECORDED = {"zh-CN": "已记录：反对", "en": "Recorded: No"}
LATIN = re.compile(r"[A-Za-z]")
ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w]+[A-Za-z]+){2,}")
BROWSER_WORDS = re.compile(r"Failed to fetch|NetworkError|Load failed|TypeError", re.I)


def open_motion(estate: Any) -> tuple[Any, str, list[int], dict[str, Any], dict[str, Any]]:
    units = [h["id"] for h in estate.households() if h["owner_key"] == "A"]
    _, committee_token = estate.member("committee", "王主任")
    _, owner_token = estate.member("owner", "业主甲", household_ids=units)
    committee = estate.api(committee_token)
    meeting = committee.post(
        f"/api/estates/{estate.id}/meetings", {"title": "1栋议事会", "kind": "building_meeting"}
    )
    committee.post(f"/api/meetings/{meeting['id']}/open")
    motion = committee.post(
        f"/api/meetings/{meeting['id']}/motions", {"title": "屋面防水", "matter": 5}
    )
    committee.post(f"/api/motions/{motion['id']}/open")
    return committee, owner_token, units, meeting, motion


async def assert_queued_in(page: Any, lang: str) -> str:
    queued = page.get_by_test_id("vote-queued")
    await queued.wait_for()
    text: str = await queued.inner_text()
    sentence, choice = QUEUED[lang]
    assert sentence in text and choice in text, text
    main = await page.inner_text("main")
    assert not BROWSER_WORDS.search(main), main
    if lang == "zh-CN":
        assert not LATIN.search(text), text
        assert not ENGLISH.search(main), main
    assert await page.get_by_test_id("my-vote").count() == 0
    assert await page.locator("main .error").count() == 0, await page.inner_text("main")
    assert await page.evaluate("document.documentElement.scrollWidth <= 375")
    return text


async def assert_recorded_once(
    page: Any, committee: Any, motion: dict[str, Any], lang: str
) -> None:
    mine = page.get_by_test_id("my-vote")
    await mine.wait_for(timeout=30_000)
    assert RECORDED[lang] in await mine.inner_text()
    assert await page.get_by_test_id("vote-queued").count() == 0
    shown = await page.get_by_test_id("receipt").inner_text()
    record = committee.get(f"/api/motions/{motion['id']}/ballots")
    assert len(record) == 2, record  # two units, one cast: once, not twice
    assert {b["choice"] for b in record} == {"no"}
    assert all(b["receipt"] in shown for b in record), (shown, record)
    assert (
        await page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('planner.ballot.')).length"
        )
        == 0
    )
    assert await page.evaluate("document.documentElement.scrollWidth <= 375")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_ballot_cast_offline_is_queued_then_sent_once(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    committee, owner_token, _, meeting, motion = open_motion(estate)
    base = estate.svc.base_url
    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    await page.get_by_test_id("vote-no").wait_for()

    await page.context.set_offline(True)
    await page.get_by_test_id("vote-no").click()
    await assert_queued_in(page, lang)
    assert committee.get(f"/api/motions/{motion['id']}/ballots") == []
    assert await page.get_by_test_id("vote-no").get_attribute("aria-pressed") == "false"
    await screenshot(page, f"vote-queued-{lang}")
    await asyncio.sleep(1.5)  # a retry or two while still offline: still queued, no error
    await assert_queued_in(page, lang)

    await page.context.set_offline(False)
    await assert_recorded_once(page, committee, motion, lang)
    assert await missing_keys(page) == []
    await screenshot(page, f"vote-sent-after-offline-{lang}")


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_queued_ballot_survives_a_reload_and_a_lost_answer_is_not_cast_twice(
    make_service_estate: Any, open_page: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    committee, owner_token, _, meeting, motion = open_motion(estate)
    base = estate.svc.base_url
    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    await page.get_by_test_id("vote-no").wait_for()

    # The server records the ballot but its answer is lost on the way back.
    async def lose_the_answer(route: Any) -> None:
        # a reload may cancel the request meanwhile: then it is handled already
        with contextlib.suppress(PlaywrightError):
            if route.request.method == "POST":
                await route.fetch()
                await route.abort("internetdisconnected")
            else:
                await route.continue_()

    await page.route("**/api/motions/*/ballots", lose_the_answer)
    await page.get_by_test_id("vote-no").click()
    await assert_queued_in(page, lang)
    assert len(committee.get(f"/api/motions/{motion['id']}/ballots")) == 2

    # Reloaded while every send still fails: the ballot is still queued on the phone.
    await page.reload()
    await assert_queued_in(page, lang)
    # The network is back: the retry carries the same key, the server answers the first
    # receipts and records nothing more.
    await page.unroute("**/api/motions/*/ballots")
    await page.context.set_offline(True)
    await page.context.set_offline(False)
    await assert_recorded_once(page, committee, motion, lang)


SERVER_DOWN = {
    "zh-CN": ("服务器暂时不可用，选票已保存在本机，稍后自动提交", "议案已结束表决，不再接受投票"),
    "en": (
        "The server is unavailable for now",
        "The motion is closed; ballots are no longer taken",
    ),
}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_503_keeps_the_ballot_queued_and_a_later_409_is_final(
    make_service_estate: Any, open_page: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    committee, owner_token, _, meeting, motion = open_motion(estate)
    base = estate.svc.base_url
    page = await open_page(base, owner_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    await page.get_by_test_id("vote-no").wait_for()
    down, closed = SERVER_DOWN[lang]

    # The database is down: the API answers 503 database_unavailable with Retry-After.
    async def outage(route: Any) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        await route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/problem+json"},
            body='{"status": 503, "title": "Service unavailable", "code": "database_unavailable",'
            ' "detail": "the database cannot be reached; try again in 1 s",'
            ' "params": {"retry_after_s": 1}}',
        )

    await page.route("**/api/motions/*/ballots", outage)
    await page.get_by_test_id("vote-no").click()
    queued = page.get_by_test_id("vote-queued")
    await queued.wait_for()
    text = await queued.inner_text()
    assert down in text, text
    if lang == "zh-CN":
        assert not LATIN.search(text), text
    assert await page.locator("main .error").count() == 0
    await asyncio.sleep(1.5)  # retried at least once, still 503: still queued
    assert await queued.count() == 1

    # Meanwhile the motion closes; the next retry gets 409, which is final: said, not queued.
    committee.post(f"/api/motions/{motion['id']}/close")
    await page.unroute("**/api/motions/*/ballots")
    error = page.locator("main .error")
    await error.wait_for(timeout=30_000)
    said = await error.inner_text()
    assert closed in said, said
    if lang == "zh-CN":
        assert not ENGLISH.search(await page.inner_text("main"))
    assert (
        await page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('planner.ballot.')).length"
        )
        == 0
    )
    assert committee.get(f"/api/motions/{motion['id']}/ballots") == []
    assert await page.evaluate("document.documentElement.scrollWidth <= 375")


@pytest.mark.timeout(240)
async def test_a_queued_ballot_is_sent_from_any_page_after_a_reload(
    make_service_estate: Any, open_page: Any
) -> None:
    estate = make_service_estate(CSV)
    committee, owner_token, _, meeting, motion = open_motion(estate)
    base = estate.svc.base_url
    page = await open_page(base, owner_token, phone=True, lang="zh-CN")
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    await page.get_by_test_id("vote-no").wait_for()

    async def unreachable(route: Any) -> None:
        with contextlib.suppress(PlaywrightError):
            if route.request.method == "POST":
                await route.abort("internetdisconnected")
            else:
                await route.continue_()

    await page.route("**/api/motions/*/ballots", unreachable)
    await page.get_by_test_id("vote-no").click()
    await assert_queued_in(page, "zh-CN")
    # The owner leaves the room for the home page and reloads it; the network comes back.
    await page.goto(f"{base}/#/")
    await page.reload()
    await page.wait_for_selector("header.top .who")
    await page.unroute("**/api/motions/*/ballots")
    for _ in range(100):  # sent by the retry timer within a few seconds, from the home page
        if committee.get(f"/api/motions/{motion['id']}/ballots"):
            break
        await asyncio.sleep(0.1)
    record = committee.get(f"/api/motions/{motion['id']}/ballots")
    assert len(record) == 2 and {b["choice"] for b in record} == {"no"}, record
    await page.goto(f"{base}/#/meetings/{meeting['id']}")
    mine = page.get_by_test_id("my-vote")
    await mine.wait_for()
    assert RECORDED["zh-CN"] in await mine.inner_text()
    shown = await page.get_by_test_id("receipt").inner_text()
    assert all(b["receipt"] in shown for b in record), (shown, record)
    assert await page.get_by_test_id("vote-queued").count() == 0
