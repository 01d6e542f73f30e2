"""Paper ballots and proxies for the record tests (the paper-entry API is built apart)."""

from __future__ import annotations

import io
from typing import Any

import httpx

from planner.consultation.recount import recount_command
from planner.db.pool import Database
from planner.deliberation import ballot_store
from planner.deliberation.ballot_box import PendingCast, record_batch
from planner.deliberation.rules import Choice
from planner.testing.voting import Voting
from tests.conftest import bearer


async def member_id(client: httpx.AsyncClient, token: str) -> int:
    me = (await client.get("/api/me", headers=bearer(token))).json()
    found: int = me["member_id"] if "member_id" in me else me["id"]
    return found


async def paper_ballot(
    db: Database, motion_id: int, entered_by: int, household_id: int, choice: Choice
) -> int:
    """Record a counted paper ballot for one unit as the ballot box does for a sheet entered
    twice (through ``record_batch`` with ``channel="paper"``); its ballot id."""
    async with db.transaction() as conn:
        ask = ballot_store.ContextAsk(
            member_id=entered_by, wanted=[household_id], with_delegated=False
        )
        (context,) = await ballot_store.ballot_contexts(conn, motion_id, [ask])
        assert context is not None and len(context.units) == 1
        pending = PendingCast(
            member_id=entered_by,
            choice=choice,
            units=context.units,
            delegation_ids=[None],
            channel="paper",
        )
        (outcome,) = await record_batch(conn, context.motion, [pending])
        assert not isinstance(outcome, Exception), outcome
        return outcome[0][0].ballot_id


async def vote(
    client: httpx.AsyncClient,
    token: str,
    motion_id: int,
    choice: str,
    household_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"choice": choice}
    if household_ids is not None:
        body["household_ids"] = household_ids
    response = await client.post(
        f"/api/motions/{motion_id}/ballots", json=body, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    ballots: list[dict[str, Any]] = response.json()["ballots"]
    return ballots


async def delegate(
    client: httpx.AsyncClient, v: Voting, household_id: int, proxy_member_id: int, ref: str
) -> int:
    response = await client.post(
        f"/api/estates/{v.estate_id}/delegations",
        json={
            "household_ids": [household_id],
            "proxy_member_id": proxy_member_id,
            "reference": ref,
        },
        headers=bearer(v.committee),
    )
    assert response.status_code == 201, response.text
    made = response.json()
    first = made[0] if isinstance(made, list) else made
    delegation: int = first["id"]
    return delegation


def run_recount(data: bytes, expect_digest: str | None = None) -> tuple[int, list[Any], str]:
    """``planner recount`` on bytes: exit code, the printed objects, the messages."""
    import json

    out, err = io.StringIO(), io.StringIO()
    code = recount_command(data, expect_digest, out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()
