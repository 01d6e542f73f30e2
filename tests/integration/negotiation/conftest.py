"""A negotiation scene: one estate, a committee member, an owner and two invited suppliers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest

from planner.access.model import Principal
from planner.db.pool import Database
from planner.live.visibility import may_see
from tests.conftest import bearer


# The reference case: the secondary power-supply retrofit, ¥3,600,000 → ¥1,700,000.
def power_lines(cable: int, transformer: int, switchgear: int, labour: int) -> list[dict[str, Any]]:
    return [
        {
            "description": "YJV-4×185 电缆",
            "unit": "m",
            "quantity": "2000.000",
            "unit_price_fen": cable,
            "line_key": "cable",
        },
        {
            "description": "630kVA 箱式变压器",
            "unit": "台",
            "quantity": 2,
            "unit_price_fen": transformer,
            "line_key": "transformer",
        },
        {
            "description": "低压开关柜",
            "unit": "面",
            "quantity": "10",
            "unit_price_fen": switchgear,
            "line_key": "switchgear",
        },
        {
            "description": "安装调试",
            "unit": "项",
            "quantity": "1",
            "unit_price_fen": labour,
            "line_key": "labour",
        },
    ]


ROUND_A1 = power_lines(45_000, 80_000_000, 8_000_000, 30_000_000)  # 360,000,000 fen
ROUND_A2 = power_lines(30_000, 65_000_000, 4_500_000, 15_000_000)  # 250,000,000 fen
ROUND_A3 = power_lines(20_000, 45_000_000, 3_000_000, 10_000_000)  # 170,000,000 fen
ROUND_B1 = power_lines(40_000, 85_000_000, 5_000_000, 20_000_000)  # 320,000,000 fen


class Scene(msgspec.Struct, kw_only=True):
    client: httpx.AsyncClient
    db: Database
    estate_id: int
    committee: dict[str, str]
    owner: dict[str, str]
    treasurer: dict[str, str]
    supplier_a: int
    supplier_b: int
    a: dict[str, str]
    b: dict[str, str]
    principals: dict[str, Principal]

    async def work(self, **extra: Any) -> dict[str, Any]:
        """A power retrofit, approved, with both suppliers invited."""
        body = {
            "title": "二次供电改造",
            "category": "power",
            "benefit_rule": "area",
            "estimate_fen": 380_000_000,
            **extra,
        }
        created = await self.client.post(
            f"/api/estates/{self.estate_id}/works", json=body, headers=self.committee
        )
        assert created.status_code == 201, created.text
        work_id = created.json()["id"]
        approved = await self.client.post(
            f"/api/works/{work_id}/status", json={"status": "approved"}, headers=self.committee
        )
        assert approved.status_code == 200, approved.text
        for supplier in (self.supplier_a, self.supplier_b):
            invited = await self.client.post(
                f"/api/works/{work_id}/invitations",
                json={"supplier_id": supplier},
                headers=self.committee,
            )
            assert invited.status_code == 201, invited.text
        work = await self.client.get(f"/api/works/{work_id}", headers=self.committee)
        assert work.json()["status"] == "quoting"
        return dict(work.json())

    async def quote(
        self, work_id: int, who: dict[str, str], lines: list[dict[str, Any]]
    ) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/works/{work_id}/quotes", json={"lines": lines}, headers=who
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def events_seen_by(self, name: str) -> list[dict[str, Any]]:
        """The estate's events as the live stream's visibility rule filters them for `name`."""
        async with self.db.connection() as conn:
            rows = await conn.fetch(
                """SELECT seq, type, audience, supplier_id, data::text AS data FROM events
                   WHERE estate_id = $1 ORDER BY seq""",
                self.estate_id,
            )
        principal = self.principals[name]
        return [
            {
                "seq": r["seq"],
                "type": r["type"],
                "audience": r["audience"],
                "data": msgspec.json.decode(r["data"]),
            }
            for r in rows
            if may_see(principal, _Row(r["audience"], r["supplier_id"]))
        ]

    async def count(self, table: str) -> int:
        async with self.db.connection() as conn:
            return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


class _Row:
    def __init__(self, audience: str, supplier_id: int | None) -> None:
        self.audience = audience
        self.supplier_id = supplier_id


@pytest.fixture
async def scene(
    client: httpx.AsyncClient,
    db: Database,
    make_estate: Callable[..., Awaitable[int]],
    make_member: Callable[..., Awaitable[tuple[int, str]]],
) -> Scene:
    estate_id = await make_estate("株洲试点小区")
    committee_id, committee = await make_member(estate_id, "committee")
    owner_id, owner = await make_member(estate_id, "owner")
    treasurer_id, treasurer = await make_member(estate_id, "treasurer")
    suppliers = []
    for name in ("国网株洲供电公司", "湘电安装工程"):
        response = await client.post(
            f"/api/estates/{estate_id}/suppliers", json={"name": name}, headers=bearer(committee)
        )
        assert response.status_code == 201, response.text
        suppliers.append(response.json()["id"])
    a_id, a = await make_member(estate_id, "supplier", supplier_id=suppliers[0])
    b_id, b = await make_member(estate_id, "supplier", supplier_id=suppliers[1])

    def principal(member_id: int, role: str, supplier_id: int | None = None) -> Principal:
        return Principal(
            member_id=member_id,
            estate_id=estate_id,
            role=role,  # type: ignore[arg-type]
            display_name=role,
            supplier_id=supplier_id,
        )

    return Scene(
        client=client,
        db=db,
        estate_id=estate_id,
        committee=bearer(committee),
        owner=bearer(owner),
        treasurer=bearer(treasurer),
        supplier_a=suppliers[0],
        supplier_b=suppliers[1],
        a=bearer(a),
        b=bearer(b),
        principals={
            "committee": principal(committee_id, "committee"),
            "owner": principal(owner_id, "owner"),
            "treasurer": principal(treasurer_id, "treasurer"),
            "a": principal(a_id, "supplier", suppliers[0]),
            "b": principal(b_id, "supplier", suppliers[1]),
        },
    )
