"""Payments against a funding plan over HTTP.

The treasurer or admin records what a household has paid against an approved plan;
treasurer, committee and admin list every household's standing. A failed plan version
has none (409); the households export and the notices show the payments.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from planner.deps import DbDep, PrincipalDep
from planner.payments import service
from planner.payments.model import PaymentOut, RecordPayment


class PaymentController(Controller):
    tags = ("funding exports",)

    @put("/api/funding-plans/{plan_id:int}/payments/{household_id:int}")
    async def record_payment(
        self,
        plan_id: FromPath[int],
        household_id: FromPath[int],
        data: JSONBody[RecordPayment],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PaymentOut:
        """Set what a household has paid so far against an approved plan (treasurer, admin).

        409 for a draft, failed or superseded plan; 404 when the household is not in the
        plan. Each change is a ``payment.recorded`` event for staff.
        """
        return await service.record_payment(db, plan_id, household_id, data, principal)

    @get("/api/funding-plans/{plan_id:int}/payments")
    async def list_payments(
        self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[PaymentOut]:
        """Every household of the plan with its amount, what it has paid and its status."""
        return await service.list_payments(db, plan_id, principal)


route_handlers: list[Any] = [PaymentController]
