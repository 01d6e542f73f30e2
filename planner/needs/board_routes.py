"""The estate's public board (公示栏): JSON, a printable A4 page and a CSV of the figures.

Readers: every member but suppliers; partner units too (see ``board_service``).
"""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery

from planner.deps import DbDep, PrincipalDep
from planner.needs import board_service as service
from planner.needs.board_page import board_csv, render_board
from planner.needs.problem_model import BoardOut, Lang


class BoardController(Controller):
    tags = ("needs",)

    @get("/api/estates/{estate_id:int}/board")
    async def board(self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep) -> BoardOut:
        """Figures (suggestions received, sorted, self-help; problems total, listed, solved,
        urgent solved, declined), counts by category and status, the problems."""
        return await service.board(db, estate_id, principal)

    @get("/api/estates/{estate_id:int}/board.html", media_type=MediaType.HTML)
    async def board_html(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The printable board (A4)."""
        found = await service.board(db, estate_id, principal)
        return render_board(found, await service.board_time_zone(db, estate_id), lang)

    @get("/api/estates/{estate_id:int}/board.csv", media_type="text/csv")
    async def board_csv(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> Response[bytes]:
        """The figures and counts as CSV (UTF-8 with BOM, for spreadsheet programs)."""
        found = await service.board(db, estate_id, principal)
        return Response(
            board_csv(found, lang).encode("utf-8-sig"),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="board-{estate_id}.csv"'},
        )


route_handlers = [BoardController]
