"""The decision side over HTTP: the comparison, the committee's reference prices and the
award (use cases in ``decision_service.py``)."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from planner.deps import DbDep, PrincipalDep
from planner.negotiation import decision_service
from planner.negotiation.model import (
    AwardBody,
    ComparisonOut,
    QuoteOut,
    ReferenceLine,
    ReferencePrices,
)


class DecisionController(Controller):
    tags = ("negotiation",)

    @get("/api/works/{work_id:int}/comparison")
    async def comparison(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ComparisonOut:
        """Current rounds side by side, lowest unit price per line marked, with the
        committee's reference prices. A supplier's comparison holds only their own quote."""
        return await decision_service.comparison(db, work_id, principal)

    @post("/api/quotes/{quote_id:int}/award", status_code=HTTP_200_OK)
    async def award(
        self, quote_id: FromPath[int], data: JSONBody[AwardBody], principal: PrincipalDep, db: DbDep
    ) -> QuoteOut:
        """Accept the latest round of an open quote: its total becomes the work's cost, the
        other quotes close, the work becomes awarded. 409 for a superseded round, sealed
        bids, a work not in quoting, or a work that requires a passed motion without one."""
        return await decision_service.award(db, quote_id, data.round, principal)

    @put("/api/works/{work_id:int}/reference-prices")
    async def set_reference_prices(
        self,
        work_id: FromPath[int],
        data: JSONBody[ReferencePrices],
        principal: PrincipalDep,
        db: DbDep,
    ) -> list[ReferenceLine]:
        """The committee's benchmark unit prices, matched to quote lines by key or description."""
        return await decision_service.set_reference_prices(db, work_id, data, principal)

    @get("/api/works/{work_id:int}/reference-prices")
    async def get_reference_prices(
        self, work_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[ReferenceLine]:
        return await decision_service.reference_prices(db, work_id, principal)
