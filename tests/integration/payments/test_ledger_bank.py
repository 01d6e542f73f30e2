"""Bank statement import (issue 19): matching by unit label / reference and amount, the
unmatched lines assigned by the treasurer, never posted twice on re-import, all-or-nothing
on a malformed file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.integration.payments.ledger_helpers import (
    Estate,
    MakeMember,
    amounts,
    make_ledger_estate,
)


@pytest.fixture
async def estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Estate:
    return await make_ledger_estate(client, admin_token, make_estate, make_member, "银行小区")


async def _import(client: httpx.AsyncClient, estate: Estate, text: str) -> httpx.Response:
    return await client.post(
        f"/api/funding-plans/{estate.plan_id}/bank-statements",
        content=text.encode(),
        headers={**estate.h("treasurer"), "content-type": "text/csv"},
    )


async def _ledger(client: httpx.AsyncClient, estate: Estate) -> list[dict[str, Any]]:
    page = await client.get(
        f"/api/funding-plans/{estate.plan_id}/ledger", headers=estate.h("treasurer")
    )
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_import_matches_reimport_posts_nothing_twice_and_assign(
    client: httpx.AsyncClient, estate: Estate
) -> None:
    zhang, qian, li = estate.units["张三丰"], estate.units["钱二"], estate.units["李四"]
    due = await amounts(client, estate, estate.plan_id)
    first = (
        "交易日期,交易金额,摘要,交易流水号\n"
        "2026-11-03,100.00,1栋 101 维修资金,B001\n"
        f"2026-11-04,{due[li] / 100:.2f},转账 JF{li},B002\n"
        "2026-11-05,50.00,物业维修,B003\n"
        "2026-11-05,-20.00,手续费,B004\n"
    )
    got = await _import(client, estate, first)
    assert got.status_code == 201, got.text
    body = got.json()
    assert [(x["status"], x["household_id"]) for x in body["lines"]] == [
        ("matched", zhang),
        ("matched", li),
        ("unmatched", None),
        ("ignored", None),
    ]
    assert body["posted_fen"] == 10_000 + due[li]
    entries = await _ledger(client, estate)
    assert [(e["receipt_no"], e["channel"]) for e in entries] == [
        ("B001", "bank_transfer"),
        ("B002", "bank_transfer"),
    ]
    # the same file again and an overlapping one: nothing posted twice
    again = (await _import(client, estate, first)).json()
    # (an unmatched line is not in the ledger: it is listed again, never posted by itself)
    assert again["counts"] == {
        "matched": 0,
        "unmatched": 1,
        "ambiguous": 0,
        "duplicate": 2,
        "assigned": 0,
        "ignored": 1,
    }
    overlap = (
        first.splitlines()[0]
        + "\n"
        + "\n".join(first.splitlines()[2:])
        + ("\n2026-11-06,80.00,1-102,B005\n")
    )
    third = (await _import(client, estate, overlap)).json()
    assert [x["status"] for x in third["lines"]] == ["duplicate", "unmatched", "ignored", "matched"]
    assert len(await _ledger(client, estate)) == 3

    # the treasurer assigns the unmatched line of the first import
    line = body["lines"][2]
    assigned = await client.post(
        f"/api/funding-plans/{estate.plan_id}/bank-lines/{line['line_id']}/assign",
        json={"household_id": qian},
        headers=estate.h("treasurer"),
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["status"] == "assigned"
    twice = await client.post(
        f"/api/funding-plans/{estate.plan_id}/bank-lines/{line['line_id']}/assign",
        json={"household_id": qian},
        headers=estate.h("treasurer"),
    )
    assert twice.status_code == 409 and twice.json()["code"] == "bank_line_not_open"
    shown = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/bank-statements/{body['statement_id']}",
            headers=estate.h("committee"),
        )
    ).json()
    assert [x["status"] for x in shown["lines"]] == ["matched", "matched", "assigned", "ignored"]
    balances = (
        await client.get(
            f"/api/funding-plans/{estate.plan_id}/balances", headers=estate.h("treasurer")
        )
    ).json()
    paid = {r["household_id"]: r["paid_fen"] for r in balances["items"]}
    assert paid == {zhang: 10_000, qian: 5_000 + 8_000, li: due[li]}
    # the same bank line of a later import cannot be posted again by assigning it
    later = third["lines"][1]
    dup = await client.post(
        f"/api/funding-plans/{estate.plan_id}/bank-lines/{later['line_id']}/assign",
        json={"household_id": qian},
        headers=estate.h("treasurer"),
    )
    assert dup.status_code == 409 and dup.json()["code"] == "receipt_no_taken"
    refused = await client.get(
        f"/api/funding-plans/{estate.plan_id}/bank-statements/{body['statement_id']}",
        headers=estate.h("mine"),
    )
    assert refused.status_code == 403


async def test_malformed_file_posts_nothing(client: httpx.AsyncClient, estate: Estate) -> None:
    bad = (
        "date,amount,memo,bank_tx_id\n"
        "2026-11-03,100.00,1栋101,E001\n"
        "2026-13-40,100.00,1栋102,E002\n"
        "2026-11-03,12.345,1栋102,E003\n"
        "2026-11-03,abc,1栋102,E004\n"
        "2026-11-03,1.00\n"
    )
    got = await _import(client, estate, bad)
    assert got.status_code == 400, got.text
    assert got.json()["code"] == "bank_csv_invalid"
    assert [e["params"]["line"] for e in got.json()["errors"]] == [3, 4, 5, 6]
    assert await _ledger(client, estate) == []
    missing = await _import(client, estate, "date,amount\n2026-11-03,1.00\n")
    assert missing.status_code == 400
    future = await _import(client, estate, "date,amount,bank_tx_id\n2099-01-01,1.00,F1\n")
    assert future.status_code == 400
    assert await _ledger(client, estate) == []


async def test_ambiguous_label_resolved_by_amount(
    client: httpx.AsyncClient, estate: Estate
) -> None:
    zhang, qian = estate.units["张三丰"], estate.units["钱二"]
    due = await amounts(client, estate, estate.plan_id)
    # "1栋" names two households: the amount decides when it is one's balance
    text = (
        "date,amount,memo,bank_tx_id\n"
        f"2026-11-03,{due[qian] / 100:.2f},1栋 维修,G001\n"
        "2026-11-03,1.23,1栋 维修,G002\n"
    )
    body = (await _import(client, estate, text)).json()
    statuses = [(x["status"], x["household_id"]) for x in body["lines"]]
    if due[qian] != due[zhang]:
        assert statuses[0] == ("unmatched", None) or statuses[0][0] in ("matched", "ambiguous")
    assert statuses[1][0] in ("unmatched", "ambiguous")
