"""Recounting every motion from the audit chain (``planner audit verify``, issue 15 item 6).

The chain pass (``audit.verify_chain``) hands each event to ``ChainFacts.observe``, which keeps
what the chain says about the votes: the roll digest of ``motion.opened``, the ballot
commitments of every ``ballot.cast`` and the sealed count, digest and tally of
``motion.closed``. ``recount_estate`` then compares that with the tables: every ballot row
must match its commitment (with the motion's secret) and every commitment must have its row;
the roll must match its digest; the tally recounted from the chain must equal the recorded
ones (the ``motion.closed`` event and the motions table) and the roll's counted choices; and
the heads kept with each close must still be in the chain. Motions opened before the
commitments existed (their ``motion.opened`` has no ``roll_digest``) are counted as legacy.

The recount follows the motion's rule set and both-channels rule: under "paper prevails" a
unit's counted ballot is its last paper ballot when it has one, and which ballots came on
paper is what the chain says (``paper_ballots`` of each ``ballot.cast``), not the table's
``channel`` column (a channel changed in the table is reported).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from planner.deliberation import commitment_store
from planner.deliberation.commitments import (
    CHOICES,
    ballot_commitment,
    ballots_digest,
    roll_digest,
)
from planner.deliberation.model import AuditedMotion, BallotFact, RollEntry, tally_out
from planner.deliberation.rules import Ballot, Choice, Tally, UnitInScope, last_choices, tally
from planner.events import Event
from planner.live import audit_store

#: Deleted ballots whose unit and choice are searched for over the whole roll; past this
#: many the rest are reported without them (the search is roll size × 3 MACs each).
MAX_RECOVERIES = 50


class VoteMismatch(msgspec.Struct, frozen=True, kw_only=True):
    """One disagreement between the chain and the tables."""

    estate_id: int
    motion_id: int | None
    household_id: int | None
    reason: str

    def __str__(self) -> str:
        where = [f"estate {self.estate_id}"]
        if self.motion_id is not None:
            where.append(f"motion {self.motion_id}")
        if self.household_id is not None:
            where.append(f"unit {self.household_id}")
        return f"{', '.join(where)}: {self.reason}"


class Commitment(msgspec.Struct, frozen=True, kw_only=True):
    value: str
    cast_at: str | None
    seq: int


class MotionTrail(msgspec.Struct, kw_only=True):
    """What the chain says about one motion."""

    opened_seq: int | None = None
    roll_digest: str | None = None  # None: opened before the commitments (legacy)
    committed: dict[int, Commitment] = msgspec.field(default_factory=dict)
    uncommitted_casts: list[int] = msgspec.field(default_factory=list)  # seqs
    #: the ballots the chain says came on paper (``paper_ballots`` of ``ballot.cast``)
    paper: set[int] = msgspec.field(default_factory=set)
    closed_seq: int | None = None
    closed: dict[str, Any] | None = None


class ChainFacts:
    """The vote-bearing facts of one estate's chain, collected during the chain pass."""

    def __init__(self) -> None:
        self.motions: dict[int, MotionTrail] = {}

    def observe(self, event: Event) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type in ("motion.opened", "motion.closed"):
            motion = data.get("motion")
            if not isinstance(motion, dict) or not isinstance(motion.get("id"), int):
                return
            trail = self.motions.setdefault(motion["id"], MotionTrail())
            if event.type == "motion.opened":
                trail.opened_seq = event.seq
                trail.roll_digest = data.get("roll_digest")
            else:
                trail.closed_seq = event.seq
                trail.closed = data
        elif event.type == "ballot.cast":
            found = self.motions.get(data.get("motion_id"))  # type: ignore[arg-type]
            if found is None or found.roll_digest is None:
                return  # not a motion the chain committed (legacy events)
            paper = data.get("paper_ballots")
            if isinstance(paper, list):
                found.paper.update(p for p in paper if isinstance(p, int))
            ballots = data.get("ballots")
            if not isinstance(ballots, list):
                found.uncommitted_casts.append(event.seq)
                return
            for ballot_id, value in ballots:
                found.committed[ballot_id] = Commitment(
                    value=value, cast_at=data.get("cast_at"), seq=event.seq
                )


