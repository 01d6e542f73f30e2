"""What an owner needs to pay (issue 16): the treasurer's payment instructions on a plan, and
her own households' paid and remaining amounts; another owner's or estate's stay hidden."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from planner.db.pool import Database
from tests.conftest import bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]
HOUSEHOLDS = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,张三丰,
1栋,102,1,90.50,B,钱二,
2栋,201,2,100.00,C,李四,
"""
INSTRUCTIONS = {
    "due_date": "2027-01-31",
    "payee": "幸福小区业主委员会",
    "account": "工商银行 6222 0000 1234",
    "how_to_pay": "转账请备注楼栋房号\n或到物业服务中心（1栋一楼）刷卡",
}


class Estate:
    def __init__(self, estate_id: int, plan_id: int, tokens: dict[str, str], units: dict[str, int]):
        self.estate_id = estate_id
        self.plan_id = plan_id
        self.tokens = tokens
        self.units = units  # household id by owner name

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


async def _estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    name: str,
) -> Estate:
    estate_id = await make_estate(name=name, csv=HOUSEHOLDS)
    listed = (
        await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    ).json()
    listed = listed["items"] if isinstance(listed, dict) else listed
    units = {h["owner_name"]: h["id"] for h in listed}
    tokens = {"admin": admin_token}
    for role in ("treasurer", "committee", "observer"):
        tokens[role] = (await make_member(estate_id, role))[1]
    # owner "mine" holds two flats; "other" the third
    tokens["mine"] = (
        await make_member(estate_id, "owner", household_ids=(units["张三丰"], units["钱二"]))
    )[1]
    tokens["other"] = (await make_member(estate_id, "owner", household_ids=(units["李四"],)))[1]
    work = await client.post(
        f"/api/estates/{estate_id}/works",
        json={"title": "屋面防水", "category": "roof", "estimate_fen": 1_000_000},
        headers=bearer(admin_token),
    )
    assert work.status_code == 201, work.text
    source = await client.post(
        f"/api/estates/{estate_id}/funding-sources",
        json={
            "name": "区财政补贴",
            "kind": "subsidy",
            "budget_fen": 750_000,
            "eligible_work_ids": [work.json()["id"]],
        },
        headers=bearer(tokens["treasurer"]),
    )
    assert source.status_code == 201, source.text
    solved = await client.post(
        f"/api/estates/{estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"]},
        headers=bearer(tokens["treasurer"]),
    )
    assert solved.status_code == 201, solved.text
    return Estate(estate_id, solved.json()["id"], tokens, units)


