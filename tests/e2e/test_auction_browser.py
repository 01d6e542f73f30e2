"""Issue 20, the live reverse auction in the browser: two bidders and the committee, each on a
375 px phone in a browser context of its own, run a full short auction (5-second turns, two
rounds) after the sealed bids open.

The committee starts it from the work's page (the form refuses a bad setting before sending
and asks before starting); the bidders, waiting on the supplier desk, get the link live and
open their screens. On each bidder's turn the bid goes through (after a confirmation); a bid
above the allowed maximum is refused in the page and never sent; every new price reaches the
other bidder and the committee without a reload; an idle turn keeps the price. Bidders see
numbers only until the end, the committee sees names throughout; at the end the identities
are shown to everybody. Afterwards the work's page links the finished auction, and a second one is
scheduled and cancelled (asked first). Chinese by default, one look in English; no horizontal
scroll."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.50,B,业主乙,
"""
NAMES = ("国网株洲供电公司", "湘电安装工程")
START_FEN = (100_000_000, 90_000_000)  # ¥1,000,000 and ¥900,000: the first bids first
STEP_FEN = 100_000  # ¥1,000
TURN_SECONDS = 5


def lines(total_fen: int) -> list[dict[str, Any]]:
    return [
        {
            "description": "二次供电改造总价",
            "unit": "项",
            "quantity": "1",
            "unit_price_fen": total_fen,
        }
    ]


def price(page: Any, number: int) -> Any:
    return page.locator(f'[data-testid=bidder][data-number="{number}"] [data-testid=bidder-price]')


async def my_turn(page: Any, round_no: int) -> None:
    await page.locator(
        f'[data-testid=auction-turn][data-mine="true"][data-round="{round_no}"]'
    ).wait_for(timeout=30_000)


async def bid(page: Any, yuan: str) -> None:
    await page.get_by_test_id("bid-input").fill(yuan)
    await page.get_by_test_id("bid-submit").click()
    await page.get_by_test_id("confirm-bid-yes").click()
    await page.get_by_test_id("bid-sent").wait_for()


async def no_names(page: Any) -> None:
    text = await page.content()
    assert not [n for n in NAMES if n in text], "a bidder saw a name before the end"


