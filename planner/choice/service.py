"""Choice rounds' use cases: create, open, approve (online and paper), close, read, record.

Each change is one transaction with its event. Who may do what: the committee (and admin)
create, open, close and enter paper sheets; voters (owners, and committee, treasurer or
admin members holding units) give their approvals; members (not suppliers, not partners)
read rounds and the record. Another estate's round is 404 like a missing one.

An owner is a person (``households.owner_key``): all units sharing a key are one owner with
one approval set. A caller's set is stored for every owner their units belong to. Sets are
replaceable until the close ([] allowed). A paper sheet (its number never entered twice in a
round) prevails over the owner's online set: it replaces it, and later online sets for that
owner are refused (409 ``choice_paper_prevails``).

The close runs ``planner.choice.rules.choose`` on the sets, stores the result and moves every
funded work still ``candidate`` to ``proposed`` (one ``work.status_changed`` event each, as
the works slice records status changes), for the committee to confirm.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import asyncpg
import msgspec

from planner.access.guards import MANAGERS, MEMBERS, VOTERS, authorize
from planner.access.model import Principal
from planner.choice import record as choice_record
from planner.choice import store
from planner.choice.model import (
    ApprovalStored,
    ChoiceResult,
    MyApprovals,
    NewChoiceRound,
    OwnerSet,
    PaperApprovals,
    RoundCreated,
    RoundOut,
    RoundRow,
    RoundSummary,
    RoundWork,
    WorkExplanationOut,
)
from planner.choice.rules import CandidateWork, ChoiceOutcome, choose
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.estates.store import households_outside_estate
from planner.events import append_event
from planner.works import store as works_store
from planner.works.rules import next_status


def _duplicates(ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise BadRequest("work_ids", "the same work appears twice", "duplicate_in_request")


async def create_round(
    db: Database, estate_id: int, data: NewChoiceRound, principal: Principal
) -> RoundCreated:
    """A draft round over candidate/proposed works with an estimate. The costs are the works'
    estimates, copied again when the round opens (a re-estimate in between counts); a work
    that can no longer be chosen then makes the opening 409 ``choice_work_not_eligible``."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    _duplicates(data.work_ids)
    async with db.transaction() as conn:
        eligible = await store.eligible_works(conn, estate_id, data.work_ids)
        refused = sorted(set(data.work_ids) - eligible.keys())
        if refused:
            raise BadRequest(
                "work_ids",
                "works must be of this estate, with an estimate, candidate or proposed",
                "choice_work_not_eligible",
                {"ids": refused},
            )
        round_id = await store.insert_round(
            conn,
            estate_id,
            data.title,
            data.budget_fen,
            secrets.token_bytes(32),
            principal.member_id,
            [(w, eligible[w]) for w in sorted(data.work_ids)],
        )
    return RoundCreated(id=round_id)


async def _round(
    conn: asyncpg.Connection,
    round_id: int,
    principal: Principal,
    roles: tuple[str, ...],
    *,
    lock: bool = False,
) -> RoundRow:
    found = await store.get_round(conn, round_id, lock=lock)
    if found is None:
        raise NotFound("choice round")
    authorize(principal, found.estate_id, roles, what="choice round")
    return found


def _needs(found: RoundRow, needed: str) -> None:
    if found.status != needed:
        raise Conflict(
            f"choice round is {found.status}; this needs {needed}",
            "wrong_status",
            {"what": "choice round", "status": found.status, "needed": needed},
        )


async def open_round(db: Database, round_id: int, principal: Principal) -> RoundOut:
    async with db.transaction() as conn:
        found = await _round(conn, round_id, principal, MANAGERS, lock=True)
        _needs(found, "draft")
        refused = await store.snapshot_costs(conn, round_id)
        if refused:
            raise Conflict(
                "works can no longer be chosen",
                "choice_work_not_eligible",
                {"ids": refused},
            )
        await store.set_opened(conn, round_id)
        works = await store.round_works(conn, round_id)
        await append_event(
            conn,
            estate_id=found.estate_id,
            type="choice.opened",
            data={
                "round_id": round_id,
                "title": found.title,
                "budget_fen": found.budget_fen,
                "work_ids": [w.work_id for w in works],
            },
            actor_id=principal.member_id,
            audience="members",
        )
        return await _out(conn, round_id)


