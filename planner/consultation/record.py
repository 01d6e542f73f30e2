"""The recountable record of a closed consultation (issue 17): what it holds, its seal at
the close and its download. The lines, their chain and the recount are ``recount.py``'s.

Owners and voters appear under pseudonyms: HMAC-SHA-256 of the person key (owner key, or the
unit itself when it has none) or of the member, under the consultation's own record secret,
so the units of one owner share a pseudonym (the head count can be recounted) but no name is
revealed and pseudonyms cannot be linked across consultations.

Choices are in the record whether or not the consultation was an open ballot: the record is
given only once the consultation has closed (409 before), when hiding the choices has done
its work (nobody could follow the vote while it ran), and without the choices nobody could
recount the result. It is given to the estate's members, like the tally.

The final digest is fixed when the consultation closes (``seal_in``, stored with the
consultation) and is then part of the consultation's JSON (``record_digest``), so the
``consultation.announced`` event puts it into the audit chain and the announcement prints it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.access.model import Principal
from planner.consultation import paper_store, record_store
from planner.consultation.recount import (
    COLUMNS,
    Line,
    Record,
    lines_of,
    number_lines,
    rule_set_terms,
    seal,
)
from planner.db.pool import Database
from planner.deliberation import store as deliberation_store
from planner.deliberation.commitments import canonical_time
from planner.deliberation.rules import format_area
from planner.errors import Conflict, NotFound

#: Hex characters of a pseudonym (64 bits: no collision among an estate's owners).
PSEUDONYM_HEX = 16


def pseudonym(secret: bytes, what: str, key: str) -> str:
    """The record's name for an owner (``what`` "owner") or a voter ("member")."""
    message = f"{what}\x00{key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


async def build(conn: asyncpg.Connection, consultation_id: int, secret: bytes) -> Record:
    """The record's lines from the tables, sealed into their chain."""
    head = await record_store.header(conn, consultation_id)
    if head is None:
        raise NotFound("consultation")
    lines: list[Line] = lines_of(
        "consultation",
        [
            {
                "consultation_id": head.id,
                "estate_id": head.estate_id,
                "estate": head.estate,
                "title": head.title,
                "opens_at": canonical_time(head.opens_at),
                "closes_at": canonical_time(head.closes_at),
                "closed_at": canonical_time(head.closed_at) if head.closed_at else None,
                "both_channels": head.both_channels,
                "open_ballot": head.open_ballot,
                "rule_set": head.rule_set,
                "rule_set_terms": rule_set_terms(head.rule_set),
                "chain_head_seq": head.chain_head_seq,
                "chain_head_hash": head.chain_head_hash.hex() if head.chain_head_hash else None,
            }
        ],
    )
    for motion in await deliberation_store.list_motions(conn, consultation_id):
        lines += lines_of(
            "motion",
            [
                {
                    "motion_id": motion.id,
                    "title": motion.title,
                    "matter": motion.matter,
                    "rule_set": motion.rule_set,
                    "paper_prevails": motion.paper_prevails,
                }
            ],
        )
        lines += lines_of(
            "unit",
            (
                {
                    "motion_id": motion.id,
                    "household_id": u.household_id,
                    "building": u.building,
                    "unit": u.unit,
                    "area_m2": format_area(u.area),
                    "owner": pseudonym(secret, "owner", u.person_key),
                }
                for u in await record_store.roll(conn, motion.id)
            ),
        )
        entries = await paper_store.ballot_entries(conn, motion.id)
        lines += lines_of(
            "ballot",
            (
                {
                    "motion_id": motion.id,
                    "ballot_id": b.id,
                    "household_id": b.household_id,
                    # as the tally's by_channel: paper first (a proxy's signed sheet is
                    # paper, and paper is what "paper prevails" looks for)
                    "channel": "paper"
                    if b.channel == "paper"
                    else ("proxy" if b.delegation_id is not None else "online"),
                    "choice": b.choice,
                    "cast_at": canonical_time(b.cast_at),
                    "cast_by": pseudonym(secret, "member", str(b.cast_by)),
                    "delegation_id": b.delegation_id,
                    "delegation_reference": b.delegation_reference,
                    # the two (or, after a mismatch, three) agreeing entries that made
                    # a paper ballot count, as "12 15"
                    "paper_entries": " ".join(map(str, entries[b.id])) if b.id in entries else None,
                }
                for b in await record_store.ballots(conn, motion.id)
            ),
        )
        final = motion.final_tally if isinstance(motion.final_tally, dict) else {}
        lines += lines_of(
            "tally", [{"motion_id": motion.id, **{f: final.get(f) for f in COLUMNS["tally"][1:]}}]
        )
    number_lines(lines)
    return Record(lines=lines, digest=seal(lines))


async def seal_in(conn: asyncpg.Connection, consultation_id: int) -> str:
    """At the close, in its transaction (after the chain head is kept): make the record's
    secret, build the record and keep its digest. Returns the digest."""
    secret = await record_store.secret(conn, consultation_id, secrets.token_bytes(32))
    record = await build(conn, consultation_id, secret)
    await record_store.set_digest(conn, consultation_id, record.digest)
    return record.digest


async def record_digest(conn: asyncpg.Connection, consultation_id: int) -> str | None:
    """The final digest of the consultation's record, fixed at its close (None before)."""
    return await record_store.digest(conn, consultation_id)


async def download(db: Database, principal: Principal, consultation_id: int) -> Record:
    """The record of a closed or announced consultation for its estate's members; 409
    ``wrong_status`` before the close, 404 outside the estate (and for a draft, to owners)."""
    async with db.connection() as conn:
        head = await record_store.header(conn, consultation_id)
        if head is None:
            raise NotFound("consultation")
        authorize(principal, head.estate_id, MEMBERS, what="consultation")
        if head.status == "draft" and principal.role not in MANAGERS:
            raise NotFound("consultation")
        if head.status not in ("closed", "announced"):
            raise Conflict(
                f"the consultation is {head.status}; its record exists once it has closed",
                "wrong_status",
                {"what": "consultation", "status": head.status, "needed": "closed"},
            )
        secret = await record_store.existing_secret(conn, consultation_id)
    if secret is None:  # closed before the records existed: seal it now
        async with db.transaction() as conn:
            await seal_in(conn, consultation_id)
            secret = await record_store.existing_secret(conn, consultation_id)
    assert secret is not None
    async with db.connection() as conn:
        return await build(conn, consultation_id, secret)
