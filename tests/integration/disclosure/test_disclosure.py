"""The disclosure (公示) over HTTP: its figures equal the ledger's, the variations' and the
approved final accounts' sums; owners see only their own lines; the public page (by token,
no sign-in) has no household; suppliers and partners 403, another estate's 404."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.testing.settlement import approved_plan, awarded_work
from tests.conftest import bearer

pytestmark = pytest.mark.timeout(180)

MakeMember = Callable[..., Awaitable[tuple[int, str]]]


def no_household(body: Any) -> None:
    text = str(body)
    assert "household_id" not in text and "'mine'" not in text.replace("'mine': None", "")


async def test_disclosure_figures_owners_public_and_access(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    estate_id = await make_estate()
    other_estate = await make_estate(name="别的小区")
    _, committee = await make_member(estate_id, "committee")
    _, treasurer = await make_member(estate_id, "treasurer")
    _, observer = await make_member(estate_id, "observer")
    _, stranger = await make_member(other_estate, "committee")
    households = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    owner_a = [h["id"] for h in households if h["owner_key"] == "A"]
    _, owner = await make_member(estate_id, "owner", household_ids=tuple(owner_a))

    async def post(path: str, body: Any, token: str = treasurer) -> httpx.Response:
        return await client.post(path, json=body, headers=bearer(token))

    async def disclosure(token: str) -> dict[str, Any]:
        got = await client.get(f"/api/estates/{estate_id}/disclosure", headers=bearer(token))
        assert got.status_code == 200, got.text
        return dict(got.json())

    empty = await disclosure(committee)
    assert empty["plan_id"] is None and empty["works"] == [] and empty["collection"]["due_fen"] == 0
    assert empty["chain_head"]["seq"] > 0 and len(empty["chain_head"]["hash"]) == 64

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
    plan = await approved_plan(client, treasurer, estate_id, {"resident_band": ["0.20", "0.90"]})
    amounts = {h["household_id"]: h["amount_fen"] for h in plan["households"]}
    ids = sorted(amounts)
    paid = {ids[0]: amounts[ids[0]], ids[1]: amounts[ids[1]] + 500_000, ids[2]: 1_000}
    for n, (household_id, fen) in enumerate(paid.items()):
        entry = await post(
            f"/api/funding-plans/{plan['id']}/ledger",
            {
                "household_id": household_id,
                "amount_fen": fen,
                "channel": "cash",
                "receipt_no": f"D-{n}",
                "paid_on": "2026-11-02",
            },
        )
        assert entry.status_code == 201, entry.text
    variation = await post(
        f"/api/works/{roof}/variations", {"amount_fen": 860_000, "reason": "基层修补"}, committee
    )
    await post(f"/api/variations/{variation.json()['id']}/approve", None, committee)
    small = await post(
        f"/api/works/{roof}/variations", {"amount_fen": -10_000, "reason": "少用材料"}, committee
    )
    assert small.status_code == 201  # proposed, not approved: not counted

    d = await disclosure(committee)
    assert d["plan_id"] == plan["id"] and d["mine"] is None and d["final_accounts_id"] is None
    by_work = {w["work_id"]: w for w in d["works"]}
    planned = {w["work_id"]: w["cost_fen"] for w in plan["works"]}
    assert by_work[roof]["estimate_fen"] == planned[roof]
    assert by_work[roof]["awarded_fen"] == 4_000_000
    assert by_work[roof]["variations_fen"] == 860_000 and by_work[roof]["variations_count"] == 1
    assert by_work[roof]["final_cost_fen"] == 4_860_000
    assert by_work[pipes_id]["awarded_fen"] is None and by_work[pipes_id]["final_cost_fen"] is None
    assert d["total_estimate_fen"] == plan["total_cost_fen"] and d["total_final_fen"] is None
    assert d["residents_planned_fen"] == plan["residents_total_fen"]
    [src] = d["sources"]
    assert src["promised_fen"] == plan["sources"][0]["used_fen"] and src["final_fen"] is None
    c = d["collection"]
    assert c["households"] == len(amounts) and c["due_fen"] == sum(amounts.values())
    assert c["collected_fen"] == sum(paid.values())
    owing = [amounts[h] - paid.get(h, 0) for h in amounts if amounts[h] > paid.get(h, 0)]
    assert c["arrears_fen"] == sum(owing) and c["households_in_arrears"] == len(owing)
    assert c["refunds_due_fen"] is None and c["topups_due_fen"] is None
    # the ledger's own totals agree
    balances = await client.get(
        f"/api/funding-plans/{plan['id']}/balances", headers=bearer(treasurer)
    )
    totals = balances.json()["totals"]
    assert totals["paid_fen"] == c["collected_fen"] and totals["due_fen"] == c["due_fen"]

    # the owner: the aggregates and her own lines, never anyone else's
    mine = await disclosure(owner)
    assert mine["collection"] == c
    assert {m["household_id"] for m in mine["mine"]} == set(owner_a) & set(amounts)
    for m in mine["mine"]:
        assert m["due_fen"] == amounts[m["household_id"]]
        assert m["paid_fen"] == paid.get(m["household_id"], 0)
        assert m["balance_fen"] == m["due_fen"] - m["paid_fen"]
    assert (await disclosure(observer))["mine"] is None

    # final accounts approved: final figures come from them
    final = await post(
        f"/api/estates/{estate_id}/final-accounts",
        {"plan_id": plan["id"], "final_costs": [{"work_id": pipes_id, "cost_fen": 1_800_000}]},
    )
    assert final.status_code == 201, final.text
    approved = await post(f"/api/final-accounts/{final.json()['id']}/approve", None)
    assert approved.status_code == 200, approved.text
    fa = approved.json()
    d = await disclosure(committee)
    assert d["final_accounts_id"] == fa["id"] and d["total_final_fen"] == fa["total_cost_fen"]
    assert d["residents_final_fen"] == fa["residents_total_fen"]
    assert {w["work_id"]: w["final_cost_fen"] for w in d["works"]} == {
        w["work_id"]: w["final_cost_fen"] for w in fa["works"]
    }
    [src] = d["sources"]
    [fs] = fa["sources"]
    assert src["final_fen"] == fs["final_fen"] and src["unspent_fen"] == fs["unspent_fen"]
    assert src["unspent_fen"] == src["promised_fen"] - src["final_fen"]
    assert d["collection"]["refunds_due_fen"] == fa["refund_total_fen"]
    assert d["collection"]["topups_due_fen"] == fa["topup_total_fen"]
    finals = {h["household_id"]: h for h in fa["households"]}
    for m in (await disclosure(owner))["mine"]:
        f = finals[m["household_id"]]
        assert (m["final_fen"], m["refund_fen"], m["topup_fen"]) == (
            f["final_fen"],
            f["refund_fen"],
            f["topup_fen"],
        )

    # access: suppliers and partners 403, another estate's 404
    admin = bearer(admin_token)
    vendor = await client.post(
        f"/api/estates/{estate_id}/suppliers", json={"name": "某公司"}, headers=admin
    )
    outsiders = [
        {"role": "supplier", "display_name": "报价人", "supplier_id": vendor.json()["id"]},
        {"role": "partner", "display_name": "银行", "partner_kind": "bank"},
    ]
    for body in outsiders:
        made = await client.post(f"/api/estates/{estate_id}/members", json=body, headers=admin)
        assert made.status_code == 201, made.text
        who = bearer(made.json()["token"])
        for path in ("disclosure", "disclosure.html"):
            got = await client.get(f"/api/estates/{estate_id}/{path}", headers=who)
            assert got.status_code == 403, (body["role"], path, got.text)
    got = await client.get(f"/api/estates/{estate_id}/disclosure", headers=bearer(stranger))
    assert got.status_code == 404
    assert (
        await post(f"/api/estates/{estate_id}/disclosure/publish", None, owner)
    ).status_code == 403
    assert (
        await post(f"/api/estates/{estate_id}/disclosure/publish", None, treasurer)
    ).status_code == 403

    # publish: one token, kept; the public page by it without sign-in, aggregates only
    before = await client.get(f"/api/estates/{estate_id}/disclosure.html", headers=bearer(owner))
    assert before.status_code == 200 and "公示链接尚未发布" in before.text
    published = await post(f"/api/estates/{estate_id}/disclosure/publish", None, committee)
    assert published.status_code == 200, published.text
    token = published.json()["token"]
    assert published.json()["first"] is True and published.json()["public_url"].endswith(
        f"/#/d/{token}"
    )
    again = await post(f"/api/estates/{estate_id}/disclosure/publish", None, committee)
    assert again.json()["token"] == token and again.json()["first"] is False
    public = await client.get(f"/api/public/disclosures/{token}")
    assert public.status_code == 200, public.text
    body = public.json()
    no_household(body)
    assert body["public_token"] is None and body["mine"] is None
    assert body["collection"] == d["collection"] and body["works"] == d["works"]
    assert (await client.get("/api/public/disclosures/wrong-token-123456")).status_code == 404
    assert (
        await client.get("/api/public/disclosures/wrong-token-123456/notice.html")
    ).status_code == 404
    notice = await client.get(f"/api/public/disclosures/{token}/notice.html")
    assert notice.status_code == 200 and "<svg" in notice.text and f"#/d/{token}" in notice.text
    assert "人民币大写" in notice.text and "维修资金使用公示" in notice.text
    visible = re.sub(r"<style>.*?</style>|<code[^>]*>.*?</code>|<svg.*?</svg>|<[^>]+>", " ",
                     notice.text, flags=re.S)  # fmt: skip
    for name in ("屋面防水", "雨污水管道", "区财政补贴", "测试小区"):
        visible = visible.replace(name, "")
    assert not re.search(r"[A-Za-z]{3,}", visible), visible
    english = await client.get(f"/api/public/disclosures/{token}/notice.html?lang=en")
    assert "Disclosure of the repair funds" in english.text
    for h in households:
        assert h["owner_name"] not in notice.text
    members_page = await client.get(
        f"/api/estates/{estate_id}/disclosure.html?lang=en", headers=bearer(observer)
    )
    assert members_page.status_code == 200 and f"#/d/{token}" in members_page.text
