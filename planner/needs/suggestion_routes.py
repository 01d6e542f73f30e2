"""Suggestions (意见建议) over HTTP: submitting, photos, triage, the triage list and the
owners' own list (issue 18)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from planner.access.guards import SUGGESTERS, authorize
from planner.deps import DbDep, PrincipalDep
from planner.errors import BadRequest
from planner.needs import suggestion_service as service
from planner.needs.categories import Difficulty, NeedCategory, Urgency
from planner.needs.suggestion_model import (
    Channel,
    DuplicateMark,
    NewSuggestion,
    SuggestionCreated,
    SuggestionFilter,
    SuggestionPage,
    SuggestionPhotoOut,
    SuggestionRow,
    SuggestionState,
    TriageChange,
)


class SuggestionController(Controller):
    tags = ["needs"]

    @post("/api/estates/{estate_id:int}/suggestions", status_code=HTTP_201_CREATED)
    async def submit(
        self,
        estate_id: FromPath[int],
        data: JSONBody[NewSuggestion],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SuggestionCreated:
        """A suggestion. Owners: for one of their units (``household_id``, default their
        first; another's: 403 ``household_not_yours``), online only; ``building_id`` defaults
        to the unit's. Committee or admin: also on behalf of any household, or from a paper
        questionnaire with its ``sheet_no`` (channel ``paper``; a number the estate already
        has: 409 ``sheet_no_taken`` with the existing ``suggestion_id``, nothing written), or
        channel grid/meeting. ``photo_sha256``: a photo uploaded to
        ``/suggestion-photos`` first (400 ``photo_not_found``). Event ``suggestion.submitted``
        (staff). Suppliers, treasurers, observers and partners: 403."""
        return await service.submit(db, principal, estate_id, data)

    @get("/api/estates/{estate_id:int}/suggestions")
    async def triage_list(
        self,
        estate_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        category: FromQuery[NeedCategory | None] = None,
        triage_state: Annotated[SuggestionState | None, QueryParameter(name="state")] = None,
        urgency: FromQuery[Urgency | None] = None,
        difficulty: FromQuery[Difficulty | None] = None,
        building_id: FromQuery[int | None] = None,
        channel: FromQuery[Channel | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        after: FromQuery[int | None] = None,
    ) -> SuggestionPage:
        """Staff: the triage list, newest first, keyset-paged (``after``: the previous
        page's ``next_after``); ``total`` counts every match. Each item has its ``state``
        (untriaged, triaged, self_help, merged, duplicate) and, when merged, its common
        ``problem`` ``{id, title, status}``. ``q`` matches the text."""
        f = SuggestionFilter(
            category=category,
            state=triage_state,
            urgency=urgency,
            difficulty=difficulty,
            building_id=building_id,
            channel=channel,
            q=q,
        )
        return await service.triage_list(db, principal, estate_id, f, limit, after)

    @get("/api/estates/{estate_id:int}/suggestions/mine")
    async def mine(
        self, estate_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> list[SuggestionRow]:
        """The caller's units' suggestions and those they submitted, newest first, each with
        its common problem's status when merged."""
        return await service.mine(db, principal, estate_id)

    @get("/api/suggestions/{suggestion_id:int}")
    async def one(
        self, suggestion_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> SuggestionRow:
        """Staff, or the owner whose unit it is for (or who submitted it)."""
        return await service.get(db, principal, suggestion_id)

    @patch("/api/suggestions/{suggestion_id:int}", status_code=HTTP_200_OK)
    async def triage(
        self,
        suggestion_id: FromPath[int],
        data: JSONBody[TriageChange],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SuggestionRow:
        """Committee or admin: tag ``category``, ``urgency`` (urgent/normal), ``difficulty``
        (hard/easy), ``self_help`` (residents can solve it; needs ``helper``: 400
        ``helper_required``). Records ``triaged_by``/``triaged_at``; event
        ``suggestion.triaged`` (staff)."""
        return await service.triage(db, principal, suggestion_id, data)

    @post("/api/suggestions/{suggestion_id:int}/duplicate", status_code=HTTP_200_OK)
    async def duplicate(
        self,
        suggestion_id: FromPath[int],
        data: JSONBody[DuplicateMark],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SuggestionRow:
        """Committee or admin: mark it a duplicate ``of`` another suggestion of the estate
        (kept, never deleted; 409 ``duplicate_cycle`` for itself or a cycle). Event
        ``suggestion.duplicate`` (staff)."""
        return await service.mark_duplicate(db, principal, suggestion_id, data)

    @post(
        "/api/estates/{estate_id:int}/suggestion-photos",
        status_code=HTTP_201_CREATED,
        request_max_body_size=service.MAX_PHOTO_BYTES,
    )
    async def upload_photo(
        self,
        estate_id: FromPath[int],
        request: Request[Any, Any, Any],
        principal: PrincipalDep,
        db: DbDep,
    ) -> SuggestionPhotoOut:
        """Owners, committee, admin: a photo as the raw body (``Content-Type`` image/jpeg,
        image/png or image/webp, its first bytes agreeing; at most 8 MiB, 413 above); stored
        once per estate by SHA-256. 400 ``photo_invalid`` otherwise."""
        authorize(principal, estate_id, SUGGESTERS, what="estate")  # before the body is read
        content = await request.body()
        declared = request.headers.get("content-type", "")
        return await service.upload_photo(db, principal, estate_id, declared, content)

    @get(
        "/api/estates/{estate_id:int}/suggestion-photos/{sha256:str}",
        media_type="application/octet-stream",
    )
    async def photo(
        self, estate_id: FromPath[int], sha256: FromPath[str], principal: PrincipalDep, db: DbDep
    ) -> Response[bytes]:
        """Staff, or the owner who uploaded it (or whose unit's suggestion carries it): the
        bytes with their media type; 404 otherwise."""
        if len(sha256) != 64:
            raise BadRequest("sha256", "not a SHA-256 hex digest", "bad_format")
        media_type, content = await service.photo(db, principal, estate_id, sha256.lower())
        return Response(
            content,
            media_type=media_type,
            headers={"cache-control": "private, max-age=86400, immutable"},
        )


route_handlers = [SuggestionController]
