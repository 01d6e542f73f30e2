"""SQL for deliberation: one function per query, taking a connection and returning Structs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from planner.deliberation.model import (
    AgendaItemOut,
    Attendee,
    BallotReceipt,
    BallotRecord,
    CountedReceipt,
    DelegationOut,
    MeetingOut,
    MotionOut,
    MotionStatus,
    NewMeeting,
    NewMotion,
)
from planner.deliberation.rules import Ballot, Choice, Counts, PersonVotes, UnitInScope, rule_for


class MotionRow(msgspec.Struct, kw_only=True):
    """A motion with what casting and closing need (its meeting's scope and status)."""

    id: int
    meeting_id: int
    estate_id: int
    title: str
    text: str
    matter: int
    work_id: int | None
    hide_results: bool
    status: MotionStatus
    opened_at: datetime | None
    closed_at: datetime | None
    final_tally: Any
    meeting_status: str
    scope_building_ids: list[int]

    def out(self) -> MotionOut:
        return MotionOut(
            id=self.id,
            meeting_id=self.meeting_id,
            estate_id=self.estate_id,
            title=self.title,
            text=self.text,
            matter=self.matter,
            rule=rule_for(self.matter),
            work_id=self.work_id,
            hide_results=self.hide_results,
            status=self.status,
            opened_at=self.opened_at,
            closed_at=self.closed_at,
        )


class RollUnit(msgspec.Struct, frozen=True, kw_only=True):
    household_id: int
    person_key: str
    area: int


_COUNT_FIELDS = tuple(Counts.__struct_fields__)
_MEETING_COLUMNS = """id, estate_id, title, kind, scope_building_ids, scheduled_at, status,
                      created_at, opened_at, closed_at"""
_MOTION_SQL = """
    SELECT mo.id, mo.meeting_id, mo.estate_id, mo.title, mo.text, mo.matter, mo.work_id,
           mo.hide_results, mo.status, mo.opened_at, mo.closed_at, mo.final_tally,
           me.status AS meeting_status, me.scope_building_ids
    FROM motions mo JOIN meetings me ON me.id = mo.meeting_id
"""


def _meeting(row: asyncpg.Record) -> MeetingOut:
    return MeetingOut(**{**dict(row), "scope_building_ids": list(row["scope_building_ids"])})


async def buildings_outside_estate(
    conn: asyncpg.Connection, estate_id: int, building_ids: Sequence[int]
) -> list[int]:
    rows = await conn.fetch(
        """SELECT b FROM unnest($2::bigint[]) AS b
           WHERE NOT EXISTS (SELECT 1 FROM buildings WHERE id = b AND estate_id = $1)""",
        estate_id,
        list(building_ids),
    )
    return [r["b"] for r in rows]


async def works_outside_estate(
    conn: asyncpg.Connection, estate_id: int, work_ids: Sequence[int]
) -> list[int]:
    rows = await conn.fetch(
        """SELECT w FROM unnest($2::bigint[]) AS w
           WHERE NOT EXISTS (SELECT 1 FROM works WHERE id = w AND estate_id = $1)""",
        estate_id,
        list(work_ids),
    )
    return [r["w"] for r in rows]


async def insert_meeting(
    conn: asyncpg.Connection,
    estate_id: int,
    data: NewMeeting,
    agenda: Sequence[tuple[str, int | None]],
    created_by: int,
) -> int:
    meeting_id: int = await conn.fetchval(
        """INSERT INTO meetings (estate_id, title, kind, scope_building_ids, scheduled_at,
                                 created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        estate_id,
        data.title,
        data.kind,
        sorted(set(data.scope_building_ids)),
        data.scheduled_at,
        created_by,
    )
    if agenda:
        await conn.executemany(
            "INSERT INTO agenda_items (meeting_id, position, text, work_id) VALUES ($1,$2,$3,$4)",
            [(meeting_id, i, text, work) for i, (text, work) in enumerate(agenda, start=1)],
        )
    return meeting_id


async def get_meeting(conn: asyncpg.Connection, meeting_id: int) -> MeetingOut | None:
    row = await conn.fetchrow(f"SELECT {_MEETING_COLUMNS} FROM meetings WHERE id = $1", meeting_id)
    if row is None:
        return None
    agenda = await conn.fetch(
        "SELECT position, text, work_id FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        meeting_id,
    )
    motions = await list_motions(conn, meeting_id)
    meeting = _meeting(row)
    meeting.agenda = [AgendaItemOut(**dict(a)) for a in agenda]
    meeting.motions = [m.out() for m in motions]
    return meeting


async def list_meetings(conn: asyncpg.Connection, estate_id: int) -> list[MeetingOut]:
    rows = await conn.fetch(
        f"SELECT {_MEETING_COLUMNS} FROM meetings WHERE estate_id = $1 ORDER BY id DESC", estate_id
    )
    return [_meeting(r) for r in rows]


async def lock_meeting(conn: asyncpg.Connection, meeting_id: int) -> MeetingOut | None:
    row = await conn.fetchrow(
        f"SELECT {_MEETING_COLUMNS} FROM meetings WHERE id = $1 FOR UPDATE", meeting_id
    )
    return _meeting(row) if row else None


async def set_meeting_status(conn: asyncpg.Connection, meeting_id: int, status: str) -> None:
    column = "opened_at" if status == "open" else "closed_at"
    await conn.execute(
        f"UPDATE meetings SET status = $2, {column} = now() WHERE id = $1", meeting_id, status
    )


async def insert_motion(
    conn: asyncpg.Connection, meeting_id: int, estate_id: int, data: NewMotion, created_by: int
) -> int:
    motion_id: int = await conn.fetchval(
        """INSERT INTO motions (meeting_id, estate_id, title, text, matter, work_id,
                                hide_results, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
        meeting_id,
        estate_id,
        data.title,
        data.text,
        data.matter,
        data.work_id,
        data.hide_results,
        created_by,
    )
    return motion_id


async def get_motion(
    conn: asyncpg.Connection, motion_id: int, lock: bool = False
) -> MotionRow | None:
    # NO KEY UPDATE, not UPDATE: casts hold KEY SHARE on the motion row (their ballots' foreign
    # key) and keep joining it, so a FOR UPDATE waiter could starve behind a stream of casts.
    sql = _MOTION_SQL + " WHERE mo.id = $1" + (" FOR NO KEY UPDATE OF mo" if lock else "")
    row = await conn.fetchrow(sql, motion_id)
    return _motion(row) if row else None


async def list_motions(conn: asyncpg.Connection, meeting_id: int) -> list[MotionRow]:
    rows = await conn.fetch(_MOTION_SQL + " WHERE mo.meeting_id = $1 ORDER BY mo.id", meeting_id)
    return [_motion(r) for r in rows]


def _motion(row: asyncpg.Record) -> MotionRow:
    return MotionRow(**{**dict(row), "scope_building_ids": list(row["scope_building_ids"])})


async def scope_units(
    conn: asyncpg.Connection, estate_id: int, building_ids: Sequence[int]
) -> list[UnitInScope]:
    """The estate's households in the given buildings (all buildings when empty)."""
    rows = await conn.fetch(
        """SELECT id, owner_key, area_m2 FROM households
           WHERE estate_id = $1 AND (cardinality($2::bigint[]) = 0 OR building_id = ANY($2))
           ORDER BY id""",
        estate_id,
        list(building_ids),
    )
    return [
        UnitInScope(household_id=r["id"], owner_key=r["owner_key"], area_m2=r["area_m2"])
        for r in rows
    ]


async def open_motion(
    conn: asyncpg.Connection, motion_id: int, estate_id: int, building_ids: Sequence[int]
) -> None:
    """Freeze the roll (units in scope, one row per person) and start the running counts."""
    await conn.execute(
        """INSERT INTO motion_units (motion_id, household_id, person_key, area)
           SELECT $1, id, owner_key, (area_m2 * 100)::bigint FROM households
           WHERE estate_id = $2 AND (cardinality($3::bigint[]) = 0 OR building_id = ANY($3))""",
        motion_id,
        estate_id,
        list(building_ids),
    )
    await conn.execute(
        """INSERT INTO motion_persons (motion_id, person_key)
           SELECT DISTINCT $1::bigint, person_key FROM motion_units WHERE motion_id = $1""",
        motion_id,
    )
    await conn.execute(
        """UPDATE motions SET status = 'open', opened_at = now(),
               total_area = t.area, total_units = t.units, total_owners = t.owners
           FROM (SELECT coalesce(sum(area), 0) AS area, count(*) AS units,
                        count(DISTINCT person_key) AS owners
                 FROM motion_units WHERE motion_id = $1) AS t
           WHERE id = $1""",
        motion_id,
    )


async def close_motion(conn: asyncpg.Connection, motion_id: int, final_tally: Any) -> None:
    await conn.execute(
        "UPDATE motions SET status = 'closed', closed_at = now(), final_tally = $2 WHERE id = $1",
        motion_id,
        msgspec.to_builtins(final_tally),
    )


async def roll(conn: asyncpg.Connection, motion_id: int) -> list[UnitInScope]:
    rows = await conn.fetch(
        "SELECT household_id, person_key, area FROM motion_units WHERE motion_id = $1", motion_id
    )
    return [
        UnitInScope(
            household_id=r["household_id"],
            owner_key=r["person_key"],
            area_m2=Decimal(r["area"]).scaleb(-2),
        )
        for r in rows
    ]


async def roll_units(
    conn: asyncpg.Connection, motion_id: int, household_ids: Iterable[int]
) -> list[RollUnit]:
    rows = await conn.fetch(
        """SELECT household_id, person_key, area FROM motion_units
           WHERE motion_id = $1 AND household_id = ANY($2::bigint[]) ORDER BY household_id""",
        motion_id,
        list(household_ids),
    )
    return [RollUnit(**dict(r)) for r in rows]


async def last_ballots(conn: asyncpg.Connection, motion_id: int) -> list[Ballot]:
    """The counted ballot of each unit, read from the append-only ballots table."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (household_id) id, household_id, choice FROM ballots
           WHERE motion_id = $1 ORDER BY household_id, id DESC""",
        motion_id,
    )
    return [
        Ballot(seq=r["id"], household_ids=(r["household_id"],), choice=r["choice"]) for r in rows
    ]


async def lock_persons(
    conn: asyncpg.Connection, motion_id: int, person_keys: Iterable[str]
) -> dict[str, PersonVotes]:
    """Lock the persons' rows (in key order, so concurrent casts cannot deadlock)."""
    rows = await conn.fetch(
        """SELECT person_key, yes_area, no_area, abstain_area FROM motion_persons
           WHERE motion_id = $1 AND person_key = ANY($2::text[])
           ORDER BY person_key FOR UPDATE""",
        motion_id,
        sorted(set(person_keys)),
    )
    return {
        r["person_key"]: PersonVotes(yes=r["yes_area"], no=r["no_area"], abstain=r["abstain_area"])
        for r in rows
    }


async def current_choices(
    conn: asyncpg.Connection, motion_id: int, household_ids: Iterable[int]
) -> dict[int, Choice]:
    rows = await conn.fetch(
        """SELECT household_id, choice FROM motion_units
           WHERE motion_id = $1 AND household_id = ANY($2::bigint[]) AND choice IS NOT NULL""",
        motion_id,
        list(household_ids),
    )
    return {r["household_id"]: r["choice"] for r in rows}


async def record_ballots(
    conn: asyncpg.Connection,
    motion_id: int,
    rows: Sequence[tuple[int, Choice, int, int | None, str]],
    persons: dict[str, PersonVotes],
    delta: Counts,
) -> tuple[list[BallotReceipt], Counts | None]:
    """One statement: append the ballots (household, choice, cast_by, delegation, receipt) in
    order, make each unit's last one its counted choice on the roll, store the persons' votes
    and add ``delta`` to the running counts while the motion is open.

    Returns the receipts and the new counts; the counts are None once the motion is closed
    (the caller must then roll back). The counts' UPDATE holds the motion's row lock until
    commit, so batches apply their deltas one at a time.
    """
    keys = sorted(persons)
    sets = ", ".join(f"{f} = m.{f} + ${i}" for i, f in enumerate(_COUNT_FIELDS, start=12))
    returning = ", ".join(f"m.{f}" for f in _COUNT_FIELDS)
    result = await conn.fetchrow(
        f"""WITH b AS (
               INSERT INTO ballots (motion_id, household_id, choice, cast_by, delegation_id,
                                    receipt)
               SELECT $1, h, c, by_member, d, r
               FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
                    WITH ORDINALITY AS t(h, c, by_member, d, r, n)
               ORDER BY n
               RETURNING id, household_id, choice, receipt, delegation_id, cast_at),
           last AS (
               SELECT DISTINCT ON (household_id) household_id, id, choice FROM b
               ORDER BY household_id, id DESC),
           u AS (
               UPDATE motion_units mu SET choice = last.choice, last_ballot_id = last.id
               FROM last WHERE mu.motion_id = $1 AND mu.household_id = last.household_id),
           p AS (
               UPDATE motion_persons mp SET yes_area = t.y, no_area = t.n, abstain_area = t.a
               FROM unnest($7::text[], $8::bigint[], $9::bigint[], $10::bigint[])
                    AS t(k, y, n, a)
               WHERE mp.motion_id = $1 AND mp.person_key = t.k),
           m AS (
               UPDATE motions m SET {sets} WHERE m.id = $1 AND m.status = $11
               RETURNING {returning})
           SELECT (SELECT coalesce(json_agg(b), '[]'::json) FROM b) AS ballots,
                  (SELECT row_to_json(m) FROM m) AS counts""",
        motion_id,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
        keys,
        [persons[k].yes for k in keys],
        [persons[k].no for k in keys],
        [persons[k].abstain for k in keys],
        "open",
        *(getattr(delta, f) for f in _COUNT_FIELDS),
    )
    receipts = [
        BallotReceipt(
            ballot_id=b["id"],
            household_id=b["household_id"],
            choice=b["choice"],
            receipt=b["receipt"],
            by_proxy=b["delegation_id"] is not None,
            cast_at=datetime.fromisoformat(b["cast_at"]),
        )
        for b in result["ballots"]
    ]
    counts = Counts(**result["counts"]) if result["counts"] is not None else None
    return receipts, counts


async def running_counts(
    conn: asyncpg.Connection, motion_id: int, *, lock_open: bool = False
) -> Counts | None:
    """The motion's running counts; with ``lock_open``, only while it is open, and its row
    stays locked until the caller's transaction ends."""
    sql = f"SELECT {', '.join(_COUNT_FIELDS)} FROM motions WHERE id = $1"
    if lock_open:
        sql += " AND status = 'open' FOR UPDATE"
    row = await conn.fetchrow(sql, motion_id)
    return Counts(**dict(row)) if row else None


class BallotContext(msgspec.Struct, kw_only=True):
    """What a cast is checked against, read in one round trip."""

    motion: MotionRow
    delegated: dict[int, int]  # unit -> delegation id, for this meeting or any meeting
    units: list[RollUnit]  # roll units among the wanted ones


async def ballot_context(
    conn: asyncpg.Connection,
    motion_id: int,
    proxy_member_id: int,
    wanted: Sequence[int],
    with_delegated: bool,
) -> BallotContext | None:
    """The motion, the units delegated to the caller, and the roll units among ``wanted``
    (plus the delegated ones when ``with_delegated``); None when there is no such motion."""
    row = await conn.fetchrow(
        f"""WITH mo AS ({_MOTION_SQL} WHERE mo.id = $1),
               d AS (
                   SELECT DISTINCT ON (household_id) household_id, id FROM delegations
                   WHERE proxy_member_id = $2 AND revoked_at IS NULL
                     AND (meeting_id IS NULL OR meeting_id = (SELECT meeting_id FROM mo))
                   ORDER BY household_id, meeting_id NULLS LAST, id DESC),
               r AS (
                   SELECT household_id, person_key, area FROM motion_units
                   WHERE motion_id = $1
                     AND (household_id = ANY($3::bigint[])
                          OR ($4 AND household_id IN (SELECT household_id FROM d)))
                   ORDER BY household_id)
           SELECT (SELECT row_to_json(mo) FROM mo) AS motion,
                  (SELECT coalesce(json_agg(d), '[]'::json) FROM d) AS delegated,
                  (SELECT coalesce(json_agg(r), '[]'::json) FROM r) AS units""",
        motion_id,
        proxy_member_id,
        list(wanted),
        with_delegated,
    )
    if row["motion"] is None:
        return None
    found = row["motion"]
    for stamp in ("opened_at", "closed_at"):
        if found[stamp] is not None:
            found[stamp] = datetime.fromisoformat(found[stamp])
    return BallotContext(
        motion=MotionRow(**found),
        delegated={d["household_id"]: d["id"] for d in row["delegated"]},
        units=[RollUnit(**u) for u in row["units"]],
    )


async def delegated_units(
    conn: asyncpg.Connection, proxy_member_id: int, meeting_id: int
) -> dict[int, int]:
    """Units delegated to the proxy for this meeting (or for any meeting) → delegation id."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (household_id) household_id, id FROM delegations
           WHERE proxy_member_id = $1 AND revoked_at IS NULL
             AND (meeting_id IS NULL OR meeting_id = $2)
           ORDER BY household_id, meeting_id NULLS LAST, id DESC""",
        proxy_member_id,
        meeting_id,
    )
    return {r["household_id"]: r["id"] for r in rows}


