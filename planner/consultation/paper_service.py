"""Paper ballots of a written consultation: sheets, photos, double entry, conflicts.

Sheets. Once the consultation is published, each owner (person key) of its scope has one
sheet, numbered in owner-key order when the sheets are first listed (owners who appear
later get the next numbers); the number never changes. Before the consultation opens the
owners are those of the scope's households; from the opening, those of the frozen roll.
A sheet's code (``codes.py``) carries the consultation id and the sheet number, signed with
the estate's secret (``estate_secrets``, made on first use, never sent to a client).

Double entry. A committee member enters a signed sheet by its code: one choice per motion,
optionally the photo of the sheet (uploaded first; its hash goes into the event). Every
entry is stored (append-only) and recorded as a ``paper.entry`` event without the choices.
In a round of entries of a sheet:

- the first entry leaves the sheet ``awaiting_second``;
- an entry by another member that equals an earlier one of the round makes it ``counted``:
  the owner's paper ballots (every unit of theirs on the roll, each motion) are recorded
  through the ballot box, cast by the member whose entry made it count;
- an entry that equals none makes it ``mismatch`` (nothing counts): a further member's
  entry resolves it when it equals one of the earlier entries, else it stays ``mismatch``;
- the same member entering a sheet twice in a round is refused (409 ``same_member_entry``).

Re-entering a counted sheet (a corrected or second sheet signed by the same owner) starts a
new round of double entry; when that round counts, its ballots are recorded as new paper
ballots, later than the first ones, so they are the owner's paper ballots that count; the
ballots table keeps both. Until then the first round's ballots count.

Entries are refused before the consultation opens (409 ``wrong_status``) and at or after its
closing time, even before the schedule has recorded the close (409 ``consultation_closed``).

Locks, in this order: the consultation's row (shared: entries run side by side, a close waits
for them and they for it), the sheet's row, then, when it counts, what the ballot box takes
(the persons' rows, then each motion's row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from planner.access.guards import MANAGERS, authorize
from planner.access.model import Principal
from planner.consultation import paper_store
from planner.consultation import store as consultation_store
from planner.consultation.codes import new_secret, sheet_code, verify_code
from planner.consultation.model import ConsultationOut
from planner.consultation.paper_model import (
    ConflictList,
    EntryRow,
    EntryState,
    NewPaperEntry,
    PaperChoice,
    PaperEntryOut,
    PaperEntryResult,
    PaperSheetList,
    PaperSheetOut,
    PhotoOut,
    SheetList,
    SheetOut,
    SheetRow,
    SheetState,
    SheetUnit,
    SheetUnitRow,
)
from planner.consultation.sheets import SheetMotion, SheetsInput
from planner.db.pool import Database
from planner.deliberation import store as deliberation_store
from planner.deliberation.ballot_box import PendingCast, record_batch
from planner.deliberation.model import MotionRow, RollUnit
from planner.deliberation.rules import Choice
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import store as estates_store
from planner.events import append_event

#: The largest photo of a signed sheet (a phone's photo is 2-5 MiB).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda b: len(b) >= 12 and b[:4] == b"RIFF" and b[8:12] == b"WEBP",
}


async def _consultation(
    conn: asyncpg.Connection, principal: Principal, consultation_id: int
) -> ConsultationOut:
    """The consultation, for the committee or admin of its estate (others: 404 or 403)."""
    found = await consultation_store.get_out(conn, consultation_id)
    if found is None:
        raise NotFound("consultation")
    authorize(principal, found.estate_id, MANAGERS, what="consultation")
    return found


def _wrong_status(status: str, needed: str) -> Conflict:
    return Conflict(
        f"the consultation is {status}, not {needed}",
        "wrong_status",
        {"what": "consultation", "status": status, "needed": needed},
    )


async def _secret(conn: asyncpg.Connection, estate_id: int) -> bytes:
    return await paper_store.estate_secret(conn, estate_id, new_secret())


def _invalid_code() -> BadRequest:
    return BadRequest("code", "this is not a sheet code of this consultation", "sheet_code_invalid")


async def _owner_units(conn: asyncpg.Connection, c: ConsultationOut) -> list[SheetUnitRow]:
    """The units in scope with their owners; 409 while the consultation is a draft."""
    if c.status == "draft":
        raise _wrong_status(c.status, "noticed")
    roll = None if c.status == "noticed" else await paper_store.roll_motion(conn, c.id)
    return await paper_store.owner_units(conn, c.estate_id, c.scope_building_ids, roll)


def _by_owner(units: list[SheetUnitRow]) -> dict[str, list[SheetUnitRow]]:
    found: dict[str, list[SheetUnitRow]] = {}
    for unit in units:
        found.setdefault(unit.owner_key, []).append(unit)
    return found


async def _sheet_rows(
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
    owners = _by_owner(await _owner_units(conn, c))
    rows = await _sheet_rows(conn, c, owners)
    secret = await _secret(conn, c.estate_id)
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
        c = await _consultation(conn, principal, consultation_id)
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
        c = await _consultation(conn, principal, consultation_id)
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


def _media_type(declared: str) -> str:
    return declared.split(";", 1)[0].strip().lower()


async def upload_photo(
    db: Database, principal: Principal, estate_id: int, declared: str, content: bytes
) -> PhotoOut:
    """Store a photo of a signed sheet by its SHA-256 (the same bytes twice: one row); 400
    unless it is a JPEG, PNG or WebP whose first bytes say so, of 1 byte to 8 MiB."""
    media_type = _media_type(declared)
    check = _MAGIC.get(media_type)
    if check is None or not content or len(content) > MAX_PHOTO_BYTES or not check(content):
        raise BadRequest("body", "not a JPEG, PNG or WebP image of at most 8 MiB", "photo_invalid")
    sha256 = hashlib.sha256(content).hexdigest()
    async with db.transaction() as conn:
        await paper_store.insert_photo(
            conn, estate_id, sha256, media_type, content, principal.member_id
        )
    return PhotoOut(sha256=sha256, size=len(content), media_type=media_type)  # type: ignore[arg-type]


async def photo(db: Database, estate_id: int, sha256: str) -> tuple[str, bytes]:
    """The (authorized) estate's photo: media type and bytes; 404 when it has none."""
    async with db.connection() as conn:
        found = await paper_store.photo(conn, estate_id, sha256)
    if found is None:
        raise NotFound("photo")
    return found


