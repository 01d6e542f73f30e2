"""SQL for a consultation's outreach: its scope's units with their votes, notice deliveries,
turnout by channel. One function per query, taking a connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import asyncpg

from planner.consultation.outreach_model import DeliveryRow, ScopeUnit

# The units of the consultation's scope (its meeting's buildings, or the whole estate).
_SCOPE_SQL = """
    SELECT h.id AS household_id, h.building_id, b.name AS building, h.unit, h.area_m2,
           h.owner_key, h.owner_name
    FROM meetings me
    JOIN households h ON h.estate_id = me.estate_id
         AND (cardinality(me.scope_building_ids) = 0 OR h.building_id = ANY(me.scope_building_ids))
    JOIN buildings b ON b.id = h.building_id
    WHERE me.id = $1
"""


async def scope_units(conn: asyncpg.Connection, consultation_id: int) -> list[ScopeUnit]:
    """The scope's units, each with the consultation's motions it has a counted ballot on.

    Two queries merged here rather than one join: the votes are read motion by motion through
    ``motion_units``' key, whatever the planner thinks of a freshly filled table."""
    rows = await conn.fetch(_SCOPE_SQL, consultation_id)
    voted: dict[int, set[int]] = {}
    for r in await conn.fetch(
        """SELECT mu.household_id, mu.motion_id
           FROM motions mo JOIN motion_units mu ON mu.motion_id = mo.id
           WHERE mo.meeting_id = $1 AND mu.choice IS NOT NULL""",
        consultation_id,
    ):
        voted.setdefault(r["household_id"], set()).add(r["motion_id"])
    return [
        ScopeUnit(
            household_id=r["household_id"],
            building_id=r["building_id"],
            building=r["building"],
            unit=r["unit"],
            area=int(Decimal(r["area_m2"]).scaleb(2)),
            owner_key=r["owner_key"],
            owner_name=r["owner_name"],
            voted_motions=frozenset(voted.get(r["household_id"], ())),
        )
        for r in rows
    ]


async def owner_keys_of(
    conn: asyncpg.Connection, consultation_id: int, household_ids: Sequence[int]
) -> list[str]:
    """The owner keys of ``household_ids`` that are in the consultation's scope."""
    rows = await conn.fetch(
        _SCOPE_SQL + " AND h.id = ANY($2::bigint[])", consultation_id, list(household_ids)
    )
    return sorted({r["owner_key"] for r in rows})


async def undelivered_online(
    conn: asyncpg.Connection, consultation_id: int, household_ids: Sequence[int]
) -> list[str]:
    """The owner keys of ``household_ids`` in scope not yet recorded as reached online."""
    rows = await conn.fetch(
        """SELECT DISTINCT h.owner_key FROM meetings me
           JOIN households h ON h.estate_id = me.estate_id
                AND (cardinality(me.scope_building_ids) = 0
                     OR h.building_id = ANY(me.scope_building_ids))
           WHERE me.id = $1 AND h.id = ANY($2::bigint[])
             AND NOT EXISTS (SELECT 1 FROM notice_deliveries d
                             WHERE d.consultation_id = $1 AND d.owner_key = h.owner_key
                               AND d.channel = 'online')
           ORDER BY 1""",
        consultation_id,
        list(household_ids),
    )
    return [r["owner_key"] for r in rows]


async def insert_delivery(
    conn: asyncpg.Connection,
    consultation_id: int,
    owner_key: str,
    channel: str,
    by: int | None,
    note: str,
    at: datetime | None = None,
) -> bool:
    """Record a delivery (``at`` None: the transaction's time); False when this owner
    already has one by this channel (kept)."""
    inserted = await conn.fetchval(
        """INSERT INTO notice_deliveries (consultation_id, owner_key, channel, delivered_by,
                                          note, delivered_at)
           VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))
           ON CONFLICT DO NOTHING RETURNING true""",
        consultation_id,
        owner_key,
        channel,
        by,
        note,
        at,
    )
    return bool(inserted)


async def deliveries(
    conn: asyncpg.Connection, consultation_id: int, owner_key: str | None = None
) -> list[DeliveryRow]:
    rows = await conn.fetch(
        """SELECT d.owner_key, d.channel, d.delivered_by AS by, m.display_name AS by_name,
                  d.delivered_at AS at, d.note
           FROM notice_deliveries d LEFT JOIN members m ON m.id = d.delivered_by
           WHERE d.consultation_id = $1 AND ($2::text IS NULL OR d.owner_key = $2)
           ORDER BY d.delivered_at, d.channel""",
        consultation_id,
        owner_key,
    )
    return [DeliveryRow(**dict(r)) for r in rows]


async def household_owner(
    conn: asyncpg.Connection, estate_id: int, household_id: int
) -> str | None:
    """The owner key of a household of the estate; None for a missing or foreign one."""
    key: str | None = await conn.fetchval(
        "SELECT owner_key FROM households WHERE id = $1 AND estate_id = $2",
        household_id,
        estate_id,
    )
    return key


async def channel_turnout(
    conn: asyncpg.Connection, consultation_id: int
) -> dict[str, tuple[int, int]]:
    """Per channel (online, paper, proxy) over all the consultation's motions: the owners
    (persons) and area (hundredths of m²) of the units whose counted ballot on some motion came
    by it (a unit counts once per channel; an owner on two channels is in both)."""
    rows = await conn.fetch(
        """SELECT channel, count(DISTINCT person_key) AS owners, sum(area) AS area
           FROM (SELECT DISTINCT mu.household_id, mu.person_key, mu.area,
                        CASE WHEN mu.counted_channel = 'paper' THEN 'paper'
                             WHEN b.delegation_id IS NOT NULL THEN 'proxy'
                             ELSE 'online' END AS channel
                 FROM motion_units mu
                 JOIN motions mo ON mo.id = mu.motion_id
                 JOIN ballots b ON b.id = mu.last_ballot_id
                 WHERE mo.meeting_id = $1 AND mu.choice IS NOT NULL) counted
           GROUP BY channel""",
        consultation_id,
    )
    found = {r["channel"]: (r["owners"], int(r["area"])) for r in rows}
    return {c: found.get(c, (0, 0)) for c in ("online", "paper", "proxy")}


async def unit_choices(conn: asyncpg.Connection, motion_id: int) -> list[tuple[int, str | None]]:
    """Each unit on the motion's roll that took part, with its counted choice."""
    rows = await conn.fetch(
        """SELECT household_id, choice FROM motion_units
           WHERE motion_id = $1 AND choice IS NOT NULL""",
        motion_id,
    )
    return [(r["household_id"], r["choice"]) for r in rows]