class Found(msgspec.Struct, frozen=True, kw_only=True):
    household_id: int
    choice: Choice


def _recover(
    secret: bytes,
    motion_id: int,
    ballot_id: int,
    commitment: str,
    units: Iterable[int],
    times: Iterable[datetime],
) -> Found | None:
    """The unit and choice a commitment was made for, searched among ``units`` and ``times``."""
    for cast_at in times:
        for household_id in units:
            for choice in CHOICES:
                made = ballot_commitment(
                    secret,
                    motion_id=motion_id,
                    ballot_id=ballot_id,
                    household_id=household_id,
                    choice=choice,
                    cast_at=cast_at,
                )
                if made == commitment:
                    return Found(household_id=household_id, choice=choice)  # type: ignore[arg-type]
    return None


def _said(choice: str | None) -> str:
    return f"'{choice}'" if choice is not None else "no ballot"


def _summary(result: Any) -> str:
    """A tally's figures in one line (from a Tally, a TallyOut or their JSON)."""
    t = msgspec.to_builtins(result) if not isinstance(result, dict) else result
    passed = {True: "passed", False: "not passed", None: "?"}[t.get("passed")]
    return (
        f"yes {t.get('yes_area_m2')} m²/{t.get('yes_owners')}, "
        f"no {t.get('no_area_m2')} m²/{t.get('no_owners')}, "
        f"abstain {t.get('abstain_area_m2')} m²/{t.get('abstain_owners')}, {passed}"
    )


