"""The ballot box: casting, opening and closing motions inside one transaction each.

Ordering and concurrency (why the tally always equals a recount):

- A cast first locks the roll rows of the persons (owner keys) whose units it covers, in key
  order. Two casts for the same unit, or for units of one owner, therefore run one after the
  other; ballot ids are taken after the lock, so the later cast has the higher id and its
  choice is the one that counts. Casts for different persons run in parallel.
- The cast then adds its delta (rules.cast_delta) to the motion's running counts with
  ``UPDATE ... WHERE status = 'open'``; that row lock orders the deltas and the tally pushes,
  and a close that committed first turns the cast into a 409 (the whole cast rolls back).
- Close locks the motion row, recounts from the append-only ballots table with the pure
  ``rules.tally`` and stores that as the tally of record.
"""

from __future__ import annotations

import logging
import secrets

import asyncpg

from planner.access.model import Principal
from planner.deliberation import store
from planner.deliberation.model import BallotReceipt, CastResult, tally_out
from planner.deliberation.rules import Choice, Tally, UnitChange, cast_delta, decide, tally
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.live.events import append_event

log = logging.getLogger("planner.deliberation")

# Suppliers and observers never vote; anyone else votes for the units they own or hold as proxy.
NON_VOTERS = ("supplier", "observer")
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed on phones


def new_receipt() -> str:
    """A receipt code such as ``K7QX-M2PA-9C``: 10 random symbols (about 49 bits)."""
    symbols = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(10))
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


async def cast(
    conn: asyncpg.Connection,
    principal: Principal,
    motion_id: int,
    choice: Choice,
    household_ids: list[int] | None,
) -> CastResult:
    """Record one cast: a ballot row per unit, each with its own receipt.

    403 for suppliers, observers, other estates and units the caller neither owns nor holds as
    proxy; 400 for a unit outside the motion's scope; 409 unless the motion is open.
    """
    motion = await store.get_motion(conn, motion_id)
    if motion is None:
        raise NotFound("motion")
    if principal.is_global_admin or principal.estate_id != motion.estate_id:
        raise Forbidden("not a member of this estate")
    if principal.role in NON_VOTERS:
        raise Forbidden(f"role {principal.role} may not vote")
    if motion.status != "open":
        raise Conflict(f"motion is {motion.status}; ballots are taken only while it is open")

    own = set(principal.household_ids)
    delegated = await store.delegated_units(conn, principal.member_id, motion.meeting_id)
    if household_ids is None:
        wanted = own | set(delegated)
        units = await store.roll_units(conn, motion_id, wanted)
        if not units:
            raise Forbidden("you hold no units (own or delegated) in this motion's scope")
    else:
        wanted = set(household_ids)
        not_yours = sorted(wanted - own - set(delegated))
        if not_yours:
            raise Forbidden(f"you may not vote for units {not_yours}")
        units = await store.roll_units(conn, motion_id, wanted)
        outside = sorted(wanted - {u.household_id for u in units})
        if outside:
            raise BadRequest("household_ids", f"units {outside} are not in this motion's scope")

    persons = await store.lock_persons(conn, motion_id, (u.person_key for u in units))
    before = await store.current_choices(conn, motion_id, (u.household_id for u in units))
    changes = [
        UnitChange(
            person_key=u.person_key, area=u.area, before=before.get(u.household_id), after=choice
        )
        for u in units
    ]
    delta, persons_after = cast_delta(changes, persons)
    ids = [u.household_id for u in units]
    receipts: list[BallotReceipt] = await store.insert_ballots(
        conn,
        motion_id,
        choice,
        principal.member_id,
        ids,
        [None if h in own else delegated[h] for h in ids],
        [new_receipt() for _ in ids],
    )
    await store.update_persons(conn, motion_id, persons_after)
    counts = await store.add_counts(conn, motion_id, delta)
    if counts is None:
        raise Conflict("motion closed while the ballot was being cast; it was not recorded")

    # Who voted what stays out of the event stream: it is visible to every member.
    await append_event(
        conn,
        estate_id=motion.estate_id,
        type="ballot.cast",
        data={"motion_id": motion_id, "units": len(ids)},
        actor_id=principal.member_id,
        audience="members",
    )
    if not motion.hide_results:
        running = decide(motion.matter, counts)
        await append_event(
            conn,
            estate_id=motion.estate_id,
            type="tally.updated",
            data=tally_out(motion_id, "open", running, redact=False),
            actor_id=principal.member_id,
            audience="members",
        )
    return CastResult(motion_id=motion_id, ballots=receipts)


async def recount(conn: asyncpg.Connection, matter: int, motion_id: int) -> Tally:
    """The tally of an open or closed motion, recounted from the ballots table."""
    units = await store.roll(conn, motion_id)
    return tally(matter, units, await store.last_ballots(conn, motion_id))


async def open_motion(
    conn: asyncpg.Connection, principal: Principal, motion_id: int
) -> store.MotionRow:
    """draft → open, freezing the roll of units in the meeting's scope; the meeting must be open."""
    motion = await store.get_motion(conn, motion_id, lock=True)
    if motion is None:
        raise NotFound("motion")
    if motion.status != "draft":
        raise Conflict(f"motion is already {motion.status}")
    if motion.meeting_status != "open":
        raise Conflict(f"the meeting is {motion.meeting_status}; open it first")
    await store.open_motion(conn, motion_id, motion.estate_id, motion.scope_building_ids)
    opened = await store.get_motion(conn, motion_id)
    assert opened is not None
    start = await recount(conn, opened.matter, motion_id)
    await append_event(
        conn,
        estate_id=motion.estate_id,
        type="motion.opened",
        data={
            "motion": opened.out(),
            "tally": tally_out(motion_id, "open", start, redact=opened.hide_results),
        },
        actor_id=principal.member_id,
        audience="members",
    )
    return opened


async def close_motion(
    conn: asyncpg.Connection, principal: Principal, motion: store.MotionRow
) -> store.MotionRow:
    """open → closed: the recount becomes the tally of record; later casts get 409."""
    locked = await store.get_motion(conn, motion.id, lock=True)
    assert locked is not None
    if locked.status != "open":
        raise Conflict(f"motion is {locked.status}, not open")
    final = await recount(conn, locked.matter, locked.id)
    running = await store.running_counts(conn, locked.id)
    if running is not None and decide(locked.matter, running) != final:
        log.error(
            "motion %s: running counts differ from the recount; the recount stands", locked.id
        )
    await store.close_motion(conn, locked.id, final)
    closed = await store.get_motion(conn, locked.id)
    assert closed is not None
    await append_event(
        conn,
        estate_id=locked.estate_id,
        type="motion.closed",
        data={"motion": closed.out(), "tally": tally_out(locked.id, "closed", final, redact=False)},
        actor_id=principal.member_id,
        audience="members",
    )
    return closed
