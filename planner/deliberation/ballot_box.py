"""The ballot box: casting in batches, one transaction per batch (``service`` opens and closes
motions).

Ordering and concurrency (why the tally always equals a recount):

- A request joins its motion's queue in this process at once (it takes no connection). One
  writer per motion takes everything queued, checks it (role, estate, units, scope, motion
  open: one ``ballot_contexts`` query for the whole batch) and records what passed in ONE
  transaction, so a burst of casts shares one read of the motion and the callers'
  delegations and units, one commit, one pass of the estate's event-stream lock and one
  tally push (group commit done by the app). A refused cast is answered as it would be
  alone; it does not hold up the others.
- The writer locks the persons' rows (owner keys) of every unit in the batch, in key order.
  Casts for the same unit, or for units of one owner, from other processes wait there; ballot
  ids are taken after the lock, in queue order, so a later cast always has the higher id and
  its choice is the one that counts.
- It adds the batch's delta (rules.cast_delta, cast by cast) to the motion's running counts
  with ``UPDATE ... WHERE status = 'open'``; that row lock orders deltas and tally pushes, and
  a close that committed first turns the whole batch into 409s (nothing of it is recorded).
- Close (``service.close_motion``) locks the motion row, recounts from the append-only
  ballots table with the pure ``rules.tally`` and stores that as the tally of record.
- Idempotency keys (offline voting, issue 16): a cast may carry a key of the member's choice.
  Every ballot row of the cast stores it (unique per motion, member, key and unit). A cast
  whose key is already recorded answers the first cast's receipts (``replayed``) and records
  nothing, no ballot and no event; with another choice or other units it is 409
  ``idempotency_key_reused``. The check runs twice: before queueing (so a retry answers even
  after the motion closed) and in the writer's transaction after an advisory lock per key
  (taken before the persons' rows), so duplicates racing in one batch or from other
  processes are still recorded once, whatever units they name.
- Tally pushes are paced: a batch carries a ``tally.updated`` only if this writer pushed
  none in the last ``PUSH_INTERVAL_S``; otherwise the push is owed, and once that interval
  has passed the next batch carries it, or, when no cast comes, the writer pushes the
  running counts in a transaction of its own (motion row lock first, as a batch takes it,
  so pushes stay in the counts' order). Every member's screen thus shows the final counts
  within the interval, and a room of 2,000 phones gets at most a few frames a second per
  motion however fast the ballots arrive. Only the push waits: a cast that comes while the
  writer waits out the interval is recorded at once (it used to wait with the push, up to
  ``PUSH_INTERVAL_S``, which made casts one after another take ~100 ms each).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Sequence

import asyncpg
import msgspec

from planner.access.guards import VOTERS
from planner.access.model import Principal
from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database
from planner.deliberation import ballot_store, commitment_store
from planner.deliberation.commitments import ballot_commitment, ballots_digest, canonical_time
from planner.deliberation.model import (
    BallotContext,
    BallotReceipt,
    CastResult,
    Channel,
    MotionRow,
    RollUnit,
    tally_out,
)
from planner.deliberation.rules import (
    Choice,
    Counts,
    PersonVotes,
    Tally,
    UnitChange,
    cast_delta,
    decide,
    tally,
)
from planner.errors import BadRequest, Conflict, Forbidden, NotFound, PlannerError
from planner.events import NewEvent, append_events, event_clock

log = logging.getLogger("planner.deliberation")

_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed on phones
_RECEIPT_CODES = len(_RECEIPT_ALPHABET) ** 10
MAX_BATCH = 500
#: The shortest time between two tally pushes of one motion from one writer.
PUSH_INTERVAL_S = 0.25


def new_receipt() -> str:
    """A receipt code such as ``K7QX-M2PA-9C``: 10 random symbols (about 49 bits)."""
    # one draw of the system's randomness, uniform over the 31**10 codes, spelled in base 31
    # (ten ``secrets.choice`` calls cost ten draws: a few per cent of a cast's CPU)
    number = secrets.randbelow(_RECEIPT_CODES)
    digits = []
    for _ in range(10):
        number, digit = divmod(number, len(_RECEIPT_ALPHABET))
        digits.append(_RECEIPT_ALPHABET[digit])
    symbols = "".join(digits)
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


class PendingCast(msgspec.Struct, kw_only=True):
    """A checked cast waiting for its motion's writer."""

    member_id: int
    choice: Choice
    units: list[RollUnit]
    delegation_ids: list[int | None]
    #: the client's key for this cast, and the units it asked for (None: all it may vote for)
    idempotency_key: str | None = None
    household_ids: list[int] | None = None
    #: online (phone, browser; a proxy's too) or paper (a sheet entered twice, found equal)
    channel: Channel = "online"


