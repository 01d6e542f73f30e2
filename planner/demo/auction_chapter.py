"""The live reverse auction (issue 20), played in 银杏苑 so that 金桂苑's reference case and
its tour stay as they are: the neighbour's committee tenders an electric-bike charging shed
among three invited suppliers, their sealed bids open as the load ends, and a live auction
among them is scheduled a few minutes later for a visitor to watch (and bid in, with a
bidder's link).

The clock. The loader plays this chapter right after 银杏苑 joined (``story.NEIGHBOUR_JOINED``),
before 金桂苑's last weeks: the work, the invitations and the bids are dated on the story clock
in the weeks after that day. The bids' sealing and the auction are real time: ``sealed_until``
is compared with the wall clock (and the database's), so the work is sealed until a moment
after it is created; the chapter waits for that moment, and the bids open "now" (the story
clock back at the wall clock, offset zero). The auction is scheduled on the database clock
(``starts_in_seconds``): its rows are written in a step of offset zero, and its future times
(start, end, next step) lie minutes after the load's last step, so the load's redating
(``store.redate``, by wall-clock windows) moves none of them; the rest of the load takes
seconds. (Not played last: a paced tally push of 金桂苑's meeting in session, written by a
background task on the shared story clock, must not be dated back to this chapter's weeks.)
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from planner.demo import story
from planner.demo.client import DemoLoadError
from planner.demo.story import YUAN, Line, Person

if TYPE_CHECKING:
    from planner.demo.loader import Estate, Story

WORK_TITLE = "小区电动自行车充电棚"
DESCRIPTION = "集中停放充电，消除电动自行车入户充电的火灾隐患；密封报价，开标后网上竞价。"
WORK_PROPOSED: story.Day = (-19, "10:00")
SUPPLIERS_INVITED: story.Day = (-18, "09:30")
BID_DAYS: tuple[story.Day, ...] = ((-10, "16:00"), (-7, "11:20"), (-3, "15:40"))
#: how long after its creation (wall clock) the work's bids stay sealed: long enough for the
#: three bids to be written, short enough not to slow the load
SEALED_SECONDS = 1.5
#: the live auction: starts a few minutes after the demo is ready, 2 rounds of 1-minute turns
AUCTION = {"rounds": 2, "turn_seconds": 60, "pause_seconds": 0, "starts_in_seconds": 180}

LINES = (
    Line("钢结构雨棚（含基础）", "平方米", "240", 45),
    Line("智能充电桩（10 路，含刷卡计费）", "台", "24", 30),
    Line("烟感报警与喷淋", "套", "6", 10),
    Line("配电箱、线缆敷设及安装调试", "项", "1", 15),
)
# (supplier, its negotiator, the sealed bid's total)
BIDDERS: tuple[tuple[str, Person, int], ...] = (
    (
        "株洲绿能充电科技有限公司",
        Person("yx_bidder_a", "supplier", "绿能充电 销售经理 黄磊"),
        168_000 * YUAN,
    ),
    (
        "湖南安充智能设备有限公司",
        Person("yx_bidder_b", "supplier", "安充智能 项目经理 吴静"),
        159_500 * YUAN,
    ),
    (
        "荷塘区永安电气安装队",
        Person("yx_bidder_c", "supplier", "永安电气 负责人 郑海"),
        172_800 * YUAN,
    ),
)


async def play_auction(played: Story, yx: Estate) -> dict[str, Any]:
    """Tender the charging shed in 银杏苑 and schedule its live auction; returns
    ``{"estate_id", "work_id", "auction": the view, "people": {person key: Caller}}``."""
    clock = played.clock
    chair = played.people[story.YX_CHAIR.key]
    clock.at(clock.day(WORK_PROPOSED))
    supplier_ids = []
    for name, negotiator, _ in BIDDERS:
        supplier = await chair.post(f"/api/estates/{yx.id}/suppliers", {"name": name})
        supplier_ids.append(supplier["id"])
        played.people[negotiator.key] = await played.member(
            yx.id, negotiator, supplier_id=supplier["id"]
        )
    sealed_until = datetime.now(UTC) + timedelta(seconds=SEALED_SECONDS)
    work = await chair.post(
        f"/api/estates/{yx.id}/works",
        {
            "title": WORK_TITLE,
            "category": "charging",
            "benefit_rule": "equal",
            "estimate_fen": 165_000 * YUAN,
            "urgency": 4,
            "difficulty": 2,
            "description": DESCRIPTION,
            "sealed_until": sealed_until.isoformat(),
        },
    )
    played.works["yx_charging"] = work["id"]
    await chair.post(f"/api/works/{work['id']}/status", {"status": "approved"})
    clock.at(clock.day(SUPPLIERS_INVITED))
    for supplier_id in supplier_ids:
        await chair.post(f"/api/works/{work['id']}/invitations", {"supplier_id": supplier_id})
    for day, (_, negotiator, total) in zip(BID_DAYS, BIDDERS, strict=True):
        clock.at(clock.day(day))
        quote = await played.people[negotiator.key].post(
            f"/api/works/{work['id']}/quotes", {"lines": story.lines_for(LINES, total)}
        )
        if quote["rounds"][-1]["total_fen"] != total:
            raise DemoLoadError(f"{negotiator.display_name}'s bid totals {quote['rounds'][-1]}")
    # The bids open now (the first read after sealed_until opens them), then the auction.
    await asyncio.sleep(max(0.0, (sealed_until - datetime.now(UTC)).total_seconds()) + 0.1)
    clock.at(datetime.now(UTC))
    comparison = await chair.get(f"/api/works/{work['id']}/comparison")
    if comparison["sealed"] or len(comparison["quotes"]) != len(BIDDERS):
        raise DemoLoadError(f"the charging shed's bids did not open: {comparison}")
    auction = await chair.post(f"/api/works/{work['id']}/auctions", AUCTION)
    return {
        "estate_id": yx.id,
        "work_id": work["id"],
        "auction": auction,
        "people": {p.key: played.people[p.key] for p in (story.YX_CHAIR, *(b[1] for b in BIDDERS))},
    }