@pytest.mark.timeout(300)
async def test_two_bidders_and_the_committee_run_a_short_auction_live(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any
) -> None:
    estate = make_service_estate(CSV)
    _, chair_token = estate.member("committee", "王主任")
    chair = estate.api(chair_token)
    supplier_ids = [
        chair.post(f"/api/estates/{estate.id}/suppliers", {"name": n})["id"] for n in NAMES
    ]
    opening = datetime.now(UTC) + timedelta(seconds=4)
    work = chair.post(
        f"/api/estates/{estate.id}/works",
        {"title": "二次供电改造", "category": "power", "sealed_until": opening.isoformat()},
    )
    work_id = work["id"]
    chair.post(f"/api/works/{work_id}/status", {"status": "approved"})
    tokens = []
    for i, supplier_id in enumerate(supplier_ids):
        chair.post(f"/api/works/{work_id}/invitations", {"supplier_id": supplier_id})
        _, token = estate.member("supplier", f"经理{i + 1}", supplier_id=supplier_id)
        tokens.append(token)
        estate.api(token).post(f"/api/works/{work_id}/quotes", {"lines": lines(START_FEN[i])})
    # the sealed bids open at `opening` (a read of the comparison opens them on the spot)
    await asyncio.sleep(max(0.0, (opening - datetime.now(UTC)).total_seconds()) + 0.5)
    assert chair.get(f"/api/works/{work_id}/comparison")

    base = estate.svc.base_url
    # the bidders wait on their desks; the link to the auction arrives live
    desks = [await open_page(base, token, phone=True) for token in tokens]
    for desk in desks:
        await desk.goto(f"{base}/#/supplier")
        await desk.get_by_test_id("invited-work").wait_for()
    sent: list[str] = []
    for desk in desks:
        desk.on(
            "request",
            lambda r: sent.append(r.url) if r.method == "POST" and "/bids" in r.url else None,
        )

    # the committee starts the auction from the work's page: a bad setting is refused first
    board = await open_page(base, chair_token, phone=True)
    await board.goto(f"{base}/#/works/{work_id}")
    form = board.get_by_test_id("start-auction")
    await form.locator("summary").click()
    await form.get_by_test_id("rounds").fill("11")
    await form.get_by_test_id("turn_minutes").fill("0")
    await form.get_by_test_id("turn_seconds").fill(str(TURN_SECONDS))
    await form.get_by_test_id("step-amount-kind").check()
    await form.get_by_test_id("min_step_fen").fill("1,000")
    await form.get_by_test_id("starts_in_seconds").fill("6")
    await form.get_by_test_id("start-auction-submit").click()
    await (
        form.get_by_test_id("auction-form-problems")
        .get_by_text("轮数须为 1 到 10 之间的整数")
        .wait_for()
    )
    await fits_phone(board)
    await form.get_by_test_id("rounds").fill("2")
    await form.get_by_test_id("start-auction-submit").click()
    await board.get_by_test_id("confirm-start-auction-yes").click()
    await board.get_by_test_id("auction-board").wait_for()
    auction_id = int(board.url.rsplit("/", 1)[1])
    # the committee sees labels and names from the start
    assert await board.get_by_test_id("bidder-name").count() == 2
    await board.get_by_test_id("auction-settings").wait_for()
    await screenshot(board, "auction-committee-scheduled")

    for desk in desks:
        await desk.get_by_test_id("auction-link").click()
        await desk.get_by_test_id("auction-mine").wait_for()
        await no_names(desk)
    views = [estate.api(token).get(f"/api/auctions/{auction_id}") for token in tokens]
    numbers = [v["my_number"] for v in views]
    assert all(b["supplier_name"] is None for v in views for b in v["bidders"])
    first, second = desks  # the higher price bids first in each round
    n1, n2 = numbers

    # a too-high bid stays in the page, whatever the turn (the second's maximum: ¥900,000 − ¥1,000)
    await second.get_by_test_id("bid-input").fill("899,500")
    await second.get_by_test_id("bid-submit").click()
    refused = second.get_by_test_id("bid-refused")
    await refused.get_by_text("最高可报 ¥899,000.00").wait_for()
    assert sent == []

    # round 1, the first bidder's turn
    await my_turn(first, 1)
    await bid(first, "950,000")
    for page in (second, board):
        await price(page, n1).get_by_text("¥950,000.00").wait_for()
    await screenshot(first, "auction-bidder-bid")

    # round 1, the second bidder's turn
    await my_turn(second, 1)
    await screenshot(second, "auction-bidder-your-turn")
    await no_names(second)
    await bid(second, "890,000")
    for page in (first, board):
        await price(page, n2).get_by_text("¥890,000.00").wait_for()
    await first.get_by_test_id("lowest-price").get_by_text("¥890,000.00").wait_for()

    # round 2: the first bidder (now ¥950,000) goes first again and takes the lead; the
    # second lets the turn pass and keeps ¥890,000
    await my_turn(first, 2)
    await bid(first, "880,000")
    await first.get_by_test_id("my-place").get_by_text("第 1 名").wait_for()
    await second.get_by_test_id("my-place").get_by_text("第 2 名").wait_for()
    await board.get_by_test_id("auction-history").get_by_text("¥880,000.00").wait_for()
    for page in (*desks, board):
        await fits_phone(page)
    await no_names(first)
    await no_names(second)
    assert len(sent) == 3

    # the end: identities for everybody, final prices, the result written as a quote round
    deadline = time.monotonic() + 4 * TURN_SECONDS + 30
    for page in (*desks, board):
        await page.get_by_test_id("auction-finished").wait_for(
            timeout=max(1.0, deadline - time.monotonic()) * 1000
        )
    for page in (*desks, board):
        assert await page.get_by_test_id("bidder-name").count() == 2
        await price(page, n1).get_by_text("¥880,000.00").wait_for()
        await price(page, n2).get_by_text("¥890,000.00").wait_for()
        await fits_phone(page)
        await in_language(page, "zh-CN", missing_keys)
    await first.get_by_test_id("bidder-name").get_by_text(NAMES[1]).wait_for()
    await screenshot(board, "auction-committee-finished")
    await screenshot(second, "auction-bidder-finished")
    final = chair.get(f"/api/auctions/{auction_id}")
    assert final["status"] == "finished" and final["result_round"]

    # one look in English
    await second.get_by_test_id("lang-toggle").click()
    await (
        second.get_by_test_id("auction-finished").get_by_text("The auction has finished").wait_for()
    )
    await second.get_by_test_id("my-place").get_by_text("2 of 2").wait_for()
    await fits_phone(second)
    assert await missing_keys(second) == []

    # the work's page links the finished auction; a second one is scheduled and cancelled
    await board.goto(f"{base}/#/works/{work_id}")
    links = board.get_by_test_id("work-auctions").get_by_test_id("auction-link")
    await links.first.wait_for()
    assert await links.count() == 1
    form = board.get_by_test_id("start-auction")
    await form.locator("summary").click()
    await form.get_by_test_id("starts_in_seconds").fill("600")
    await form.get_by_test_id("start-auction-submit").click()
    await board.get_by_test_id("confirm-start-auction-yes").click()
    await board.locator("[data-testid=auction-turn][data-kind=start]").wait_for()
    await board.get_by_test_id("cancel-auction").click()
    await board.get_by_test_id("confirm-cancel-auction-yes").click()
    await board.get_by_test_id("auction-cancelled").wait_for()
    assert await board.get_by_test_id("cancel-auction").count() == 0
    await fits_phone(board)
    assert await missing_keys(board) == []