#: A cast's answer: its receipts and whether they answer a retry.
Answer = tuple[list[BallotReceipt], bool]
#: What a cast comes to: its answer, or the error.
Outcome = Answer | PlannerError
#: What ``record_batch`` answers a checked cast: its answer, or 409.
Recorded = Answer | Conflict


def replay(
    receipts: list[BallotReceipt], choice: Choice, household_ids: list[int] | None
) -> tuple[list[BallotReceipt], bool]:
    """The first cast's receipts for a retry with its key; 409 when the retry asks for
    something else (another choice, or other units when it names them)."""
    same = all(r.choice == choice for r in receipts) and (
        household_ids is None or set(household_ids) == {r.household_id for r in receipts}
    )
    if not same:
        raise key_reused()
    return receipts, True


def key_reused() -> Conflict:
    return Conflict(
        "this idempotency key was already used for another ballot; send a new key",
        "idempotency_key_reused",
    )


def checked_cast(
    principal: Principal,
    context: BallotContext | None,
    choice: Choice,
    household_ids: list[int] | None,
) -> tuple[MotionRow, PendingCast]:
    """Who may cast what, on the context read for the cast (``ballot_store.ballot_contexts``):
    404 for another estate's motion (as for a missing one); 403 for suppliers, observers,
    the global admin and units the caller neither owns nor holds as proxy; 400 for a unit
    outside the scope; 409 unless open."""
    own = set(principal.household_ids)
    wanted = own if household_ids is None else set(household_ids)
    if context is None:
        raise NotFound("motion")
    motion, delegated, units = context.motion, context.delegated, context.units
    if principal.is_global_admin:
        raise Forbidden("not a member of this estate", "not_a_member")
    if principal.estate_id != motion.estate_id:
        raise NotFound("motion")  # as for a missing motion (issue 15, item 7)
    if principal.role not in VOTERS:
        raise Forbidden(
            f"role {principal.role} may not vote", "role_not_allowed", {"role": principal.role}
        )
    if motion.status != "open":
        not_open = f"motion is {motion.status}; ballots are taken only while it is open"
        if motion.status == "closed":
            raise Conflict(not_open, "motion_closed")
        raise Conflict(
            not_open, "wrong_status", {"what": "motion", "status": motion.status, "needed": "open"}
        )
    if household_ids is None:
        if not units:
            raise Forbidden(
                "you hold no units (own or delegated) in this motion's scope", "no_units_in_scope"
            )
    else:
        not_yours = sorted(wanted - own - set(delegated))
        if not_yours:
            raise Forbidden(
                f"you may not vote for units {not_yours}", "not_your_unit", {"ids": not_yours}
            )
        outside = sorted(wanted - {u.household_id for u in units})
        if outside:
            raise BadRequest(
                "household_ids",
                f"units {outside} are not in this motion's scope",
                "not_in_scope",
                {"what": "units", "ids": outside},
            )
    return motion, PendingCast(
        member_id=principal.member_id,
        choice=choice,
        units=units,
        delegation_ids=[
            None if u.household_id in own else delegated[u.household_id] for u in units
        ],
    )


class AskedCast(msgspec.Struct, kw_only=True):
    """A cast as asked over HTTP, waiting for its motion's writer to check and record it."""

    principal: Principal
    choice: Choice
    household_ids: list[int] | None
    idempotency_key: str | None = None