async def households_outside_estate(
    conn: asyncpg.Connection, estate_id: int, household_ids: Sequence[int]
) -> list[int]:
    rows = await conn.fetch(
        """SELECT h FROM unnest($2::bigint[]) AS h
           WHERE NOT EXISTS (SELECT 1 FROM households WHERE id = h AND estate_id = $1)""",
        estate_id,
        list(household_ids),
    )
    return [r["h"] for r in rows]


async def member_role(conn: asyncpg.Connection, estate_id: int, member_id: int) -> str | None:
    role: str | None = await conn.fetchval(
        "SELECT role FROM members WHERE id = $1 AND estate_id = $2 AND revoked_at IS NULL",
        member_id,
        estate_id,
    )
    return role


_DELEGATION_COLUMNS = """id, estate_id, household_id, proxy_member_id, meeting_id, reference,
                         recorded_by, recorded_at, revoked_at"""


async def insert_delegations(
    conn: asyncpg.Connection,
    estate_id: int,
    household_ids: list[int],
    proxy_member_id: int,
    meeting_id: int | None,
    reference: str,
    recorded_by: int,
) -> list[DelegationOut]:
    """Record a written authorisation; it replaces earlier ones for the same units and meeting."""
    await conn.execute(
        """UPDATE delegations SET revoked_at = now()
           WHERE estate_id = $1 AND household_id = ANY($2::bigint[]) AND revoked_at IS NULL
             AND meeting_id IS NOT DISTINCT FROM $3""",
        estate_id,
        household_ids,
        meeting_id,
    )
    rows = await conn.fetch(
        f"""INSERT INTO delegations (estate_id, household_id, proxy_member_id, meeting_id,
                                     reference, recorded_by)
            SELECT $1, h, $3, $4, $5, $6 FROM unnest($2::bigint[]) AS h ORDER BY h
            RETURNING {_DELEGATION_COLUMNS}""",
        estate_id,
        sorted(set(household_ids)),
        proxy_member_id,
        meeting_id,
        reference,
        recorded_by,
    )
    return [DelegationOut(**dict(r)) for r in rows]


