"""The demo's collection chapter plays through the API: ~92 % collected, arrears in two
buildings, mixed channels, two reversals, a bank statement with assigned lines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import httpx
import pytest

from planner.demo.client import Caller
from planner.demo.ledger_chapter import play_collection

pytestmark = pytest.mark.timeout(180)

CSV = "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n" + "".join(
    f"{b}栋,{f}0{u},{f},{80 + 7 * u}.00,K{b}{f}{u},业主{b}{f}{u},\n"
    for b in range(1, 6)
    for f in range(1, 5)
    for u in range(1, 4)
)


async def test_the_collection_chapter_plays(
    client: httpx.AsyncClient, admin_token: str, make_estate: Callable[..., Awaitable[int]]
) -> None:
    estate_id = await make_estate(name="金桂苑", csv=CSV)
    admin = Caller(client, admin_token)
    member = await admin.post(
        f"/api/estates/{estate_id}/members", {"role": "treasurer", "display_name": "李会计"}
    )
    treasurer = Caller(client, member["token"], member["member_id"])
    await admin.post(
        f"/api/estates/{estate_id}/works",
        {"title": "屋面防水", "category": "roof", "estimate_fen": 6_000_000},
    )
    plan = await treasurer.post(
        f"/api/estates/{estate_id}/funding-plans", {"resident_band": ["0.20", "1.00"]}
    )
    await treasurer.post(f"/api/funding-plans/{plan['id']}/approve")
    households = await admin.get(f"/api/estates/{estate_id}/households")
    households = households["items"] if isinstance(households, dict) else households
    start = date.today() - timedelta(days=120)
    summary = await play_collection(
        treasurer, plan["id"], households, when=lambda d: start + timedelta(days=d)
    )
    assert 0.88 <= summary.collected <= 0.95, summary
    assert summary.reversals == 2 and summary.assigned >= 1
    assert {"cash", "wechat", "bank_transfer"} <= set(summary.channels)
    arrears = await treasurer.get(f"/api/funding-plans/{plan['id']}/arrears")
    assert {a["building"] for a in arrears["items"]} <= set(summary.arrears_buildings)
    page = await treasurer.get(f"/api/funding-plans/{plan['id']}/ledger?limit=1000")
    reasons = [e["reason"] for e in page["items"] if e["kind"] == "reversal"]
    assert len(reasons) == 2
    statement = await treasurer.get(
        f"/api/funding-plans/{plan['id']}/bank-statements/{summary.statement_id}"
    )
    assert statement["counts"]["unmatched"] == 0 and statement["counts"]["assigned"] >= 1