@pytest.fixture
async def two_estates(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> tuple[Estate, Estate]:
    a = await _estate(client, admin_token, make_estate, make_member, "幸福小区")
    b = await _estate(client, admin_token, make_estate, make_member, "和平小区")
    return a, b


async def _approve(client: httpx.AsyncClient, estate: Estate, plan_id: int) -> None:
    approved = await client.post(
        f"/api/funding-plans/{plan_id}/approve", headers=estate.h("treasurer")
    )
    assert approved.status_code == 200, approved.text


async def _amounts(client: httpx.AsyncClient, estate: Estate) -> dict[int, int]:
    plan = (
        await client.get(f"/api/funding-plans/{estate.plan_id}", headers=estate.h("treasurer"))
    ).json()
    return {h["household_id"]: h["amount_fen"] for h in plan["households"]}


async def test_owner_sees_only_her_own_households_paid_and_remaining(
    client: httpx.AsyncClient, two_estates: tuple[Estate, Estate]
) -> None:
    a, _ = two_estates
    await _approve(client, a, a.plan_id)
    amounts = await _amounts(client, a)
    zhang, qian, li = a.units["张三丰"], a.units["钱二"], a.units["李四"]
    assert amounts[zhang] > 10_000
    for household, paid in ((zhang, 10_000), (li, amounts[li])):
        recorded = await client.put(
            f"/api/funding-plans/{a.plan_id}/payments/{household}",
            json={"paid_fen": paid},
            headers=a.h("treasurer"),
        )
        assert recorded.status_code == 200, recorded.text
        assert recorded.json()["remaining_fen"] == amounts[household] - paid

    mine = await client.get(f"/api/funding-plans/{a.plan_id}/payments", headers=a.h("mine"))
    assert mine.status_code == 200, mine.text
    by_household = {p["household_id"]: p for p in mine.json()}
    assert set(by_household) == {zhang, qian}  # never 李四's
    assert by_household[zhang]["paid_fen"] == 10_000
    assert by_household[zhang]["remaining_fen"] == amounts[zhang] - 10_000
    assert by_household[zhang]["status"] == "partial"
    assert by_household[qian]["paid_fen"] == 0
    assert by_household[qian]["remaining_fen"] == amounts[qian]

    other = await client.get(f"/api/funding-plans/{a.plan_id}/payments", headers=a.h("other"))
    assert [(p["household_id"], p["remaining_fen"], p["status"]) for p in other.json()] == [
        (li, 0, "paid")
    ]
    # staff still see every household
    staff = await client.get(f"/api/funding-plans/{a.plan_id}/payments", headers=a.h("committee"))
    assert {p["household_id"] for p in staff.json()} == {zhang, qian, li}


async def test_another_owner_or_estate_gets_404(
    client: httpx.AsyncClient, two_estates: tuple[Estate, Estate]
) -> None:
    a, b = two_estates
    await _approve(client, a, a.plan_id)
    set_a = await client.put(
        f"/api/funding-plans/{a.plan_id}/payment-instructions",
        json=INSTRUCTIONS,
        headers=a.h("treasurer"),
    )
    assert set_a.status_code == 200, set_a.text
    # estate B's owner and treasurer: estate A's plan does not exist for them
    for who in ("mine", "treasurer", "committee"):
        for path in ("payments", "payment-instructions"):
            response = await client.get(f"/api/funding-plans/{a.plan_id}/{path}", headers=b.h(who))
            assert response.status_code == 404, (who, path, response.text)
            assert response.json()["code"] == "funding_plan_not_found"
    put_b = await client.put(
        f"/api/funding-plans/{a.plan_id}/payment-instructions",
        json={"payee": "骗子"},
        headers=b.h("treasurer"),
    )
    assert put_b.status_code == 404
    assert put_b.json()["code"] == "funding_plan_not_found"
    # another owner's household: its notice (with paid and remaining) is 404 to her
    notice = await client.get(
        f"/api/funding-plans/{a.plan_id}/notices/{a.units['张三丰']}", headers=a.h("other")
    )
    assert notice.status_code == 404
    assert notice.json()["code"] == "household_not_found"
    # a draft that is not the plan she pays (a plan is in force): 404 to an owner
    draft = await client.post(
        f"/api/estates/{a.estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"]},
        headers=a.h("treasurer"),
    )
    assert draft.status_code == 201, draft.text
    hidden = await client.get(
        f"/api/funding-plans/{draft.json()['id']}/payments", headers=a.h("mine")
    )
    assert hidden.status_code == 404


