"""SQL for the recountable record of a consultation: its header, each motion's roll with the
units' labels, every ballot with its channel and written authorisation, the record's secret
and digest (migration 0022)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec


class RecordHeader(msgspec.Struct, kw_only=True):
    id: int
    estate_id: int
    estate: str
    title: str
    status: str
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    both_channels: str
    open_ballot: bool
    rule_set: str
    chain_head_seq: int | None
    chain_head_hash: bytes | None


class RollLine(msgspec.Struct, frozen=True, kw_only=True):
    household_id: int
    building: str
    unit: str
    area: int  # hundredths of m²
    person_key: str


class BallotLine(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    household_id: int
    channel: str
    choice: str
    cast_at: datetime
    cast_by: int
    delegation_id: int | None
    delegation_reference: str | None


async def header(conn: asyncpg.Connection, consultation_id: int) -> RecordHeader | None:
    row = await conn.fetchrow(
        """SELECT c.id, c.estate_id, e.name AS estate, me.title, c.status, c.opens_at,
                  c.closes_at, c.closed_at, c.both_channels, c.open_ballot, c.rule_set,
                  me.close_head_seq AS chain_head_seq, me.close_head_hash AS chain_head_hash
           FROM consultations c JOIN meetings me ON me.id = c.id
           JOIN estates e ON e.id = c.estate_id
           WHERE c.id = $1""",
        consultation_id,
    )
    if row is None:
        return None
    found: dict[str, Any] = dict(row)
    if found["chain_head_hash"] is not None:
        found["chain_head_hash"] = bytes(found["chain_head_hash"])
    return RecordHeader(**found)


async def roll(conn: asyncpg.Connection, motion_id: int) -> list[RollLine]:
    """The motion's roll in unit order, with the building and unit labels."""
    rows = await conn.fetch(
        """SELECT mu.household_id, b.name AS building, h.unit, mu.area, mu.person_key
           FROM motion_units mu JOIN households h ON h.id = mu.household_id
           JOIN buildings b ON b.id = h.building_id
           WHERE mu.motion_id = $1 ORDER BY mu.household_id""",
        motion_id,
    )
    return [RollLine(**dict(r)) for r in rows]


async def ballots(conn: asyncpg.Connection, motion_id: int) -> list[BallotLine]:
    """Every ballot of the motion in id order, with its proxy's written authorisation."""
    rows = await conn.fetch(
        """SELECT b.id, b.household_id, b.channel, b.choice, b.cast_at, b.cast_by,
                  b.delegation_id, d.reference AS delegation_reference
           FROM ballots b LEFT JOIN delegations d ON d.id = b.delegation_id
           WHERE b.motion_id = $1 ORDER BY b.id""",
        motion_id,
    )
    return [BallotLine(**dict(r)) for r in rows]


async def secret(conn: asyncpg.Connection, consultation_id: int, new: bytes) -> bytes:
    """The consultation's record secret; ``new`` becomes it when it has none yet."""
    value = await conn.fetchval(
        """UPDATE consultations SET record_secret = coalesce(record_secret, $2)
           WHERE id = $1 RETURNING record_secret""",
        consultation_id,
        new,
    )
    return bytes(value)


async def existing_secret(conn: asyncpg.Connection, consultation_id: int) -> bytes | None:
    value = await conn.fetchval(
        "SELECT record_secret FROM consultations WHERE id = $1", consultation_id
    )
    return bytes(value) if value is not None else None


async def set_digest(conn: asyncpg.Connection, consultation_id: int, digest: str) -> None:
    await conn.execute(
        "UPDATE consultations SET record_digest = $2 WHERE id = $1", consultation_id, digest
    )


async def digest(conn: asyncpg.Connection, consultation_id: int) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT record_digest FROM consultations WHERE id = $1", consultation_id
    )
    return value
