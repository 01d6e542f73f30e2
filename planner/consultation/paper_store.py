"""SQL for paper ballots: the estate's signing secret, sheets, photos, entries, conflicts.

One function per query, taking a connection and returning Structs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from planner.consultation.paper_model import (
    ChannelBallot,
    ChannelConflict,
    EntryRow,
    SheetRow,
    SheetUnitRow,
)
from planner.deliberation.model import RollUnit
from planner.deliberation.rules import Choice

#: The advisory-lock class of a consultation's sheet numbering (two-int form).
_SHEETS_LOCK_CLASS = 1020


async def estate_secret(conn: asyncpg.Connection, estate_id: int, fresh: bytes) -> bytes:
    """The estate's sheet-code secret, made from ``fresh`` on first use (a concurrent first
    use keeps whichever committed first)."""
    select = "SELECT secret FROM estate_secrets WHERE estate_id = $1 AND purpose = 'paper_sheet'"
    secret: bytes | None = await conn.fetchval(select, estate_id)
    if secret is None:
        await conn.execute(
            """INSERT INTO estate_secrets (estate_id, purpose, secret)
               VALUES ($1, 'paper_sheet', $2) ON CONFLICT DO NOTHING""",
            estate_id,
            fresh,
        )
        secret = await conn.fetchval(select, estate_id)
    assert secret is not None
    return bytes(secret)


async def roll_motion(conn: asyncpg.Connection, consultation_id: int) -> int | None:
    """A motion of the consultation whose roll is frozen (all share one scope), if opened."""
    found: int | None = await conn.fetchval(
        """SELECT m.id FROM motions m
           WHERE m.meeting_id = $1 AND m.status <> 'draft' ORDER BY m.id LIMIT 1""",
        consultation_id,
    )
    return found


async def owner_units(
    conn: asyncpg.Connection,
    estate_id: int,
    scope_building_ids: Sequence[int],
    roll_motion_id: int | None,
) -> list[SheetUnitRow]:
    """The units in scope with their owner: the frozen roll of ``roll_motion_id`` once the
    consultation opened, before that the households of the scope's buildings."""
    rows = await conn.fetch(
        """SELECT h.owner_key, h.owner_name, h.id AS household_id, h.building_id,
                  b.name AS building, h.unit, h.area_m2::text AS area_m2
           FROM households h JOIN buildings b ON b.id = h.building_id
           WHERE h.estate_id = $1
             AND CASE WHEN $3::bigint IS NULL
                      THEN cardinality($2::bigint[]) = 0 OR h.building_id = ANY($2)
                      ELSE h.id IN (SELECT household_id FROM motion_units WHERE motion_id = $3)
                 END
           ORDER BY h.owner_key, h.id""",
        estate_id,
        list(scope_building_ids),
        roll_motion_id,
    )
    units = [SheetUnitRow(**dict(r)) for r in rows]
    if roll_motion_id is None:
        return units
    # on the roll, the owner is the frozen person key (the household's key when it opened)
    keys = {
        r["household_id"]: r["person_key"]
        for r in await conn.fetch(
            "SELECT household_id, person_key FROM motion_units WHERE motion_id = $1",
            roll_motion_id,
        )
    }
    return sorted(
        (msgspec.structs.replace(u, owner_key=keys[u.household_id]) for u in units),
        key=lambda u: (u.owner_key, u.household_id),
    )


_SHEET_COLUMNS = "consultation_id, sheet_no, owner_key, state, round"


async def sheets(conn: asyncpg.Connection, consultation_id: int) -> list[SheetRow]:
    rows = await conn.fetch(
        f"SELECT {_SHEET_COLUMNS} FROM paper_sheets WHERE consultation_id = $1 ORDER BY sheet_no",
        consultation_id,
    )
    return [SheetRow(**dict(r)) for r in rows]


