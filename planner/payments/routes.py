"""Payments against a funding plan over HTTP.

The treasurer or admin records what a household has paid against an approved plan;
treasurer, committee and admin list every household's standing, an owner her own
households'. A failed plan version has none (409); the households export and the notices
show the payments. The treasurer or admin sets a plan's payment instructions (due date,
payee and account, where and how to pay); every member of the estate reads them.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from planner.deps import DbDep, PrincipalDep
from planner.payments import service
from planner.payments.model import (
    PaymentInstructionsOut,
    PaymentOut,
    RecordPayment,
    SetPaymentInstructions,
)


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
        """Every household of the plan with its amount, what it has paid, what remains and
        its status; an owner gets only her own households (the plan she pays: else 404)."""
        return await service.list_payments(db, plan_id, principal)

    @get("/api/funding-plans/{plan_id:int}/payment-instructions")
    async def payment_instructions(
        self, plan_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> PaymentInstructionsOut:
        """When, to whom and how to pay (members of the estate; suppliers 403)."""
        return await service.payment_instructions(db, plan_id, principal)

    @put("/api/funding-plans/{plan_id:int}/payment-instructions")
    async def set_payment_instructions(
        self,
        plan_id: FromPath[int],
        data: JSONBody[SetPaymentInstructions],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PaymentInstructionsOut:
        """Set the due date, payee, account and where/how to pay (treasurer, admin) on a draft
        or the approved plan; 409 on a superseded or failed version."""
        return await service.set_payment_instructions(db, plan_id, data, principal)


route_handlers: list[Any] = [PaymentController]