# -- double entry


def _choices(motions: list[MotionRow], given: list[PaperChoice]) -> list[tuple[int, Choice]]:
    """The entry's choices in motion order; 400 unless every motion has exactly one."""
    ids = [m.id for m in motions]
    seen: set[int] = set()
    extra: list[int] = []
    for c in given:
        if c.motion_id not in ids or c.motion_id in seen:
            extra.append(c.motion_id)
        seen.add(c.motion_id)
    missing = [i for i in ids if i not in seen]
    if missing or extra:
        raise BadRequest(
            "choices",
            f"every motion needs exactly one choice (missing: {missing}; "
            f"unknown or repeated: {extra})",
            "sheet_choices_invalid",
            {"missing": ", ".join(map(str, missing)), "extra": ", ".join(map(str, extra))},
        )
    by_motion = {c.motion_id: c.choice for c in given}
    return [(i, by_motion[i]) for i in ids]


def _judge(earlier: list[EntryRow], choices: list[tuple[int, Choice]]) -> tuple[EntryState, str]:
    """The sheet's state after an entry with ``choices`` following the round's ``earlier``
    entries (all by other members), and why."""
    if not earlier:
        return "awaiting_second", "the first entry; another committee member must enter it too"
    if any(e.choices == choices for e in earlier):
        return "counted", f"entry {len(earlier) + 1} equals an earlier entry of the sheet"
    differ = sorted(
        {m for e in earlier for (m, a), (_, b) in zip(e.choices, choices, strict=True) if a != b}
    )
    if len(earlier) == 1:
        return "mismatch", (
            f"the two entries differ on motions {differ}; nothing counts until a third "
            "member's entry equals one of them"
        )
    return "mismatch", (
        f"entry {len(earlier) + 1} equals none of the earlier entries (differs on motions "
        f"{differ}); nothing counts until another member's entry equals one of them"
    )


