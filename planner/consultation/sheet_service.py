"""Paper ballot sheets and the photos of signed sheets (issue 17).

Sheets. Once the consultation is published, each owner (person key) of its scope has one
sheet, numbered in owner-key order when the sheets are first listed (owners who appear
later get the next numbers); the number never changes. Before the consultation opens the
owners are those of the scope's households; from the opening, those of the frozen roll.
A sheet's code (``codes.py``) carries the consultation id and the sheet number, signed with
the estate's secret (``estate_secrets``, made on first use, never sent to a client).

Photos of signed sheets are stored once per estate by their SHA-256 (``paper_service``
names them in entries and events by that hash).
"""

from __future__ import annotations

import asyncpg

from planner import photos
from planner.access.guards import MANAGERS, authorize
from planner.access.model import Principal
from planner.consultation import paper_store
from planner.consultation import store as consultation_store
from planner.consultation.codes import new_secret, sheet_code
from planner.consultation.model import ConsultationOut
from planner.consultation.paper_model import (
    PhotoOut,
    SheetList,
    SheetOut,
    SheetRow,
    SheetUnit,
    SheetUnitRow,
)
from planner.consultation.sheets import SheetMotion, SheetsInput
from planner.db.pool import Database
from planner.deliberation import store as deliberation_store
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import photo_store
from planner.estates import store as estates_store

#: The largest photo of a signed sheet (a phone's photo is 2-5 MiB).
MAX_PHOTO_BYTES = photos.MAX_PHOTO_BYTES


async def found_consultation(
    conn: asyncpg.Connection, principal: Principal, consultation_id: int
) -> ConsultationOut:
    """The consultation, for the committee or admin of its estate (others: 404 or 403)."""
    found = await consultation_store.get_out(conn, consultation_id)
    if found is None:
        raise NotFound("consultation")
    authorize(principal, found.estate_id, MANAGERS, what="consultation")
    return found


def wrong_status(status: str, needed: str) -> Conflict:
    return Conflict(
        f"the consultation is {status}, not {needed}",
        "wrong_status",
        {"what": "consultation", "status": status, "needed": needed},
    )


async def estate_secret(conn: asyncpg.Connection, estate_id: int) -> bytes:
    return await paper_store.estate_secret(conn, estate_id, new_secret())


def invalid_code() -> BadRequest:
    return BadRequest("code", "this is not a sheet code of this consultation", "sheet_code_invalid")


async def owner_units(conn: asyncpg.Connection, c: ConsultationOut) -> list[SheetUnitRow]:
    """The units in scope with their owners; 409 while the consultation is a draft."""
    if c.status == "draft":
        raise wrong_status(c.status, "noticed")
    roll = None if c.status == "noticed" else await paper_store.roll_motion(conn, c.id)
    return await paper_store.owner_units(conn, c.estate_id, c.scope_building_ids, roll)


def by_owner(units: list[SheetUnitRow]) -> dict[str, list[SheetUnitRow]]:
    found: dict[str, list[SheetUnitRow]] = {}
    for unit in units:
        found.setdefault(unit.owner_key, []).append(unit)
    return found


async def sheet_rows(
    conn: asyncpg.Connection, c: ConsultationOut, owners: dict[str, list[SheetUnitRow]]
) -> list[SheetRow]:
    """Every sheet of the consultation, numbering the owners who have none yet."""
    rows = await paper_store.sheets(conn, c.id)
    if set(owners) - {r.owner_key for r in rows}:
        await paper_store.add_sheets(conn, c.id, list(owners))
        rows = await paper_store.sheets(conn, c.id)
    return rows


def _sheet_out(secret: bytes, row: SheetRow, units: list[SheetUnitRow]) -> SheetOut:
    return SheetOut(
        code=sheet_code(secret, row.consultation_id, row.sheet_no),
        sheet_no=row.sheet_no,
        owner_key=row.owner_key,
        owner_name=units[0].owner_name if units else "",
        household_ids=[u.household_id for u in units],
        units=[
            SheetUnit(
                household_id=u.household_id,
                building_id=u.building_id,
                building=u.building,
                unit=u.unit,
                label=f"{u.building}-{u.unit}",
                area_m2=u.area_m2,
            )
            for u in units
        ],
        state=row.state,
        round=row.round,
    )


async def _sheets(
    conn: asyncpg.Connection,
    c: ConsultationOut,
    owner_key: str | None,
    building_id: int | None,
) -> list[SheetOut]:
    owners = by_owner(await owner_units(conn, c))
    rows = await sheet_rows(conn, c, owners)
    secret = await estate_secret(conn, c.estate_id)
    found = []
    for row in rows:
        units = owners.get(row.owner_key, [])
        if not units or (owner_key is not None and row.owner_key != owner_key):
            continue  # an owner no longer in scope has no sheet to print
        if building_id is not None and all(u.building_id != building_id for u in units):
            continue
        found.append(_sheet_out(secret, row, units))
    return found


async def list_sheets(
    db: Database,
    principal: Principal,
    consultation_id: int,
    owner_key: str | None = None,
    building_id: int | None = None,
) -> SheetList:
    """Every owner's sheet (only ``owner_key``'s, or those with a unit in ``building_id``)."""
    async with db.transaction() as conn:
        c = await found_consultation(conn, principal, consultation_id)
        return SheetList(items=await _sheets(conn, c, owner_key, building_id))


async def sheets_input(
    db: Database,
    principal: Principal,
    consultation_id: int,
    owner_key: str | None = None,
    building_id: int | None = None,
) -> SheetsInput:
    """What the printable sheets show (see ``sheets.render_sheets``)."""
    async with db.transaction() as conn:
        c = await found_consultation(conn, principal, consultation_id)
        sheets = await _sheets(conn, c, owner_key, building_id)
        motions = await deliberation_store.list_motions(conn, consultation_id)
        return SheetsInput(
            estate_name=await estates_store.estate_name(conn, c.estate_id) or "",
            title=c.title,
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            motions=[SheetMotion(motion_id=m.id, title=m.title, text=m.text) for m in motions],
            sheets=sheets,
            time_zone=await estates_store.estate_time_zone(conn, c.estate_id),
        )


# -- photos


async def upload_photo(
    db: Database, principal: Principal, estate_id: int, declared: str, content: bytes
) -> PhotoOut:
    """Store a photo of a signed sheet by its SHA-256 (the same bytes twice: one row); 400
    unless it is a JPEG, PNG or WebP whose first bytes say so, of 1 byte to 8 MiB."""
    checked = photos.checked_photo(declared, content)
    async with db.transaction() as conn:
        await photo_store.insert_photo(
            conn, estate_id, checked.sha256, checked.media_type, content, principal.member_id
        )
    return PhotoOut(sha256=checked.sha256, size=checked.size, media_type=checked.media_type)


async def photo(db: Database, estate_id: int, sha256: str) -> tuple[str, bytes]:
    """The (authorized) estate's photo: media type and bytes; 404 when it has none."""
    async with db.connection() as conn:
        found = await photo_store.photo(conn, estate_id, sha256)
    if found is None:
        raise NotFound("photo")
    return found