async def add_sheets(
    conn: asyncpg.Connection, consultation_id: int, owner_keys: Sequence[str]
) -> None:
    """Give each of ``owner_keys`` without a sheet the next numbers, in key order (under a
    lock per consultation, so two first listings cannot number twice)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock($1::int, $2::int)",
        _SHEETS_LOCK_CLASS,
        consultation_id % 2**31,
    )
    await conn.execute(
        """INSERT INTO paper_sheets (consultation_id, sheet_no, owner_key)
           SELECT $1, coalesce((SELECT max(sheet_no) FROM paper_sheets
                                WHERE consultation_id = $1), 0) + n, k
           FROM unnest($2::text[]) WITH ORDINALITY AS t(k, n)""",
        consultation_id,
        sorted(
            set(owner_keys)
            - {
                r["owner_key"]
                for r in await conn.fetch(
                    "SELECT owner_key FROM paper_sheets WHERE consultation_id = $1",
                    consultation_id,
                )
            }
        ),
    )


async def lock_sheet(
    conn: asyncpg.Connection, consultation_id: int, sheet_no: int
) -> SheetRow | None:
    row = await conn.fetchrow(
        f"""SELECT {_SHEET_COLUMNS} FROM paper_sheets
            WHERE consultation_id = $1 AND sheet_no = $2 FOR UPDATE""",
        consultation_id,
        sheet_no,
    )
    return None if row is None else SheetRow(**dict(row))


async def get_sheet(
    conn: asyncpg.Connection, consultation_id: int, sheet_no: int
) -> SheetRow | None:
    row = await conn.fetchrow(
        f"SELECT {_SHEET_COLUMNS} FROM paper_sheets WHERE consultation_id = $1 AND sheet_no = $2",
        consultation_id,
        sheet_no,
    )
    return None if row is None else SheetRow(**dict(row))


async def set_sheet_state(
    conn: asyncpg.Connection, consultation_id: int, sheet_no: int, state: str, round_: int
) -> None:
    await conn.execute(
        """UPDATE paper_sheets SET state = $3, round = $4
           WHERE consultation_id = $1 AND sheet_no = $2""",
        consultation_id,
        sheet_no,
        state,
        round_,
    )


async def lock_consultation_shared(conn: asyncpg.Connection, consultation_id: int) -> str | None:
    """Share-lock the consultation's row (entries run side by side; a close waits for them
    and they for it); its status, None when there is no such consultation."""
    status: str | None = await conn.fetchval(
        "SELECT status FROM consultations WHERE id = $1 FOR SHARE", consultation_id
    )
    return status


def _entry(r: asyncpg.Record) -> EntryRow:
    return EntryRow(
        id=r["id"],
        round=r["round"],
        entry_no=r["entry_no"],
        entered_by=r["entered_by"],
        entered_by_name=r["entered_by_name"],
        entered_at=r["entered_at"],
        choices=[(m, c) for m, c in r["choices"]],
        photo_sha256=r["photo_sha256"],
        state=r["state"],
        sheet_no=r["sheet_no"],
    )


_ENTRY_SQL = """
    SELECT e.id, e.round, e.entry_no, e.entered_by, m.display_name AS entered_by_name,
           e.entered_at, e.choices, e.photo_sha256, e.state, e.sheet_no
    FROM paper_entries e JOIN members m ON m.id = e.entered_by
"""


async def entries(
    conn: asyncpg.Connection, consultation_id: int, sheet_nos: Sequence[int] | None = None
) -> list[EntryRow]:
    """The entries of the consultation's sheets (of ``sheet_nos`` when given), oldest first."""
    rows = await conn.fetch(
        _ENTRY_SQL
        + """ WHERE e.consultation_id = $1
                AND ($2::integer[] IS NULL OR e.sheet_no = ANY($2))
              ORDER BY e.sheet_no, e.id""",
        consultation_id,
        None if sheet_nos is None else list(sheet_nos),
    )
    return [_entry(r) for r in rows]


async def insert_entry(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    consultation_id: int,
    sheet_no: int,
    round_: int,
    entry_no: int,
    choices: list[tuple[int, Choice]],
    photo_sha256: str | None,
    entered_by: int,
    state: str,
    entered_at: datetime | None = None,
) -> int:
    """Append an entry (``entered_at`` None: the statement's clock)."""
    entry_id: int = await conn.fetchval(
        """INSERT INTO paper_entries (estate_id, consultation_id, sheet_no, round, entry_no,
                                      choices, photo_sha256, entered_by, state, entered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, clock_timestamp()))
           RETURNING id""",
        estate_id,
        consultation_id,
        sheet_no,
        round_,
        entry_no,
        [[m, c] for m, c in choices],
        photo_sha256,
        entered_by,
        state,
        entered_at,
    )
    return entry_id


