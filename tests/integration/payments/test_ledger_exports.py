"""Ledger exports (issue 19): CSV with a totals row, XLSX whose SUM formulas carry their
values; the arrears CSV; staff only."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import httpx
import openpyxl
import pytest

from tests.integration.payments.ledger_helpers import Estate, MakeMember, make_ledger_estate, pay


@pytest.fixture
async def estate(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Estate:
    return await make_ledger_estate(client, admin_token, make_estate, make_member, "导出小区")


async def test_ledger_csv_and_xlsx(client: httpx.AsyncClient, estate: Estate) -> None:
    zhang, li = estate.units["张三丰"], estate.units["李四"]
    first = (await pay(client, estate, zhang, 12_345, "=HYPERLINK(1)")).json()["entry_id"]
    await pay(client, estate, li, 50_000, "E-2", channel="alipay")
    await client.post(
        f"/api/ledger/{first}/reverse", json={"reason": "收据号错误"}, headers=estate.h("treasurer")
    )
    await pay(client, estate, zhang, 12_345, "E-3", channel="wechat")
    csv = await client.get(
        f"/api/funding-plans/{estate.plan_id}/ledger.csv", headers=estate.h("committee")
    )
    assert csv.status_code == 200
    rows = [r.split(",") for r in csv.content.decode("utf-8-sig").splitlines()]
    assert rows[0][0] == "序号" and len(rows) == 6
    assert rows[1][6] == "'=HYPERLINK(1)"
    assert rows[3][4] == "冲销" and rows[3][8] == "-12345"
    assert rows[-1][0] == "合计" and rows[-1][8] == str(50_000 + 12_345)
    xlsx = await client.get(
        f"/api/funding-plans/{estate.plan_id}/ledger.xlsx",
        params={"lang": "en"},
        headers=estate.h("treasurer"),
    )
    assert xlsx.status_code == 200
    formulas = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = openpyxl.load_workbook(io.BytesIO(xlsx.content), data_only=True).active
    assert formulas is not None and values is not None
    assert formulas["H7"].value == "=SUM(H3:H6)"
    assert values["H7"].value == pytest.approx(623.45)
    assert values["I7"].value == 62_345
    assert values["G3"].value == "=HYPERLINK(1)"  # text, not a formula
    assert formulas["G3"].data_type == "s"
    refused = await client.get(
        f"/api/funding-plans/{estate.plan_id}/ledger.csv", headers=estate.h("mine")
    )
    assert refused.status_code == 403
