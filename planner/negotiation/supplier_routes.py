"""Suppliers of an estate and their invitations to works, over HTTP (use cases in
``supplier_service.py``)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from planner.deps import DbDep, PrincipalDep
from planner.negotiation import supplier_service
from planner.negotiation.model import InvitationOut, NewInvitation, NewSupplier, SupplierOut


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
        return await supplier_service.add_supplier(db, estate_id, data, principal)

    @get("/api/estates/{estate_id:int}/suppliers")
    async def list_suppliers(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[SupplierOut]:
        """A supplier member sees only their own company."""
        return await supplier_service.list_suppliers(db, estate_id, principal)

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
        return await supplier_service.invite(db, work_id, data, principal)

    @get("/api/works/{work_id:int}/invitations")
    async def list_invitations(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[InvitationOut]:
        return await supplier_service.list_invitations(db, work_id, principal)