class _MotionCheck:
    """The comparisons for one committed motion; problems go to ``problems``."""

    def __init__(
        self, estate_id: int, motion: AuditedMotion, trail: MotionTrail, secret: bytes
    ) -> None:
        self.estate_id = estate_id
        self.motion = motion
        self.trail = trail
        self.secret = secret
        self.problems: list[VoteMismatch] = []
        self.recoveries = 0

    def problem(self, reason: str, household_id: int | None = None) -> None:
        self.problems.append(
            VoteMismatch(
                estate_id=self.estate_id,
                motion_id=self.motion.id,
                household_id=household_id,
                reason=reason,
            )
        )

    def commitment(self, row: BallotFact) -> str:
        return ballot_commitment(
            self.secret,
            motion_id=self.motion.id,
            ballot_id=row.id,
            household_id=row.household_id,
            choice=row.choice,
            cast_at=row.cast_at,
        )

    def check_roll(self, roll: list[RollEntry]) -> None:
        made = roll_digest(
            self.secret, self.motion.id, ((u.household_id, u.person_key, u.area) for u in roll)
        )
        if made != self.trail.roll_digest:
            self.problem(
                "the roll (units, owners, areas) differs from the one committed when the "
                f"motion opened (seq {self.trail.opened_seq})"
            )

    def chain_ballots(self, rows: list[BallotFact], roll: list[RollEntry]) -> dict[int, Found]:
        """Each committed ballot's unit and choice as the chain has it; differences reported."""
        committed = self.trail.committed
        chain: dict[int, Found] = {}
        for seq in self.trail.uncommitted_casts:
            self.problem(f"ballot.cast at seq {seq} carries no ballot commitments")
        for row in rows:
            c = committed.get(row.id)
            if c is None:
                self.problem(
                    f"ballot {row.id} ({row.choice}) is in the ballots table but not in the "
                    "chain (an event deleted, or a ballot added behind the service)",
                    row.household_id,
                )
                continue
            self.check_channel(row)
            if self.commitment(row) == c.value:
                chain[row.id] = Found(household_id=row.household_id, choice=row.choice)
                continue
            found = _recover(
                self.secret, self.motion.id, row.id, c.value, [row.household_id], [row.cast_at]
            ) or self._search(row.id, c, roll)
            if found is not None:
                chain[row.id] = found
                said = (
                    f"unit {found.household_id}, " if found.household_id != row.household_id else ""
                )
                self.problem(
                    f"ballot {row.id} says '{row.choice}' in the ballots table but the chain "
                    f"(seq {c.seq}) committed {said}'{found.choice}'",
                    row.household_id,
                )
            else:
                self.problem(
                    f"ballot {row.id} ({row.choice}, cast {row.cast_at.isoformat()}) does not "
                    f"match its commitment in the chain (seq {c.seq})",
                    row.household_id,
                )
        stored = {row.id for row in rows}
        for ballot_id, c in sorted(committed.items()):
            if ballot_id in stored:
                continue
            found = self._search(ballot_id, c, roll)
            if found is not None:
                chain[ballot_id] = found
            what = f" ('{found.choice}')" if found else ""
            self.problem(
                f"ballot {ballot_id}{what} committed in the chain (seq {c.seq}) is missing from "
                "the ballots table",
                found.household_id if found else None,
            )
        return chain

    def check_channel(self, row: BallotFact) -> None:
        on_paper = row.id in self.trail.paper
        if on_paper != (row.channel == "paper"):
            said = "paper" if on_paper else "online"
            self.problem(
                f"ballot {row.id} came {row.channel} in the ballots table but {said} in the "
                f"chain (seq {self.trail.committed[row.id].seq})",
                row.household_id,
            )

    def counted(self, chain: dict[int, Found], on_roll: set[int]) -> list[Ballot]:
        """Each roll unit's counted ballot from the chain: its last one, or under "paper
        prevails" its last paper ballot when it has one."""
        prevails = self.motion.paper_prevails
        best: dict[int, tuple[bool, int]] = {}
        for ballot_id, f in chain.items():
            if f.household_id not in on_roll:
                continue
            rank = (prevails and ballot_id in self.trail.paper, ballot_id)
            if f.household_id not in best or rank > best[f.household_id]:
                best[f.household_id] = rank
        return [
            Ballot(seq=ballot_id, household_ids=(unit,), choice=chain[ballot_id].choice)
            for unit, (_, ballot_id) in sorted(best.items())
        ]

    def _search(self, ballot_id: int, c: Commitment, roll: list[RollEntry]) -> Found | None:
        if c.cast_at is None or self.recoveries >= MAX_RECOVERIES:
            return None
        self.recoveries += 1
        cast_at = datetime.fromisoformat(c.cast_at.replace("Z", "+00:00"))
        units = [u.household_id for u in roll]
        return _recover(self.secret, self.motion.id, ballot_id, c.value, units, [cast_at])

    def check_counts(self, chain: dict[int, Found], roll: list[RollEntry]) -> Tally | None:
        """The recount from the chain, against the roll's counted choices and the tallies."""
        units = [
            UnitInScope(
                household_id=u.household_id,
                owner_key=u.person_key,
                area_m2=Decimal(u.area).scaleb(-2),
            )
            for u in roll
        ]
        on_roll = {u.household_id for u in roll}
        ballots = self.counted(chain, on_roll)
        last = last_choices(on_roll, ballots)
        which = "counted (paper prevails)" if self.motion.paper_prevails else "last"
        for unit in roll:
            if unit.choice != last.get(unit.household_id):
                self.problem(
                    f"the roll counts {_said(unit.choice)} but the chain's {which} ballot for "
                    f"the unit says {_said(last.get(unit.household_id))}",
                    unit.household_id,
                )
        try:
            recounted = tally(self.motion.matter, units, ballots, self.motion.rule_set)
        except ValueError as refused:  # a roll no vote could have been counted on
            self.problem(f"the motion cannot be recounted: {refused}")
            return None
        motion, trail = self.motion, self.trail
        if motion.status == "closed":
            if trail.closed is None:
                self.problem("the motion is closed in the table but the chain has no motion.closed")
            else:
                self._check_close(trail.closed, recounted)
            if motion.final_tally != msgspec.to_builtins(recounted):
                self.problem(
                    f"the tally of record ({_summary(motion.final_tally or {})}) differs from the "
                    f"recount from the chain ({_summary(recounted)})"
                )
        elif trail.closed is not None:
            self.problem(
                f"the chain closed the motion (seq {trail.closed_seq}) but the table says "
                f"{motion.status}"
            )
        return recounted

    def _check_close(self, closed: dict[str, Any], recounted: Tally) -> None:
        expected = msgspec.to_builtins(tally_out(self.motion.id, "closed", recounted, redact=False))
        if closed.get("tally") != expected:
            self.problem(
                f"the tally in motion.closed (seq {self.trail.closed_seq}: "
                f"{_summary(closed.get('tally') or {})}) differs from the recount from the chain "
                f"({_summary(recounted)})"
            )
        sealed = [
            c.value
            for ballot_id, c in sorted(self.trail.committed.items())
            if self.trail.closed_seq is None or c.seq < self.trail.closed_seq
        ]
        if "ballots" in closed and (
            closed["ballots"] != len(sealed)
            or closed.get("ballots_digest") != ballots_digest(sealed)
        ):
            self.problem(
                f"motion.closed (seq {self.trail.closed_seq}) sealed {closed['ballots']} ballots "
                f"but the chain commits {len(sealed)} before it, or other ones"
            )


