"""Suggestions (意见建议): submitting (phone, paper with its sheet number, on behalf), the
photos owners attach, the committee's triage tags and duplicates, the triage list and the
owners' own list. One transaction per use case; events with audience ``staff``.

Who may do what (``planner.access.guards``): owners submit for their own units
(``SUGGESTERS``); the committee and the estate admin also enter paper sheets and on behalf of
a household, and triage (``MANAGERS``); staff read the triage list (``STAFF``); suppliers and
partners are refused (403).
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from planner import photos
from planner.access.guards import MANAGERS, MEMBERS, STAFF, SUGGESTERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.events import append_event
from planner.needs import suggestion_store as store
from planner.needs.suggestion_model import (
    DuplicateMark,
    NewSuggestion,
    SuggestionCreated,
    SuggestionFilter,
    SuggestionPage,
    SuggestionPhotoOut,
    SuggestionRow,
    TriageChange,
)

#: The largest photo (a phone's photo is 2-5 MiB).
MAX_PHOTO_BYTES = photos.MAX_PHOTO_BYTES


def sheet_taken(sheet_no: str, existing_id: int) -> Conflict:
    return Conflict(
        f"sheet {sheet_no} was already entered (suggestion {existing_id})",
        "sheet_no_taken",
        {"sheet_no": sheet_no, "suggestion_id": existing_id},
    )


async def unit_building(
    conn: asyncpg.Connection, estate_id: int, household_id: int | None, building_id: int | None
) -> int | None:
    """The building of what a resident says (a suggestion, a questionnaire answer): the
    household's, which a given building must match, else the given building; 400 unless
    each is the estate's."""
    if household_id is not None:
        found = await store.household_building(conn, estate_id, household_id)
        if found is None:
            raise BadRequest(
                "household_id",
                "not a household of this estate",
                "not_in_estate",
                {"what": "household"},
            )
        if building_id is not None and building_id != found:
            raise BadRequest("building_id", "not the household's building", "invalid")
        return found
    if building_id is not None and not await store.building_in_estate(conn, estate_id, building_id):
        raise BadRequest(
            "building_id", "not a building of this estate", "not_in_estate", {"what": "building"}
        )
    return building_id


