"""Suppliers of an estate and their invitations to works."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from planner.access.guards import ANY_MEMBER, MANAGERS, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest, Conflict, NotFound
from planner.events import append_event
from planner.negotiation import store
from planner.negotiation.model import InvitationOut, NewInvitation, NewSupplier, SupplierOut
from planner.negotiation.views import authorize_quote_reader
from planner.works import store as works_store
from planner.works.routes import visible_work
from planner.works.rules import can_quote


class SupplierController(Controller):
    tags = ("negotiation",)

    @post("/api/estates/{estate_id:int}/suppliers")
    async def add_supplier(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewSupplier],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SupplierOut:
        """Committee or admin; a second supplier of the same name is 409."""
        authorize(principal, estate_id, MANAGERS)
        async with db.transaction() as conn:
            if not await conn.fetchval("SELECT 1 FROM estates WHERE id = $1", estate_id):
                raise NotFound("estate")
            supplier = await store.insert_supplier(conn, estate_id, data.name.strip())
            if supplier is None:
                raise Conflict(f"supplier {data.name} already exists")
            await append_event(
                conn,
                estate_id=estate_id,
                type="supplier.added",
                data={"supplier_id": supplier.id, "name": supplier.name},
                actor_id=principal.member_id,
                audience="staff",
            )
        return SupplierOut(id=supplier.id, estate_id=estate_id, name=supplier.name)

    @get("/api/estates/{estate_id:int}/suppliers")
    async def list_suppliers(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[SupplierOut]:
        """A supplier member sees only their own company."""
        authorize(principal, estate_id, ANY_MEMBER)
        async with db.connection() as conn:
            rows = await store.list_suppliers(conn, estate_id, principal.supplier_id)
        return [SupplierOut(id=r.id, estate_id=r.estate_id, name=r.name) for r in rows]

    @post("/api/works/{work_id:int}/invitations")
    async def invite(
        self,
        work_id: FromPath[int],
        data: JSONBody[NewInvitation],
        principal: PrincipalDep,
        db: DbDep,
    ) -> InvitationOut:
        """Invite a supplier of the estate; the first invitation moves an approved work to
        quoting. Only approved or quoting works take invitations (else 409)."""
        async with db.transaction() as conn:
            work = await works_store.get_work(conn, work_id, lock=True)
            if work is None:
                raise NotFound("work")
            authorize(principal, work.estate_id, MANAGERS)
            supplier = await store.get_supplier(conn, data.supplier_id)
            if supplier is None or supplier.estate_id != work.estate_id:
                raise BadRequest("supplier_id", "not a supplier of this estate")
            if not can_quote(work.status):
                raise Conflict(f"the work is {work.status}; invitations need it approved")
            invited_at = await store.insert_invitation(
                conn, work_id, supplier.id, principal.member_id
            )
            if invited_at is None:
                raise Conflict(f"{supplier.name} is already invited")
            if work.status == "approved":
                await works_store.set_status(conn, work_id, "quoting")
                await append_event(
                    conn,
                    estate_id=work.estate_id,
                    type="work.status_changed",
                    data={"work_id": work_id, "from": "approved", "to": "quoting"},
                    actor_id=principal.member_id,
                    audience="members",
                )
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

    @get("/api/works/{work_id:int}/invitations")
    async def list_invitations(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[InvitationOut]:
        work = await visible_work(db, work_id, principal)
        authorize_quote_reader(principal, work.estate_id)
        async with db.connection() as conn:
            rows = await store.list_invitations(conn, work_id, principal.supplier_id)
        return [InvitationOut(work_id=work_id, **r) for r in rows]