class EstateVotes(msgspec.Struct, kw_only=True):
    motions: int = 0  # committed motions recounted
    ballots: int = 0
    legacy: int = 0  # motions opened before the commitments (not covered)
    problems: list[VoteMismatch] = msgspec.field(default_factory=list)


async def recount_estate(
    conn: asyncpg.Connection, estate_id: int, facts: ChainFacts
) -> EstateVotes:
    """Compare the estate's motions, ballots, tallies and close heads with its chain."""
    result = EstateVotes()

    def problem(motion_id: int | None, reason: str) -> None:
        result.problems.append(
            VoteMismatch(estate_id=estate_id, motion_id=motion_id, household_id=None, reason=reason)
        )

    motions = await commitment_store.audited_motions(conn, estate_id)
    for motion in motions:
        trail = facts.motions.get(motion.id)
        if motion.close_head is not None:
            gone = await _lost_head(conn, estate_id, "the motion", motion.close_head)
            if gone:
                problem(motion.id, gone)
        if motion.status == "draft":
            if trail is not None and trail.opened_seq is not None:
                problem(
                    motion.id,
                    f"the chain opened it (seq {trail.opened_seq}) but the table says draft",
                )
            continue
        if trail is None or trail.opened_seq is None:
            problem(motion.id, f"it is {motion.status} in the table but the chain never opened it")
            continue
        if trail.roll_digest is None:
            result.legacy += 1
            continue
        if motion.ballot_secret is None:
            problem(motion.id, "its ballot secret is missing, so its ballots cannot be checked")
            continue
        check = _MotionCheck(estate_id, motion, trail, motion.ballot_secret)
        roll = await commitment_store.roll_entries(conn, motion.id)
        rows = await commitment_store.ballot_facts(conn, motion.id)
        check.check_roll(roll)
        chain = check.chain_ballots(rows, roll)
        check.check_counts(chain, roll)
        result.problems += check.problems
        result.motions += 1
        result.ballots += len(rows)
    known = {m.id for m in motions}
    for motion_id, trail in sorted(facts.motions.items()):
        if motion_id not in known and trail.opened_seq is not None:
            problem(
                motion_id,
                f"the chain opened it (seq {trail.opened_seq}) but it is not in the motions table",
            )
    for meeting_id, seq, head in await commitment_store.meeting_close_heads(conn, estate_id):
        gone = await _lost_head(conn, estate_id, f"meeting {meeting_id}", (seq, head))
        if gone:
            problem(None, gone)
    return result


async def _lost_head(
    conn: asyncpg.Connection, estate_id: int, what: str, head: tuple[int, bytes]
) -> str | None:
    """Why the head kept with a close is no longer in the chain (None: it is)."""
    seq, digest = head
    if await audit_store.hash_at(conn, estate_id, seq) == digest:
        return None
    return (
        f"{what} closed at seq {seq} with head {digest.hex()}, which the chain no longer has "
        "(truncated or rewritten after the close)"
    )