async def list_delegations(
    conn: asyncpg.Connection, estate_id: int, proxy_member_id: int | None = None
) -> list[DelegationOut]:
    rows = await conn.fetch(
        f"""SELECT {_DELEGATION_COLUMNS} FROM delegations
            WHERE estate_id = $1 AND ($2::bigint IS NULL OR proxy_member_id = $2)
            ORDER BY id""",
        estate_id,
        proxy_member_id,
    )
    return [DelegationOut(**dict(r)) for r in rows]


async def get_delegation(conn: asyncpg.Connection, delegation_id: int) -> DelegationOut | None:
    row = await conn.fetchrow(
        f"SELECT {_DELEGATION_COLUMNS} FROM delegations WHERE id = $1", delegation_id
    )
    return DelegationOut(**dict(row)) if row else None


async def revoke_delegation(conn: asyncpg.Connection, delegation_id: int) -> DelegationOut | None:
    row = await conn.fetchrow(
        f"""UPDATE delegations SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
            RETURNING {_DELEGATION_COLUMNS}""",
        delegation_id,
    )
    return DelegationOut(**dict(row)) if row else None


async def ballot_record(
    conn: asyncpg.Connection, motion_id: int, cast_by: int | None = None
) -> list[BallotRecord]:
    """Every ballot of the motion in order (only those ``cast_by`` cast, when given)."""
    rows = await conn.fetch(
        """SELECT b.id AS ballot_id, b.household_id, b.choice, b.cast_by,
                  m.display_name AS cast_by_name, b.delegation_id,
                  d.reference AS delegation_reference, b.receipt, b.cast_at,
                  (u.last_ballot_id = b.id) AS counted
           FROM ballots b
           JOIN members m ON m.id = b.cast_by
           JOIN motion_units u ON u.motion_id = b.motion_id AND u.household_id = b.household_id
           LEFT JOIN delegations d ON d.id = b.delegation_id
           WHERE b.motion_id = $1 AND ($2::bigint IS NULL OR b.cast_by = $2)
           ORDER BY b.id""",
        motion_id,
        cast_by,
    )
    return [BallotRecord(**dict(r)) for r in rows]


