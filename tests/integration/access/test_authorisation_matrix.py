"""Every route × every role × own/other estate (and own/other supplier): the status per cell.

Columns (``WHO``): the six roles as members of estate A (which holds every thing the
requests touch), the six roles as members of estate B, a second supplier's negotiator
in A (invited to the same work, not the quote's owner), the global admin, nobody.

Cells: ``ok`` means the guard let the caller through: a 2xx, or a 400/409/422 about the
request or the thing's state (earlier allowed cells change state: the second award of
a superseded round is 409, a second close is 409); never 401/403/404 and never 5xx.
``403`` refused for the role (in one's own estate, or before any id is read); ``404``
hidden: another estate's things (the answer a missing id gets, see test_hidden_estates),
another supplier's quote, prices a supplier must not know exist; ``401`` not signed in.

Rows run in table order on one world, reads first, then changes, the most final
changes (award, close) last. A route the app serves but this table does not list fails
the test: new routes must be added here with their policy.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from planner.app import create_app
from planner.settings import Settings
from planner.testing import ROLES, Served, World, audit_verify, bearer, token_for
from planner.testing.routes_spec import PUBLIC_PAGES, REQUESTS, WEBSOCKETS, app_routes, call, fill

pytestmark = pytest.mark.timeout(120)

WHO = (
    *(f"own:{r}" for r in ROLES),
    *(f"other:{r}" for r in ROLES),
    "other_supplier",
    "global_admin",
    "anonymous",
)

# own: admin committee owner supplier treasurer observer partner | other: same seven |
# other_supplier, global_admin, anonymous
# fmt: off
MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/health"):                                      "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok",  # noqa: E501
    ("GET", "/metrics"):                                     "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok",  # noqa: E501
    ("GET", "/ready"):                                       "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok",  # noqa: E501
    ("GET", "/api/me"):                                      "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok 401",  # noqa: E501
    ("GET", "/api/estates"):                                 "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}"):                 "  ok  ok  ok  ok  ok  ok  ok 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/members"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/buildings"):       "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/households"):      "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/works"):           "  ok  ok  ok  ok  ok  ok  ok 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}"):                     "  ok  ok  ok  ok  ok  ok  ok 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/suppliers"):       "  ok  ok  ok  ok  ok  ok 403 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/invitations"):         "  ok  ok 403  ok  ok  ok 403 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/quotes"):              "  ok  ok 403  ok  ok  ok 403 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/comparison"):          "  ok  ok 403  ok  ok  ok 403 404 404 404 404 404 404 404  ok  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/reference-prices"):    "  ok  ok 403 404  ok  ok 403 404 404 404 404 404 404 404 404  ok 401",  # noqa: E501
    ("GET", "/api/quotes/{quote_id:int}"):                   "  ok  ok 403  ok  ok  ok 403 404 404 404 404 404 404 404 404  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/meetings"):        "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/meetings/{meeting_id:int}"):               "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/meetings/{meeting_id:int}/motions"):       "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/meetings/{meeting_id:int}/minutes"):       "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/meetings/{meeting_id:int}/minutes.html"):  "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/meetings/{meeting_id:int}/presence"):      "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/motions/{motion_id:int}"):                 "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/motions/{motion_id:int}/tally"):           "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/record"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/motions/{motion_id:int}/ballots/mine"):    "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/motions/{motion_id:int}/receipts"):        "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/motions/{motion_id:int}/ballots"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/delegations"):     "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/funding-sources"): "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/funding-plans"):   "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/funding-plans/work-choices"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}"):             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/export.csv"):  "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/export.xlsx"): "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/notices"):     "  ok  ok 403 403  ok 403 403 404 404 403 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/notices/{household_id:int}"):
                                                             "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # owners: their own households only
    ("GET", "/api/funding-plans/{plan_id:int}/payments"):    "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/payment-instructions"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PUT", "/api/funding-plans/{plan_id:int}/payment-instructions"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PUT", "/api/funding-plans/{plan_id:int}/payments/{household_id:int}"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # the collection ledger (issue 19): owners read their own households' lines only
    ("GET", "/api/funding-plans/{plan_id:int}/ledger"):
                                                             "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/balances"):
                                                             "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/ledger/{entry_id:int}/receipt.html"):
                                                             "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/arrears"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/arrears.csv"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/arrears.html"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/ledger.csv"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/ledger.xlsx"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/funding-plans/{plan_id:int}/bank-statements/{statement_id:int}"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/funding-plans/{plan_id:int}/ledger"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/funding-plans/{plan_id:int}/bank-statements"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/funding-plans/{plan_id:int}/bank-lines/{line_id:int}/assign"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/ledger/{entry_id:int}/reverse"):
                                                             "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # choosing works by equal shares (issue 18): members read; the record is 409 before the close
    ("GET", "/api/estates/{estate_id:int}/choice-rounds"):   "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/choice-rounds/{choice_round_id:int}"):     "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/choice-rounds/{choice_round_id:int}/record"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/choice-rounds/{choice_round_id:int}/mine"):
                                                             "  ok  ok  ok 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates"):                                " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/members"):        "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/buildings"):      "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/households/import"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/works"):          "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/suppliers"):      "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/invitations"):        "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/works/{work_id:int}"):                   "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PUT", "/api/works/{work_id:int}/reference-prices"):    "  ok  ok 403 404 403 403 403 404 404 404 404 404 404 404 404  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/quotes"):             " 403 403 403  ok 403 403 403 403 403 403 404 403 403 403  ok 403 401",  # noqa: E501
    ("POST", "/api/quotes/{quote_id:int}/rounds"):           " 403 403 403  ok 403 403 403 403 403 403 404 403 403 403 404 403 401",  # noqa: E501
    ("POST", "/api/quotes/{quote_id:int}/counter-offers"):   "  ok  ok 403 404 403 403 403 404 404 404 404 404 404 404 404  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/meetings"):       "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/meetings/{meeting_id:int}/motions"):      "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # committee votes as the proxy of the delegated unit; admins and staff own no unit
    ("POST", "/api/motions/{motion_id:int}/ballots"):        " 403  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/delegations"):    "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/funding-sources"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/funding-plans"):  "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/funding-plans/preview"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/estates/{estate_id:int}"):               "  ok 403 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/funding-sources/{source_id:int}"):       "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/delegations/{delegation_id:int}/revoke"): "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/members/{member_id:int}/revoke"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # no request is pending for the (revoked) member: 409, past the guard; ranks: below
    ("DELETE", "/api/members/{member_id:int}/revocation-request"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/funding-plans/{plan_id:int}/approve"):    "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/meetings/{meeting_id:int}/open"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/motions/{motion_id:int}/open"):           "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/status"):             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/quotes/{quote_id:int}/award"):            "  ok  ok 403 404 403 403 403 404 404 404 404 404 404 404 404  ok 401",  # noqa: E501
    ("POST", "/api/motions/{motion_id:int}/close"):          "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/meetings/{meeting_id:int}/close"):        "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # choice rounds: the committee's; approvals need a unit (403 choice_no_unit without one);
    # the round is open already (409 past the guard), the paper sheet's number is taken after
    # the first entry (409)
    ("POST", "/api/estates/{estate_id:int}/choice-rounds"):  "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/choice-rounds/{choice_round_id:int}/open"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/choice-rounds/{choice_round_id:int}/approvals"):
                                                             " 403 403  ok 403 403 403 403 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/choice-rounds/{choice_round_id:int}/paper-approvals"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/choice-rounds/{choice_round_id:int}/close"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/rule-sets"):                           "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok 401",  # noqa: E501
    # common problems (issue 18): members read them (sources: staff); the board: partners too
    ("GET", "/api/estates/{estate_id:int}/problems"):        "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/problems/{problem_id:int}"):               "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/board"):           "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/board.html"):      "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/board.csv"):       "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/consultations"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}"): "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # the notice and turnout: members; the announcement: 409 before the close, past the guard
    ("GET", "/api/consultations/{consultation_id:int}/notice.html"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/announcement.html"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/turnout"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/deliveries"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/unreached.html"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/consultations"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/consultations/{consultation_id:int}"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/motions"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/deliveries"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/publish"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/close"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/announce"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # paper ballots (capability paper.enter): the committee's and the admin's
    ("GET", "/api/consultations/{consultation_id:int}/sheets"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/sheets.html"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/paper-entries"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/paper-entries/{code:str}"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/consultations/{consultation_id:int}/conflicts"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/photos/{sha256:str}"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # a photo of a sheet; an entry before the opening (409 past the guard)
    ("POST", "/api/estates/{estate_id:int}/photos"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/consultations/{consultation_id:int}/paper-entries"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # needs intake (issue 18): owners submit and read their own; staff read the triage list;
    # the committee triages and runs questionnaire rounds (publish: 409 past the guard)
    ("GET", "/api/estates/{estate_id:int}/suggestions"):     "  ok  ok 403 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/suggestions/mine"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/suggestions/{suggestion_id:int}"):         "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/suggestion-photos/{sha256:str}"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/questionnaires"):  "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/questionnaires/{questionnaire_id:int}"):   "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/questionnaires/{questionnaire_id:int}/results"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/suggestions"):    "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/suggestion-photos"):
                                                             "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/suggestions/{suggestion_id:int}"):       "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/suggestions/{suggestion_id:int}/duplicate"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/questionnaires"): "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/questionnaires/{questionnaire_id:int}/publish"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/questionnaires/{questionnaire_id:int}/answers"):
                                                             "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/questionnaires/{questionnaire_id:int}/answers/import"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/questionnaires/{questionnaire_id:int}/close"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # common problems: the committee's changes; "me too" by members (409 without units,
    # past the guard); the world's problem moves listed, then in_progress, then 409
    ("POST", "/api/estates/{estate_id:int}/problems"):       "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/problems/{problem_id:int}/merge"):        "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/problems/{problem_id:int}/support"):      "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("DELETE", "/api/problems/{problem_id:int}/support"):    "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/problems/{problem_id:int}/work"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/problems/{problem_id:int}/status"):       "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # small wishes and pledges (issue 18): partners claim, fulfil and pledge; the
    # resident (an owner of the unit) or the committee confirms; staff read every pledge
    ("GET", "/api/estates/{estate_id:int}/wishes"):          "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/wishes/summary"):  "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/wishes/{wish_id:int}"):                    "  ok  ok  ok 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/pledges"):         "  ok  ok 403 403  ok  ok  ok 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/wishes"):         "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # release before the claim: 409 past the guard
    ("POST", "/api/wishes/{wish_id:int}/release"):           " 403 403 403 403 403 403  ok 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/wishes/{wish_id:int}/claim"):             " 403 403 403 403 403 403  ok 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/wishes/{wish_id:int}/fulfil"):            " 403 403 403 403 403 403  ok 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/wishes/{wish_id:int}/confirm"):           "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/wishes/{wish_id:int}/cancel"):            "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/pledges"):            " 403 403 403 403 403 403  ok 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    ("POST", "/api/pledges/{pledge_id:int}/withdraw"):       " 403 403 403 403 403 403  ok 404 404 404 404 404 404 404 403 403 401",  # noqa: E501
    # works delivery (issue 19): members read (not suppliers nor partners); the committee
    # plans, records progress and opens acceptance; owner representatives sign too (the
    # world's delivery work has no scope: every owner represents); completing stays 409
    ("GET", "/api/works/{work_id:int}/milestones"):          "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/timeline"):        "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/timeline.html"):   "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/acceptance"):          "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/works/{work_id:int}/acceptance.html"):     "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/milestones"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("PATCH", "/api/milestones/{milestone_id:int}"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/milestones/{milestone_id:int}/progress"): "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/acceptance"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/defects/{defect_id:int}/recheck"):        "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/acceptances/{acceptance_id:int}/sign"):   "  ok  ok  ok 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/acceptances/{acceptance_id:int}/complete"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # settlement (issue 19): members read variations; the committee decides them (the
    # world's first work is not awarded: 409 past the guard); the treasurer runs and approves
    # final accounts (the world's version is approved: 409 past the guard); staff read every
    # line, an owner her own
    ("GET", "/api/works/{work_id:int}/variations"):          "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/variations/{variation_id:int}"):           "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/final-accounts"):  "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/final-accounts/{final_id:int}"):           "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/final-accounts/{final_id:int}/mine"):      "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/works/{work_id:int}/variations"):         "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/variations/{variation_id:int}/approve"):  "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/variations/{variation_id:int}/reject"):   "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/final-accounts"): "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/final-accounts/{final_id:int}/approve"):  "  ok 403 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # final accounts' exports: as the plan's; an owner prints her own unit's notice
    ("GET", "/api/final-accounts/{final_id:int}/export.csv"):"  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/final-accounts/{final_id:int}/export.xlsx"):
                                                             "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/final-accounts/{final_id:int}/notices"):   "  ok  ok 403 403  ok 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/final-accounts/{final_id:int}/notices/{household_id:int}"):
                                                             "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # disclosure (issue 19): every member but suppliers and partners reads it (an owner with
    # her own lines); the committee publishes the public link
    ("GET", "/api/estates/{estate_id:int}/disclosure"):      "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("GET", "/api/estates/{estate_id:int}/disclosure.html"): "  ok  ok  ok 403  ok  ok 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    ("POST", "/api/estates/{estate_id:int}/disclosure/publish"):
                                                             "  ok  ok 403 403 403 403 403 404 404 404 404 404 404 404 403  ok 401",  # noqa: E501
    # the district (issue 21): district staff and the global admin only; estate roles 403
    # (a district member on estate routes: tests/integration/district/test_district_isolation.py)
    ("GET", "/api/district/overview"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("GET", "/api/district/overview.csv"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("GET", "/api/district/overview.xlsx"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("GET", "/api/district-members"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("POST", "/api/district-members"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("PUT", "/api/district-members/{district_member_id:int}/estates"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    ("POST", "/api/district-members/{district_member_id:int}/revoke"):
                                                             " 403 403 403 403 403 403 403 403 403 403 403 403 403 403 403  ok 401",  # noqa: E501
    # signing out needs no identity (idempotent); signing in needs a valid link's token
    ("POST", "/logout"):                                     "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok",  # noqa: E501
    ("GET", "/login"):                                       " 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401",  # noqa: E501
    # the sign-in page's form ignores bearer tokens and cookies: without a pasted link, 401
    ("POST", "/login"):                                      " 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401 401",  # noqa: E501
    # the estate's live stream: close code instead of a status
    ("WS", "/ws/estates/{estate_id:int}"):                   "  ok  ok  ok  ok  ok  ok  ok 4403 4403 4403 4403 4403 4403 4403  ok  ok 4401",  # noqa: E501
}
# fmt: on


def expected_cells(route: tuple[str, str]) -> dict[str, str]:
    cells = MATRIX[route].split()
    assert len(cells) == len(WHO), f"{route}: {len(cells)} cells for {len(WHO)} columns"
    return dict(zip(WHO, cells, strict=True))


def verdict(status: int) -> str:
    return str(status) if status in (401, 403, 404) or status >= 500 else "ok"


async def http_cell(http: httpx.AsyncClient, world: World, route: tuple[str, str], who: str) -> int:
    token = token_for(world, who)
    response = await call(http, world, route, bearer(token) if token else {})
    return response.status_code


async def ws_cell(world: World, path: str, who: str) -> str:
    """'ok' when the stream opens and says it caught up, else the close code."""
    token = token_for(world, who)
    url = world.base_url.replace("http://", "ws://") + fill(path, world)
    if token:
        url += f"?token={token}"
    async with connect(url, open_timeout=10) as ws:
        try:
            async with asyncio.timeout(10):
                while True:
                    frame = await ws.recv()
                    if "caught_up" in str(frame):
                        return "ok"
        except Exception:  # closed by the server: report its code
            return str(ws.close_code)


def test_every_route_has_a_row() -> None:
    served_routes = app_routes(create_app(Settings(database_url="postgresql://unused/none")))
    api = {r for r in served_routes if r not in PUBLIC_PAGES}
    missing = sorted(api - set(MATRIX))
    assert not missing, f"routes without an authorisation row (add them to MATRIX): {missing}"
    for route in MATRIX:
        if route[0] != "WS":
            assert route in REQUESTS, f"{route}: no request recipe in routes_spec.REQUESTS"
    assert {p for m, p in served_routes if m == "WS"} == WEBSOCKETS


async def test_authorisation_matrix(served: Served, tmp_path: Path) -> None:
    """Every cell; afterwards the busy session's event chain still verifies."""
    world = served.world
    served_routes = app_routes(served.app)
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for route in MATRIX:
            if route not in served_routes:
                continue
            cells = expected_cells(route)
            for who in WHO:
                if route[0] == "WS":
                    got = await ws_cell(world, route[1], who)
                else:
                    got = verdict(await http_cell(http, world, route, who))
                if got != cells[who]:
                    wrong.append(f"{route} as {who}: expected {cells[who]}, got {got}")
        for path in ("/", "/schema/openapi.json", "/schema/swagger", "/schema"):
            response = await http.get(path)
            if response.status_code != 200:
                wrong.append(f"public page {path}: {response.status_code}")
    assert not wrong, "authorisation cells that differ:\n" + "\n".join(wrong)
    verified = await asyncio.to_thread(audit_verify, served.database_url, tmp_path / "audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr


# Revocation by rank (issue 15, item 2): admin > committee > everyone else. Each cell is a
# fresh actor revoking a fresh member of estate A (``self``: the actor itself):
#   ok      revoked at once (200)
#   ask     a request is recorded (202); a second committee member's revoke confirms it
#   rank    403 rank_too_low: nobody revokes a higher rank
#   role    403 role_not_allowed: only managers revoke others
#   estate  404 member_not_found: another estate's members look like missing ones
#   -       not applicable (the global admin is replaced with `planner token --admin --rotate`)
RANK_TARGETS = ("admin", "committee", "treasurer", "owner", "observer", "supplier", "self")
# fmt: off
REVOCATION_RANKS: dict[str, str] = {
    # target:         admin committee treasurer owner observer supplier self
    "own:admin":      "ok     ok        ok        ok    ok       ok       ok",
    "own:committee":  "rank   ask       ok        ok    ok       ok       ok",
    "own:treasurer":  "role   role      role      role  role     role     ok",
    "own:owner":      "role   role      role      role  role     role     ok",
    "own:observer":   "role   role      role      role  role     role     ok",
    "own:supplier":   "role   role      role      role  role     role     ok",
    "other:admin":    "estate estate    estate    estate estate  estate   -",
    "other:committee": "estate estate   estate    estate estate  estate   -",
    "global_admin":   "ok     ok        ok        ok    ok       ok       -",
}
# fmt: on


async def _grant(http: httpx.AsyncClient, world: World, role: str) -> tuple[int, str]:
    body: dict[str, object] = {"role": role, "display_name": f"rank {role}"}
    if role == "supplier":
        body["supplier_id"] = world.ids["supplier_a1"]
    response = await http.post(
        f"/api/estates/{world.estate_a}/members", json=body, headers=bearer(world.admin)
    )
    assert response.status_code == 201, response.text
    granted = response.json()
    return granted["member_id"], granted["token"]


def _rank_verdict(response: httpx.Response) -> str:
    if response.status_code == 200 and response.json().get("revoked"):
        return "ok"
    if response.status_code == 202:
        return "ask"
    codes = {"rank_too_low": "rank", "role_not_allowed": "role", "member_not_found": "estate"}
    return codes.get(response.json().get("code"), str(response.status_code))


async def test_revocation_ranks(served: Served) -> None:
    """Every actor × target cell of ``REVOCATION_RANKS`` (runs after the matrix: it adds
    members to estate A)."""
    world = served.world
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for actor, row in REVOCATION_RANKS.items():
            for target, expected in zip(RANK_TARGETS, row.split(), strict=True):
                if expected == "-":
                    continue
                side, _, role = actor.partition(":")
                if side == "own":
                    actor_id, token = await _grant(http, world, role)
                else:
                    actor_id, token = 0, token_for(world, actor) or ""
                target_id = actor_id if target == "self" else (await _grant(http, world, target))[0]
                response = await http.post(
                    f"/api/members/{target_id}/revoke", headers=bearer(token)
                )
                got = _rank_verdict(response)
                if got != expected:
                    wrong.append(f"{actor} revokes {target}: expected {expected}, got {got}")
    assert not wrong, "revocation cells that differ:\n" + "\n".join(wrong)