class BatchRefused(Exception):
    """The batch's recording failed with ``error`` (rolled back); ``decided``: the answers
    found before recording (retries, refused casts), None for the casts that were to be
    recorded."""

    def __init__(self, error: PlannerError, decided: list[Outcome | None]) -> None:
        super().__init__(str(error))
        self.error = error
        self.decided = decided


class BallotBox:
    """One writer per motion in this process; casts queue, then are checked and committed in
    batches."""

    def __init__(self, db: Database, writer_db: Database | None = None) -> None:
        """``db``: the requests' pool (no longer used by casts, which are checked in the
        writer's transaction); ``writer_db`` (``db`` when None) checks and records the
        batches and is closed by ``stop`` when it is a pool of its own."""
        self.db = db
        self.writer_db = writer_db or db
        self._queues: dict[int, list[tuple[AskedCast, asyncio.Future[Answer]]]] = {}
        self._writers: dict[int, asyncio.Task[None]] = {}
        self._last_push: dict[int, float] = {}
        # set by a cast that joins the queue: wakes a writer waiting out the push interval
        self._arrivals: dict[int, asyncio.Event] = {}

    async def cast(
        self,
        principal: Principal,
        motion_id: int,
        choice: Choice,
        household_ids: list[int] | None,
        idempotency_key: str | None = None,
    ) -> CastResult:
        """Queue, and wait until the cast is checked and committed (or refused); see the
        module doc. No connection of the requests' pool is taken."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        asked = AskedCast(
            principal=principal,
            choice=choice,
            household_ids=household_ids,
            idempotency_key=idempotency_key,
        )
        self._queues.setdefault(motion_id, []).append((asked, future))
        if motion_id not in self._writers:
            self._writers[motion_id] = asyncio.create_task(self._write(motion_id))
        arrival = self._arrivals.get(motion_id)
        if arrival is not None:
            arrival.set()
        receipts, replayed = await future
        return CastResult(motion_id=motion_id, ballots=receipts, replayed=replayed)

    async def _write(self, motion_id: int) -> None:
        queue = self._queues[motion_id]
        loop = asyncio.get_running_loop()
        owed = False
        motion: MotionRow | None = None  # as the last batch read it
        try:
            while queue or owed:
                if not queue:
                    wait = self._last_push.get(motion_id, 0.0) + PUSH_INTERVAL_S - loop.time()
                    if wait > 0:
                        # the push waits out the interval, a cast does not: one that comes
                        # meanwhile is recorded at once (and carries the push if it is due)
                        arrival = self._arrivals.setdefault(motion_id, asyncio.Event())
                        arrival.clear()
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(wait):
                                await arrival.wait()
                        continue
                    owed = False
                    if motion is not None:
                        await self._push_counts(motion)
                    continue
                batch = queue[:MAX_BATCH]
                del queue[:MAX_BATCH]
                push = loop.time() - self._last_push.get(motion_id, 0.0) >= PUSH_INTERVAL_S
                try:
                    async with self.writer_db.transaction() as conn:
                        motion, results = await check_and_record(
                            conn, motion_id, [c for c, _ in batch], push_tally=push
                        )
                except BatchRefused as refused:  # rolled back: nothing of it is recorded
                    results = [refused.error if d is None else d for d in refused.decided]
                except BaseException as exc:  # each waiting request gets the error
                    failure = exc if isinstance(exc, Exception) else RuntimeError("stopping")
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(failure)
                    if failure is not exc:
                        raise
                    continue
                recorded = any(isinstance(r, tuple) and not r[1] for r in results)
                if recorded and motion is not None and not motion.hide_results:
                    if push:
                        self._last_push[motion_id] = loop.time()
                        owed = False
                    else:
                        owed = True
                for (_, future), outcome in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, PlannerError):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            # Normally the queue is empty here (no await since the loop's test); after a
            # cancellation the casts still queued were not recorded and are told so.
            del self._writers[motion_id]
            self._queues.pop(motion_id, None)
            self._arrivals.pop(motion_id, None)
            for _, future in queue:
                if not future.done():
                    future.set_exception(RuntimeError("the service stopped; cast again"))

    async def _push_counts(self, motion: MotionRow) -> None:
        """The owed push: the running counts, unless the motion closed meanwhile (its
        ``motion.closed`` event carries the tally of record)."""
        try:
            async with self.writer_db.transaction() as conn:
                await push_running_tally(conn, motion)
        except DatabaseUnavailable as exc:  # logged once per outage by the pool
            log.debug("motion %s: the paced tally push failed: %s", motion.id, exc)
        except Exception:  # the next batch or the close brings the counts instead
            log.exception("motion %s: the paced tally push failed", motion.id)
        self._last_push[motion.id] = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        """Let the writers finish what is queued (at most 10 s)."""
        writers = list(self._writers.values())
        if writers:
            await asyncio.wait(writers, timeout=10)
        if self.writer_db is not self.db:
            await self.writer_db.close()


async def check_and_record(
    conn: asyncpg.Connection,
    motion_id: int,
    batch: Sequence[AskedCast],
    *,
    push_tally: bool = True,
) -> tuple[MotionRow | None, list[Outcome]]:
    """Check casts asked over HTTP (one ``ballot_contexts`` round trip for the batch) and
    record the ones that pass, in queue order, in the caller's transaction; the motion as
    read, and what each cast came to.

    Each cast is answered as a request checked alone would be: a retry with a recorded key
    first (even after the motion closed), then ``checked_cast``'s refusals (404, 403, 400,
    409). Raises ``BatchRefused`` (the caller rolls back) when recording fails with an
    answer for the casts (the motion closed meanwhile).
    """
    asks = []
    for asked in batch:
        own = asked.principal.household_ids
        wanted = own if asked.household_ids is None else asked.household_ids
        asks.append(
            ballot_store.ContextAsk(
                member_id=asked.principal.member_id,
                wanted=sorted(set(wanted)),
                with_delegated=asked.household_ids is None,
                idempotency_key=asked.idempotency_key,
            )
        )
    contexts = await ballot_store.ballot_contexts(conn, motion_id, asks)
    decided: list[Outcome | None] = []
    pending: list[PendingCast] = []
    for asked, context in zip(batch, contexts, strict=True):
        try:
            if asked.idempotency_key is not None and context is not None and context.keyed:
                # a retry is answered before any other check (even after the motion closed)
                decided.append(replay(context.keyed, asked.choice, asked.household_ids))
                continue
            _, checked = checked_cast(asked.principal, context, asked.choice, asked.household_ids)
        except PlannerError as exc:
            decided.append(exc)
            continue
        checked.idempotency_key = asked.idempotency_key
        checked.household_ids = asked.household_ids
        decided.append(None)
        pending.append(checked)
    motion = contexts[0].motion if contexts and contexts[0] is not None else None
    if motion is None or not pending:
        return motion, [d for d in decided if d is not None]
    try:
        recorded = await record_batch(
            conn, motion, pending, push_tally=push_tally and not motion.hide_results
        )
    except Conflict as exc:
        raise BatchRefused(exc, decided) from exc
    answers = iter(recorded)
    return motion, [next(answers) if d is None else d for d in decided]


async def record_batch(
    conn: asyncpg.Connection,
    motion: MotionRow,
    batch: Sequence[PendingCast],
    *,
    push_tally: bool = True,
) -> list[Recorded]:
    """Record checked casts in queue order in the caller's transaction; what each came to.

    ``push_tally``: also append the new running tally (never while results are hidden).
    409 (nothing recorded) when the motion is no longer open. A cast whose idempotency key
    is already recorded, before or earlier in this batch, is answered from that record and
    adds nothing (see the module doc).
    """
    keyed = {(p.member_id, p.idempotency_key) for p in batch if p.idempotency_key is not None}
    if keyed:  # before the persons' rows, always: no lock is ever taken in the other order
        await ballot_store.lock_keys(conn, motion.id, keyed)
    all_units = {u.household_id: u for p in batch for u in p.units}
    persons = await ballot_store.lock_persons(
        conn, motion.id, {u.person_key for u in all_units.values()}
    )
    # After the locks: a duplicate committed meanwhile by another process is seen here.
    earlier = await ballot_store.keyed_ballots(conn, motion.id, sorted(keyed))
    fresh: list[PendingCast] = []
    first_of: dict[tuple[int, str], int] = {}  # key -> index in ``fresh``
    plan: list[int | tuple[list[BallotReceipt], bool] | Conflict] = []
    for pending in batch:
        key = None
        if pending.idempotency_key is not None:
            key = (pending.member_id, pending.idempotency_key)
        if key is not None and key in earlier:
            try:
                plan.append(replay(earlier[key], pending.choice, pending.household_ids))
            except Conflict as exc:
                plan.append(exc)
        elif key is not None and key in first_of:
            first = fresh[first_of[key]]
            same = first.choice == pending.choice and (
                pending.household_ids is None
                or set(pending.household_ids) == {u.household_id for u in first.units}
            )
            plan.append(-1 - first_of[key] if same else key_reused())
        else:
            if key is not None:
                first_of[key] = len(fresh)
            plan.append(len(fresh))
            fresh.append(pending)
    recorded = await _record_fresh(conn, motion, fresh, persons, push_tally) if fresh else []
    outcomes: list[Recorded] = []
    for step in plan:
        if isinstance(step, int):
            outcomes.append((recorded[step], False) if step >= 0 else (recorded[-1 - step], True))
        else:
            outcomes.append(step)
    return outcomes


async def _record_fresh(
    conn: asyncpg.Connection,
    motion: MotionRow,
    batch: Sequence[PendingCast],
    persons: dict[str, PersonVotes],
    push_tally: bool,
) -> list[list[BallotReceipt]]:
    """Record casts none of which repeats a recorded key; their receipts (see record_batch).
    ``persons``: the locked persons' votes (updated in place)."""
    all_units = {u.household_id: u for p in batch for u in p.units}
    current = await ballot_store.current_choices(conn, motion.id, all_units)
    total = Counts()
    rows: list[ballot_store.BallotRow] = []
    for pending in batch:
        # Under "paper prevails" an online ballot for a unit whose paper ballot counts is
        # recorded (every ballot stays in the record) but changes nothing.
        counted = [
            u
            for u in pending.units
            if not (
                motion.paper_prevails
                and pending.channel == "online"
                and current.get(u.household_id, (None, None))[1] == "paper"
            )
        ]
        changes = [
            UnitChange(
                person_key=u.person_key,
                area=u.area,
                before=current.get(u.household_id, (None, None))[0],
                after=pending.choice,
            )
            for u in counted
        ]
        delta, touched = cast_delta(changes, persons)
        total = total.plus(delta)
        persons.update(touched)
        for unit in counted:
            current[unit.household_id] = (pending.choice, pending.channel)
        for unit, delegation in zip(pending.units, pending.delegation_ids, strict=True):
            rows.append(
                ballot_store.BallotRow(
                    household_id=unit.household_id,
                    choice=pending.choice,
                    cast_by=pending.member_id,
                    delegation_id=delegation,
                    receipt=new_receipt(),
                    idempotency_key=pending.idempotency_key,
                    channel=pending.channel,
                )
            )
    touched_persons: dict[str, PersonVotes] = {
        key: persons[key] for key in {u.person_key for u in all_units.values()}
    }
    story_clock = event_clock.get()  # the demo plays its history on a clock of its own
    receipts, counts, secret = await ballot_store.record_ballots(
        conn,
        motion.id,
        rows,
        touched_persons,
        total,
        story_clock() if story_clock else None,
        paper_prevails=motion.paper_prevails,
    )
    if counts is None:
        raise Conflict(
            "motion closed while the ballots were being cast; they were not recorded",
            "motion_closed",
        )

    # Who voted what stays out of the event stream: it is visible to every member. With a
    # hidden tally, ballot.cast is the members' only sign of progress; with a visible one,
    # tally.updated carries participation too, so ballot.cast goes to staff only (one frame
    # per batch and member instead of two: in a packed meeting that halves the fan-out).
    # Each ballot enters the chain as a keyed commitment (``commitments``): it binds the
    # unit and the choice for ``planner audit verify`` without showing them to anyone.
    data: dict[str, object] = {"motion_id": motion.id, "casts": len(batch), "units": len(rows)}
    paper = sorted(r.ballot_id for r in receipts if r.channel == "paper")
    if paper:  # which of the committed ballots came on paper (the paper-prevails recount)
        data["paper_ballots"] = paper
    if secret is not None and receipts:
        data["cast_at"] = canonical_time(receipts[0].cast_at)
        data["ballots"] = [
            [
                r.ballot_id,
                ballot_commitment(
                    secret,
                    motion_id=motion.id,
                    ballot_id=r.ballot_id,
                    household_id=r.household_id,
                    choice=r.choice,
                    cast_at=r.cast_at,
                ),
            ]
            for r in sorted(receipts, key=lambda r: r.ballot_id)
        ]
    events = [
        NewEvent(
            type="ballot.cast",
            data=data,
            actor_id=batch[0].member_id if len(batch) == 1 else None,
            audience="members" if motion.hide_results else "staff",
        )
    ]
    if push_tally and not motion.hide_results:
        events.append(_tally_event(motion, counts))
    # one lock of the estate's stream and one write for both (as two append_event calls)
    await append_events(conn, estate_id=motion.estate_id, events=events)
    by_receipt = {r.receipt: r for r in receipts}
    results: list[list[BallotReceipt]] = []
    position = 0
    for pending in batch:
        mine = rows[position : position + len(pending.units)]
        position += len(pending.units)
        results.append([by_receipt[row.receipt] for row in mine])
    return results


