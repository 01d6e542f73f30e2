"""The demo's settlement chapter (issue 19): variations and the final accounts (决算) of
金桂苑's approved plan, through the HTTP API as the committee and the treasurer.

The one entry point::

    figures = await play_settlement(
        committee, treasurer, estate_id, plan_id,
        works={"pipes": pipes_id, "roof": roof_id, "parking": parking_id, ...},
        admin=admin,              # optional: only to award the roof when it has no award
        record_payments=False,    # optional: record "paid so far" for ~92 % of households
    )

* ``committee``, ``treasurer``: :class:`Caller` objects of a committee member and the
  treasurer of the estate; ``admin`` (optional) adds the roofer's negotiator when the roof
  must be awarded first;
* ``plan_id``: the estate's approved plan (v1 in the story), covering the works of ``works``;
* ``works``: the story's work keys → ids; ``"roof"`` and ``"pipes"`` are used when present.

What it plays:

1. the roof: awarded at ¥229,400 if it has no award yet (a roofer quotes, the committee
   awards round 1), then a variation of **+¥8,600** (860,000 fen: the base layer was
   rotten under the old felt) proposed and approved by the committee, below the estate's
   threshold (¥50,000 by default), no motion needed;
2. the pipes came in under the award: a variation of **−¥12,300** (the risers measured
   2,450 m, not 2,600) approved by the committee; if the pipes have no award, their final
   cost is given instead (the estimate less ¥12,300);
3. the other works of the plan without an award get final costs (the estimate less 1.5 %,
   the parking less ¥4,500);
4. with ``record_payments``, the treasurer records what households paid so far: 92 % in
   full (every 25th household ¥100 more), the rest nothing (``PUT .../payments``; the
   ledger replaces this once merged);
5. the treasurer runs the final accounts and approves them: refunds for households that
   paid their planned share, top-ups for those that did not (and for the rise).

Returns the figures: ``{"roof_variation_id", "pipes_variation_id" (or None),
"final_accounts_id", "version", "residents_total_fen", "refund_total_fen",
"topup_total_fen", "refunds", "topups"}`` (the last two: household counts).

On the story's 金桂苑 (after ``Story.play()``, plan v1, ``record_payments=True``; checked
on 2026-12-04): residents' final total ¥166,541.00, 470 refunds (¥17,233.97), 45 top-ups
(¥13,485.27).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from planner.demo.client import Caller, items

YUAN: Final = 100
ROOF_AWARD_FEN: Final = 229_400 * YUAN
ROOF_VARIATION_FEN: Final = 8_600 * YUAN
PIPES_SAVING_FEN: Final = 12_300 * YUAN
PARKING_SAVING_FEN: Final = 4_500 * YUAN
ROOF_LINES: Final = (
    {
        "description": "铲除旧卷材及基层清理",
        "unit": "平方米",
        "quantity": "3700",
        "unit_price_fen": 900,
    },
    {
        "description": "SBS改性沥青防水卷材两道",
        "unit": "平方米",
        "quantity": "3700",
        "unit_price_fen": 4_600,
    },
    {"description": "保温层修复", "unit": "项", "quantity": "1", "unit_price_fen": 2_590_000},
)
ROOF_VARIATION: Final = {
    "amount_fen": ROOF_VARIATION_FEN,
    "reason": "铲除旧卷材后发现5栋、6栋屋面找平层酥松空鼓，需凿除重做找平层并增设排汽管。",
    "lines": [
        {
            "description": "凿除并重做找平层",
            "unit": "平方米",
            "quantity": 160,
            "unit_price_fen": 4_500,
        },
        {"description": "增设排汽管", "unit": "个", "quantity": 20, "unit_price_fen": 7_000},
    ],
}
PIPES_VARIATION: Final = {
    "amount_fen": -PIPES_SAVING_FEN,
    "reason": "给水立管按实测2,450米结算（合同2,600米），减少150米。",
    "lines": [
        {
            "description": "给水立管 PPR dn50 核减",
            "unit": "米",
            "quantity": -150,
            "unit_price_fen": 8_200,
        }
    ],
}


async def award_roof(committee: Caller, admin: Caller, estate_id: int, roof_id: int) -> None:
    """The roofer quotes ¥229,400 and the committee awards round 1."""
    supplier = await committee.post(
        f"/api/estates/{estate_id}/suppliers", {"name": "湘江防水工程有限公司"}
    )
    member = await admin.post(
        f"/api/estates/{estate_id}/members",
        {"role": "supplier", "display_name": "湘江防水 报价员", "supplier_id": supplier["id"]},
    )
    roofer = Caller(committee.http, member["token"], member["member_id"])
    work = await committee.get(f"/api/works/{roof_id}")
    if work["status"] in ("candidate", "proposed"):
        await committee.post(f"/api/works/{roof_id}/status", {"status": "approved"})
    await committee.post(f"/api/works/{roof_id}/invitations", {"supplier_id": supplier["id"]})
    quote = await roofer.post(f"/api/works/{roof_id}/quotes", {"lines": list(ROOF_LINES)})
    await committee.post(f"/api/quotes/{quote['id']}/award", {"round": 1})


async def _approved_variation(committee: Caller, work_id: int, body: Mapping[str, Any]) -> int:
    created = await committee.post(f"/api/works/{work_id}/variations", dict(body))
    await committee.post(f"/api/variations/{created['id']}/approve")
    return int(created["id"])


async def _record_payments(treasurer: Caller, plan: Mapping[str, Any]) -> None:
    for n, line in enumerate(sorted(plan["households"], key=lambda h: h["household_id"])):
        if n % 25 in (2, 11):  # 8 % have not paid yet
            continue
        paid = line["amount_fen"] + (10_000 if n % 25 == 0 else 0)
        await treasurer.put(
            f"/api/funding-plans/{plan['id']}/payments/{line['household_id']}", {"paid_fen": paid}
        )


async def play_settlement(
    committee: Caller,
    treasurer: Caller,
    estate_id: int,
    plan_id: int,
    works: Mapping[str, int],
    *,
    admin: Caller | None = None,
    record_payments: bool = False,
) -> dict[str, Any]:
    """Play the chapter (see the module's docstring); returns its figures."""
    plan = await treasurer.get(f"/api/funding-plans/{plan_id}")
    figures: dict[str, Any] = {"roof_variation_id": None, "pipes_variation_id": None}
    given: dict[int, int] = {}
    roof, pipes = works.get("roof"), works.get("pipes")
    if roof is not None:
        listing = await committee.get(f"/api/works/{roof}/variations")
        if listing["awarded_total_fen"] is None and admin is not None:
            await award_roof(committee, admin, estate_id, roof)
        figures["roof_variation_id"] = await _approved_variation(committee, roof, ROOF_VARIATION)
    planned = {w["work_id"]: w["cost_fen"] for w in plan["works"]}
    for work_id, cost in planned.items():
        listing = await committee.get(f"/api/works/{work_id}/variations")
        if listing["awarded_total_fen"] is not None:
            if work_id == pipes:
                figures["pipes_variation_id"] = await _approved_variation(
                    committee, work_id, PIPES_VARIATION
                )
            continue
        if work_id == pipes:
            given[work_id] = cost - PIPES_SAVING_FEN
        elif work_id == works.get("parking"):
            given[work_id] = cost - PARKING_SAVING_FEN
        else:
            given[work_id] = cost - cost * 15 // 1000
    if record_payments:
        await _record_payments(treasurer, plan)
    final = await treasurer.post(
        f"/api/estates/{estate_id}/final-accounts",
        {
            "plan_id": plan_id,
            "final_costs": [{"work_id": w, "cost_fen": c} for w, c in given.items()],
        },
    )
    approved = await treasurer.post(f"/api/final-accounts/{final['id']}/approve")
    lines = items(approved["households"])
    figures.update(
        final_accounts_id=approved["id"],
        version=approved["version"],
        residents_total_fen=approved["residents_total_fen"],
        refund_total_fen=approved["refund_total_fen"],
        topup_total_fen=approved["topup_total_fen"],
        refunds=sum(1 for h in lines if h["refund_fen"]),
        topups=sum(1 for h in lines if h["topup_fen"]),
    )
    return figures
