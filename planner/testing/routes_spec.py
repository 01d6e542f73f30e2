"""How to call every route of the app with a valid request, for the authorisation matrix.

``REQUESTS`` maps (method, path template as Litestar lists it) to a body factory; path
parameters are filled from ``World.ids`` (all things live in estate A).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute, WebSocketRoute

from planner.testing.world import LINES, PHOTO, World

Body = Callable[[World], Any]

CSV = (
    "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n9栋,901,9,70.00,Z,业主Z,\n"
)


#: Path parameters that are text, not ids: a sheet code (not the service's: 400 past the
#: guard) and the hash of the world's photo.
TEXT_PARAMS = {"code": "23AB-CDEF-GHJK-MNPQ", "sha256": hashlib.sha256(PHOTO).hexdigest()}


def _none(_: World) -> None:
    return None


REQUESTS: dict[tuple[str, str], Body] = {
    # reads
    ("GET", "/health"): _none,
    ("GET", "/metrics"): _none,
    ("GET", "/ready"): _none,
    ("GET", "/api/me"): _none,
    ("GET", "/api/estates"): _none,
    ("GET", "/api/estates/{estate_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/members"): _none,
    ("GET", "/api/estates/{estate_id:int}/buildings"): _none,
    ("GET", "/api/estates/{estate_id:int}/households"): _none,
    ("GET", "/api/estates/{estate_id:int}/works"): _none,
    ("GET", "/api/works/{work_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/suppliers"): _none,
    ("GET", "/api/works/{work_id:int}/invitations"): _none,
    ("GET", "/api/works/{work_id:int}/quotes"): _none,
    ("GET", "/api/works/{work_id:int}/comparison"): _none,
    ("GET", "/api/works/{work_id:int}/reference-prices"): _none,
    ("GET", "/api/quotes/{quote_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/meetings"): _none,
    ("GET", "/api/meetings/{meeting_id:int}"): _none,
    ("GET", "/api/rule-sets"): _none,
    ("GET", "/api/estates/{estate_id:int}/problems"): _none,
    ("GET", "/api/problems/{problem_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/board"): _none,
    ("GET", "/api/estates/{estate_id:int}/board.html"): _none,
    ("GET", "/api/estates/{estate_id:int}/board.csv"): _none,
    ("GET", "/api/estates/{estate_id:int}/consultations"): _none,
    ("GET", "/api/consultations/{consultation_id:int}"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/notice.html"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/announcement.html"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/turnout"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/deliveries"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/unreached.html"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/sheets"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/sheets.html"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/paper-entries"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/paper-entries/{code:str}"): _none,
    ("GET", "/api/consultations/{consultation_id:int}/conflicts"): _none,
    ("GET", "/api/estates/{estate_id:int}/photos/{sha256:str}"): _none,
    ("GET", "/api/meetings/{meeting_id:int}/motions"): _none,
    ("GET", "/api/meetings/{meeting_id:int}/minutes"): _none,
    ("GET", "/api/meetings/{meeting_id:int}/minutes.html"): _none,
    ("GET", "/api/meetings/{meeting_id:int}/presence"): _none,
    ("GET", "/api/motions/{motion_id:int}"): _none,
    ("GET", "/api/motions/{motion_id:int}/tally"): _none,
    # the world's consultation is open or noticed: the record is 409 past the guard
    ("GET", "/api/consultations/{consultation_id:int}/record"): _none,
    ("GET", "/api/motions/{motion_id:int}/receipts"): _none,
    ("GET", "/api/motions/{motion_id:int}/ballots"): _none,
    ("GET", "/api/motions/{motion_id:int}/ballots/mine"): _none,
    ("GET", "/api/estates/{estate_id:int}/delegations"): _none,
    ("GET", "/api/estates/{estate_id:int}/funding-sources"): _none,
    ("GET", "/api/estates/{estate_id:int}/funding-plans"): _none,
    ("GET", "/api/estates/{estate_id:int}/funding-plans/work-choices"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/export.csv"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/export.xlsx"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/notices"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/notices/{household_id:int}"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/payments"): _none,
    ("PUT", "/api/funding-plans/{plan_id:int}/payments/{household_id:int}"): lambda w: {
        "paid_fen": 100
    },
    ("GET", "/api/funding-plans/{plan_id:int}/payment-instructions"): _none,
    ("PUT", "/api/funding-plans/{plan_id:int}/payment-instructions"): lambda w: {
        "due_date": "2027-01-31",
        "payee": "业主委员会",
        "how_to_pay": "物业服务中心收款",
    },
    # the collection ledger (issue 19)
    ("GET", "/api/funding-plans/{plan_id:int}/ledger"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/balances"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/arrears"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/arrears.csv"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/arrears.html"): _none,
    ("GET", "/api/ledger/{entry_id:int}/receipt.html"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/bank-statements/{statement_id:int}"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/ledger.csv"): _none,
    ("GET", "/api/funding-plans/{plan_id:int}/ledger.xlsx"): _none,
    ("POST", "/api/funding-plans/{plan_id:int}/ledger"): lambda w: {
        "household_id": w.ids["household_id"],
        "amount_fen": 500,
        "channel": "wechat",
        "receipt_no": "W-0002",
        "paid_on": "2026-11-05",
    },
    ("POST", "/api/funding-plans/{plan_id:int}/bank-statements"): lambda w: (
        "date,amount,memo,bank_tx_id\n2026-11-04,5.00,?,W-B002\n"
    ),
    ("POST", "/api/funding-plans/{plan_id:int}/bank-lines/{line_id:int}/assign"): lambda w: {
        "household_id": w.ids["household_id"]
    },
    ("POST", "/api/ledger/{entry_id:int}/reverse"): lambda w: {"reason": "重复登记"},
    # changes
    ("POST", "/api/estates"): lambda w: {"name": "新小区"},
    ("POST", "/api/estates/{estate_id:int}/members"): lambda w: {
        "role": "observer",
        "display_name": "matrix",
    },
    ("POST", "/api/estates/{estate_id:int}/buildings"): lambda w: {"name": "matrix栋"},
    ("POST", "/api/estates/{estate_id:int}/households/import"): lambda w: CSV,
    ("POST", "/api/estates/{estate_id:int}/works"): lambda w: {
        "title": "屋面防水",
        "category": "roof",
    },
    ("POST", "/api/estates/{estate_id:int}/suppliers"): lambda w: {"name": "matrix 供应商"},
    ("POST", "/api/works/{work_id:int}/invitations"): lambda w: {
        "supplier_id": w.ids["supplier_a2"]
    },
    ("PATCH", "/api/estates/{estate_id:int}"): lambda w: {"time_zone": "Asia/Shanghai"},
    ("PATCH", "/api/works/{work_id:int}"): lambda w: {"estimate_fen": 3_900_000},
    ("PUT", "/api/works/{work_id:int}/reference-prices"): lambda w: {
        "lines": [{"description": "电缆", "unit_price_fen": 25_000}]
    },
    ("POST", "/api/works/{work_id:int}/quotes"): lambda w: {"lines": LINES},
    ("POST", "/api/quotes/{quote_id:int}/rounds"): lambda w: {"based_on_round": 1, "lines": LINES},
    ("POST", "/api/quotes/{quote_id:int}/counter-offers"): lambda w: {
        "note": "请再降价",
        "target_total_fen": 3_000_000,
    },
    ("POST", "/api/estates/{estate_id:int}/meetings"): lambda w: {
        "title": "楼栋议事会",
        "kind": "building_meeting",
    },
    ("POST", "/api/estates/{estate_id:int}/consultations"): lambda w: {
        "title": "书面征求意见 matrix",
        "opens_at": "2030-01-10T09:00:00+08:00",
        "closes_at": "2030-01-20T18:00:00+08:00",
    },
    # a published consultation: the committee's changes are 409 past the guard
    ("PATCH", "/api/consultations/{consultation_id:int}"): lambda w: {"title": "改名"},
    ("POST", "/api/consultations/{consultation_id:int}/motions"): lambda w: {
        "title": "另一事项",
        "matter": 9,
    },
    ("POST", "/api/consultations/{consultation_id:int}/deliveries"): lambda w: {
        "household_id": w.households_a[0],
        "channel": "paper",
    },
    ("POST", "/api/consultations/{consultation_id:int}/publish"): _none,
    # before the opening: 409 past the guard
    ("POST", "/api/consultations/{consultation_id:int}/paper-entries"): lambda w: {
        "code": TEXT_PARAMS["code"],
        "choices": [{"motion_id": 1, "choice": "yes"}],
    },
    ("POST", "/api/estates/{estate_id:int}/photos"): lambda w: PHOTO,
    ("POST", "/api/consultations/{consultation_id:int}/close"): _none,
    ("POST", "/api/consultations/{consultation_id:int}/announce"): _none,
    ("POST", "/api/meetings/{meeting_id:int}/motions"): lambda w: {
        "title": "更换摄像头",
        "matter": 9,
    },
    ("POST", "/api/motions/{motion_id:int}/ballots"): lambda w: {"choice": "yes"},
    ("POST", "/api/estates/{estate_id:int}/delegations"): lambda w: {
        "household_ids": [w.households_a[2]],
        "proxy_member_id": w.ids["member_id"],
        "reference": "委托书 matrix",
    },
    ("POST", "/api/estates/{estate_id:int}/funding-sources"): lambda w: {
        "name": "维修资金",
        "kind": "maintenance_fund",
        "budget_fen": 100_000,
    },
    ("POST", "/api/estates/{estate_id:int}/funding-plans"): lambda w: {
        "resident_band": ["0.20", "0.30"]
    },
    ("POST", "/api/estates/{estate_id:int}/funding-plans/preview"): lambda w: {
        "resident_band": ["0.20", "0.30"]
    },
    ("PATCH", "/api/funding-sources/{source_id:int}"): lambda w: {"budget_fen": 4_500_000},
    ("POST", "/api/delegations/{delegation_id:int}/revoke"): _none,
    ("POST", "/api/members/{member_id:int}/revoke"): _none,
    ("DELETE", "/api/members/{member_id:int}/revocation-request"): _none,
    ("POST", "/api/funding-plans/{plan_id:int}/approve"): _none,
    ("POST", "/api/meetings/{meeting_id:int}/open"): _none,
    ("POST", "/api/motions/{motion_id:int}/open"): _none,
    ("POST", "/api/works/{work_id:int}/status"): lambda w: {"status": "quoting"},
    ("POST", "/api/quotes/{quote_id:int}/award"): lambda w: {"round": 1},
    ("POST", "/api/motions/{motion_id:int}/close"): _none,
    ("GET", "/api/estates/{estate_id:int}/choice-rounds"): _none,
    ("GET", "/api/choice-rounds/{choice_round_id:int}"): _none,
    ("GET", "/api/choice-rounds/{choice_round_id:int}/record"): _none,
    ("GET", "/api/choice-rounds/{choice_round_id:int}/mine"): _none,
    ("POST", "/api/estates/{estate_id:int}/choice-rounds"): lambda w: {
        "title": "选项目",
        "budget_fen": 1_000_000,
        "work_ids": [w.ids["choice_work_id"]],
    },
    ("POST", "/api/choice-rounds/{choice_round_id:int}/open"): _none,
    ("POST", "/api/choice-rounds/{choice_round_id:int}/approvals"): lambda w: {
        "work_ids": [w.ids["choice_work_id"]]
    },
    ("POST", "/api/choice-rounds/{choice_round_id:int}/paper-approvals"): lambda w: {
        "household_id": w.households_a[3],
        "work_ids": [w.ids["choice_work_id"]],
        "sheet_no": "CR-1",
    },
    ("POST", "/api/choice-rounds/{choice_round_id:int}/close"): _none,
    ("POST", "/api/meetings/{meeting_id:int}/close"): _none,
    # needs intake (issue 18)
    ("GET", "/api/estates/{estate_id:int}/suggestions"): _none,
    ("GET", "/api/estates/{estate_id:int}/suggestions/mine"): _none,
    ("GET", "/api/suggestions/{suggestion_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/suggestion-photos/{sha256:str}"): _none,
    ("GET", "/api/estates/{estate_id:int}/questionnaires"): _none,
    ("GET", "/api/questionnaires/{questionnaire_id:int}"): _none,
    ("GET", "/api/questionnaires/{questionnaire_id:int}/results"): _none,
    ("POST", "/api/estates/{estate_id:int}/suggestions"): lambda w: {
        "text": "电梯经常停运",
        "category": "facilities",
    },
    ("POST", "/api/estates/{estate_id:int}/suggestion-photos"): lambda w: PHOTO,
    ("PATCH", "/api/suggestions/{suggestion_id:int}"): lambda w: {"urgency": "urgent"},
    ("POST", "/api/suggestions/{suggestion_id:int}/duplicate"): lambda w: {
        "of": w.ids["suggestion_b"]
    },
    ("POST", "/api/estates/{estate_id:int}/questionnaires"): lambda w: {
        "title": "问卷",
        "questions": [{"text": "您的意见建议", "kind": "text", "suggestion": True}],
    },
    ("POST", "/api/questionnaires/{questionnaire_id:int}/answers"): lambda w: {
        "answers": [[0], "小区需要更多座椅"]
    },
    ("POST", "/api/questionnaires/{questionnaire_id:int}/answers/import"): lambda w: (
        "编号,问题1,意见建议\nM-1,满意,希望修缮路面\n"
    ),
    ("POST", "/api/questionnaires/{questionnaire_id:int}/publish"): _none,
    ("POST", "/api/questionnaires/{questionnaire_id:int}/close"): _none,
    ("POST", "/api/estates/{estate_id:int}/problems"): lambda w: {
        "title": "楼道灯",
        "category": "facilities",
        "urgency": "urgent",
        "difficulty": "easy",
        "suggestion_ids": [],
    },
    ("POST", "/api/problems/{problem_id:int}/merge"): lambda w: {
        "problem_ids": [w.ids["problem_dup_id"]]
    },
    ("POST", "/api/problems/{problem_id:int}/support"): _none,
    ("DELETE", "/api/problems/{problem_id:int}/support"): _none,
    ("POST", "/api/problems/{problem_id:int}/work"): lambda w: {"estimate_fen": 500_000},
    ("POST", "/api/problems/{problem_id:int}/status"): lambda w: {"status": "listed"},
    # small wishes and pledges (issue 18)
    ("GET", "/api/estates/{estate_id:int}/wishes"): _none,
    ("GET", "/api/estates/{estate_id:int}/wishes/summary"): _none,
    ("GET", "/api/wishes/{wish_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/pledges"): _none,
    ("POST", "/api/estates/{estate_id:int}/wishes"): lambda w: {
        "text": "需要一台轮椅",
        "household_id": w.households_a[0],
        "category": "health",
    },
    ("POST", "/api/wishes/{wish_id:int}/release"): _none,
    ("POST", "/api/wishes/{wish_id:int}/claim"): _none,
    ("POST", "/api/wishes/{wish_id:int}/fulfil"): lambda w: {"note": "已送达"},
    ("POST", "/api/wishes/{wish_id:int}/confirm"): _none,
    ("POST", "/api/wishes/{wish_id:int}/cancel"): _none,
    ("POST", "/api/works/{work_id:int}/pledges"): lambda w: {"amount_fen": 100_000},
    ("POST", "/api/pledges/{pledge_id:int}/withdraw"): _none,
    # works delivery (issue 19)
    ("GET", "/api/works/{work_id:int}/milestones"): _none,
    ("GET", "/api/estates/{estate_id:int}/timeline"): _none,
    ("GET", "/api/estates/{estate_id:int}/timeline.html"): _none,
    ("GET", "/api/works/{work_id:int}/acceptance"): _none,
    ("GET", "/api/works/{work_id:int}/acceptance.html"): _none,
    ("POST", "/api/works/{work_id:int}/milestones"): lambda w: {
        "title": "验收准备",
        "planned": "2026-H1",
        "responsible_unit": "金桂苑物业服务中心",
        "responsible_person": "李经理",
    },
    ("PATCH", "/api/milestones/{milestone_id:int}"): lambda w: {"responsible_person": "赵工"},
    ("POST", "/api/milestones/{milestone_id:int}/progress"): lambda w: {
        "percent": 40,
        "note": "防水层完成四成",
    },
    ("POST", "/api/works/{work_id:int}/acceptance"): lambda w: {"defects": []},
    ("POST", "/api/defects/{defect_id:int}/recheck"): lambda w: {"fixed": True, "note": "已整改"},
    ("POST", "/api/acceptances/{acceptance_id:int}/sign"): _none,
    ("POST", "/api/acceptances/{acceptance_id:int}/complete"): _none,
    ("POST", "/logout"): _none,
    ("GET", "/login"): _none,
    ("POST", "/login"): _none,
    # settlement (issue 19)
    ("GET", "/api/works/{work_id:int}/variations"): _none,
    ("GET", "/api/variations/{variation_id:int}"): _none,
    ("GET", "/api/estates/{estate_id:int}/final-accounts"): _none,
    ("GET", "/api/final-accounts/{final_id:int}"): _none,
    ("GET", "/api/final-accounts/{final_id:int}/mine"): _none,
    ("POST", "/api/works/{work_id:int}/variations"): lambda w: {
        "amount_fen": 50_000,
        "reason": "增加检修口",
        "lines": [{"description": "检修口", "unit": "个", "quantity": 1, "unit_price_fen": 50_000}],
    },
    ("POST", "/api/variations/{variation_id:int}/approve"): _none,
    ("POST", "/api/variations/{variation_id:int}/reject"): lambda w: {"reason": "与合同不符"},
    ("POST", "/api/estates/{estate_id:int}/final-accounts"): lambda w: {
        "plan_id": w.ids["plan_id"],
        "final_costs": [{"work_id": w.ids["work_id"], "cost_fen": 4_800_000}],
    },
    ("POST", "/api/final-accounts/{final_id:int}/approve"): _none,
    ("GET", "/api/final-accounts/{final_id:int}/export.csv"): _none,
    ("GET", "/api/final-accounts/{final_id:int}/export.xlsx"): _none,
    ("GET", "/api/final-accounts/{final_id:int}/notices"): _none,
    ("GET", "/api/final-accounts/{final_id:int}/notices/{household_id:int}"): _none,
    # disclosure (issue 19)
    ("GET", "/api/estates/{estate_id:int}/disclosure"): _none,
    ("GET", "/api/estates/{estate_id:int}/disclosure.html"): _none,
    ("POST", "/api/estates/{estate_id:int}/disclosure/publish"): _none,
    # the district (issue 21)
    ("GET", "/api/district/overview"): _none,
    ("GET", "/api/district/overview.csv"): _none,
    ("GET", "/api/district/overview.xlsx"): _none,
    ("GET", "/api/district-members"): _none,
    ("POST", "/api/district-members"): lambda w: {
        "display_name": "社区 matrix",
        "estate_ids": [w.estate_a],
    },
    ("PUT", "/api/district-members/{district_member_id:int}/estates"): lambda w: {
        "estate_ids": [w.estate_a]
    },
    ("POST", "/api/district-members/{district_member_id:int}/revoke"): _none,
}

#: Routes outside the member API: pages, static files, the schema. Anyone may fetch them.
PUBLIC_PAGES = {
    ("GET", "/"),
    ("GET", "/{file_path:path}"),
    ("HEAD", "/{file_path:path}"),
    ("GET", "/schema"),
    ("GET", "/schema/scalar"),
    ("GET", "/schema/swagger"),
    ("GET", "/schema/{path:str}"),
    ("GET", "/schema/openapi.json"),
    ("GET", "/schema/oauth2-redirect.html"),
    # a consultation's public pages: anyone holding its unguessable token, no sign-in
    # (tests/integration/consultation/test_turnout_public.py)
    ("GET", "/api/public/consultations/{public_token:str}"),
    ("GET", "/api/public/consultations/{public_token:str}/notice.html"),
    ("GET", "/api/public/consultations/{public_token:str}/announcement.html"),
    # the disclosure's public page and notice (issue 19): anyone holding the estate's token
    # (tests/integration/disclosure/test_disclosure.py)
    ("GET", "/api/public/disclosures/{token:str}"),
    ("GET", "/api/public/disclosures/{token:str}/notice.html"),
}

#: Query strings some routes need to get past parameter validation.
QUERIES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("GET", "/api/funding-plans/{plan_id:int}/notices"): lambda w: {
        "building_id": w.ids["building_id"]
    },
    ("GET", "/api/funding-plans/{plan_id:int}/export.csv"): lambda w: {"view": "households"},
}

WEBSOCKETS = {"/ws/estates/{estate_id:int}"}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    """Every (method, path) the app serves (OPTIONS, answered by the framework, aside)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, WebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(route, HTTPRoute):
            found.update((m, route.path) for m in route.methods if m != "OPTIONS")
    return found


