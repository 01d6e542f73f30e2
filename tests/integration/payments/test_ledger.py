"""The collection ledger (issue 19): entries, reversals, balances = sum of entries,
carry-over to the plan in force, the append-only table, owners see only their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from planner.db.pool import Database
from tests.integration.payments.ledger_helpers import (
    Estate,
    MakeMember,
    amounts,
    approve_plan,
    make_ledger_estate,
    pay,
    solve,
)


@pytest.fixture
async def estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Estate:
    return await make_ledger_estate(client, admin_token, make_estate, make_member, "账本小区")


async def _balances(client: httpx.AsyncClient, estate: Estate, who: str, plan_id: int = 0) -> dict:
    got = await client.get(
        f"/api/funding-plans/{plan_id or estate.plan_id}/balances",
        params={"by": "building"} if who != "mine" else None,
        headers=estate.h(who),
    )
    assert got.status_code == 200, got.text
    return got.json()


async def test_record_reverse_and_balances_add_up(
    client: httpx.AsyncClient, estate: Estate, db: Database
) -> None:
    zhang, qian, li = estate.units["张三丰"], estate.units["钱二"], estate.units["李四"]
    due = await amounts(client, estate, estate.plan_id)
    first = await pay(client, estate, zhang, 10_000, "SJ-0001")
    assert first.status_code == 201, first.text
    entry = first.json()["entry_id"]
    assert (await pay(client, estate, zhang, 5_000, "SJ-0002", channel="wechat")).status_code == 201
    assert (await pay(client, estate, li, due[li], "SJ-0003", channel="alipay")).status_code == 201
    # receipt numbers are unique per estate; amounts > 0 integers; no future date
    dup = await pay(client, estate, qian, 100, "SJ-0001")
    assert dup.status_code == 409 and dup.json()["code"] == "receipt_no_taken"
    for bad in (0, -5, 1.5, "100"):
        r = await pay(client, estate, qian, bad, "SJ-BAD")  # type: ignore[arg-type]
        assert r.status_code == 400, (bad, r.text)
    future = await pay(client, estate, qian, 100, "SJ-FUT", paid_on="2099-01-01")
    assert future.status_code == 400 and future.json()["code"] == "date_in_future"
    unknown = await client.post(
        f"/api/funding-plans/{estate.plan_id}/ledger",
        json={
            "household_id": qian,
            "amount_fen": 1,
            "channel": "cash",
            "receipt_no": "X",
            "paid_on": "2026-11-01",
            "extra": 1,
        },
        headers=estate.h("treasurer"),
    )
    assert unknown.status_code == 400
    assert (await pay(client, estate, qian, 100, "SJ-X", who="committee")).status_code == 403
    assert (await pay(client, estate, qian, 100, "SJ-Y", who="mine")).status_code == 403

    # reversal: once, with a reason; a reversal is never reversed
    rev = await client.post(
        f"/api/ledger/{entry}/reverse", json={"reason": "重复登记"}, headers=estate.h("treasurer")
    )
    assert rev.status_code == 201, rev.text
    again = await client.post(
        f"/api/ledger/{entry}/reverse", json={"reason": "再次"}, headers=estate.h("treasurer")
    )
    assert again.status_code == 409 and again.json()["code"] == "entry_already_reversed"
    back = await client.post(
        f"/api/ledger/{rev.json()['entry_id']}/reverse",
        json={"reason": "撤销冲销"},
        headers=estate.h("treasurer"),
    )
    assert back.status_code == 409 and back.json()["code"] == "reversal_not_reversible"
    assert (
        await client.post(
            f"/api/ledger/{entry}/reverse", json={"reason": " "}, headers=estate.h("treasurer")
        )
    ).status_code in (400, 409)

    page = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/ledger", headers=estate.h("treasurer")
        )
    ).json()
    kinds = [(e["household_id"], e["kind"], e["amount_fen"]) for e in page["items"]]
    assert kinds == [
        (zhang, "payment", 10_000),
        (zhang, "payment", 5_000),
        (li, "payment", due[li]),
        (zhang, "reversal", -10_000),
    ]
    assert page["items"][0]["reversed_by_entry_id"] == rev.json()["entry_id"]
    assert page["items"][3]["reason"] == "重复登记"

    got = await _balances(client, estate, "treasurer")
    rows = {r["household_id"]: r for r in got["items"]}
    sums: dict[int, int] = {}
    for e in page["items"]:
        sums[e["household_id"]] = sums.get(e["household_id"], 0) + e["amount_fen"]
    for hid, row in rows.items():
        assert row["due_fen"] == due[hid]
        assert row["paid_fen"] == sums.get(hid, 0)
        assert row["balance_fen"] == row["due_fen"] - row["paid_fen"]
    assert rows[zhang]["unit"] == "101" and rows[zhang]["building"] == "1栋"
    assert got["totals"]["paid_fen"] == sum(sums.values())
    assert sum(b["paid_fen"] for b in got["buildings"]) == got["totals"]["paid_fen"]
    assert rows[li]["balance_fen"] == 0 and rows[li]["overdue"] is False

    # the old "paid so far" route reads the same ledger
    listed = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/payments", headers=estate.h("treasurer")
        )
    ).json()
    assert {p["household_id"]: p["paid_fen"] for p in listed}[zhang] == 5_000

    # events: staff with amounts, members without
    async with db.connection() as conn:
        events = await conn.fetch(
            "SELECT type, audience, data FROM events WHERE estate_id = $1 AND type LIKE 'ledger.%'"
            " ORDER BY seq",
            estate.estate_id,
        )
    assert {(e["type"], e["audience"]) for e in events} == {
        ("ledger.entry", "staff"),
        ("ledger.reversed", "staff"),
        ("ledger.changed", "members"),
    }
    assert all("amount_fen" not in e["data"] for e in events if e["audience"] == "members")


async def test_owners_see_only_their_own_lines(client: httpx.AsyncClient, estate: Estate) -> None:
    zhang, li = estate.units["张三丰"], estate.units["李四"]
    mine = (await pay(client, estate, zhang, 1_000, "R-1")).json()["entry_id"]
    theirs = (await pay(client, estate, li, 2_000, "R-2")).json()["entry_id"]
    got = await _balances(client, estate, "mine")
    assert {r["household_id"] for r in got["items"]} == {zhang, estate.units["钱二"]}
    assert got.get("buildings") is None
    page = (
        await client.get(f"/api/funding-plans/{estate.plan_id}/ledger", headers=estate.h("mine"))
    ).json()
    assert [e["entry_id"] for e in page["items"]] == [mine]
    asked = await client.get(
        f"/api/funding-plans/{estate.plan_id}/ledger",
        params={"household_id": li},
        headers=estate.h("mine"),
    )
    assert asked.json()["items"] == []
    own = await client.get(f"/api/ledger/{mine}/receipt.html", headers=estate.h("mine"))
    assert own.status_code == 200 and "壹拾元整" in own.text and "R-1" in own.text
    other = await client.get(f"/api/ledger/{theirs}/receipt.html", headers=estate.h("mine"))
    assert other.status_code == 404
    en = await client.get(
        f"/api/ledger/{theirs}/receipt.html", params={"lang": "en"}, headers=estate.h("treasurer")
    )
    assert en.status_code == 200 and "Receipt" in en.text and "¥20.00" in en.text
    for path in ("arrears", "arrears.csv", "arrears.html"):
        refused = await client.get(
            f"/api/funding-plans/{estate.plan_id}/{path}", headers=estate.h("mine")
        )
        assert refused.status_code == 403, path
    assert (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/balances", headers=estate.h("observer")
        )
    ).status_code == 403


async def test_arrears_json_csv_and_page(client: httpx.AsyncClient, estate: Estate) -> None:
    zhang, qian, li = estate.units["张三丰"], estate.units["钱二"], estate.units["李四"]
    due = await amounts(client, estate, estate.plan_id)
    await pay(client, estate, li, due[li], "A-1")
    await pay(client, estate, zhang, 100, "A-2")
    got = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/arrears", headers=estate.h("committee")
        )
    ).json()
    assert [a["household_id"] for a in got["items"]] == [zhang, qian]
    assert got["total_fen"] == due[zhang] - 100 + due[qian]
    csv = await client.get(
        f"/api/funding-plans/{estate.plan_id}/arrears.csv", headers=estate.h("treasurer")
    )
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "楼栋,单元,业主,欠缴（元）,欠缴（分）"
    assert lines[1].startswith("1栋,101,张三丰,") and lines[1].endswith(str(due[zhang] - 100))
    page = await client.get(
        f"/api/funding-plans/{estate.plan_id}/arrears.html", headers=estate.h("treasurer")
    )
    assert page.status_code == 200 and "欠缴名单" in page.text and "1栋" in page.text


async def test_entries_carry_over_to_the_plan_in_force(
    client: httpx.AsyncClient, estate: Estate
) -> None:
    zhang = estate.units["张三丰"]
    v1 = estate.plan_id
    assert (await pay(client, estate, zhang, 3_000, "C-1")).status_code == 201
    # the old route records the difference on the ledger
    put = await client.put(
        f"/api/funding-plans/{v1}/payments/{zhang}",
        json={"paid_fen": 4_000},
        headers=estate.h("treasurer"),
    )
    assert put.status_code == 200 and put.json()["paid_fen"] == 4_000
    v2 = await solve(client, estate.estate_id, estate.tokens["treasurer"])
    await approve_plan(client, estate, v2)
    late = await pay(client, estate, zhang, 100, "C-2", plan_id=v1)
    assert late.status_code == 409 and late.json()["code"] == "plan_not_approved"
    assert (await pay(client, estate, zhang, 1_000, "C-3", plan_id=v2)).status_code == 201
    rows = {
        r["household_id"]: r for r in (await _balances(client, estate, "treasurer", v2))["items"]
    }
    assert rows[zhang]["paid_fen"] == 5_000
    old = {
        r["household_id"]: r for r in (await _balances(client, estate, "treasurer", v1))["items"]
    }
    assert old[zhang]["paid_fen"] == 4_000
    page = (
        await client.get(
            f"/api/funding-plans/{v2}/ledger",
            params={"household_id": zhang},
            headers=estate.h("treasurer"),
        )
    ).json()
    assert [(e["plan_id"], e["kind"], e["amount_fen"]) for e in page["items"]] == [
        (v1, "payment", 3_000),
        (v1, "adjustment", 1_000),
        (v2, "payment", 1_000),
    ]
    # paging
    first = (
        await client.get(
            f"/api/funding-plans/{v2}/ledger", params={"limit": 2}, headers=estate.h("treasurer")
        )
    ).json()
    assert len(first["items"]) == 2 and first["next_after"] == first["items"][1]["entry_id"]
    rest = (
        await client.get(
            f"/api/funding-plans/{v2}/ledger",
            params={"limit": 2, "after": first["next_after"]},
            headers=estate.h("treasurer"),
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None


async def test_the_table_is_append_only(
    client: httpx.AsyncClient, estate: Estate, db: Database
) -> None:
    entry = (await pay(client, estate, estate.units["钱二"], 700, "T-1")).json()["entry_id"]
    async with db.connection() as conn:
        for sql in (
            "UPDATE ledger_entries SET amount_fen = 1 WHERE id = $1",
            "DELETE FROM ledger_entries WHERE id = $1",
        ):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(sql, entry)
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("TRUNCATE ledger_entries CASCADE")
        assert (
            await conn.fetchval("SELECT amount_fen FROM ledger_entries WHERE id = $1", entry) == 700
        )


async def test_draft_plan_and_other_estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
    estate: Estate,
) -> None:
    draft = await make_ledger_estate(
        client, admin_token, make_estate, make_member, "草稿小区", approve=False
    )
    r = await pay(client, draft, draft.units["李四"], 100, "D-1")
    assert r.status_code == 409 and r.json()["code"] == "plan_not_approved"
    # another estate's plan and household: 404 like missing
    foreign = await pay(client, estate, draft.units["李四"], 100, "D-2")
    assert foreign.status_code == 404
    entry = (await pay(client, estate, estate.units["李四"], 100, "D-3")).json()["entry_id"]
    hidden = await client.post(
        f"/api/ledger/{entry}/reverse", json={"reason": "x"}, headers=draft.h("treasurer")
    )
    assert hidden.status_code == 404 and hidden.json()["code"] == "ledger_entry_not_found"


async def test_instalments_show_what_is_due_by_today(
    client: httpx.AsyncClient, estate: Estate
) -> None:
    zhang = estate.units["张三丰"]
    due = await amounts(client, estate, estate.plan_id)
    url = f"/api/funding-plans/{estate.plan_id}/payment-instructions"
    schedule = [
        {"due_date": "2026-11-30", "share": "0.5"},
        {"due_date": "2099-06-30", "share": "0.5"},
    ]
    got = await client.put(url, json={"instalments": schedule}, headers=estate.h("treasurer"))
    assert got.status_code == 200, got.text
    assert got.json()["instalments"] == schedule
    # a later change that leaves the schedule out keeps it
    kept = await client.put(url, json={"payee": "业委会"}, headers=estate.h("treasurer"))
    assert kept.json()["instalments"] == schedule
    for bad in (
        [{"due_date": "2026-11-30"}],
        [{"due_date": "2026-11-30", "share": "0.5", "amount_fen": 5}],
        [{"due_date": "2026-11-30", "share": "0.7"}, {"due_date": "2026-12-30", "share": "0.7"}],
        [{"due_date": "2026-12-30", "share": "0.5"}, {"due_date": "2026-11-30", "share": "0.5"}],
        [{"due_date": "2026-11-30", "share": "1.5"}],
    ):
        r = await client.put(url, json={"instalments": bad}, headers=estate.h("treasurer"))
        assert r.status_code == 400, bad
    await pay(client, estate, zhang, 100, "I-1")
    rows = {r["household_id"]: r for r in (await _balances(client, estate, "mine"))["items"]}
    assert rows[zhang]["due_now_fen"] == due[zhang] // 2
    assert rows[zhang]["overdue_fen"] == due[zhang] // 2 - 100 and rows[zhang]["overdue"]
    assert rows[zhang]["balance_fen"] == due[zhang] - 100


async def test_newest_first_pages(client: httpx.AsyncClient, estate: Estate) -> None:
    ids = [
        (await pay(client, estate, estate.units["钱二"], 100 + n, f"N-{n}")).json()["entry_id"]
        for n in range(5)
    ]
    url = f"/api/funding-plans/{estate.plan_id}/ledger"
    first = (
        await client.get(
            url, params={"limit": 2, "before": 2**63 - 1}, headers=estate.h("treasurer")
        )
    ).json()
    assert [e["entry_id"] for e in first["items"]] == ids[:-3:-1]
    assert first["next_before"] == ids[3]
    rest = (
        await client.get(
            url, params={"limit": 5, "before": first["next_before"]}, headers=estate.h("treasurer")
        )
    ).json()
    assert [e["entry_id"] for e in rest["items"]] == ids[2::-1] and rest["next_before"] is None