async def _store_set(
    conn: asyncpg.Connection,
    found: RoundRow,
    owners: list[tuple[str, int]],
    work_ids: list[int],
    channel: str,
    sheet_no: str | None,
    principal: Principal,
) -> ApprovalStored:
    _duplicates(work_ids)
    in_round = {w.work_id for w in await store.round_works(conn, found.id)}
    outside = sorted(set(work_ids) - in_round)
    if outside:
        raise BadRequest(
            "work_ids",
            "works outside the round",
            "not_in_scope",
            {"what": "works", "ids": outside},
        )
    for owner_key, household_id in owners:
        await store.upsert_approval(
            conn,
            found.id,
            owner_key,
            household_id,
            work_ids,
            channel,
            sheet_no,
            principal.member_id,
        )
    count = await store.count_approvals(conn, found.id)
    await append_event(
        conn,
        estate_id=found.estate_id,
        type="choice.approval",
        data={"round_id": found.id, "approvals": count},
        actor_id=principal.member_id,
        audience="members",
    )
    return ApprovalStored(
        round_id=found.id, work_ids=sorted(work_ids), owners=len(owners), approvals=count
    )


async def approve(
    db: Database, round_id: int, work_ids: list[int], principal: Principal
) -> ApprovalStored:
    """The caller's set for every owner their units belong to (replaces the previous one)."""
    async with db.transaction() as conn:
        found = await _round(conn, round_id, principal, VOTERS, lock=True)
        _needs(found, "open")
        owners = await store.owners_of_households(
            conn, found.estate_id, list(principal.household_ids)
        )
        if not owners:
            raise Forbidden("you hold no unit in this estate", "choice_no_unit")
        papers = [
            a
            for a in await store.approvals_of(conn, round_id, [k for k, _ in owners])
            if a.channel == "paper"
        ]
        if papers:
            sheet = papers[0].sheet_no or ""
            raise Conflict(
                "your approvals were entered from a paper sheet; the sheet stands",
                "choice_paper_prevails",
                {"sheet_no": sheet},
            )
        return await _store_set(conn, found, owners, work_ids, "online", None, principal)


async def enter_paper(
    db: Database, round_id: int, data: PaperApprovals, principal: Principal
) -> ApprovalStored:
    """A paper sheet for the owner of ``household_id``; it replaces their online set."""
    async with db.transaction() as conn:
        found = await _round(conn, round_id, principal, MANAGERS, lock=True)
        _needs(found, "open")
        if await households_outside_estate(conn, found.estate_id, [data.household_id]):
            raise BadRequest(
                "household_id",
                "the household is not of this estate",
                "not_in_estate",
                {"what": "household"},
            )
        if await store.sheet_taken(conn, round_id, data.sheet_no):
            raise Conflict(
                f"sheet {data.sheet_no} has already been entered",
                "choice_sheet_entered",
                {"sheet_no": data.sheet_no},
            )
        owners = await store.owners_of_households(conn, found.estate_id, [data.household_id])
        existing = await store.approvals_of(conn, round_id, [k for k, _ in owners])
        for a in existing:
            if a.channel == "paper":
                raise Conflict(
                    "this owner's paper sheet has already been entered",
                    "choice_paper_exists",
                    {"sheet_no": a.sheet_no or ""},
                )
        return await _store_set(
            conn, found, owners, data.work_ids, "paper", data.sheet_no, principal
        )


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _fen(value: Fraction) -> int:
    return value.numerator // value.denominator


def result_of(outcome: ChoiceOutcome, works: list[RoundWork], budget_fen: int) -> ChoiceResult:
    """The API's result from the rules' outcome (titles from the round's works)."""
    titles = {w.work_id: w.title for w in works}
    costs = {w.work_id: w.cost_fen for w in works}
    return ChoiceResult(
        mes_work_ids=outcome.mes_work_ids,
        funded_work_ids=outcome.funded_work_ids,
        greedy_work_ids=outcome.greedy_work_ids,
        explanations=[
            WorkExplanationOut(
                work_id=e.work_id,
                title=titles.get(e.work_id, ""),
                cost_fen=e.cost_fen,
                approvals=e.approvals,
                mes=e.mes,
                funded=e.funded,
                greedy=e.greedy,
                funded_by=e.funded_by,
                mes_reason=e.mes_reason,
                mes_round=e.mes_round,
                supporters_shares=None if e.supporters_shares is None else str(e.supporters_shares),
                supporters_shares_fen=(
                    None if e.supporters_shares is None else _fen(e.supporters_shares)
                ),
            )
            for e in outcome.explanations
        ],
        voters=outcome.voters,
        budget_fen=budget_fen,
        equal_share=str(outcome.equal_share),
        equal_share_fen=_fen(outcome.equal_share),
        completion_share=str(outcome.completion_share),
        completion_share_fen=_fen(outcome.completion_share),
        mes_cost_fen=sum(costs[w] for w in outcome.mes_work_ids),
        funded_cost_fen=sum(costs[w] for w in outcome.funded_work_ids),
        greedy_cost_fen=sum(costs[w] for w in outcome.greedy_work_ids),
    )