_PARAM = re.compile(r"\{(\w+):\w+\}")


#: Paths whose parameter names another world thing than its own name (works delivery, issue
#: 19: the world's work in progress, not the work still quoting).
PATH_IDS: dict[str, dict[str, str]] = {
    path: {"work_id": "delivery_work_id"}
    for path in (
        "/api/works/{work_id:int}/milestones",
        "/api/works/{work_id:int}/acceptance",
        "/api/works/{work_id:int}/acceptance.html",
    )
}


def fill(path: str, world: World, ids: dict[str, int] | None = None) -> str:
    """The path with its parameters from ``ids`` (default: the world's, all in estate A)."""
    found = world.ids if ids is None else ids
    alias = PATH_IDS.get(path, {})
    return _PARAM.sub(
        lambda m: TEXT_PARAMS.get(m.group(1)) or str(found[alias.get(m.group(1), m.group(1))]),
        path,
    )


#: An id no table holds (within bigint): the "does not exist" twin of every world id.
MISSING_ID = 9_000_000_001


def missing_ids(world: World) -> dict[str, int]:
    """Every path parameter of the world pointing at nothing."""
    return dict.fromkeys(world.ids, MISSING_ID)


async def call(
    http: httpx.AsyncClient,
    world: World,
    route: tuple[str, str],
    headers: dict[str, str],
    ids: dict[str, int] | None = None,
) -> httpx.Response:
    """The route's valid request (``REQUESTS`` body, ``QUERIES`` query) with ``headers``;
    ``ids`` fill the path instead of the world's (the body and query stay the same)."""
    method, path = route
    body = REQUESTS[route](world)
    query = QUERIES[route](world) if route in QUERIES else None
    url = fill(path, world, ids)
    if isinstance(body, bytes):
        return await http.request(
            method, url, content=body, headers={**headers, "content-type": "image/jpeg"}
        )
    if isinstance(body, str):
        return await http.request(
            method,
            url,
            content=body.encode(),
            params=query,
            headers={**headers, "content-type": "text/csv"},
        )
    return await http.request(method, url, json=body, params=query, headers=headers)
