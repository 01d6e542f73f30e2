"""SQL for ballots: the roll, casting, running counts, the ballot record, receipts, attendance.

One function per query, taking a connection and returning Structs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import msgspec

from planner.deliberation.model import (
    Attendee,
    BallotContext,
    BallotReceipt,
    BallotRecord,
    Channel,
    CountedReceipt,
    RollUnit,
)
from planner.deliberation.rules import Ballot, Choice, Counts, PersonVotes, UnitInScope
from planner.deliberation.store import MOTION_SQL, motion_row
from planner.estates.natural_order import natural_key

_COUNT_FIELDS = tuple(Counts.__struct_fields__)


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


async def last_ballots(
    conn: asyncpg.Connection, motion_id: int, paper_prevails: bool = False
) -> list[Ballot]:
    """The counted ballot of each unit, read from the append-only ballots table: its last
    one, or under "paper prevails" its last paper ballot when it has one."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (household_id) id, household_id, choice FROM ballots
           WHERE motion_id = $1
           ORDER BY household_id, ($2 AND channel = 'paper') DESC, id DESC""",
        motion_id,
        paper_prevails,
    )
    return [
        Ballot(seq=r["id"], household_ids=(r["household_id"],), choice=r["choice"]) for r in rows
    ]


async def channel_turnout(conn: asyncpg.Connection, motion_id: int) -> dict[str, tuple[int, int]]:
    """Per channel (online, paper, proxy): the owners (persons) and area (hundredths of m²)
    whose counted ballots came by it; every channel is present."""
    rows = await conn.fetch(
        """SELECT CASE WHEN mu.counted_channel = 'paper' THEN 'paper'
                       WHEN b.delegation_id IS NOT NULL THEN 'proxy'
                       ELSE 'online' END AS channel,
                  count(DISTINCT mu.person_key) AS owners, sum(mu.area) AS area
           FROM motion_units mu JOIN ballots b ON b.id = mu.last_ballot_id
           WHERE mu.motion_id = $1 AND mu.choice IS NOT NULL
           GROUP BY 1""",
        motion_id,
    )
    found = {r["channel"]: (r["owners"], int(r["area"])) for r in rows}
    return {c: found.get(c, (0, 0)) for c in ("online", "paper", "proxy")}


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
) -> dict[int, tuple[Choice, Channel]]:
    """Each unit's counted choice and the channel it came by (units with none are left out)."""
    rows = await conn.fetch(
        """SELECT household_id, choice, coalesce(counted_channel, 'online') AS channel
           FROM motion_units
           WHERE motion_id = $1 AND household_id = ANY($2::bigint[]) AND choice IS NOT NULL""",
        motion_id,
        list(household_ids),
    )
    return {r["household_id"]: (r["choice"], r["channel"]) for r in rows}


class BallotRow(msgspec.Struct, frozen=True, kw_only=True):
    """One ballot to append."""

    household_id: int
    choice: Choice
    cast_by: int
    delegation_id: int | None
    receipt: str
    idempotency_key: str | None
    channel: Channel = "online"