async def submit(
    db: Database, principal: Principal, estate_id: int, data: NewSuggestion
) -> SuggestionCreated:
    """A new suggestion (201 ``{id}``); see the route for the rules."""
    authorize(principal, estate_id, SUGGESTERS, what="estate")
    manager = principal.role in MANAGERS
    channel = data.channel or ("paper" if data.sheet_no is not None else "online")
    if not manager:
        if channel != "online":
            raise BadRequest("channel", "owners submit online", "not_allowed")
        if data.sheet_no is not None:
            raise BadRequest("sheet_no", "only the committee enters paper sheets", "not_allowed")
    elif data.sheet_no is not None and channel != "paper":
        raise BadRequest("channel", "a sheet number comes with the paper channel", "not_allowed")
    household_id = data.household_id
    if not manager:
        if household_id is None and principal.household_ids:
            household_id = principal.household_ids[0]
        if household_id is not None and household_id not in principal.household_ids:
            raise Forbidden(
                "owners submit suggestions for their own units only", "household_not_yours"
            )
    async with db.transaction() as conn:
        building_id = await unit_building(conn, estate_id, household_id, data.building_id)
        if (
            data.photo_sha256 is not None
            and await store.photo_uploader(conn, estate_id, data.photo_sha256) is None
        ):
            raise BadRequest("photo_sha256", "no photo with this hash", "photo_not_found")
        if data.sheet_no is not None:
            existing = await store.by_sheet(conn, estate_id, data.sheet_no)
            if existing is not None:
                raise sheet_taken(data.sheet_no, existing)
        new_id = await store.insert_suggestion(
            conn,
            estate_id=estate_id,
            text=data.text,
            category=data.category,
            building_id=building_id,
            household_id=household_id,
            channel=channel,
            sheet_no=data.sheet_no,
            photo_sha256=data.photo_sha256,
            submitted_by=principal.member_id,
        )
        if new_id is None:  # entered meanwhile by someone else
            assert data.sheet_no is not None
            existing = await store.by_sheet(conn, estate_id, data.sheet_no)
            raise sheet_taken(data.sheet_no, existing or 0)
        await append_event(
            conn,
            estate_id=estate_id,
            type="suggestion.submitted",
            data={
                "suggestion_id": new_id,
                "category": data.category,
                "channel": channel,
                "building_id": building_id,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return SuggestionCreated(id=new_id)


def _may_read(principal: Principal, row: SuggestionRow) -> bool:
    return principal.role in STAFF or (
        row.household_id in principal.household_ids or row.submitted_by == principal.member_id
    )


async def get(db: Database, principal: Principal, suggestion_id: int) -> SuggestionRow:
    """Staff: any of the estate's; an owner: those of their units or their own; others 403.
    Another estate's or an owner's not theirs: 404 like a missing one."""
    async with db.connection() as conn:
        row = await store.suggestion(conn, suggestion_id)
    if row is None:
        raise NotFound("suggestion")
    authorize(principal, row.estate_id, (*STAFF, *SUGGESTERS), what="suggestion")
    if not _may_read(principal, row):
        raise NotFound("suggestion")
    return row


async def _locked(
    conn: asyncpg.Connection, principal: Principal, suggestion_id: int
) -> SuggestionRow:
    row = await store.lock_suggestion(conn, suggestion_id)
    if row is None:
        raise NotFound("suggestion")
    authorize(principal, row.estate_id, MANAGERS, what="suggestion")
    return row


async def triage(
    db: Database, principal: Principal, suggestion_id: int, data: TriageChange
) -> SuggestionRow:
    """The committee's tags (only the fields given change), recording who and when; one
    ``suggestion.triaged`` event."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, suggestion_id)
        self_help = row.self_help if data.self_help is None else data.self_help
        helper = data.helper if data.helper is not None else row.helper
        if not self_help:
            helper = None if data.self_help is False else helper
        elif helper is None:
            raise BadRequest("helper", "say who helps the residents", "helper_required")
        now = datetime.now(UTC)
        category = data.category or row.category
        urgency = data.urgency or row.urgency
        difficulty = data.difficulty or row.difficulty
        await store.update_triage(
            conn,
            suggestion_id,
            category=category,
            urgency=urgency,
            difficulty=difficulty,
            self_help=self_help,
            helper=helper,
            triaged_by=principal.member_id,
            triaged_at=now,
        )
        await append_event(
            conn,
            estate_id=row.estate_id,
            type="suggestion.triaged",
            data={
                "suggestion_id": suggestion_id,
                "category": category,
                "urgency": urgency,
                "difficulty": difficulty,
                "self_help": self_help,
                "helper": helper,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
        updated = await store.suggestion(conn, suggestion_id)
    assert updated is not None
    return updated


async def mark_duplicate(
    db: Database, principal: Principal, suggestion_id: int, data: DuplicateMark
) -> SuggestionRow:
    """Mark the suggestion a duplicate of ``of`` (same estate: 400 ``not_in_estate``
    otherwise; itself or a chain back to it: 409 ``duplicate_cycle``). Kept, never deleted;
    one ``suggestion.duplicate`` event."""
    async with db.transaction() as conn:
        row = await _locked(conn, principal, suggestion_id)
        if await store.estate_of(conn, data.of) != row.estate_id:
            raise BadRequest(
                "of", "not a suggestion of this estate", "not_in_estate", {"what": "suggestion"}
            )
        if suggestion_id in await store.duplicate_chain(conn, data.of):
            raise Conflict(
                "a suggestion cannot be a duplicate of itself or of its own duplicates",
                "duplicate_cycle",
                {"suggestion_id": suggestion_id, "of": data.of},
            )
        await store.set_duplicate(
            conn, suggestion_id, data.of, principal.member_id, datetime.now(UTC)
        )
        await append_event(
            conn,
            estate_id=row.estate_id,
            type="suggestion.duplicate",
            data={"suggestion_id": suggestion_id, "of": data.of},
            actor_id=principal.member_id,
            audience="staff",
        )
        updated = await store.suggestion(conn, suggestion_id)
    assert updated is not None
    return updated


async def triage_list(
    db: Database,
    principal: Principal,
    estate_id: int,
    f: SuggestionFilter,
    limit: int,
    after: int | None,
) -> SuggestionPage:
    """Staff: the matching suggestions, newest first, ``limit`` per page."""
    authorize(principal, estate_id, STAFF, what="estate")
    async with db.connection() as conn:
        items, total = await store.list_suggestions(conn, estate_id, f, limit + 1, after)
    next_after = items[limit - 1].id if len(items) > limit else None
    return SuggestionPage(items=items[:limit], next_after=next_after, total=total)


async def mine(db: Database, principal: Principal, estate_id: int) -> list[SuggestionRow]:
    """The member's own units' suggestions and those they submitted (with the common
    problem's status when merged), newest first."""
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        return await store.list_mine(conn, estate_id, principal.household_ids, principal.member_id)


# -- photos


async def upload_photo(
    db: Database, principal: Principal, estate_id: int, declared: str, content: bytes
) -> SuggestionPhotoOut:
    """Store a photo by its SHA-256 (the same bytes twice: one row); 400 ``photo_invalid``
    unless a JPEG, PNG or WebP whose first bytes say so, of 1 byte to 8 MiB."""
    authorize(principal, estate_id, SUGGESTERS, what="estate")
    checked = photos.checked_photo(declared, content)
    async with db.transaction() as conn:
        await store.insert_photo(
            conn, estate_id, checked.sha256, checked.media_type, content, principal.member_id
        )
    return SuggestionPhotoOut(
        sha256=checked.sha256, size=checked.size, media_type=checked.media_type
    )


async def photo(
    db: Database, principal: Principal, estate_id: int, sha256: str
) -> tuple[str, bytes]:
    """Staff: any of the estate's photos; an owner: those they uploaded or that are attached
    to their units' suggestions (404 otherwise, like a missing one)."""
    authorize(principal, estate_id, (*STAFF, *SUGGESTERS), what="estate")
    async with db.connection() as conn:
        uploader = await store.photo_uploader(conn, estate_id, sha256)
        if uploader is None:
            raise NotFound("photo")
        if (
            principal.role not in STAFF
            and uploader != principal.member_id
            and not (
                await store.photo_attached_for(
                    conn, estate_id, sha256, principal.household_ids, principal.member_id
                )
            )
        ):
            raise NotFound("photo")
        found = await store.photo(conn, estate_id, sha256)
    assert found is not None
    return found
