"""The demo's settlement chapter plays through the API: the roof awarded and its +¥8,600
variation approved by the committee, the pipes' saving, final costs for the rest, the final
accounts approved with refunds and a few top-ups that add up exactly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.settlement_chapter import ROOF_AWARD_FEN, ROOF_VARIATION_FEN, play_settlement
from planner.testing.settlement import awarded_work

pytestmark = pytest.mark.timeout(120)


async def test_the_settlement_chapter_plays(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate("金桂苑")
    admin = Caller(client, admin_token)
    people = {}
    for role, name in (("committee", "王主任"), ("treasurer", "李会计")):
        made = await admin.post(
            f"/api/estates/{estate_id}/members", {"role": role, "display_name": name}
        )
        people[role] = Caller(client, made["token"], made["member_id"])
    committee, treasurer = people["committee"], people["treasurer"]
    pipes = await awarded_work(client, admin_token, committee.token, estate_id, "给排水管网改造")
    works = {"pipes": pipes}
    for key, title, fen in (("roof", "屋面防水", 23_600_000), ("signage", "导视标牌", 3_860_000)):
        work = await committee.post(
            f"/api/estates/{estate_id}/works",
            {"title": title, "category": key, "estimate_fen": fen},
        )
        works[key] = work["id"]
    await treasurer.post(
        f"/api/estates/{estate_id}/funding-sources",
        {
            "name": "老旧小区改造补贴",
            "kind": "subsidy",
            "budget_fen": 10_000_000,
            "eligible_work_ids": list(works.values()),
        },
    )
    plan = await treasurer.post(
        f"/api/estates/{estate_id}/funding-plans", {"resident_band": ["0.20", "0.90"]}
    )
    await treasurer.post(f"/api/funding-plans/{plan['id']}/approve")

    figures = await play_settlement(
        committee, treasurer, estate_id, plan["id"], works, admin=admin, record_payments=True
    )
    roof = await committee.get(f"/api/works/{works['roof']}/variations")
    assert roof["final_cost_fen"] == ROOF_AWARD_FEN + ROOF_VARIATION_FEN
    assert roof["items"][0]["motion_id"] is None and roof["items"][0]["status"] == "approved"
    pipes_listing = await committee.get(f"/api/works/{pipes}/variations")
    assert pipes_listing["final_cost_fen"] == 4_000_000 - 1_230_000
    final = await treasurer.get(f"/api/final-accounts/{figures['final_accounts_id']}")
    assert final["status"] == "approved"
    lines = final["households"]
    assert sum(h["final_fen"] for h in lines) == final["residents_total_fen"]
    assert sum(h["final_fen"] - h["paid_fen"] for h in lines) == (
        figures["topup_total_fen"] - figures["refund_total_fen"]
    )
    assert figures["refunds"] >= 1 and figures["topups"] >= 1
