"""Paper ballots over HTTP: printable sheets with signed codes, photos of signed sheets,
the committee's double entry, and the units that voted on both channels (issue 17).

Every route is the committee's or the estate admin's (capability ``paper.enter``); another
estate's consultation or photo answers the 404 of a missing one.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_201_CREATED

from planner.access.guards import MANAGERS, authorize
from planner.consultation import paper_service as service
from planner.consultation import sheet_service
from planner.consultation.paper_model import (
    ConflictList,
    NewPaperEntry,
    PaperEntryResult,
    PaperSheetList,
    PaperSheetOut,
    PhotoOut,
    SheetList,
    SheetState,
)
from planner.consultation.sheets import Lang, render_sheets
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest

#: A photo body may be this large (the rest of the API keeps its 1 MiB limit): 413 above.
MAX_PHOTO_BODY = sheet_service.MAX_PHOTO_BYTES
#: sheets above this many are rendered off the event loop
_THREAD_AT = 50


class PaperController(Controller):
    tags = ["consultation"]

    @get("/api/consultations/{consultation_id:int}/sheets")
    async def list_sheets(
        self,
        consultation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        owner_key: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
    ) -> SheetList:
        """Committee or admin, once the consultation is published (409 ``wrong_status`` for a
        draft): one paper ballot sheet per owner in scope with its signed ``code`` (the same
        text is in the printed QR code), ``owner_key``, units and double-entry ``state``.
        Before the opening the owners are those of the scope's households, from the opening
        those of the frozen roll; a sheet keeps its number. ``owner_key``: only that owner's
        sheet; ``building_id``: the owners with a unit in that building."""
        return await sheet_service.list_sheets(
            db, principal, consultation_id, owner_key, building_id
        )

    @get("/api/consultations/{consultation_id:int}/sheets.html", media_type=MediaType.HTML)
    async def sheets_html(
        self,
        consultation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
        owner_key: FromQuery[str | None] = None,
        building_id: FromQuery[int | None] = None,
    ) -> str:
        """The printable sheets (A4, one page per owner): estate, consultation, voting window
        in the estate's time zone, the owner's units and areas, each motion with
        同意/反对/弃权 boxes, signature and date lines, the QR code and the typed code.
        Same filters and statuses as ``/sheets``; ``lang`` zh (default) or en."""
        data = await sheet_service.sheets_input(
            db, principal, consultation_id, owner_key, building_id
        )
        if len(data.sheets) < _THREAD_AT:
            return render_sheets(data, lang)
        return await asyncio.to_thread(render_sheets, data, lang)

    @post(
        "/api/estates/{estate_id:int}/photos",
        status_code=HTTP_201_CREATED,
        request_max_body_size=MAX_PHOTO_BODY,
    )
    async def upload_photo(
        self,
        estate_id: FromPath[int],
        request: Request[Any, Any, Any],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PhotoOut:
        """Committee or admin: the photo of a signed sheet as the raw body (``Content-Type``
        image/jpeg, image/png or image/webp; its first bytes must agree), at most 8 MiB (413
        above). Stored once per estate by its SHA-256: the same bytes again answer the same
        hash. 400 ``photo_invalid`` for anything else. Name it in a paper entry by hash."""
        authorize(principal, estate_id, MANAGERS, what="estate")  # before the body is read
        content = await request.body()
        declared = request.headers.get("content-type", "")
        return await sheet_service.upload_photo(db, principal, estate_id, declared, content)

    @get("/api/estates/{estate_id:int}/photos/{sha256:str}", media_type="application/octet-stream")
    async def get_photo(
        self, estate_id: FromPath[int], sha256: FromPath[str], principal: PrincipalDep, db: DbDep
    ) -> Response[bytes]:
        """Committee or admin: the photo's bytes with its media type; 404 when the estate has
        no photo with this hash."""
        authorize(principal, estate_id, MANAGERS, what="estate")
        media_type, content = await sheet_service.photo(db, estate_id, sha256.lower())
        return Response(
            content,
            media_type=media_type,
            headers={"cache-control": "private, max-age=86400, immutable"},
        )

    @post("/api/consultations/{consultation_id:int}/paper-entries", status_code=HTTP_201_CREATED)
    async def enter_sheet(
        self,
        consultation_id: FromPath[int],
        data: JSONBody[NewPaperEntry],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PaperEntryResult:
        """Committee or admin: one entry of a signed sheet, by its code (typed: case, spaces
        and dashes do not matter) with one choice for every motion (400
        ``sheet_choices_invalid`` otherwise) and optionally the photo's hash (400
        ``photo_not_found`` unless uploaded to the estate).

        A paper ballot counts only when two committee members entered the same choices:
        first entry → ``awaiting_second``; a second member's equal entry → ``counted`` (the
        owner's paper ballots are recorded for all their units, cast by that member);
        unequal → ``mismatch`` (nothing counts); a further member's entry that equals one of
        the earlier ones resolves it as ``counted``, else it stays ``mismatch``
        (``explanation`` says why). Entering a counted sheet again starts a new round whose
        counted result is recorded as newer paper ballots (every ballot stays in the record).
        Every entry is kept and recorded as a ``paper.entry`` event (staff; no choices).
        400 ``sheet_code_invalid`` for a forged, altered or other consultation's code; 409
        ``same_member_entry`` for the same member twice on a sheet, ``wrong_status`` before
        the opening, ``consultation_closed`` at or after ``closes_at``."""
        return await service.enter(db, principal, consultation_id, data)

    @get("/api/consultations/{consultation_id:int}/paper-entries")
    async def list_entries(
        self,
        consultation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        sheet_state: Annotated[SheetState | None, QueryParameter(name="state")] = None,
    ) -> PaperSheetList:
        """Committee or admin: the sheets with entries, each with every entry side by side
        (who, when, choices, photo hash); ``state`` filters (``not_entered``: sheets nobody
        entered yet, ``mismatch``: those waiting for a resolving entry)."""
        return await service.list_entries(db, principal, consultation_id, sheet_state)

    @get("/api/consultations/{consultation_id:int}/paper-entries/{code:str}")
    async def sheet_entries(
        self,
        consultation_id: FromPath[int],
        code: FromPath[str],
        principal: PrincipalDep,
        db: DbDep,
    ) -> PaperSheetOut:
        """Committee or admin: one sheet by its code with its entries; 400
        ``sheet_code_invalid`` for a code that is not this consultation's."""
        if len(code) > 64:
            raise BadRequest("code", "not a sheet code", "sheet_code_invalid")
        return await service.sheet_entries(db, principal, consultation_id, code)

    @get("/api/consultations/{consultation_id:int}/conflicts")
    async def conflicts(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConflictList:
        """Committee or admin: every unit and motion with ballots on both channels (online and
        paper): the last ballot of each, and which one counts under the consultation's
        ``both_channels`` rule ("last": the later; "paper": the paper ballot). Every ballot
        stays in the ballot record."""
        return await service.conflicts(db, principal, consultation_id)


route_handlers = [PaperController]