async def close_round(db: Database, round_id: int, principal: Principal) -> ChoiceResult:
    """Count by equal shares; funded candidates become proposed works."""
    async with db.transaction() as conn:
        found = await _round(conn, round_id, principal, MANAGERS, lock=True)
        _needs(found, "open")
        works = await store.round_works(conn, round_id)
        approvals = await store.approvals_of(conn, round_id)
        # pure and CPU-bound (seconds with thousands of owners when the completion raises
        # the shares far): off the event loop, so the service keeps answering meanwhile
        outcome = await asyncio.to_thread(
            choose,
            [CandidateWork(w.work_id, w.cost_fen) for w in works],
            found.budget_fen,
            [a.work_ids for a in approvals],
        )
        result = result_of(outcome, works, found.budget_fen)
        await store.set_closed(conn, round_id, msgspec.to_builtins(result))
        for work_id in result.funded_work_ids:
            work = await works_store.get_work(conn, work_id, lock=True)
            if work is None or work.status != "candidate":
                continue
            status = next_status(work.status, "proposed")
            await works_store.set_status(conn, work_id, status)
            await append_event(
                conn,
                estate_id=work.estate_id,
                type="work.status_changed",
                data={"work_id": work_id, "from": work.status, "to": status},
                actor_id=principal.member_id,
                audience="members",
            )
        await append_event(
            conn,
            estate_id=found.estate_id,
            type="choice.closed",
            data={
                "round_id": round_id,
                "voters": result.voters,
                "mes_work_ids": result.mes_work_ids,
                "funded_work_ids": result.funded_work_ids,
                "greedy_work_ids": result.greedy_work_ids,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return result


async def _out(conn: asyncpg.Connection, round_id: int) -> RoundOut:
    found = await store.get_round(conn, round_id)
    assert found is not None
    return RoundOut(
        id=found.id,
        estate_id=found.estate_id,
        title=found.title,
        budget_fen=found.budget_fen,
        status=found.status,
        works=await store.round_works(conn, round_id),
        approvals=await store.count_approvals(conn, round_id),
        created_at=found.created_at,
        opened_at=found.opened_at,
        closed_at=found.closed_at,
        result=(
            None if found.result is None else msgspec.json.decode(found.result, type=ChoiceResult)
        ),
    )


async def read_round(db: Database, round_id: int, principal: Principal) -> RoundOut:
    async with db.connection() as conn:
        await _round(conn, round_id, principal, MEMBERS)
        return await _out(conn, round_id)


async def list_rounds(db: Database, estate_id: int, principal: Principal) -> list[RoundSummary]:
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        return await store.list_rounds(conn, estate_id)


async def mine(db: Database, round_id: int, principal: Principal) -> MyApprovals:
    """The caller's current set per owner they speak for (pseudonyms once closed)."""
    async with db.connection() as conn:
        found = await _round(conn, round_id, principal, VOTERS)
        owners = await store.owners_of_households(
            conn, found.estate_id, list(principal.household_ids)
        )
        sets = {
            a.owner_key: a for a in await store.approvals_of(conn, round_id, [k for k, _ in owners])
        }
    return MyApprovals(
        round_id=round_id,
        owners=[
            OwnerSet(
                household_id=household_id,
                work_ids=sets[key].work_ids if key in sets else None,
                channel=sets[key].channel if key in sets else None,
                pseudonym=(
                    choice_record.pseudonym(found.secret, key) if found.status == "closed" else None
                ),
            )
            for key, household_id in owners
        ],
    )


async def record(db: Database, round_id: int, principal: Principal) -> dict[str, Any]:
    """The recountable record (after the close; 409 ``not_yet_available`` before)."""
    async with db.connection() as conn:
        found = await _round(conn, round_id, principal, MEMBERS)
        if found.status != "closed" or found.result is None:
            raise Conflict(
                "the record is made when the round closes",
                "not_yet_available",
                {"when": "the round closes"},
            )
        works = await store.round_works(conn, round_id)
        approvals = await store.approvals_of(conn, round_id)
    result = msgspec.json.decode(found.result, type=ChoiceResult)
    body: dict[str, Any] = {
        "format": choice_record.FORMAT,
        "round": {
            "id": found.id,
            "estate_id": found.estate_id,
            "title": found.title,
            "budget_fen": found.budget_fen,
            "opened_at": _iso(found.opened_at) if found.opened_at else None,
            "closed_at": _iso(found.closed_at) if found.closed_at else None,
        },
        "works": [{"work_id": w.work_id, "title": w.title, "cost_fen": w.cost_fen} for w in works],
        "approvals": sorted(
            (
                {
                    "voter": choice_record.pseudonym(found.secret, a.owner_key),
                    "work_ids": sorted(a.work_ids),
                    "channel": a.channel,
                }
                for a in approvals
            ),
            key=lambda a: str(a["voter"]),
        ),
        "methods": choice_record.methods(),
        "result": {
            "mes_work_ids": result.mes_work_ids,
            "funded_work_ids": result.funded_work_ids,
            "greedy_work_ids": result.greedy_work_ids,
        },
    }
    return choice_record.sealed(body)