async def record_ballots(
    conn: asyncpg.Connection,
    motion_id: int,
    rows: Sequence[BallotRow],
    persons: dict[str, PersonVotes],
    delta: Counts,
    cast_at: datetime | None = None,
    *,
    paper_prevails: bool = False,
) -> tuple[list[BallotReceipt], Counts | None, bytes | None]:
    """One statement: append the ballots in order, make each unit's last one its counted
    choice on the roll (under ``paper_prevails`` an online ballot never displaces a counted
    paper one), store the persons' votes and add ``delta`` to the running counts while the
    motion is open.

    ``cast_at``: the ballots' time (None: the transaction's ``now()``; the demo's story clock
    gives its own, so the commitments in ``ballot.cast`` cover the time the row keeps).

    Returns the receipts, the new counts and the motion's ballot secret (None for a motion
    opened before the ballot commitments); the counts are None once the motion is closed
    (the caller must then roll back). The counts' UPDATE holds the motion's row lock until
    commit, so batches apply their deltas one at a time.
    """
    keys = sorted(persons)
    sets = ", ".join(f"{f} = m.{f} + ${i}" for i, f in enumerate(_COUNT_FIELDS, start=15))
    returning = ", ".join(f"m.{f}" for f in _COUNT_FIELDS)
    at = 15 + len(_COUNT_FIELDS)  # the parameter after the counts: ``cast_at``
    result = await conn.fetchrow(
        f"""WITH b AS (
               INSERT INTO ballots (motion_id, household_id, choice, cast_by, delegation_id,
                                    receipt, idempotency_key, channel, cast_at)
               SELECT $1, h, c, by_member, d, r, k, ch, coalesce(${at}::timestamptz, now())
               FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
                           $12::text[], $13::text[])
                    WITH ORDINALITY AS t(h, c, by_member, d, r, k, ch, n)
               ORDER BY n
               RETURNING id, household_id, choice, receipt, delegation_id, cast_at, channel),
           last AS (
               SELECT DISTINCT ON (household_id) household_id, id, choice, channel FROM b
               ORDER BY household_id, ($14 AND channel = 'paper') DESC, id DESC),
           u AS (
               UPDATE motion_units mu
               SET choice = last.choice, last_ballot_id = last.id,
                   counted_channel = last.channel
               FROM last WHERE mu.motion_id = $1 AND mu.household_id = last.household_id
                 AND NOT ($14 AND last.channel = 'online'
                          AND mu.counted_channel IS NOT DISTINCT FROM 'paper')),
           p AS (
               UPDATE motion_persons mp SET yes_area = t.y, no_area = t.n, abstain_area = t.a
               FROM unnest($7::text[], $8::bigint[], $9::bigint[], $10::bigint[])
                    AS t(k, y, n, a)
               WHERE mp.motion_id = $1 AND mp.person_key = t.k),
           m AS (
               UPDATE motions m SET {sets} WHERE m.id = $1 AND m.status = $11
                 -- a written consultation takes nothing at or after its closing time, even
                 -- before its schedule has recorded the close
                 AND NOT EXISTS (SELECT 1 FROM consultations c
                                 WHERE c.id = m.meeting_id AND c.closes_at <= clock_timestamp())
               RETURNING {returning})
           SELECT (SELECT coalesce(json_agg(b), '[]'::json) FROM b) AS ballots,
                  (SELECT row_to_json(m) FROM m) AS counts,
                  (SELECT ballot_secret FROM motions WHERE id = $1) AS secret""",
        motion_id,
        [r.household_id for r in rows],
        [r.choice for r in rows],
        [r.cast_by for r in rows],
        [r.delegation_id for r in rows],
        [r.receipt for r in rows],
        keys,
        [persons[k].yes for k in keys],
        [persons[k].no for k in keys],
        [persons[k].abstain for k in keys],
        "open",
        [r.idempotency_key for r in rows],
        [r.channel for r in rows],
        paper_prevails,
        *(getattr(delta, f) for f in _COUNT_FIELDS),
        cast_at,
    )
    receipts = [
        BallotReceipt(
            ballot_id=b["id"],
            household_id=b["household_id"],
            choice=b["choice"],
            receipt=b["receipt"],
            by_proxy=b["delegation_id"] is not None,
            cast_at=datetime.fromisoformat(b["cast_at"]),
            channel=b["channel"],
        )
        for b in result["ballots"]
    ]
    counts = Counts(**result["counts"]) if result["counts"] is not None else None
    secret = bytes(result["secret"]) if result["secret"] is not None else None
    return receipts, counts, secret


#: The advisory-lock class of idempotency keys (two-int form; apart from other locks).
_KEY_LOCK_CLASS = 1018


async def lock_keys(
    conn: asyncpg.Connection, motion_id: int, keys: Iterable[tuple[int, str]]
) -> None:
    """Lock each (member, idempotency key) of the motion until the transaction ends, in one
    order, so two casts with one key never both pass the check whatever units they name
    (two keys sharing a hash merely wait for each other)."""
    hashed = sorted(
        {
            int.from_bytes(
                hashlib.blake2b(f"{motion_id}:{member}:{key}".encode(), digest_size=4).digest(),
                "big",
                signed=True,
            )
            for member, key in keys
        }
    )
    if not hashed:
        return
    # One round trip for the batch: a function scan yields the array's elements in order, and
    # with no ORDER BY each lock is taken as its row is produced, so still in sorted order.
    await conn.execute(
        "SELECT pg_advisory_xact_lock($1::int, h) FROM unnest($2::int[]) AS h",
        _KEY_LOCK_CLASS,
        hashed,
    )