async def channel_conflicts(
    conn: asyncpg.Connection, consultation_id: int
) -> list[ChannelConflict]:
    """Per motion and unit with ballots on both channels: the last of each and which counts."""
    rows = await conn.fetch(
        """WITH b AS (
               SELECT b.motion_id, b.household_id, b.channel, b.id, b.choice, b.cast_at,
                      b.cast_by, b.delegation_id,
                      row_number() OVER (PARTITION BY b.motion_id, b.household_id, b.channel
                                         ORDER BY b.id DESC) AS rn
               FROM ballots b JOIN motions m ON m.id = b.motion_id
               WHERE m.meeting_id = $1)
           SELECT o.motion_id, o.household_id, bu.name || '-' || h.unit AS label,
                  o.id AS o_id, o.choice AS o_choice, o.cast_at AS o_at, o.cast_by AS o_by,
                  o.delegation_id IS NOT NULL AS o_proxy,
                  p.id AS p_id, p.choice AS p_choice, p.cast_at AS p_at, p.cast_by AS p_by,
                  mu.last_ballot_id
           FROM b o
           JOIN b p ON p.motion_id = o.motion_id AND p.household_id = o.household_id
                   AND p.channel = 'paper' AND p.rn = 1
           JOIN motion_units mu ON mu.motion_id = o.motion_id AND mu.household_id = o.household_id
           JOIN households h ON h.id = o.household_id
           JOIN buildings bu ON bu.id = h.building_id
           WHERE o.channel = 'online' AND o.rn = 1
           ORDER BY o.motion_id, o.household_id""",
        consultation_id,
    )
    return [
        ChannelConflict(
            motion_id=r["motion_id"],
            household_id=r["household_id"],
            label=r["label"],
            online=ChannelBallot(
                ballot_id=r["o_id"],
                choice=r["o_choice"],
                cast_at=r["o_at"],
                cast_by=r["o_by"],
                by_proxy=r["o_proxy"],
            ),
            paper=ChannelBallot(
                ballot_id=r["p_id"], choice=r["p_choice"], cast_at=r["p_at"], cast_by=r["p_by"]
            ),
            counted=(
                "paper"
                if r["last_ballot_id"] == r["p_id"]
                else "online"
                if r["last_ballot_id"] == r["o_id"]
                else None
            ),
        )
        for r in rows
    ]


async def owner_roll(
    conn: asyncpg.Connection, motion_ids: Sequence[int], person_key: str
) -> dict[int, list[RollUnit]]:
    """The owner's units on each motion's frozen roll."""
    rows = await conn.fetch(
        """SELECT motion_id, household_id, person_key, area FROM motion_units
           WHERE motion_id = ANY($1::bigint[]) AND person_key = $2
           ORDER BY motion_id, household_id""",
        list(motion_ids),
        person_key,
    )
    found: dict[int, list[RollUnit]] = {m: [] for m in motion_ids}
    for r in rows:
        found[r["motion_id"]].append(
            RollUnit(household_id=r["household_id"], person_key=r["person_key"], area=r["area"])
        )
    return found


async def insert_paper_ballots(
    conn: asyncpg.Connection,
    ballot_ids: Sequence[int],
    consultation_id: int,
    sheet_no: int,
    round_: int,
    entry_ids: Sequence[int],
) -> None:
    """Name the entries that made each of the sheet's new paper ballots count."""
    await conn.execute(
        """INSERT INTO paper_ballots (ballot_id, consultation_id, sheet_no, round, entry_ids)
           SELECT b, $2, $3, $4, $5 FROM unnest($1::bigint[]) AS t(b)""",
        list(ballot_ids),
        consultation_id,
        sheet_no,
        round_,
        list(entry_ids),
    )


async def ballot_entries(conn: asyncpg.Connection, motion_id: int) -> dict[int, list[int]]:
    """Each paper ballot of the motion and the ids of the entries that made it count (for the
    recountable record)."""
    rows = await conn.fetch(
        """SELECT p.ballot_id, p.entry_ids FROM paper_ballots p
           JOIN ballots b ON b.id = p.ballot_id WHERE b.motion_id = $1""",
        motion_id,
    )
    return {r["ballot_id"]: list(r["entry_ids"]) for r in rows}
