"""A partner unit's live stream: wish and pledge events, nothing else, in replay and live."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from planner.testing import Served, bearer
from tests.integration.live.live_helpers import Received, live_socket, read_until

pytestmark = pytest.mark.timeout(90)

PARTNER_TYPES = ("wish.", "pledge.")


def _marker(wish_id: int) -> Callable[[Received], bool]:
    return lambda r: any(
        e["type"] == "wish.posted" and e["data"]["wish_id"] == wish_id for e in r.events
    )


async def test_partner_hears_only_wishes(served: Served) -> None:
    world = served.world
    estate = world.estate_a
    own = world.own
    async with (
        live_socket(world.base_url, estate, own["partner"], after=0) as partner,
        live_socket(world.base_url, estate, own["committee"], after=0) as committee,
        httpx.AsyncClient(base_url=world.base_url, timeout=30) as http,
    ):
        # live: a ballot, a funding source, a member, a counter-offer, then wishes
        ballot = await http.post(
            f"/api/motions/{world.ids['motion_id']}/ballots",
            json={"choice": "yes"},
            headers=bearer(own["owner"]),
        )
        assert ballot.status_code in (200, 201), ballot.text
        source = await http.post(
            f"/api/estates/{estate}/funding-sources",
            json={"name": "补贴", "kind": "subsidy", "budget_fen": 1000},
            headers=bearer(own["committee"]),
        )
        assert source.status_code == 201, source.text
        added = await http.post(
            f"/api/estates/{estate}/members",
            json={"role": "observer", "display_name": "观察员"},
            headers=bearer(world.admin),
        )
        assert added.status_code == 201
        countered = await http.post(
            f"/api/quotes/{world.ids['quote_id']}/counter-offers",
            json={"target_total_fen": 3_500_000, "note": "请再优惠"},
            headers=bearer(own["committee"]),
        )
        assert countered.status_code in (200, 201), countered.text
        posted = await http.post(
            f"/api/estates/{estate}/wishes",
            json={"text": "需要上门理发", "category": "livelihood"},
            headers=bearer(own["owner"]),
        )
        wish_id = posted.json()["id"]
        claimed = await http.post(f"/api/wishes/{wish_id}/claim", headers=bearer(own["partner"]))
        assert claimed.status_code == 200
        marker = await http.post(
            f"/api/estates/{estate}/wishes",
            json={"text": "结束标记"},
            headers=bearer(own["owner"]),
        )
        done = _marker(marker.json()["id"])
        heard = await read_until(partner, done)
        staff = await read_until(committee, done)
    types = [e["type"] for e in heard.events]
    assert all(t.startswith(PARTNER_TYPES) for t in types), types
    # replay (the world's wish and pledge) and live (posted, claimed)
    assert "pledge.made" in types and types.count("wish.posted") >= 3
    assert "wish.claimed" in types
    assert "业主" not in json.dumps(heard.events, ensure_ascii=False)
    # the committee heard the others, so they were there to leak
    staff_types = {e["type"] for e in staff.events}
    assert {"funding_source.added", "member.added", "wish.claimed"} <= staff_types
    # a fresh replay of everything: still only wishes and pledges
    async with live_socket(world.base_url, estate, own["partner"], after=0) as again:
        replay = await read_until(again, done)
    assert [e["type"] for e in replay.events] == types