async def keyed_ballots(
    conn: asyncpg.Connection, motion_id: int, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], list[BallotReceipt]]:
    """The ballots recorded under each (member, idempotency key) of the motion, in id order."""
    if not keys:
        return {}
    rows = await conn.fetch(
        """SELECT b.cast_by, b.idempotency_key, b.id, b.household_id, b.choice, b.receipt,
                  b.delegation_id, b.cast_at
           FROM ballots b
           JOIN unnest($2::bigint[], $3::text[]) AS k(member_id, key)
             ON b.cast_by = k.member_id AND b.idempotency_key = k.key
           WHERE b.motion_id = $1
           ORDER BY b.id""",
        motion_id,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    found: dict[tuple[int, str], list[BallotReceipt]] = {}
    for r in rows:
        found.setdefault((r["cast_by"], r["idempotency_key"]), []).append(
            BallotReceipt(
                ballot_id=r["id"],
                household_id=r["household_id"],
                choice=r["choice"],
                receipt=r["receipt"],
                by_proxy=r["delegation_id"] is not None,
                cast_at=r["cast_at"],
            )
        )
    return found


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


class ContextAsk(msgspec.Struct, frozen=True, kw_only=True):
    """One cast's question to ``ballot_contexts``: the caller, the units it asks for (plus the
    ones delegated to it when ``with_delegated``), and its idempotency key."""

    member_id: int
    wanted: Sequence[int]
    with_delegated: bool
    idempotency_key: str | None = None


async def ballot_contexts(
    conn: asyncpg.Connection, motion_id: int, asks: Sequence[ContextAsk]
) -> list[BallotContext | None]:
    """For many casts of one motion in one round trip, one answer per ask, in order (all None
    when there is no such motion): the motion, the units delegated to the caller, the roll
    units among those asked (plus the delegated ones when ``with_delegated``) and the ballots
    the caller recorded under its idempotency key."""
    members = [a.member_id for a in asks]
    wanted_at = [i for i, a in enumerate(asks, 1) for _ in a.wanted]
    wanted = [h for a in asks for h in a.wanted]
    row = await conn.fetchrow(
        f"""WITH mo AS ({MOTION_SQL} WHERE mo.id = $1),
               c AS (
                   SELECT * FROM unnest($2::bigint[], $3::bool[], $4::text[])
                       WITH ORDINALITY AS c(member_id, with_delegated, key, i)),
               d AS (
                   SELECT DISTINCT ON (c.i, dl.household_id) c.i, dl.household_id, dl.id
                   FROM c JOIN delegations dl ON dl.proxy_member_id = c.member_id
                   WHERE dl.revoked_at IS NULL
                     AND (dl.meeting_id IS NULL OR dl.meeting_id = (SELECT meeting_id FROM mo))
                   ORDER BY c.i, dl.household_id, dl.meeting_id NULLS LAST, dl.id DESC),
               w AS (
                   SELECT i, household_id
                   FROM unnest($5::bigint[], $6::bigint[]) AS w(i, household_id)
                   UNION
                   SELECT d.i, d.household_id FROM d JOIN c ON c.i = d.i WHERE c.with_delegated),
               r AS (
                   SELECT w.i, u.household_id, u.person_key, u.area
                   FROM w JOIN motion_units u
                       ON u.motion_id = $1 AND u.household_id = w.household_id),
               k AS (
                   SELECT c.i, b.id, b.household_id, b.choice, b.receipt, b.delegation_id,
                          b.cast_at
                   FROM c JOIN ballots b
                       ON b.motion_id = $1 AND b.cast_by = c.member_id
                      AND b.idempotency_key = c.key
                   WHERE c.key IS NOT NULL)
           SELECT (SELECT row_to_json(mo) FROM mo) AS motion,
                  (SELECT coalesce(json_agg(d), '[]'::json) FROM d) AS delegated,
                  (SELECT coalesce(json_agg(r ORDER BY r.i, r.household_id), '[]'::json)
                   FROM r) AS units,
                  (SELECT coalesce(json_agg(k ORDER BY k.i, k.id), '[]'::json) FROM k) AS keyed""",
        motion_id,
        members,
        [a.with_delegated for a in asks],
        [a.idempotency_key for a in asks],
        wanted_at,
        wanted,
    )
    if row["motion"] is None:
        return [None] * len(asks)
    found = row["motion"]
    for stamp in ("opened_at", "closed_at"):
        if found[stamp] is not None:
            found[stamp] = datetime.fromisoformat(found[stamp])
    motion = motion_row(found)
    contexts = [BallotContext(motion=motion, delegated={}, units=[]) for _ in asks]
    for d in row["delegated"]:
        contexts[d["i"] - 1].delegated[d["household_id"]] = d["id"]
    for u in row["units"]:
        contexts[u["i"] - 1].units.append(
            RollUnit(household_id=u["household_id"], person_key=u["person_key"], area=u["area"])
        )
    for b in row["keyed"]:
        contexts[b["i"] - 1].keyed.append(
            BallotReceipt(
                ballot_id=b["id"],
                household_id=b["household_id"],
                choice=b["choice"],
                receipt=b["receipt"],
                by_proxy=b["delegation_id"] is not None,
                # JSON carries the session's offset; the driver's datetimes are in UTC
                cast_at=datetime.fromisoformat(b["cast_at"]).astimezone(UTC),
            )
        )
    return list(contexts)


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
                           '{}') AS refs,
                  coalesce(array_agg(DISTINCT bu.name || '-' || h.unit)
                               FILTER (WHERE b.delegation_id IS NULL), '{}') AS own_labels,
                  coalesce(array_agg(DISTINCT bu.name || '-' || h.unit)
                               FILTER (WHERE b.delegation_id IS NOT NULL), '{}') AS proxy_labels
           FROM ballots b
           JOIN motions mo ON mo.id = b.motion_id
           JOIN members m ON m.id = b.cast_by
           JOIN households h ON h.id = b.household_id
           JOIN buildings bu ON bu.id = h.building_id
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
            own_unit_labels=sorted(r["own_labels"], key=natural_key),
            proxy_unit_labels=sorted(r["proxy_labels"], key=natural_key),
        )
        for r in rows
    ]
