"""SQL for the ballot commitments and their audit: the roll and the ballots as stored, the
motions' secrets and the chain heads kept with each close."""

from __future__ import annotations

import asyncpg

from planner.deliberation.model import AuditedMotion, BallotFact, RollEntry


async def roll_entries(conn: asyncpg.Connection, motion_id: int) -> list[RollEntry]:
    """The motion's roll in unit order, with each unit's counted choice."""
    rows = await conn.fetch(
        """SELECT household_id, person_key, area, choice FROM motion_units
           WHERE motion_id = $1 ORDER BY household_id""",
        motion_id,
    )
    return [RollEntry(**dict(r)) for r in rows]


async def ballot_secret(conn: asyncpg.Connection, motion_id: int) -> bytes | None:
    secret = await conn.fetchval("SELECT ballot_secret FROM motions WHERE id = $1", motion_id)
    return bytes(secret) if secret is not None else None


async def ballot_facts(conn: asyncpg.Connection, motion_id: int) -> list[BallotFact]:
    """Every ballot of the motion in id order (changes included)."""
    rows = await conn.fetch(
        """SELECT id, household_id, choice, cast_at, channel FROM ballots
           WHERE motion_id = $1 ORDER BY id""",
        motion_id,
    )
    return [BallotFact(**dict(r)) for r in rows]


async def audited_motions(conn: asyncpg.Connection, estate_id: int) -> list[AuditedMotion]:
    """The estate's motions as the audit compares them, in id order."""
    rows = await conn.fetch(
        """SELECT id, meeting_id, status, matter, final_tally, ballot_secret,
                  close_head_seq, close_head_hash, rule_set, paper_prevails
           FROM motions WHERE estate_id = $1 ORDER BY id""",
        estate_id,
    )
    return [
        AuditedMotion(
            id=r["id"],
            meeting_id=r["meeting_id"],
            status=r["status"],
            matter=r["matter"],
            rule_set=r["rule_set"],
            paper_prevails=r["paper_prevails"],
            final_tally=r["final_tally"],
            ballot_secret=bytes(r["ballot_secret"]) if r["ballot_secret"] is not None else None,
            close_head=(
                (r["close_head_seq"], bytes(r["close_head_hash"]))
                if r["close_head_hash"] is not None
                else None
            ),
        )
        for r in rows
    ]


async def meeting_close_heads(
    conn: asyncpg.Connection, estate_id: int
) -> list[tuple[int, int, bytes]]:
    """(meeting id, seq, hash) of every closed meeting of the estate that kept its head."""
    rows = await conn.fetch(
        """SELECT id, close_head_seq, close_head_hash FROM meetings
           WHERE estate_id = $1 AND close_head_hash IS NOT NULL ORDER BY id""",
        estate_id,
    )
    return [(r["id"], r["close_head_seq"], bytes(r["close_head_hash"])) for r in rows]
