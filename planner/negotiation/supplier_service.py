"""Suppliers of an estate and their invitations to works: the use cases."""

from __future__ import annotations

import asyncpg

from planner.access.guards import ANY_MEMBER, MANAGERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates.store import estate_exists
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.model import InvitationOut, NewInvitation, NewSupplier, SupplierOut
from planner.negotiation.opening import readable_work
from planner.negotiation.views import authorize_quote_reader, not_quoting
from planner.works import store as works_store
from planner.works.model import WorkOut
from planner.works.rules import can_quote


async def add_supplier(
    db: Database, estate_id: int, data: NewSupplier, principal: Principal
) -> SupplierOut:
    """Committee or admin; a second supplier of the same name is 409."""
    authorize(principal, estate_id, MANAGERS, what="estate")
    async with db.transaction() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        supplier = await store.insert_supplier(conn, estate_id, data.name.strip())
        if supplier is None:
            raise Conflict(
                f"supplier {data.name} already exists",
                "already_exists",
                {"what": "supplier", "name": data.name},
            )
        await append_event(
            conn,
            estate_id=estate_id,
            type="supplier.added",
            data={"supplier_id": supplier.id, "name": supplier.name},
            actor_id=principal.member_id,
            audience="staff",
        )
    return SupplierOut(id=supplier.id, estate_id=estate_id, name=supplier.name)


async def list_suppliers(db: Database, estate_id: int, principal: Principal) -> list[SupplierOut]:
    """A supplier member sees only their own company."""
    authorize(principal, estate_id, ANY_MEMBER, what="estate")
    async with db.connection() as conn:
        rows = await store.list_suppliers(conn, estate_id, principal.supplier_id)
    return [SupplierOut(id=r.id, estate_id=r.estate_id, name=r.name) for r in rows]


async def _start_quoting(conn: asyncpg.Connection, work: WorkOut, actor_id: int) -> None:
    """The first invitation moves an approved work to quoting."""
    await works_store.set_status(conn, work.id, "quoting")
    await append_event(
        conn,
        estate_id=work.estate_id,
        type="work.status_changed",
        data={"work_id": work.id, "from": "approved", "to": "quoting"},
        actor_id=actor_id,
        audience="members",
    )


async def invite(
    db: Database, work_id: int, data: NewInvitation, principal: Principal
) -> InvitationOut:
    """Invite a supplier of the estate; the first invitation moves an approved work to
    quoting. Only approved or quoting works take invitations (else 409)."""
    async with db.transaction() as conn:
        work = await works_store.get_work(conn, work_id, lock=True)
        if work is None:
            raise NotFound("work")
        authorize(principal, work.estate_id, MANAGERS, what="work")
        supplier = await store.get_supplier(conn, data.supplier_id)
        if supplier is None or supplier.estate_id != work.estate_id:
            raise BadRequest(
                "supplier_id",
                "not a supplier of this estate",
                "not_in_estate",
                {"what": "supplier"},
            )
        if not can_quote(work.status):
            raise not_quoting(work, f"the work is {work.status}; invitations need it approved")
        invited_at = await store.insert_invitation(conn, work_id, supplier.id, principal.member_id)
        if invited_at is None:
            raise Conflict(
                f"{supplier.name} is already invited",
                "already_invited",
                {"supplier_id": supplier.id, "supplier_name": supplier.name},
            )
        if work.status == "approved":
            await _start_quoting(conn, work, principal.member_id)
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="supplier.invited",
            data={
                "work_id": work_id,
                "title": work.title,
                "supplier_id": supplier.id,
                "supplier_name": supplier.name,
                "sealed_until": work.sealed_until,
            },
            actor_id=principal.member_id,
            audience="supplier",
            supplier_id=supplier.id,
        )
    return InvitationOut(
        work_id=work_id,
        supplier_id=supplier.id,
        supplier_name=supplier.name,
        invited_at=invited_at,
    )


async def list_invitations(db: Database, work_id: int, principal: Principal) -> list[InvitationOut]:
    """Staff see every invitation of the work; a supplier only their own."""
    work = await readable_work(db, work_id, principal)
    authorize_quote_reader(principal, work.estate_id, what="work")
    async with db.connection() as conn:
        rows = await store.list_invitations(conn, work_id, principal.supplier_id)
    return [InvitationOut(work_id=work_id, **r) for r in rows]