def _tally_event(motion: MotionRow, counts: Counts) -> NewEvent:
    return NewEvent(
        type="tally.updated",
        data=tally_out(
            motion.id, "open", decide(motion.matter, counts, motion.rule_set), redact=False
        ),
        actor_id=None,
        audience="members",
    )


async def _append_tally(conn: asyncpg.Connection, motion: MotionRow, counts: Counts) -> None:
    await append_events(conn, estate_id=motion.estate_id, events=[_tally_event(motion, counts)])


async def push_running_tally(conn: asyncpg.Connection, motion: MotionRow) -> None:
    """Append the motion's running tally in the caller's transaction, if it is still open.

    Takes the motion's row lock before the event stream's, as a batch does, so a push
    never overtakes counts committed after it.
    """
    counts = await ballot_store.running_counts(conn, motion.id, lock_open=True)
    if counts is not None:
        await _append_tally(conn, motion, counts)


async def recount(conn: asyncpg.Connection, motion: MotionRow) -> Tally:
    """The tally of an open or closed motion, recounted from the ballots table under its rule
    set and both-channels rule."""
    units = await ballot_store.roll(conn, motion.id)
    ballots = await ballot_store.last_ballots(conn, motion.id, motion.paper_prevails)
    return tally(motion.matter, units, ballots, motion.rule_set)


async def sealed_ballots(conn: asyncpg.Connection, motion_id: int) -> dict[str, object]:
    """What motion.closed seals: how many ballots the tally was counted from and the digest
    of their commitments (nothing for a motion opened before the commitments)."""
    secret = await commitment_store.ballot_secret(conn, motion_id)
    if secret is None:
        return {}
    facts = await commitment_store.ballot_facts(conn, motion_id)
    committed = [
        ballot_commitment(
            secret,
            motion_id=motion_id,
            ballot_id=b.id,
            household_id=b.household_id,
            choice=b.choice,
            cast_at=b.cast_at,
        )
        for b in facts
    ]
    return {"ballots": len(committed), "ballots_digest": ballots_digest(committed)}
