"""Partners' pledges: a partner unit pledges money to a work, and the pledge becomes a
funding source the optimiser may use for that work only.

A pledge makes, in one transaction, a funding source (through the funding slice's store:
kind ``donor``, named after the partner unit, ``budget_fen`` = the amount, eligible for the
one work) with funding's own event ``funding_source.added`` (audience ``members``), and the
pledge with ``pledge.made`` (audience ``wishes``). Withdrawing (the pledging partner, while
the approved plan does not use the source: 409 ``pledge_in_use`` otherwise) sets the
source's budget to 0 (``funding_source.updated``) and appends ``pledge.withdrawn``; the
source stays, so the drafts that used it keep their inputs readable, and a new solve
gets nothing from it.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from planner.access.guards import PARTNERS, STAFF, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import Forbidden, NotFound
from planner.events import append_event
from planner.funding import store as funding_store
from planner.funding.model import NewSource, SourceFields, SourceOut
from planner.wishes import pledge_store
from planner.wishes.model import NewPledge, PledgeCreated, PledgeOut
from planner.wishes.rules import check_pledgeable, check_withdrawal
from planner.works.service import work_for

#: who lists pledges: staff see all, a partner unit its own
PLEDGE_READERS = (*STAFF, "partner")


async def _source_event(
    conn: asyncpg.Connection, estate_id: int, source: SourceOut, type: str, member_id: int
) -> None:
    """The event the funding slice records for a source change (same type and data)."""
    await append_event(
        conn,
        estate_id=estate_id,
        type=type,
        data={"source_id": source.id, "name": source.name, "budget_fen": source.budget_fen},
        actor_id=member_id,
        audience="members",
    )


def _pledge_data(pledge: PledgeOut) -> dict[str, Any]:
    return {
        "pledge_id": pledge.id,
        "work_id": pledge.work_id,
        "work_title": pledge.work_title,
        "partner_id": pledge.partner_id,
        "partner_name": pledge.partner_name,
        "partner_kind": pledge.partner_kind,
        "amount_fen": pledge.amount_fen,
        "status": pledge.status,
    }


async def make_pledge(
    db: Database, work_id: int, data: NewPledge, principal: Principal
) -> PledgeCreated:
    """A partner unit of the work's estate pledges ``amount_fen`` to it: 404 for a missing
    work or another estate's, 403 for other roles, 409 ``wrong_status`` for a candidate,
    rejected or done work."""
    async with db.transaction() as conn:
        work = await work_for(conn, work_id, principal, PARTNERS, lock=True)
        check_pledgeable(work.status)
        source = await funding_store.insert_source(
            conn,
            work.estate_id,
            NewSource(
                name=principal.display_name,
                kind="donor",
                budget_fen=data.amount_fen,
                eligible_work_ids=[work_id],
            ),
            principal.member_id,
        )
        await _source_event(
            conn, work.estate_id, source, "funding_source.added", principal.member_id
        )
        pledge_id = await pledge_store.insert_pledge(
            conn,
            estate_id=work.estate_id,
            work_id=work_id,
            partner_id=principal.member_id,
            amount_fen=data.amount_fen,
            note=data.note,
            funding_source_id=source.id,
        )
        pledge = await pledge_store.get_pledge(conn, pledge_id)
        assert pledge is not None
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="pledge.made",
            data={**_pledge_data(pledge), "funding_source_id": source.id},
            actor_id=principal.member_id,
            audience="wishes",
        )
    return PledgeCreated(id=pledge_id, funding_source_id=source.id)


async def list_pledges(db: Database, estate_id: int, principal: Principal) -> list[PledgeOut]:
    """Staff see every pledge of the estate; a partner unit only its own."""
    authorize(principal, estate_id, PLEDGE_READERS, what="estate")
    partner_id = principal.member_id if principal.role == "partner" else None
    async with db.connection() as conn:
        return await pledge_store.list_pledges(conn, estate_id, partner_id)


async def _used_by_plan_in_force(conn: asyncpg.Connection, estate_id: int, source_id: int) -> int:
    """What the approved plan (if any) takes from the source, in fen."""
    in_force = await funding_store.plan_in_force(conn, estate_id)
    if in_force is None:
        return 0
    record = await funding_store.get_plan(conn, in_force.id)
    if record is None or record.result is None:
        return 0
    return sum(s.used_fen for s in record.result.sources if s.source_id == source_id)


async def withdraw_pledge(db: Database, pledge_id: int, principal: Principal) -> PledgeOut:
    """The pledging partner withdraws: 404 for a missing pledge or another estate's, 403
    for others (another partner: ``not_your_pledge``), 409 when already withdrawn or the
    approved plan uses its source. The plans' lock is held, so an approval cannot slip in
    between the check and the change."""
    async with db.transaction() as conn:
        pledge = await pledge_store.get_pledge(conn, pledge_id, lock=True)
        estate_id = await pledge_store.pledge_estate(conn, pledge_id)
        if pledge is None or estate_id is None:
            raise NotFound("pledge")
        authorize(principal, estate_id, PARTNERS, what="pledge")
        if pledge.partner_id != principal.member_id:
            raise Forbidden("another partner unit made this pledge", "not_your_pledge")
        await funding_store.lock_estate_plans(conn, estate_id)
        used = await _used_by_plan_in_force(conn, estate_id, pledge.funding_source_id)
        check_withdrawal(pledge.status, used)
        current = await funding_store.lock_source(conn, pledge.funding_source_id)
        assert current is not None
        source = await funding_store.update_source(
            conn,
            current.id,
            SourceFields(
                name=current.name,
                kind=current.kind,
                budget_fen=0,
                max_share=None,
                pledges={},
                eligible_work_ids=current.eligible_work_ids,
            ),
        )
        await _source_event(conn, estate_id, source, "funding_source.updated", principal.member_id)
        await pledge_store.mark_withdrawn(conn, pledge_id)
        after = await pledge_store.get_pledge(conn, pledge_id)
        assert after is not None
        await append_event(
            conn,
            estate_id=estate_id,
            type="pledge.withdrawn",
            data=_pledge_data(after),
            actor_id=principal.member_id,
            audience="wishes",
        )
    return after