async def counted_receipts(conn: asyncpg.Connection, motion_id: int) -> list[CountedReceipt]:
    """The counted (last) ballot of each unit: receipt and choice, sorted by receipt."""
    rows = await conn.fetch(
        """SELECT receipt, choice FROM (
               SELECT DISTINCT ON (household_id) receipt, choice FROM ballots
               WHERE motion_id = $1 ORDER BY household_id, id DESC) AS last
           ORDER BY receipt""",
        motion_id,
    )
    return [CountedReceipt(receipt=r["receipt"], choice=r["choice"]) for r in rows]


async def attendance(conn: asyncpg.Connection, meeting_id: int) -> list[Attendee]:
    """Who cast ballots in the meeting's motions, for their own units and as proxies."""
    rows = await conn.fetch(
        """SELECT b.cast_by AS member_id, m.display_name,
                  count(DISTINCT b.household_id) FILTER (WHERE b.delegation_id IS NULL)
                      AS own_units,
                  count(DISTINCT b.household_id) FILTER (WHERE b.delegation_id IS NOT NULL)
                      AS proxy_units,
                  coalesce(array_agg(DISTINCT d.reference) FILTER (WHERE d.reference IS NOT NULL),
                           '{}') AS refs
           FROM ballots b
           JOIN motions mo ON mo.id = b.motion_id
           JOIN members m ON m.id = b.cast_by
           LEFT JOIN delegations d ON d.id = b.delegation_id
           WHERE mo.meeting_id = $1
           GROUP BY b.cast_by, m.display_name ORDER BY m.display_name, b.cast_by""",
        meeting_id,
    )
    return [
        Attendee(
            member_id=r["member_id"],
            display_name=r["display_name"],
            own_units=r["own_units"],
            proxy_units=r["proxy_units"],
            references=list(r["refs"]),
        )
        for r in rows
    ]


async def building_names(conn: asyncpg.Connection, building_ids: Sequence[int]) -> list[str]:
    rows = await conn.fetch(
        "SELECT name FROM buildings WHERE id = ANY($1::bigint[]) ORDER BY name", list(building_ids)
    )
    return [r["name"] for r in rows]


async def estate_name(conn: asyncpg.Connection, estate_id: int) -> str | None:
    name: str | None = await conn.fetchval("SELECT name FROM estates WHERE id = $1", estate_id)
    return name
