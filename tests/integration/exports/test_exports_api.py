"""Exports through the HTTP API: CSV and XLSX read back, notices, access by role, stability."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import httpx
import openpyxl
import pytest

from tests.conftest import bearer

MakeMember = Callable[..., Awaitable[tuple[int, str]]]
INJECTION = '=HYPERLINK("http://x")'
HOUSEHOLDS_CSV = f"""building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
3栋,101,1,80.00,A,张三丰,
3栋,102,1,90.50,B,"{INJECTION.replace('"', '""')}",
3栋,201,2,100.00,C,李四,
4栋,101,1,120.25,D,王五,0
4栋,102,1,60.00,E,赵六,50000
"""


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def number_fen(value: float) -> int:
    scaled = Decimal(repr(value)) * 100
    assert scaled == scaled.to_integral_value()
    return int(scaled)


class Setup:
    def __init__(
        self,
        estate_id: int,
        plan: dict[str, Any],
        tokens: dict[str, str],
        households: dict[str, dict[str, Any]],
        buildings: dict[str, int],
    ) -> None:
        self.estate_id = estate_id
        self.plan = plan
        self.tokens = tokens
        self.households = households  # by owner name
        self.buildings = buildings

    @property
    def plan_id(self) -> int:
        return int(self.plan["id"])


@pytest.fixture
async def setup(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> Setup:
    estate_id = await make_estate(name="幸福小区", csv=HOUSEHOLDS_CSV)
    listed = await client.get(f"/api/estates/{estate_id}/households", headers=bearer(admin_token))
    items = listed.json()
    items = items["items"] if isinstance(items, dict) else items
    households = {h["owner_name"]: h for h in items}
    buildings = {h["building"]: h["building_id"] for h in items}
    tokens = {"admin": admin_token}
    for role in ("treasurer", "committee", "observer"):
        tokens[role] = (await make_member(estate_id, role))[1]
    tokens["owner"] = (
        await make_member(estate_id, "owner", household_ids=(households["张三丰"]["id"],))
    )[1]
    supplier = await client.post(
        f"/api/estates/{estate_id}/suppliers",
        json={"name": "电力公司"},
        headers=bearer(admin_token),
    )
    assert supplier.status_code == 201, supplier.text
    tokens["supplier"] = (
        await make_member(estate_id, "supplier", supplier_id=supplier.json()["id"])
    )[1]
    work_ids = []
    for title, cost in (("屋面防水", 1_000_003), ("=监控改造", 500_000)):
        response = await client.post(
            f"/api/estates/{estate_id}/works",
            json={"title": title, "category": "roof", "estimate_fen": cost},
            headers=bearer(admin_token),
        )
        assert response.status_code == 201, response.text
        work_ids.append(response.json()["id"])
    for name, budget, works in (
        ("区财政补贴", 700_000, work_ids[:1]),
        ("驻区银行", 400_000, work_ids),
    ):
        response = await client.post(
            f"/api/estates/{estate_id}/funding-sources",
            json={
                "name": name,
                "kind": "subsidy",
                "budget_fen": budget,
                "eligible_work_ids": works,
            },
            headers=bearer(tokens["treasurer"]),
        )
        assert response.status_code == 201, response.text
    solved = await client.post(
        f"/api/estates/{estate_id}/funding-plans",
        json={"resident_band": ["0.20", "0.30"]},
        headers=bearer(tokens["treasurer"]),
    )
    assert solved.status_code == 201, solved.text
    return Setup(estate_id, solved.json(), tokens, households, buildings)


def read_csv(response: httpx.Response, bom: bool = True) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf") is bom
    text = body.decode("utf-8-sig")
    assert "\r\n" in text and text.count("\n") == text.count("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def disposition_name(response: httpx.Response) -> tuple[str, str]:
    header = response.headers["content-disposition"]
    ascii_name = re.search(r'filename="([^"]+)"', header)
    utf8_name = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert ascii_name and utf8_name, header
    return ascii_name[1], unquote(utf8_name[1])


async def test_csv_views_add_up_and_keep_chinese(client: httpx.AsyncClient, setup: Setup) -> None:
    plan, token = setup.plan, setup.tokens["treasurer"]
    url = f"/api/funding-plans/{setup.plan_id}/export.csv"
    response = await client.get(url, headers=bearer(token))
    table = read_csv(response)
    ascii_name, utf8_name = disposition_name(response)
    assert ascii_name == f"plan-{setup.plan_id}-v1-households-DRAFT.csv"
    assert utf8_name.startswith("幸福小区-资金方案第1版-住户") and utf8_name.endswith(".csv")
    title, header, *body = table
    assert "草稿 DRAFT" in title[0]
    items, totals, check = body[:-2], body[-2], body[-1]
    by_id = {int(r[0]): r for r in items}
    total_col = header.index("合计(元)")
    for household in plan["households"]:
        row = by_id[household["household_id"]]
        assert fen(row[total_col]) == household["amount_fen"]
    assert fen(totals[total_col]) == plan["residents_total_fen"]
    assert check[-1] == "一致" and fen(check[2]) == fen(check[4]) == plan["residents_total_fen"]
    zhang = by_id[setup.households["张三丰"]["id"]]
    assert zhang[1] == "3栋" and zhang[4] == "张三丰"
    hostile = by_id[setup.households[INJECTION]["id"]]
    assert hostile[4] == "'" + INJECTION
    assert "'=监控改造(元)" in header

    works = read_csv(
        await client.get(
            url, params={"view": "works", "lang": "en", "encoding": "utf-8"}, headers=bearer(token)
        ),
        bom=False,
    )
    assert works[1][:3] == ["Work ID", "Work", "Cost (CNY)"]
    totals = works[-3]
    assert totals[0] == "Total" and fen(totals[2]) == plan["total_cost_fen"]
    assert fen(totals[-2]) == plan["residents_total_fen"]
    assert works[-1][-1] == works[-2][-1] == "OK"

    sources = read_csv(await client.get(url, params={"view": "sources"}, headers=bearer(token)))
    assert fen(sources[-3][4]) == sum(s["used_fen"] for s in plan["sources"])

    bad = await client.get(url, params={"view": "everything"}, headers=bearer(token))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "view"
    bad = await client.get(url, params={"encoding": "gbk"}, headers=bearer(token))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "encoding"


async def test_xlsx_totals_formulas_and_values(client: httpx.AsyncClient, setup: Setup) -> None:
    plan = setup.plan
    response = await client.get(
        f"/api/funding-plans/{setup.plan_id}/export.xlsx", headers=bearer(setup.tokens["committee"])
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert int(response.headers["content-length"]) == len(response.content)
    ascii_name, utf8_name = disposition_name(response)
    assert ascii_name.endswith("-DRAFT.xlsx") and utf8_name.endswith("草稿.xlsx")
    formulas = openpyxl.load_workbook(io.BytesIO(response.content))
    values = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    assert formulas.sheetnames == ["汇总", "住户", "工程", "资金来源"]
    assert "草稿 DRAFT" in formulas["住户"]["A1"].value

    sheet_f, sheet_v = formulas["住户"], values["住户"]
    header = [c.value for c in sheet_f[2]]
    total_col = header.index("合计(元)") + 1
    last = 2 + len(plan["households"])
    totals_row = last + 1
    assert sheet_f.cell(totals_row, 1).value == "合计"
    formula = sheet_f.cell(totals_row, total_col).value
    assert (
        formula == f"=SUM({sheet_f.cell(3, total_col).coordinate}:"
        f"{sheet_f.cell(last, total_col).coordinate})"
    )
    # the test's own sum of the item cells equals the cached value and the plan, to the fen
    items = [number_fen(sheet_v.cell(r, total_col).value) for r in range(3, last + 1)]
    assert sum(items) == number_fen(sheet_v.cell(totals_row, total_col).value)
    assert sum(items) == plan["residents_total_fen"]
    for i, work in enumerate(plan["works"]):
        col = 7 + i
        column = [sheet_v.cell(r, col).value for r in range(3, last + 1)]
        assert sum(number_fen(v) for v in column if v is not None) == work["residents_fen"]
        assert number_fen(sheet_v.cell(totals_row, col).value) == work["residents_fen"]
    names = {sheet_v.cell(r, 5).value for r in range(3, last + 1)}
    assert {"张三丰", INJECTION} <= names
    assert {sheet_v.cell(r, 2).value for r in range(3, last + 1)} == {"3栋", "4栋"}

    works_f, works_v = formulas["工程"], values["工程"]
    totals_row = 3 + len(plan["works"])
    assert works_f.cell(totals_row, 3).value.startswith("=SUM(")
    assert number_fen(works_v.cell(totals_row, 3).value) == plan["total_cost_fen"]
    summary = {r[0]: r[1] for r in values["汇总"].iter_rows(values_only=True) if r[0]}
    assert number_fen(summary["总费用"]) == plan["total_cost_fen"]
    assert number_fen(summary["居民自筹合计"]) == plan["residents_total_fen"]
    assert number_fen(summary["住户合计"]) == plan["residents_total_fen"]
    assert summary["住户合计 = 居民自筹"] == "一致" and summary["区间检查"] == "符合"
    assert summary["状态"] == "草稿"


async def test_approved_exports_are_byte_for_byte_stable(
    client: httpx.AsyncClient, setup: Setup
) -> None:
    token = setup.tokens["treasurer"]
    approved = await client.post(
        f"/api/funding-plans/{setup.plan_id}/approve", headers=bearer(token)
    )
    assert approved.status_code == 200, approved.text
    url = f"/api/funding-plans/{setup.plan_id}/export.xlsx"
    first = await client.get(url, headers=bearer(token))
    second = await client.get(url, headers=bearer(setup.tokens["admin"]))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert disposition_name(first)[0] == f"plan-{setup.plan_id}-v1-funding-plan.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(first.content))
    assert "已批准" in book["汇总"]["A1"].value and "草稿" not in book["汇总"]["A1"].value
    csv_url = f"/api/funding-plans/{setup.plan_id}/export.csv"
    assert (await client.get(csv_url, headers=bearer(token))).content == (
        await client.get(csv_url, headers=bearer(token))
    ).content
    notice_url = f"/api/funding-plans/{setup.plan_id}/notices/{setup.households['李四']['id']}"
    one = await client.get(notice_url, headers=bearer(token))
    assert one.text == (await client.get(notice_url, headers=bearer(token))).text
    assert "草稿" not in one.text and "已批准" in one.text


async def test_notices_single_and_building_batch(client: httpx.AsyncClient, setup: Setup) -> None:
    plan = setup.plan
    zhang = setup.households["张三丰"]
    amount = next(h for h in plan["households"] if h["household_id"] == zhang["id"])["amount_fen"]
    response = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices/{zhang['id']}",
        headers=bearer(setup.tokens["owner"]),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.count('<section class="notice"') == 1
    assert "幸福小区" in html and "3栋 101" in html and "张三丰" in html
    assert f"¥{amount // 100:,}.{amount % 100:02d}" in html
    assert "人民币大写" in html and "草稿：" in html and 'class="watermark"' in html
    assert '<html lang="zh-CN">' in html and "DRAFT" not in html and "Total" not in html
    code = re.search(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", html)
    assert code
    assert response.headers["content-disposition"].startswith("inline;")
    # in English (?lang=en): the same notice, one language, no capital numerals
    english = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices/{zhang['id']}",
        params={"lang": "en"},
        headers=bearer(setup.tokens["owner"]),
    )
    assert english.status_code == 200, english.text
    assert '<html lang="en">' in english.text and code.group(0) in english.text
    assert "DRAFT: this plan is not approved" in english.text and "<td>Total</td>" in english.text
    assert "人民币大写" not in english.text and "缴费通知单" not in english.text
    bad = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices/{zhang['id']}",
        params={"lang": "fr"},
        headers=bearer(setup.tokens["owner"]),
    )
    assert bad.status_code == 400

    building = setup.buildings["3栋"]
    batch = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices",
        params={"building_id": building},
        headers=bearer(setup.tokens["treasurer"]),
    )
    assert batch.status_code == 200, batch.text
    assert batch.text.count('<section class="notice"') == 3
    assert "=HYPERLINK(&quot;http://x&quot;)" in batch.text and "王五" not in batch.text
    assert "break-after: page" in batch.text
    assert "3%E6%A0%8B" in batch.headers["content-disposition"]  # "3栋" in the UTF-8 name
    batch_en = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices",
        params={"building_id": building, "lang": "en"},
        headers=bearer(setup.tokens["treasurer"]),
    )
    assert batch_en.status_code == 200, batch_en.text
    assert batch_en.text.count("<h1>Payment notice</h1>") == 3
    assert "缴费通知单" not in batch_en.text and "合计" not in batch_en.text
    missing = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices", headers=bearer(setup.tokens["treasurer"])
    )
    assert missing.status_code == 400
    unknown = await client.get(
        f"/api/funding-plans/{setup.plan_id}/notices",
        params={"building_id": 999_999},
        headers=bearer(setup.tokens["treasurer"]),
    )
    assert unknown.status_code == 404


async def test_access_by_role(client: httpx.AsyncClient, setup: Setup) -> None:
    base = f"/api/funding-plans/{setup.plan_id}"
    own = setup.households["张三丰"]["id"]
    other = setup.households["李四"]["id"]
    building = setup.buildings["3栋"]
    urls = {
        "csv": f"{base}/export.csv",
        "xlsx": f"{base}/export.xlsx",
        "own_notice": f"{base}/notices/{own}",
        "other_notice": f"{base}/notices/{other}",
        "batch": f"{base}/notices?building_id={building}",
    }
    expected = {
        "admin": dict.fromkeys(urls, 200),
        "treasurer": dict.fromkeys(urls, 200),
        "committee": dict.fromkeys(urls, 200),
        "owner": {"csv": 403, "xlsx": 403, "own_notice": 200, "other_notice": 404, "batch": 403},
        "observer": dict.fromkeys(urls, 403),
        "supplier": dict.fromkeys(urls, 403),
    }
    for role, statuses in expected.items():
        for name, url in urls.items():
            response = await client.get(url, headers=bearer(setup.tokens[role]))
            assert response.status_code == statuses[name], (role, name, response.text)
    anonymous = await client.get(urls["csv"])
    assert anonymous.status_code == 401
    absent = await client.get(
        "/api/funding-plans/999999/export.csv", headers=bearer(setup.tokens["treasurer"])
    )
    assert absent.status_code == 404


async def test_other_estates_staff_get_404(
    client: httpx.AsyncClient,
    setup: Setup,
    make_estate: Callable[..., Awaitable[int]],
    make_member: MakeMember,
) -> None:
    elsewhere = await make_estate(name="别的小区", csv=None)
    _, treasurer = await make_member(elsewhere, "treasurer")
    for path in ("export.csv", "export.xlsx", f"notices/{setup.households['李四']['id']}"):
        response = await client.get(
            f"/api/funding-plans/{setup.plan_id}/{path}", headers=bearer(treasurer)
        )
        assert response.status_code == 404, path
        assert response.json()["code"] == "funding_plan_not_found", path


async def test_a_failed_version_has_nothing_to_export(
    client: httpx.AsyncClient, setup: Setup
) -> None:
    failed = await client.post(
        f"/api/estates/{setup.estate_id}/funding-plans",
        json={"resident_band": ["0.00", "0.01"]},
        headers=bearer(setup.tokens["treasurer"]),
    )
    assert failed.status_code == 422, failed.text
    plan_id = failed.json()["details"]["plan_id"]
    for path in ("export.csv", "export.xlsx", f"notices/{setup.households['李四']['id']}"):
        response = await client.get(
            f"/api/funding-plans/{plan_id}/{path}", headers=bearer(setup.tokens["treasurer"])
        )
        assert response.status_code == 409, (path, response.text)


async def test_payments_are_recorded_on_approved_plans_and_shown_in_exports(
    client: httpx.AsyncClient, setup: Setup, db: Any
) -> None:
    treasurer = bearer(setup.tokens["treasurer"])
    base = f"/api/funding-plans/{setup.plan_id}"
    zhang = setup.households["张三丰"]["id"]
    amount = next(h for h in setup.plan["households"] if h["household_id"] == zhang)["amount_fen"]
    assert amount > 1
    draft = await client.put(f"{base}/payments/{zhang}", json={"paid_fen": 1}, headers=treasurer)
    assert draft.status_code == 409
    assert (await client.post(f"{base}/approve", headers=treasurer)).status_code == 200

    partial = await client.put(
        f"{base}/payments/{zhang}",
        json={"paid_fen": amount - 1, "reference": "银行流水 001"},
        headers=treasurer,
    )
    assert partial.status_code == 200, partial.text
    assert partial.json()["status"] == "partial" and partial.json()["amount_fen"] == amount
    denied = await client.put(
        f"{base}/payments/{zhang}",
        json={"paid_fen": amount},
        headers=bearer(setup.tokens["committee"]),
    )
    assert denied.status_code == 403
    unknown = await client.put(f"{base}/payments/999999", json={"paid_fen": 1}, headers=treasurer)
    assert unknown.status_code == 404
    negative = await client.put(
        f"{base}/payments/{zhang}", json={"paid_fen": -5}, headers=treasurer
    )
    assert negative.status_code == 400
    full = await client.put(
        f"{base}/payments/{zhang}", json={"paid_fen": amount}, headers=treasurer
    )
    assert full.json()["status"] == "paid"

    listed = (
        await client.get(f"{base}/payments", headers=bearer(setup.tokens["committee"]))
    ).json()
    statuses = {p["household_id"]: p["status"] for p in listed}
    assert statuses[zhang] == "paid"
    assert len(listed) == len(setup.plan["households"])
    exempt = setup.households["王五"]["id"]
    assert statuses[exempt] == "exempt"

    table = read_csv(await client.get(f"{base}/export.csv", headers=treasurer))
    header = table[1]
    paid_col, status_col = header.index("已缴(元)"), header.index("缴费状态")
    rows = {r[0]: r for r in table[2:]}
    assert fen(rows[str(zhang)][paid_col]) == amount and rows[str(zhang)][status_col] == "已缴清"
    assert rows[str(exempt)][status_col] == "无需缴费"
    assert fen(rows["合计"][paid_col]) == amount

    book = openpyxl.load_workbook(
        io.BytesIO((await client.get(f"{base}/export.xlsx", headers=treasurer)).content),
        data_only=True,
    )
    sheet = book["住户"]
    paid_col = [c.value for c in sheet[2]].index("已缴(元)") + 1
    totals_row = 3 + len(setup.plan["households"])
    assert sheet.cell(totals_row, 1).value == "合计"
    assert number_fen(sheet.cell(totals_row, paid_col).value) == amount

    notice = await client.get(f"{base}/notices/{zhang}", headers=bearer(setup.tokens["owner"]))
    assert "已缴清" in notice.text

    async with db.connection() as conn:
        types = await conn.fetch(
            "SELECT type, data FROM events WHERE estate_id = $1 AND type = 'payment.recorded'",
            setup.estate_id,
        )
    assert len(types) == 2


async def test_errors_carry_their_codes(client: httpx.AsyncClient, setup: Setup) -> None:
    """The codes a client translates: each refusal of the exports and payments names its own."""
    treasurer = bearer(setup.tokens["treasurer"])
    base = f"/api/funding-plans/{setup.plan_id}"

    async def code(response: httpx.Response, status: int) -> tuple[str, dict[str, Any]]:
        assert response.status_code == status, response.text
        body = response.json()
        return body["code"], body["params"]

    bad_view = await client.get(f"{base}/export.csv?view=people", headers=treasurer)
    assert (await code(bad_view, 400))[0] == "not_allowed"
    no_building = await client.get(f"{base}/notices", headers=treasurer)
    assert (await code(no_building, 400))[0] == "required"
    batch = await client.get(f"{base}/notices?building_id=1", headers=bearer(setup.tokens["owner"]))
    assert (await code(batch, 403))[0] == "not_your_notice"
    other = setup.households["李四"]["id"]
    notice = await client.get(f"{base}/notices/{other}", headers=bearer(setup.tokens["owner"]))
    assert (await code(notice, 404))[0] == "household_not_found"
    absent = await client.get("/api/funding-plans/999999/export.xlsx", headers=treasurer)
    assert (await code(absent, 404))[0] == "funding_plan_not_found"
    zhang = setup.households["张三丰"]["id"]
    draft = await client.put(f"{base}/payments/{zhang}", json={"paid_fen": 1}, headers=treasurer)
    assert await code(draft, 409) == ("plan_not_approved", {"status": "draft"})
    failed = await client.post(
        f"/api/estates/{setup.estate_id}/funding-plans",
        json={"resident_band": ["0.00", "0.01"]},
        headers=treasurer,
    )
    assert (await code(failed, 422))[0] == "plan_infeasible"
    version = failed.json()["details"]["version"]
    plan_id = failed.json()["details"]["plan_id"]
    for path in ("export.csv", "payments"):
        response = await client.get(f"/api/funding-plans/{plan_id}/{path}", headers=treasurer)
        assert await code(response, 409) == ("plan_failed", {"version": version})


async def test_openapi_documents_the_notice_language(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in (
        "/api/funding-plans/{plan_id}/notices/{household_id}",
        "/api/funding-plans/{plan_id}/notices",
    ):
        params = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        lang = params["lang"]
        assert lang["in"] == "query" and not lang["required"], lang
        assert sorted(lang["schema"]["enum"]) == ["en", "zh"], lang
        assert lang["schema"].get("default") == "zh", lang
