"""The demo's equal-shares chapter played through the API on a real database: equal shares
funds exactly the required works, most votes others; the chosen candidates become proposed."""

from __future__ import annotations

from typing import Any

import httpx

from planner.demo.choice_chapter import play_choice_round, suggest_budget
from planner.demo.client import Caller
from tests.conftest import bearer

OWNERS = 40
CSV = "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n" + "".join(
    f"{1 + i // 20}栋,{101 + i % 20},1,80.00,K{i},业主{i},\n" for i in range(OWNERS)
)
WORKS = {
    "roof": ("屋面防水", 30_000_000),
    "pipes": ("雨污分流", 20_000_000),
    "lift": ("加装电梯", 45_000_000),
    "lamps": ("路灯更换", 8_000_000),
}


async def test_the_chapter_plays_a_round_with_the_designed_result(
    client: httpx.AsyncClient, admin_token: str, make_estate: Any
) -> None:
    estate_id = await make_estate(csv=CSV)
    admin = Caller(client, admin_token)
    committee = Caller(
        client,
        (
            await admin.post(
                f"/api/estates/{estate_id}/members", {"role": "committee", "display_name": "主任"}
            )
        )["token"],
    )
    households = await admin.get(f"/api/estates/{estate_id}/households")
    units = sorted(
        households["items"] if isinstance(households, dict) else households, key=lambda h: h["id"]
    )
    owners = []
    for h in units:
        made = await admin.post(
            f"/api/estates/{estate_id}/members",
            {"role": "owner", "display_name": h["owner_name"], "household_ids": [h["id"]]},
        )
        owners.append((Caller(client, made["token"]), [h["id"]]))
    works = {}
    for key, (title, fen) in WORKS.items():
        created = await committee.post(
            f"/api/estates/{estate_id}/works",
            {"title": title, "category": "facilities", "estimate_fen": fen, "status": "candidate"},
        )
        works[key] = (created["id"], fen)
    required = {"roof", "pipes"}
    budget = suggest_budget(works, required, OWNERS)
    assert budget is not None

    played = await play_choice_round(committee, estate_id, works, required, owners, budget)

    result = played["result"]
    assert result["funded_work_ids"] == sorted(works[k][0] for k in required)
    assert result["greedy_work_ids"] != result["funded_work_ids"]
    assert result["voters"] == OWNERS
    record = await committee.get(f"/api/choice-rounds/{played['round_id']}/record")
    assert sum(a["channel"] == "paper" for a in record["approvals"]) == OWNERS // 10
    for key, (work_id, _) in works.items():
        work = (await client.get(f"/api/works/{work_id}", headers=bearer(committee.token))).json()
        assert work["status"] == ("proposed" if key in required else "candidate")
