"""Paper ballots of a written consultation: double entry, and the units that voted on both
channels (the sheets and photos: ``sheet_service``).

Double entry. A committee member enters a signed sheet by its code: one choice per motion,
optionally the photo of the sheet (uploaded first; its hash goes into the event). Every
entry is stored (append-only) and recorded as a ``paper.entry`` event without the choices.
In a round of entries of a sheet (the rules: ``paper_rules.py``):

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

from datetime import UTC, datetime

import asyncpg

from planner.access.model import Principal
from planner.consultation import paper_rules, paper_store, sheet_service
from planner.consultation.codes import sheet_code, verify_code
from planner.consultation.model import ConsultationOut
from planner.consultation.paper_model import (
    ConflictList,
    EntryRow,
    NewPaperEntry,
    PaperChoice,
    PaperEntryOut,
    PaperEntryResult,
    PaperSheetList,
    PaperSheetOut,
    SheetRow,
    SheetState,
)
from planner.db.pool import Database
from planner.deliberation import store as deliberation_store
from planner.deliberation.ballot_box import PendingCast, record_batch
from planner.deliberation.model import MotionRow, RollUnit
from planner.deliberation.rules import Choice
from planner.errors import BadRequest, Conflict
from planner.estates import photo_store
from planner.events import append_event, event_clock


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
) -> list[int]:
    """Record the owner's paper ballots through the ballot box (running counts, commitments
    and ``ballot.cast`` as for any cast); their ids. A motion closed meanwhile refuses them
    all."""
    by_motion = {m.id: m for m in motions}
    ballot_ids: list[int] = []
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
            ballot_ids += [r.ballot_id for r in outcome[0]]
    return ballot_ids


async def enter(
    db: Database, principal: Principal, consultation_id: int, data: NewPaperEntry
) -> PaperEntryResult:
    """One committee member's entry of a sheet (see the module doc for the states)."""
    async with db.transaction() as conn:
        c = await sheet_service.found_consultation(conn, principal, consultation_id)
        status = await paper_store.lock_consultation_shared(conn, consultation_id)
        assert status is not None
        if status in ("closed", "announced") or (
            status == "open" and datetime.now(UTC) >= c.closes_at
        ):
            raise _closed(c)
        if status != "open":
            raise sheet_service.wrong_status(status, "open")
        secret = await sheet_service.estate_secret(conn, c.estate_id)
        ref = verify_code(secret, data.code)
        if ref is None or ref.consultation_id != consultation_id:
            raise sheet_service.invalid_code()
        sheet = await paper_store.lock_sheet(conn, consultation_id, ref.sheet_no)
        if sheet is None:
            raise sheet_service.invalid_code()
        motions = await deliberation_store.list_motions(conn, consultation_id)
        choices = paper_rules.complete_choices(
            [m.id for m in motions], [(c.motion_id, c.choice) for c in data.choices]
        )
        if data.photo_sha256 is not None and not await photo_store.photo_exists(
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
        round_ = paper_rules.next_round(sheet.state, sheet.round)
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
        state, explanation, agreeing = paper_rules.judge([e.choices for e in earlier], choices)
        story_clock = event_clock.get()  # the demo plays its history on a clock of its own
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
            entered_at=story_clock() if story_clock is not None else None,
        )
        await paper_store.set_sheet_state(conn, consultation_id, sheet.sheet_no, state, round_)
        ballot_ids: list[int] = []
        if state == "counted":
            ballot_ids = await _count(conn, c, motions, roll, choices, principal.member_id)
            made_by = [earlier[n].id for n in agreeing] + [entry_id]
            await paper_store.insert_paper_ballots(
                conn, ballot_ids, consultation_id, sheet.sheet_no, round_, made_by
            )
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
            ballot_ids=ballot_ids,
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
    secret = await sheet_service.estate_secret(conn, c.estate_id)
    owners = sheet_service.by_owner(await sheet_service.owner_units(conn, c))
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
        c = await sheet_service.found_consultation(conn, principal, consultation_id)
        owners = sheet_service.by_owner(await sheet_service.owner_units(conn, c))
        rows = [
            r
            for r in await sheet_service.sheet_rows(conn, c, owners)
            if (r.state == state if state is not None else r.state != "not_entered")
        ]
        return PaperSheetList(items=await _entered_sheets(conn, c, rows))


async def sheet_entries(
    db: Database, principal: Principal, consultation_id: int, code: str
) -> PaperSheetOut:
    """One sheet by its code with its entries; 400 ``sheet_code_invalid`` for a code that is
    not one of this consultation's."""
    async with db.transaction() as conn:
        c = await sheet_service.found_consultation(conn, principal, consultation_id)
        if c.status == "draft":
            raise sheet_service.wrong_status(c.status, "noticed")
        ref = verify_code(await sheet_service.estate_secret(conn, c.estate_id), code)
        if ref is None or ref.consultation_id != consultation_id:
            raise sheet_service.invalid_code()
        row = await paper_store.get_sheet(conn, consultation_id, ref.sheet_no)
        if row is None:
            raise sheet_service.invalid_code()
        return (await _entered_sheets(conn, c, [row]))[0]


async def conflicts(db: Database, principal: Principal, consultation_id: int) -> ConflictList:
    """The units that voted on a motion both online and on paper, with both ballots and which
    one counts under the consultation's both-channels rule."""
    async with db.connection() as conn:
        c = await sheet_service.found_consultation(conn, principal, consultation_id)
        return ConflictList(
            both_channels=c.both_channels,
            items=await paper_store.channel_conflicts(conn, consultation_id),
        )