def _closed(c: ConsultationOut) -> Conflict:
    return Conflict(
        f"the consultation closed at {c.closes_at.isoformat()}; paper ballots are refused",
        "consultation_closed",
        {"closes_at": c.closes_at.isoformat()},
    )


async def _count(
    conn: asyncpg.Connection,
    c: ConsultationOut,
    motions: list[MotionRow],
    roll: dict[int, list[RollUnit]],
    choices: list[tuple[int, Choice]],
    member_id: int,
) -> None:
    """Record the owner's paper ballots through the ballot box (running counts, commitments
    and ``ballot.cast`` as for any cast); a motion closed meanwhile refuses them all."""
    by_motion = {m.id: m for m in motions}
    for motion_id, choice in choices:
        units = roll[motion_id]
        if not units:
            continue
        pending = PendingCast(
            member_id=member_id,
            choice=choice,
            units=units,
            delegation_ids=[None] * len(units),
            channel="paper",
        )
        try:
            outcomes = await record_batch(conn, by_motion[motion_id], [pending])
        except Conflict as exc:
            if exc.code == "motion_closed":
                raise _closed(c) from exc
            raise
        for outcome in outcomes:
            if isinstance(outcome, Conflict):
                raise outcome


async def enter(
    db: Database, principal: Principal, consultation_id: int, data: NewPaperEntry
) -> PaperEntryResult:
    """One committee member's entry of a sheet (see the module doc for the states)."""
    async with db.transaction() as conn:
        c = await _consultation(conn, principal, consultation_id)
        status = await paper_store.lock_consultation_shared(conn, consultation_id)
        assert status is not None
        if status in ("closed", "announced") or (
            status == "open" and datetime.now(UTC) >= c.closes_at
        ):
            raise _closed(c)
        if status != "open":
            raise _wrong_status(status, "open")
        secret = await _secret(conn, c.estate_id)
        ref = verify_code(secret, data.code)
        if ref is None or ref.consultation_id != consultation_id:
            raise _invalid_code()
        sheet = await paper_store.lock_sheet(conn, consultation_id, ref.sheet_no)
        if sheet is None:
            raise _invalid_code()
        motions = await deliberation_store.list_motions(conn, consultation_id)
        choices = _choices(motions, data.choices)
        if data.photo_sha256 is not None and not await paper_store.photo_exists(
            conn, c.estate_id, data.photo_sha256
        ):
            raise BadRequest(
                "photo_sha256", "no photo with this hash in the estate", "photo_not_found"
            )
        roll = await paper_store.owner_roll(conn, [m.id for m in motions], sheet.owner_key)
        if not any(roll.values()):
            raise Conflict(
                "the sheet's owner has no unit on this consultation's roll", "sheet_not_on_roll"
            )
        round_ = sheet.round + 1 if sheet.state == "counted" else sheet.round
        earlier = [
            e
            for e in await paper_store.entries(conn, consultation_id, [sheet.sheet_no])
            if e.round == round_
        ]
        if any(e.entered_by == principal.member_id for e in earlier):
            raise Conflict(
                "you have already entered this sheet; another member must enter it",
                "same_member_entry",
            )
        state, explanation = _judge(earlier, choices)
        entry_no = len(earlier) + 1
        entry_id = await paper_store.insert_entry(
            conn,
            estate_id=c.estate_id,
            consultation_id=consultation_id,
            sheet_no=sheet.sheet_no,
            round_=round_,
            entry_no=entry_no,
            choices=choices,
            photo_sha256=data.photo_sha256,
            entered_by=principal.member_id,
            state=state,
        )
        await paper_store.set_sheet_state(conn, consultation_id, sheet.sheet_no, state, round_)
        if state == "counted":
            await _count(conn, c, motions, roll, choices, principal.member_id)
        await append_event(
            conn,
            estate_id=c.estate_id,
            type="paper.entry",
            data={
                "consultation_id": consultation_id,
                "sheet_no": sheet.sheet_no,
                "entry_id": entry_id,
                "round": round_,
                "entry_no": entry_no,
                "photo_sha256": data.photo_sha256,
                "state": state,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
        household_ids = sorted({u.household_id for units in roll.values() for u in units})
        return PaperEntryResult(
            code=sheet_code(secret, consultation_id, sheet.sheet_no),
            owner_key=sheet.owner_key,
            sheet_no=sheet.sheet_no,
            state=state,
            entry_id=entry_id,
            entry_no=entry_no,
            round=round_,
            household_ids=household_ids,
            explanation=explanation,
        )


def _entry_out(e: EntryRow) -> PaperEntryOut:
    return PaperEntryOut(
        entry_id=e.id,
        round=e.round,
        entry_no=e.entry_no,
        entered_by=e.entered_by,
        entered_by_name=e.entered_by_name,
        entered_at=e.entered_at,
        choices=[PaperChoice(motion_id=m, choice=ch) for m, ch in e.choices],
        photo_sha256=e.photo_sha256,
        state=e.state,
    )


async def _entered_sheets(
    conn: asyncpg.Connection, c: ConsultationOut, rows: list[SheetRow]
) -> list[PaperSheetOut]:
    secret = await _secret(conn, c.estate_id)
    owners = _by_owner(await _owner_units(conn, c))
    entries: dict[int, list[EntryRow]] = {}
    for e in await paper_store.entries(conn, c.id, [r.sheet_no for r in rows]):
        entries.setdefault(e.sheet_no, []).append(e)
    return [
        PaperSheetOut(
            code=sheet_code(secret, c.id, r.sheet_no),
            sheet_no=r.sheet_no,
            owner_key=r.owner_key,
            state=r.state,
            round=r.round,
            household_ids=[u.household_id for u in owners.get(r.owner_key, [])],
            entries=[_entry_out(e) for e in entries.get(r.sheet_no, [])],
        )
        for r in rows
    ]


async def list_entries(
    db: Database, principal: Principal, consultation_id: int, state: SheetState | None
) -> PaperSheetList:
    """The sheets with entries (with ``state``: the sheets in that state, ``not_entered``
    included), each with every entry side by side."""
    async with db.transaction() as conn:
        c = await _consultation(conn, principal, consultation_id)
        owners = _by_owner(await _owner_units(conn, c))
        rows = [
            r
            for r in await _sheet_rows(conn, c, owners)
            if (r.state == state if state is not None else r.state != "not_entered")
        ]
        return PaperSheetList(items=await _entered_sheets(conn, c, rows))


async def sheet_entries(
    db: Database, principal: Principal, consultation_id: int, code: str
) -> PaperSheetOut:
    """One sheet by its code with its entries; 400 ``sheet_code_invalid`` for a code that is
    not one of this consultation's."""
    async with db.transaction() as conn:
        c = await _consultation(conn, principal, consultation_id)
        if c.status == "draft":
            raise _wrong_status(c.status, "noticed")
        ref = verify_code(await _secret(conn, c.estate_id), code)
        if ref is None or ref.consultation_id != consultation_id:
            raise _invalid_code()
        row = await paper_store.get_sheet(conn, consultation_id, ref.sheet_no)
        if row is None:
            raise _invalid_code()
        return (await _entered_sheets(conn, c, [row]))[0]


async def conflicts(db: Database, principal: Principal, consultation_id: int) -> ConflictList:
    """The units that voted on a motion both online and on paper, with both ballots and which
    one counts under the consultation's both-channels rule."""
    async with db.connection() as conn:
        c = await _consultation(conn, principal, consultation_id)
        return ConflictList(
            both_channels=c.both_channels,
            items=await paper_store.channel_conflicts(conn, consultation_id),
        )
