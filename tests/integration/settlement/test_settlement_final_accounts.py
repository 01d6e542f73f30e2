"""Final accounts (决算) over HTTP: the approved plan's split recomputed on final costs.

Identities checked on every version: Σ final_fen = residents_total_fen, and
Σ final_fen − Σ paid_fen = Σ topup_fen − Σ refund_fen (each household: refund or top-up
= final share − paid, one of them 0), exact to the fen; per source unspent = planned − final.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openpyxl
import pytest

from planner.db.pool import Database
from planner.money import yuan_str
from planner.testing.settlement import approved_plan, awarded_work
from tests.conftest import bearer

pytestmark = pytest.mark.timeout(180)

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


def check_identities(final: dict[str, Any]) -> None:
    lines = final["households"]
    assert sum(h["final_fen"] for h in lines) == final["residents_total_fen"]
    assert sum(h["final_fen"] for h in lines) - sum(h["paid_fen"] for h in lines) == sum(
        h["topup_fen"] for h in lines
    ) - sum(h["refund_fen"] for h in lines)
    for h in lines:
        assert min(h["refund_fen"], h["topup_fen"]) == 0
        assert h["topup_fen"] - h["refund_fen"] == h["final_fen"] - h["paid_fen"]
    for s in final["sources"]:
        assert s["unspent_fen"] == s["planned_fen"] - s["final_fen"]
    assert final["refund_total_fen"] == sum(h["refund_fen"] for h in lines)
    assert final["topup_total_fen"] == sum(h["topup_fen"] for h in lines)


async def test_final_accounts_refunds_topups_versions_and_owners(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    db: Database,
) -> None:
    estate_id = await make_estate()
    _, committee = await make_member(estate_id, "committee")
    _, treasurer = await make_member(estate_id, "treasurer")
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    owner_a = [h["id"] for h in households if h["owner_key"] == "A"]
    _, owner = await make_member(estate_id, "owner", household_ids=tuple(owner_a))

    async def post(path: str, body: Any, token: str = treasurer) -> httpx.Response:
        return await client.post(path, json=body, headers=bearer(token))

    roof = await awarded_work(client, admin_token, committee, estate_id, "屋面防水")
    pipes = await post(
        f"/api/estates/{estate_id}/works",
        {"title": "雨污水管道", "category": "pipes", "estimate_fen": 2_000_000},
        committee,
    )
    pipes_id = pipes.json()["id"]
    source = await post(
        f"/api/estates/{estate_id}/funding-sources",
        {
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 1_500_000,
            "eligible_work_ids": [roof, pipes_id],
        },
    )
    assert source.status_code == 201, source.text
    draft = await post(
        f"/api/estates/{estate_id}/funding-plans", {"resident_band": ["0.20", "0.90"]}
    )
    early = await post(
        f"/api/estates/{estate_id}/final-accounts",
        {"plan_id": draft.json()["id"], "final_costs": [{"work_id": pipes_id, "cost_fen": 1}]},
    )
    assert early.status_code == 409 and early.json()["code"] == "plan_not_approved"
    plan = await approved_plan(client, treasurer, estate_id, {"resident_band": ["0.20", "0.90"]})
    amounts = {h["household_id"]: h["amount_fen"] for h in plan["households"]}
    # payments so far: one household paid in full, one over, one part, the others nothing
    ids = sorted(amounts)
    paid = {ids[0]: amounts[ids[0]], ids[1]: amounts[ids[1]] + 500_000, ids[2]: 1_000}
    for household_id, fen in paid.items():
        recorded = await client.put(
            f"/api/funding-plans/{plan['id']}/payments/{household_id}",
            json={"paid_fen": fen},
            headers=bearer(treasurer),
        )
        assert recorded.status_code == 200, recorded.text
    # the roof needed more (+¥8,600); the pipes came in under the estimate
    variation = await post(
        f"/api/works/{roof}/variations", {"amount_fen": 860_000, "reason": "基层修补"}, committee
    )
    await post(f"/api/variations/{variation.json()['id']}/approve", None, committee)

    path = f"/api/estates/{estate_id}/final-accounts"
    bad = {
        "final_cost_missing": {"plan_id": plan["id"], "final_costs": []},
        "final_cost_of_awarded_work": {
            "plan_id": plan["id"],
            "final_costs": [{"work_id": roof, "cost_fen": 1}, {"work_id": pipes_id, "cost_fen": 1}],
        },
        "not_in_plan": {
            "plan_id": plan["id"],
            "final_costs": [{"work_id": 999_999, "cost_fen": 1}],
        },
    }
    for code, body in bad.items():
        refused = await post(path, body)
        assert refused.status_code == 400 and refused.json()["code"] == code, refused.text
    assert (
        await post(
            path, {"plan_id": plan["id"], "final_costs": [{"work_id": pipes_id, "cost_fen": -1}]}
        )
    ).status_code == 400
    assert (await post(path, bad["final_cost_missing"], committee)).status_code == 403
    assert (await post(path, bad["final_cost_missing"], owner)).status_code == 403
    # no split can keep the residents within the band when the pipes cost a fortune
    impossible = await post(
        path,
        {"plan_id": plan["id"], "final_costs": [{"work_id": pipes_id, "cost_fen": 10**12}]},
    )
    assert impossible.status_code == 422, impossible.text
    assert impossible.json()["code"] == "final_accounts_infeasible"

    body = {"plan_id": plan["id"], "final_costs": [{"work_id": pipes_id, "cost_fen": 1_720_000}]}
    first = await post(path, body)
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert v1["version"] == 1 and v1["status"] == "draft"
    check_identities(v1)
    works = {w["work_id"]: w for w in v1["works"]}
    assert works[roof]["final_cost_fen"] == 4_860_000
    assert works[roof]["planned_cost_fen"] == 4_000_000
    assert works[pipes_id]["final_cost_fen"] == 1_720_000
    assert v1["total_cost_fen"] == 6_580_000
    lines = {h["household_id"]: h for h in v1["households"]}
    assert set(lines) == set(amounts)
    assert lines[ids[1]]["refund_fen"] > 0  # paid over
    assert all(lines[h]["topup_fen"] > 0 for h in ids[3:] if lines[h]["final_fen"] > 0)
    assert [s["source_id"] for s in v1["sources"]] == [source.json()["id"]]

    # owners: a draft is hidden; staff see it all
    assert (
        await client.get(f"/api/final-accounts/{v1['id']}", headers=bearer(owner))
    ).status_code == 404
    staff = await client.get(f"/api/final-accounts/{v1['id']}", headers=bearer(committee))
    assert len(staff.json()["households"]) == len(amounts)

    # a second run is version 2; approving it freezes the plan's final accounts
    second = await post(path, body)
    v2 = second.json()
    assert v2["version"] == 2
    check_identities(v2)
    assert v2["households"] == v1["households"]
    assert (
        await post(f"/api/final-accounts/{v2['id']}/approve", None, committee)
    ).status_code == 403
    approved = await post(f"/api/final-accounts/{v2['id']}/approve", None)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await post(f"/api/final-accounts/{v2['id']}/approve", None)
    assert again.status_code == 409 and again.json()["code"] == "wrong_status"
    frozen = await post(path, body)
    assert frozen.status_code == 409 and frozen.json()["code"] == "final_accounts_frozen"
    late = await post(f"/api/final-accounts/{v1['id']}/approve", None)
    assert late.status_code == 409 and late.json()["code"] == "final_accounts_frozen"

    # the owner sees only her own lines, of the approved version
    for suffix in ("", "/mine"):
        mine = await client.get(f"/api/final-accounts/{v2['id']}{suffix}", headers=bearer(owner))
        assert mine.status_code == 200, mine.text
        assert sorted(h["household_id"] for h in mine.json()["households"]) == sorted(owner_a)
    listed = await client.get(path, headers=bearer(owner))
    assert [f["version"] for f in listed.json()] == [2]
    assert [f["version"] for f in (await client.get(path, headers=bearer(treasurer))).json()] == [
        2,
        1,
    ]
    # another estate's treasurer: hidden
    other = await make_estate("别的小区")
    _, stranger = await make_member(other, "treasurer")
    hidden = await client.get(f"/api/final-accounts/{v2['id']}", headers=bearer(stranger))
    assert hidden.status_code == 404 and hidden.json()["code"] == "final_accounts_not_found"

    async with db.connection() as conn:
        rows = await conn.fetch(
            """SELECT type, audience, data FROM events
               WHERE estate_id = $1 AND type LIKE 'final_accounts.%' ORDER BY seq""",
            estate_id,
        )
    seen = [(r["type"], r["audience"]) for r in rows]
    assert seen == [
        ("final_accounts.solved", "staff"),
        ("final_accounts.solved", "staff"),
        ("final_accounts.approved", "staff"),
        ("final_accounts.published", "members"),
    ]
    assert "refund_total_fen" not in str(rows[-1]["data"])

    # exports: CSV and XLSX with totals and the identity; the owner's notice (退补通知)
    t = bearer(treasurer)
    csv_file = await client.get(f"/api/final-accounts/{v2['id']}/export.csv", headers=t)
    assert csv_file.status_code == 200 and "attachment" in csv_file.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert table[1][3] == "决算分摊（元）" and table[-1][-1] == "一致"
    assert len(table) == 2 + len(amounts) + 2
    assert table[-2][3] == yuan_str(v2["residents_total_fen"])
    xlsx = await client.get(f"/api/final-accounts/{v2['id']}/export.xlsx?lang=en", headers=t)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    total_row = 2 + len(amounts) + 1
    assert str(sheet.cell(total_row, 4).value).startswith("=SUM(D3:")
    assert str(sheet.cell(total_row + 1, 7).value).startswith("=IF(")
    assert (
        await client.get(f"/api/final-accounts/{v2['id']}/export.csv", headers=bearer(owner))
    ).status_code == 403
    own = await client.get(
        f"/api/final-accounts/{v2['id']}/notices/{owner_a[0]}", headers=bearer(owner)
    )
    assert own.status_code == 200, own.text
    page = own.text
    assert "退补通知" in page and '<html lang="zh-CN">' in page
    line = lines[owner_a[0]]
    if line["refund_fen"] or line["topup_fen"]:
        assert "人民币大写：" in page
    shown = re.sub(r"<[^>]+>", " ", page.split("</style>", 1)[1])
    assert set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", shown)) == set()
    english = await client.get(
        f"/api/final-accounts/{v2['id']}/notices/{owner_a[0]}?lang=en", headers=bearer(owner)
    )
    assert "Settlement notice" in english.text and "人民币" not in english.text
    others = [h for h in amounts if h not in owner_a]
    assert (
        await client.get(
            f"/api/final-accounts/{v2['id']}/notices/{others[0]}", headers=bearer(owner)
        )
    ).status_code == 404
    every = await client.get(f"/api/final-accounts/{v2['id']}/notices", headers=t)
    assert every.text.count('<section class="notice"') == len(amounts)
