"""Works' use cases: create, list, read, edit and move along the status path.

Each change is one transaction that appends its event. Reading a work is a pure read: the
opening of sealed bids is negotiation's explicit step (``planner.negotiation.opening``),
never a side effect of a read here. A supplier member sees only the works they are invited
to (anything else is 404) and never the committee's estimate or another supplier's award.
A work becomes ``awarded`` only by awarding a quote, never through ``change_status``.
"""

from __future__ import annotations

import asyncpg
import msgspec
from msgspec import structs

from planner.access.guards import MANAGERS, WORK_READERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates.store import buildings_outside_estate, estate_exists
from planner.events import append_event
from planner.works import store
from planner.works.model import NewWork, WorkEdit, WorkOut
from planner.works.rules import (
    EDITABLE_STATUSES,
    IllegalTransition,
    InvalidBenefit,
    WorkBenefit,
    WorkStatus,
    can_edit,
    changed_fields,
    next_status,
    validate_benefit,
)


def for_viewer(work: WorkOut, principal: Principal) -> WorkOut:
    """Hide the estimate and others' awards from suppliers."""
    if principal.supplier_id is None:
        return work
    own_award = work.awarded_supplier_id == principal.supplier_id
    return structs.replace(
        work,
        estimate_fen=None,
        cost_fen=work.awarded_total_fen if own_award else None,
        awarded_total_fen=work.awarded_total_fen if own_award else None,
        awarded_quote_id=work.awarded_quote_id if own_award else None,
        awarded_round=work.awarded_round if own_award else None,
        awarded_supplier_id=work.awarded_supplier_id if own_award else None,
    )


async def work_for(
    conn: asyncpg.Connection,
    work_id: int,
    principal: Principal,
    roles: tuple[str, ...],
    *,
    lock: bool = False,
) -> WorkOut:
    """The work if the caller holds one of ``roles`` in its estate, else 404/403."""
    work = await store.get_work(conn, work_id, lock=lock)
    if work is None:
        raise NotFound("work")
    authorize(principal, work.estate_id, roles, what="work")
    return work


async def visible_work(conn: asyncpg.Connection, work_id: int, principal: Principal) -> WorkOut:
    """The work if the caller may see it (a member of its estate; a supplier only when
    invited), else 404 (another estate's work too). A pure read: it opens nothing."""
    work = await store.get_work(conn, work_id)
    if work is None:
        raise NotFound("work")
    authorize(principal, work.estate_id, WORK_READERS, what="work")
    if principal.supplier_id is not None and not await store.is_invited(
        conn, work_id, principal.supplier_id
    ):
        raise NotFound("work")
    return work


async def read_work(db: Database, work_id: int, principal: Principal) -> WorkOut:
    """The work as the caller may see it."""
    async with db.connection() as conn:
        return for_viewer(await visible_work(conn, work_id, principal), principal)


async def list_works(db: Database, estate_id: int, principal: Principal) -> list[WorkOut]:
    """Every member sees the estate's works; a supplier only those they are invited to."""
    authorize(principal, estate_id, WORK_READERS, what="estate")
    async with db.connection() as conn:
        works = await store.list_works(conn, estate_id, principal.supplier_id)
    return [for_viewer(w, principal) for w in works]


def _checked_benefit(benefit: WorkBenefit) -> WorkBenefit:
    """The benefit rule if usable, else 400 on the failing field."""
    try:
        return validate_benefit(benefit)
    except InvalidBenefit as invalid:
        raise BadRequest(invalid.field, invalid.reason, invalid.code, invalid.params) from None


async def _check_scope(conn: asyncpg.Connection, estate_id: int, building_ids: list[int]) -> None:
    unknown = await buildings_outside_estate(conn, estate_id, building_ids)
    if unknown:
        raise BadRequest(
            "scope_building_ids",
            f"not buildings of this estate: {unknown}",
            "not_in_estate",
            {"what": "buildings", "ids": unknown},
        )


async def create_work(db: Database, estate_id: int, data: NewWork, principal: Principal) -> WorkOut:
    """Committee or admin; the work starts as ``proposed`` (or ``candidate`` when asked; one
    ``work.created`` event)."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    _checked_benefit(
        WorkBenefit(
            benefit_rule=data.benefit_rule,
            scope_building_ids=tuple(data.scope_building_ids),
            floor_factors=data.floor_factors,
        )
    )
    async with db.transaction() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        await _check_scope(conn, estate_id, data.scope_building_ids)
        work = await store.insert_work(conn, estate_id, data, principal.member_id)
        await append_event(
            conn,
            estate_id=estate_id,
            type="work.created",
            data={
                "work_id": work.id,
                "title": work.title,
                "category": work.category,
                "status": work.status,
                "estimate_fen": work.estimate_fen,
                "sealed_until": work.sealed_until,
            },
            actor_id=principal.member_id,
            audience="members",
        )
    return work


def _details(work: WorkOut) -> dict[str, object]:
    """The editable details as the ``work.updated`` event shows them (JSON-ready)."""
    return {
        "title": work.title,
        "description": work.description,
        "estimate_fen": work.estimate_fen,
        "benefit_rule": work.benefit_rule,
        "scope_building_ids": list(work.scope_building_ids),
        "floor_factors": {str(k): str(v) for k, v in sorted(work.floor_factors.items())},
    }


def _edited_benefit(work: WorkOut, data: WorkEdit) -> WorkBenefit:
    """The work's benefit rule with the edit applied, validated (400 on the failing field)."""
    rule = (
        work.benefit_rule if isinstance(data.benefit_rule, msgspec.UnsetType) else data.benefit_rule
    )
    if not isinstance(data.floor_factors, msgspec.UnsetType):
        factors = data.floor_factors
    elif rule == "area_floor_factor":
        factors = dict(work.floor_factors)
    else:
        factors = {}
    scope = (
        work.scope_building_ids
        if isinstance(data.scope_building_ids, msgspec.UnsetType)
        else data.scope_building_ids
    )
    return _checked_benefit(
        WorkBenefit(
            benefit_rule=rule,  # type: ignore[arg-type]
            scope_building_ids=tuple(scope),
            floor_factors=factors,
        )
    )


