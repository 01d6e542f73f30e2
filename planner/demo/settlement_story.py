"""After the decision (issue 19), played by the loader right after the plan's approval: the
roofer's award, the works delivered over the following months, the owners' money collected,
and the final accounts (决算) with the roof's variation and the pipes' saving, published
(公示) with a public link.

The chapters (``delivery_chapter``, ``ledger_chapter``, ``settlement_chapter``) know nothing
of the story's calendar: the delivery chapter calls back with each step's day (moved back by
``story.DELIVERY_BEFORE`` days, so the works' history ends before the 5栋 meeting is called);
the collection is dated from the approval and recorded by the day it closes; the settlement
follows. The story clock only moves forward, so the events stay in story order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from planner.demo import story
from planner.demo.delivery_chapter import play_delivery
from planner.demo.disclosure_chapter import play_disclosure
from planner.demo.ledger_chapter import play_collection
from planner.demo.settlement_chapter import award_roof, play_settlement

if TYPE_CHECKING:
    from planner.demo.loader import Estate, Story


async def play_after_decision(played: Story, jg: Estate, plan_id: int) -> dict[str, Any]:
    """Award the roof, deliver, collect, settle; returns the figures the output prints."""
    clock = played.clock
    chair = played.people["chair"]
    treasurer = played.people["treasurer"]
    clock.at(clock.day(story.ROOF_AWARDED))
    await award_roof(chair, played.admin, jg.id, played.works["roof"])

    before = timedelta(days=story.DELIVERY_BEFORE)
    today = clock.today - before
    reps = [
        await played.owner(jg, key, units[0]["owner_name"])
        for key, units in list(jg.persons_in("1栋").items())[:2]
    ]

    def at(day: int) -> None:
        clock.at(max(clock.now(), clock.day((day - story.DELIVERY_BEFORE, "10:00"))))

    delivered = await play_delivery(
        chair,
        reps,
        {key: played.works[key] for key in story.PLAN_WORKS},
        today=today,
        at=at,
    )

    approved = clock.day(story.PLAN_APPROVED).date()
    clock.at(clock.day(story.COLLECTION_CLOSED))
    collected = await play_collection(
        treasurer,
        plan_id,
        jg.households,
        when=lambda day: approved + timedelta(days=day),
        days=story.COLLECTION_DAYS,
    )

    clock.at(clock.day(story.SETTLED))
    settled = await play_settlement(
        chair,
        treasurer,
        jg.id,
        plan_id,
        {key: played.works[key] for key in story.PLAN_WORKS},
    )
    clock.at(clock.day(story.DISCLOSED))
    disclosed = await play_disclosure(chair, jg.id, owner=reps[0])
    return {
        "delivered": delivered,
        "collected": collected,
        "settled": settled,
        "disclosed": disclosed,
    }
