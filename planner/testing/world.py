"""A populated service for the hardening checks: two estates, every role in each, and one of
each thing (work, quote, meeting, motion, delegation, source, plan) in the first.

Estate A is "own" for its members and estate B is "other": B's members are the outsiders
who must be refused A's things. Everything is made through the public API.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from planner.settings import Settings
from planner.testing import store
from planner.testing.api import SAMPLE_CSV, bearer, create_estate
from planner.testing.delivery import delivered_work
from planner.testing.service import running_app
from planner.testing.settlement import awarded_work

#: The photo estate A's committee uploaded (a JPEG by its first bytes; found by its hash).
PHOTO = b"\xff\xd8\xff\xe0" + "签字的表决票".encode() * 8

#: The questions of the world's questionnaire round (issue 18).
QUESTIONS: list[dict[str, Any]] = [
    {"text": "您对小区环境是否满意？", "kind": "single", "options": ["满意", "一般", "不满意"]},
    {"text": "您的意见建议", "kind": "text", "suggestion": True},
]

ROLES = ("admin", "committee", "owner", "supplier", "treasurer", "observer", "partner")


async def row_counts(database_url: str) -> dict[str, int]:
    """Rows in every table of the public schema (hostile requests must not change them)."""
    async with store.connected(database_url) as conn:
        return await store.row_counts(conn)


@dataclass
class World:
    base_url: str
    admin: str  # the global admin's token
    estate_a: int
    estate_b: int
    own: dict[str, str] = field(default_factory=dict)  # role -> token, members of A
    other: dict[str, str] = field(default_factory=dict)  # role -> token, members of B
    other_supplier: str = ""  # a second supplier's negotiator in A, invited to the work
    ids: dict[str, int] = field(default_factory=dict)  # what -> id, all in A
    households_a: list[int] = field(default_factory=list)
    households_b: list[int] = field(default_factory=list)
    district: str = ""  # a district member's token (issue 21), assigned estate A only


async def _ok(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


async def _ledger(
    http: httpx.AsyncClient, world: World, plan_id: int, household_id: int
) -> dict[str, int]:
    """Issue 19: the plan approved, one ledger entry for own:owner's unit, one bank statement
    with an unmatched line (entry_id, statement_id, line_id)."""
    treasurer = bearer(world.own["treasurer"])
    await _ok(await http.post(f"/api/funding-plans/{plan_id}/approve", headers=treasurer), 200)
    entry = await _ok(
        await http.post(
            f"/api/funding-plans/{plan_id}/ledger",
            json={
                "household_id": household_id,
                "amount_fen": 10_000,
                "channel": "cash",
                "receipt_no": "W-0001",
                "paid_on": "2026-11-02",
            },
            headers=treasurer,
        )
    )
    statement = await _ok(
        await http.post(
            f"/api/funding-plans/{plan_id}/bank-statements",
            content=b"date,amount,memo,bank_tx_id\n2026-11-03,12.34,?,W-B001\n",
            headers={**treasurer, "content-type": "text/csv"},
        )
    )
    return {
        "entry_id": entry["entry_id"],
        "statement_id": statement["statement_id"],
        "line_id": statement["lines"][0]["line_id"],
    }


async def _members(
    http: httpx.AsyncClient, admin: str, estate_id: int, supplier_id: int, households: list[int]
) -> dict[str, str]:
    tokens = {}
    for role in ROLES:
        body: dict[str, Any] = {"role": role, "display_name": f"{role}-{estate_id}"}
        if role == "supplier":
            body["supplier_id"] = supplier_id
        if role == "owner":
            body["household_ids"] = households[:2]
        created = await _ok(
            await http.post(f"/api/estates/{estate_id}/members", json=body, headers=bearer(admin))
        )
        tokens[role] = created["token"]
    return tokens


async def _estate(http: httpx.AsyncClient, admin: str, name: str) -> tuple[int, list[int]]:
    estate_id = await create_estate(http, admin, SAMPLE_CSV, name)
    listed = await _ok(
        await http.get(f"/api/estates/{estate_id}/households", headers=bearer(admin)), 200
    )
    items = listed["items"] if isinstance(listed, dict) else listed
    return estate_id, sorted(h["id"] for h in items)


LINES = [
    {"description": "电缆", "unit": "m", "quantity": "100", "unit_price_fen": 30_000},
    {"description": "安装", "unit": "项", "quantity": "1", "unit_price_fen": 1_000_000},
]


async def build_world(base_url: str, admin: str) -> World:
    async with httpx.AsyncClient(base_url=base_url, timeout=180) as http:
        estate_a, households_a = await _estate(http, admin, "甲小区")
        estate_b, households_b = await _estate(http, admin, "乙小区")
        suppliers = {}
        for key, estate_id in (("a1", estate_a), ("a2", estate_a), ("b1", estate_b)):
            created = await _ok(
                await http.post(
                    f"/api/estates/{estate_id}/suppliers",
                    json={"name": f"供应商{key}"},
                    headers=bearer(admin),
                )
            )
            suppliers[key] = created["id"]
        buildings = await _ok(
            await http.get(f"/api/estates/{estate_a}/buildings", headers=bearer(admin)), 200
        )
        building_a = buildings[0]["id"]
        world = World(
            base_url,
            admin,
            estate_a,
            estate_b,
            households_a=households_a,
            households_b=households_b,
        )
        world.own = await _members(http, admin, estate_a, suppliers["a1"], households_a)
        world.other = await _members(http, admin, estate_b, suppliers["b1"], households_b)
        second = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/members",
                json={"role": "supplier", "display_name": "second", "supplier_id": suppliers["a2"]},
                headers=bearer(admin),
            )
        )
        world.other_supplier = second["token"]
        # B has a work of its own (so its members' OCDS export has a release to carry)
        await _ok(
            await http.post(
                f"/api/estates/{estate_b}/works",
                json={"title": "楼道照明", "category": "power", "estimate_fen": 800_000},
                headers=bearer(world.other["committee"]),
            )
        )
        target = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/members",
                json={"role": "observer", "display_name": "to revoke"},
                headers=bearer(admin),
            )
        )
        committee = bearer(world.own["committee"])
        work = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/works",
                json={"title": "二次供电改造", "category": "power", "estimate_fen": 5_000_000},
                headers=committee,
            )
        )
        await _ok(
            await http.post(
                f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=committee
            ),
            200,
        )
        for key in ("a1", "a2"):
            await _ok(
                await http.post(
                    f"/api/works/{work['id']}/invitations",
                    json={"supplier_id": suppliers[key]},
                    headers=committee,
                )
            )
        quote = await _ok(
            await http.post(
                f"/api/works/{work['id']}/quotes",
                json={"lines": LINES},
                headers=bearer(world.own["supplier"]),
            )
        )
        meeting = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/meetings",
                json={"title": "业主大会", "kind": "owners_assembly"},
                headers=committee,
            )
        )
        await _ok(await http.post(f"/api/meetings/{meeting['id']}/open", headers=committee), 200)
        motion = await _ok(
            await http.post(
                f"/api/meetings/{meeting['id']}/motions",
                json={"title": "使用维修资金", "matter": 5},
                headers=committee,
            )
        )
        await _ok(await http.post(f"/api/motions/{motion['id']}/open", headers=committee), 200)
        opens = datetime.now(UTC) + timedelta(days=1)
        consultation = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/consultations",
                json={
                    "title": "书面征求意见",
                    "opens_at": opens.isoformat(),
                    "closes_at": (opens + timedelta(days=7)).isoformat(),
                    "notice_days": 0,
                    "motions": [{"title": "续聘物业", "matter": 4}],
                },
                headers=committee,
            )
        )
        await _ok(
            await http.post(f"/api/consultations/{consultation['id']}/publish", headers=committee),
            200,
        )
        await _ok(  # a photo of a signed paper ballot sheet (issue 17)
            await http.post(
                f"/api/estates/{estate_a}/photos",
                content=PHOTO,
                headers={**committee, "content-type": "image/jpeg"},
            )
        )
        me = await _ok(await http.get("/api/me", headers=committee), 200)
        delegation = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/delegations",
                json={
                    "household_ids": [households_a[-1]],
                    "proxy_member_id": me["member_id"],
                    "reference": "委托书 1",
                },
                headers=committee,
            )
        )
        delegation_id = delegation[0]["id"] if isinstance(delegation, list) else delegation["id"]
        source = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/funding-sources",
                json={
                    "name": "旧改补贴",
                    "kind": "subsidy",
                    "budget_fen": 4_000_000,
                    "eligible_work_ids": [work["id"]],
                },
                headers=committee,
            )
        )
        plan = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/funding-plans",
                json={"resident_band": ["0.20", "0.30"]},
                headers=bearer(world.own["treasurer"]),
            )
        )
        ledger = await _ledger(http, world, plan["id"], households_a[0])
        problems = []
        for title in ("楼道照明", "楼道灯不亮"):  # a common problem and its duplicate (issue 18)
            problems.append(
                await _ok(
                    await http.post(
                        f"/api/estates/{estate_a}/problems",
                        json={
                            "title": title,
                            "category": "facilities",
                            "urgency": "urgent",
                            "difficulty": "easy",
                            "suggestion_ids": [],
                        },
                        headers=committee,
                    )
                )
            )
        wish = await _ok(  # a small wish of own:owner's unit, and own:partner's pledge
            await http.post(
                f"/api/estates/{estate_a}/wishes",
                json={"text": "楼道装扶手", "category": "facilities"},
                headers=bearer(world.own["owner"]),
            )
        )
        pledge = await _ok(
            await http.post(
                f"/api/works/{work['id']}/pledges",
                json={"amount_fen": 500_000, "note": "共建支持"},
                headers=bearer(world.own["partner"]),
            )
        )
        # settlement (issue 19): an awarded work with a proposed variation; the world's plan
        # approved, and a version of its final accounts approved
        roof = await awarded_work(http, admin, world.own["committee"], estate_a, "屋面防水")
        variation = await _ok(
            await http.post(
                f"/api/works/{roof}/variations",
                json={"amount_fen": 100_000, "reason": "增加检修口"},
                headers=committee,
            )
        )
        treasurer = bearer(world.own["treasurer"])  # the plan was approved by _ledger above
        final = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/final-accounts",
                json={
                    "plan_id": plan["id"],
                    "final_costs": [{"work_id": work["id"], "cost_fen": 4_800_000}],
                },
                headers=treasurer,
            )
        )
        await _ok(
            await http.post(f"/api/final-accounts/{final['id']}/approve", headers=treasurer), 200
        )
        choice_work = await _ok(  # a candidate work and an open choice round (issue 18)
            await http.post(
                f"/api/estates/{estate_a}/works",
                json={
                    "title": "加装电梯",
                    "category": "facilities",
                    "estimate_fen": 800_000,
                    "status": "candidate",
                },
                headers=committee,
            )
        )
        choice_round = await _ok(
            await http.post(
                f"/api/estates/{estate_a}/choice-rounds",
                json={"title": "选项目", "budget_fen": 1_000_000, "work_ids": [choice_work["id"]]},
                headers=committee,
            )
        )
        await _ok(
            await http.post(f"/api/choice-rounds/{choice_round['id']}/open", headers=committee),
            200,
        )
        needs = await _needs(http, world, estate_a)
        # works delivery (issue 19): a work in progress with a milestone and an acceptance
        # opened with one defect
        delivery_work = await delivered_work(
            http, admin, world.own["committee"], estate_a, title="屋面防水", status="in_progress"
        )
        milestone = await _ok(
            await http.post(
                f"/api/works/{delivery_work}/milestones",
                json={
                    "title": "防水层施工",
                    "planned": "2026-Q2",
                    "responsible_unit": "湘江建设 项目部",
                    "responsible_person": "王工",
                },
                headers=committee,
            )
        )
        acceptance = await _ok(
            await http.post(
                f"/api/works/{delivery_work}/acceptance",
                json={"defects": [{"description": "顶层渗水"}]},
                headers=committee,
            )
        )
        auction = await _auction(http, world, estate_a, suppliers)
        district = await _ok(  # a district member reading estate A (issue 21)
            await http.post(
                "/api/district-members",
                json={"display_name": "街道办", "estate_ids": [estate_a], "level": "subdistrict"},
                headers=bearer(admin),
            )
        )
        world.district = district["token"]
        world.ids = {
            "estate_id": estate_a,
            "district_member_id": district["member_id"],
            "work_id": work["id"],
            "quote_id": quote["id"],
            "meeting_id": meeting["id"],
            "motion_id": motion["id"],
            "consultation_id": consultation["id"],
            "delegation_id": delegation_id,
            "member_id": target["member_id"],
            "plan_id": plan["id"],
            "source_id": source["id"],
            "supplier_a1": suppliers["a1"],
            "supplier_a2": suppliers["a2"],
            "household_id": households_a[0],  # owned by own:owner
            "building_id": building_a,
            "problem_id": problems[0]["id"],
            "problem_dup_id": problems[1]["id"],
            "wish_id": wish["id"],
            "pledge_id": pledge["id"],
            "variation_id": variation["id"],
            "final_id": final["id"],
            **ledger,
            "choice_work_id": choice_work["id"],
            "auction_work_id": auction["work_id"],
            "auction_id": auction["auction_id"],
            "choice_round_id": choice_round["id"],
            **needs,
            "delivery_work_id": delivery_work,
            "milestone_id": milestone["id"],
            "acceptance_id": acceptance["id"],
            "defect_id": acceptance["defects"][0]["id"],
        }
        return world


async def _auction(
    http: httpx.AsyncClient, world: World, estate_id: int, suppliers: dict[str, int]
) -> dict[str, Any]:
    """Issue 20: a work quoted by both suppliers of A (own:supplier, other_supplier) and a
    live reverse auction among them scheduled for tomorrow."""
    committee = bearer(world.own["committee"])
    work = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/works",
            json={"title": "竞价工程", "category": "power", "estimate_fen": 5_000_000},
            headers=committee,
        )
    )
    await _ok(
        await http.post(
            f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=committee
        ),
        200,
    )
    for key, token in (("a1", world.own["supplier"]), ("a2", world.other_supplier)):
        await _ok(
            await http.post(
                f"/api/works/{work['id']}/invitations",
                json={"supplier_id": suppliers[key]},
                headers=committee,
            )
        )
        await _ok(
            await http.post(
                f"/api/works/{work['id']}/quotes", json={"lines": LINES}, headers=bearer(token)
            )
        )
    return dict(
        await _ok(
            await http.post(
                f"/api/works/{work['id']}/auctions",
                json={"turn_seconds": 60, "starts_in_seconds": 86_400},
                headers=committee,
            )
        )
    )


async def _needs(http: httpx.AsyncClient, world: World, estate_id: int) -> dict[str, int]:
    """Issue 18's intake: the owner's photo and suggestion, the committee's paper one, an
    open questionnaire round."""
    owner, committee = bearer(world.own["owner"]), bearer(world.own["committee"])
    await _ok(
        await http.post(
            f"/api/estates/{estate_id}/suggestion-photos",
            content=PHOTO,
            headers={**owner, "content-type": "image/jpeg"},
        )
    )
    suggestion = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/suggestions",
            json={
                "text": "楼道灯坏了",
                "category": "facilities",
                "photo_sha256": hashlib.sha256(PHOTO).hexdigest(),
            },
            headers=owner,
        )
    )
    paper = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/suggestions",
            json={"text": "希望增加充电桩", "category": "facilities", "sheet_no": "W-1"},
            headers=committee,
        )
    )
    questionnaire = await _ok(
        await http.post(
            f"/api/estates/{estate_id}/questionnaires",
            json={"title": "居民需求问卷", "questions": QUESTIONS},
            headers=committee,
        )
    )
    await _ok(
        await http.post(f"/api/questionnaires/{questionnaire['id']}/publish", headers=committee),
        200,
    )
    return {
        "suggestion_id": suggestion["id"],
        "suggestion_b": paper["id"],
        "questionnaire_id": questionnaire["id"],
    }


@dataclass
class Served:
    """The app serving a populated world: what ``serve_world`` yields."""

    base_url: str
    app: Litestar
    world: World
    database_url: str


@asynccontextmanager
async def serve_world(database_url: str, data_dir: Path) -> AsyncIterator[Served]:
    """The app under uvicorn in this process (real HTTP and WebSocket) on ``database_url``
    (migrated at start-up), with a world built through its API."""
    settings = Settings(database_url=database_url, data_dir=data_dir)
    async with running_app(settings) as (base_url, app):
        world = await build_world(base_url, app.state.new_admin_token)
        yield Served(base_url, app, world, database_url)


def token_for(world: World, who: str) -> str | None:
    """'own:<role>', 'other:<role>', 'other_supplier', 'global_admin' or 'anonymous'."""
    if who == "anonymous":
        return None
    if who == "global_admin":
        return world.admin
    if who == "other_supplier":
        return world.other_supplier
    side, role = who.split(":")
    return (world.own if side == "own" else world.other)[role]