async def test_instructions_set_by_the_treasurer_read_by_owners(
    client: httpx.AsyncClient, db: Database, two_estates: tuple[Estate, Estate]
) -> None:
    a, _ = two_estates
    path = f"/api/funding-plans/{a.plan_id}/payment-instructions"
    empty = await client.get(path, headers=a.h("mine"))
    assert empty.status_code == 200, empty.text
    assert empty.json()["due_date"] is None and empty.json()["set_on_version"] is None
    refused = await client.put(path, json=INSTRUCTIONS, headers=a.h("committee"))
    assert refused.status_code == 403
    refused = await client.put(path, json=INSTRUCTIONS, headers=a.h("mine"))
    assert refused.status_code == 403

    saved = await client.put(path, json=INSTRUCTIONS, headers=a.h("treasurer"))
    assert saved.status_code == 200, saved.text
    for who in ("mine", "other", "observer", "committee"):
        seen = (await client.get(path, headers=a.h(who))).json()
        assert {k: seen[k] for k in INSTRUCTIONS} == INSTRUCTIONS, who
        assert seen["set_on_version"] == 1
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT audience, data::text AS data FROM events WHERE estate_id = $1"
            " AND type = 'payment.instructions_set'",
            a.estate_id,
        )
    assert len(rows) == 1 and rows[0]["audience"] == "members"
    assert json.loads(rows[0]["data"])["due_date"] == "2027-01-31"

    # approve v1, solve v2: v2 shows v1's until the treasurer sets its own
    await _approve(client, a, a.plan_id)
    v2 = await client.post(
        f"/api/estates/{a.estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"]},
        headers=a.h("treasurer"),
    )
    v2_path = f"/api/funding-plans/{v2.json()['id']}/payment-instructions"
    carried = (await client.get(v2_path, headers=a.h("committee"))).json()
    assert carried["payee"] == INSTRUCTIONS["payee"] and carried["set_on_version"] == 1
    changed = await client.put(
        v2_path, json={**INSTRUCTIONS, "due_date": "2027-03-01"}, headers=a.h("admin")
    )
    assert changed.json()["due_date"] == "2027-03-01" and changed.json()["set_on_version"] == 2
    assert (await client.get(path, headers=a.h("mine"))).json()["due_date"] == "2027-01-31"
    await _approve(client, a, v2.json()["id"])
    # v1 is superseded now: its instructions are frozen
    frozen = await client.put(path, json=INSTRUCTIONS, headers=a.h("treasurer"))
    assert frozen.status_code == 409
    assert frozen.json()["code"] == "plan_not_approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_date": "2027-02-30"}, "due_date"),
        ({"due_date": "明天"}, "due_date"),
        ({"payee": "业主\n委员会"}, "payee"),
        ({"account": "x" * 201}, "account"),
        ({"how_to_pay": "付款\u202e到这里"}, "how_to_pay"),
        ({"how_to_pay": "付" * 2001}, "how_to_pay"),
        ({"how_to_pay": "付款", "amount_fen": 1}, "amount_fen"),
    ],
)
async def test_bad_instructions_are_400(
    client: httpx.AsyncClient, two_estates: tuple[Estate, Estate], body: dict[str, Any], field: str
) -> None:
    a, _ = two_estates
    response = await client.put(
        f"/api/funding-plans/{a.plan_id}/payment-instructions", json=body, headers=a.h("treasurer")
    )
    assert response.status_code == 400, response.text
    assert field in response.text
    assert response.json()["errors"][0]["field"] == field
    unchanged = await client.get(
        f"/api/funding-plans/{a.plan_id}/payment-instructions", headers=a.h("treasurer")
    )
    assert unchanged.json()["set_on_version"] is None


async def test_the_printed_notice_says_when_where_and_what_remains(
    client: httpx.AsyncClient, two_estates: tuple[Estate, Estate]
) -> None:
    a, _ = two_estates
    await _approve(client, a, a.plan_id)
    amounts = await _amounts(client, a)
    zhang = a.units["张三丰"]
    await client.put(
        f"/api/funding-plans/{a.plan_id}/payment-instructions",
        json={**INSTRUCTIONS, "payee": "<script>业委会</script>"},
        headers=a.h("treasurer"),
    )
    await client.put(
        f"/api/funding-plans/{a.plan_id}/payments/{zhang}",
        json={"paid_fen": 10_000},
        headers=a.h("treasurer"),
    )
    notice = await client.get(
        f"/api/funding-plans/{a.plan_id}/notices/{zhang}", headers=a.h("mine")
    )
    assert notice.status_code == 200, notice.text
    text = notice.text
    assert "缴费截止</th><td>2027-01-31</td>" in text
    assert "&lt;script&gt;业委会&lt;/script&gt;" in text and "<script>" not in text
    assert "工商银行 6222 0000 1234" in text
    assert "转账请备注楼栋房号<br>或到物业服务中心（1栋一楼）刷卡" in text
    remaining = amounts[zhang] - 10_000
    assert f"尚需缴纳 ¥{remaining // 100:,}.{remaining % 100:02d}" in text
    english = await client.get(
        f"/api/funding-plans/{a.plan_id}/notices/{zhang}",
        params={"lang": "en"},
        headers=a.h("mine"),
    )
    assert "Due date</th><td>2027-01-31</td>" in english.text
    assert "工商银行 6222 0000 1234" in english.text  # typed data, as typed
    assert f"remaining ¥{remaining // 100:,}.{remaining % 100:02d}" in english.text