def _edited(work: WorkOut, data: WorkEdit, benefit: WorkBenefit) -> WorkOut:
    """The work with the edit's present fields applied."""
    return structs.replace(
        work,
        title=work.title if isinstance(data.title, msgspec.UnsetType) else data.title,
        description=work.description
        if isinstance(data.description, msgspec.UnsetType)
        else data.description,
        estimate_fen=work.estimate_fen
        if isinstance(data.estimate_fen, msgspec.UnsetType)
        else data.estimate_fen,
        benefit_rule=benefit.benefit_rule,
        scope_building_ids=list(benefit.scope_building_ids),
        floor_factors=dict(benefit.floor_factors),
    )


async def edit_work(db: Database, work_id: int, data: WorkEdit, principal: Principal) -> WorkOut:
    """Committee or admin re-estimate or correct a work: absent fields keep their value.
    409 once the work is awarded or later (its cost is then the award) or rejected.
    A change appends one ``work.updated`` event (audience members: never suppliers) with
    each changed field before and after; a body that changes nothing appends none."""
    if all(isinstance(v, msgspec.UnsetType) for v in structs.astuple(data)):
        raise BadRequest("body", "name at least one field to change", "nothing_to_change")
    async with db.transaction() as conn:
        work = await store.get_work(conn, work_id, lock=True)
        if work is None:
            raise NotFound("work")
        authorize(principal, work.estate_id, MANAGERS, what="work")
        if not can_edit(work.status):
            raise Conflict(
                f"the work is {work.status}; only a work not yet awarded can be edited",
                "wrong_status",
                {"what": "work", "status": work.status, "needed": sorted(EDITABLE_STATUSES)},
            )
        benefit = _edited_benefit(work, data)
        if not isinstance(data.scope_building_ids, msgspec.UnsetType):
            await _check_scope(conn, work.estate_id, data.scope_building_ids)
        edited = _edited(work, data, benefit)
        changes = changed_fields(_details(work), _details(edited))
        if not changes:
            return work
        await store.update_details(
            conn,
            work_id,
            title=edited.title,
            description=edited.description,
            estimate_fen=edited.estimate_fen,
            benefit=benefit,
        )
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="work.updated",
            data={"work_id": work_id, "title": edited.title, "changes": changes},
            actor_id=principal.member_id,
            audience="members",
        )
        updated = await store.get_work(conn, work_id)
    assert updated is not None
    return updated


async def change_status(
    db: Database, work_id: int, target: WorkStatus, principal: Principal
) -> WorkOut:
    """Move a work along its path; an illegal move is 409, and so is ``awarded`` (award a
    quote instead). Rejecting a work closes its open quotes (a ``quote.closed`` each) and
    cancels its scheduled or running reverse auction (``auction.cancelled``)."""
    async with db.transaction() as conn:
        work = await store.get_work(conn, work_id, lock=True)
        if work is None:
            raise NotFound("work")
        authorize(principal, work.estate_id, MANAGERS, what="work")
        if target == "awarded":
            raise Conflict(
                "a work is awarded by awarding a quote: POST /api/quotes/{id}/award",
                "award_via_quote",
            )
        status = await move_status(conn, work, target, principal.member_id)
        if status == "rejected":
            for quote_id, supplier_id in await store.close_open_quotes(conn, work_id):
                await append_event(
                    conn,
                    estate_id=work.estate_id,
                    type="quote.closed",
                    data={"quote_id": quote_id, "work_id": work_id, "reason": "work rejected"},
                    actor_id=principal.member_id,
                    audience="supplier",
                    supplier_id=supplier_id,
                )
            for auction_id in await store.cancel_live_auctions(conn, work_id):
                await append_event(
                    conn,
                    estate_id=work.estate_id,
                    type="auction.cancelled",
                    data={"auction_id": auction_id, "work_id": work_id, "reason": "work rejected"},
                    actor_id=principal.member_id,
                    audience="auction",
                )
        updated = await store.get_work(conn, work_id)
    assert updated is not None
    return updated


async def move_status(
    conn: asyncpg.Connection, work: WorkOut, target: WorkStatus, actor_id: int | None
) -> str:
    """Inside the caller's transaction (the work locked and authorised): move it along the
    path (409 on an illegal move) and append ``work.status_changed``. Delivery uses it to
    start a funded work on its first progress and to finish it on acceptance."""
    try:
        status = next_status(work.status, target)
    except IllegalTransition as illegal:
        raise Conflict(str(illegal), illegal.code, illegal.params) from None
    await store.set_status(conn, work.id, status)
    await append_event(
        conn,
        estate_id=work.estate_id,
        type="work.status_changed",
        data={"work_id": work.id, "from": work.status, "to": status},
        actor_id=actor_id,
        audience="members",
    )
    return status
