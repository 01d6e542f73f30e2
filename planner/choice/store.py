"""Choice rounds' SQL: one function per query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from planner.choice.model import ApprovalRow, RoundRow, RoundSummary, RoundWork

_ROUND_SQL = """
SELECT id, estate_id, title, budget_fen, status, secret, created_at, opened_at, closed_at,
       result::text AS result
  FROM choice_rounds
"""


def _round(row: asyncpg.Record) -> RoundRow:
    return RoundRow(**dict(row))


async def insert_round(
    conn: asyncpg.Connection,
    estate_id: int,
    title: str,
    budget_fen: int,
    secret: bytes,
    created_by: int,
    works: Sequence[tuple[int, int]],
) -> int:
    round_id: int = await conn.fetchval(
        """INSERT INTO choice_rounds (estate_id, title, budget_fen, secret, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        estate_id,
        title,
        budget_fen,
        secret,
        created_by,
    )
    await conn.executemany(
        "INSERT INTO choice_round_works (round_id, work_id, cost_fen) VALUES ($1, $2, $3)",
        [(round_id, work_id, cost) for work_id, cost in works],
    )
    return round_id


async def get_round(
    conn: asyncpg.Connection, round_id: int, *, lock: bool = False
) -> RoundRow | None:
    row = await conn.fetchrow(
        _ROUND_SQL + " WHERE id = $1" + (" FOR UPDATE" if lock else ""), round_id
    )
    return None if row is None else _round(row)


async def list_rounds(conn: asyncpg.Connection, estate_id: int) -> list[RoundSummary]:
    rows = await conn.fetch(
        """SELECT r.id, r.title, r.budget_fen, r.status, r.created_at, r.closed_at,
                  (SELECT count(*) FROM choice_approvals a WHERE a.round_id = r.id) AS approvals
             FROM choice_rounds r WHERE r.estate_id = $1 ORDER BY r.id DESC""",
        estate_id,
    )
    return [RoundSummary(**dict(r)) for r in rows]


async def round_works(conn: asyncpg.Connection, round_id: int) -> list[RoundWork]:
    rows = await conn.fetch(
        """SELECT c.work_id, w.title, c.cost_fen, w.status
             FROM choice_round_works c JOIN works w ON w.id = c.work_id
            WHERE c.round_id = $1 ORDER BY c.work_id""",
        round_id,
    )
    return [RoundWork(**dict(r)) for r in rows]


async def eligible_works(
    conn: asyncpg.Connection, estate_id: int, work_ids: Sequence[int]
) -> dict[int, int]:
    """Of ``work_ids``: those of the estate with an estimate > 0, candidate or proposed
    (work id → estimate)."""
    rows = await conn.fetch(
        """SELECT id, estimate_fen FROM works
            WHERE estate_id = $1 AND id = ANY($2::bigint[]) AND estimate_fen > 0
              AND status IN ('candidate', 'proposed')""",
        estate_id,
        list(work_ids),
    )
    return {r["id"]: r["estimate_fen"] for r in rows}


async def snapshot_costs(conn: asyncpg.Connection, round_id: int) -> list[int]:
    """Copy the works' current estimates into the round (at the opening); returns the round's
    works that can no longer be chosen (no estimate, or no longer candidate/proposed)."""
    await conn.execute(
        """UPDATE choice_round_works c SET cost_fen = w.estimate_fen
             FROM works w
            WHERE c.round_id = $1 AND w.id = c.work_id AND w.estimate_fen > 0""",
        round_id,
    )
    rows = await conn.fetch(
        """SELECT c.work_id FROM choice_round_works c JOIN works w ON w.id = c.work_id
            WHERE c.round_id = $1
              AND (w.estimate_fen IS NULL OR w.estimate_fen <= 0
                   OR w.status NOT IN ('candidate', 'proposed'))
            ORDER BY c.work_id""",
        round_id,
    )
    return [r["work_id"] for r in rows]


async def set_opened(conn: asyncpg.Connection, round_id: int) -> None:
    await conn.execute(
        "UPDATE choice_rounds SET status = 'open', opened_at = now() WHERE id = $1", round_id
    )


async def set_closed(conn: asyncpg.Connection, round_id: int, result: Any) -> None:
    """``result``: the outcome as JSON-able builtins (the pool's jsonb codec encodes it)."""
    await conn.execute(
        """UPDATE choice_rounds SET status = 'closed', closed_at = now(), result = $2
            WHERE id = $1""",
        round_id,
        result,
    )


async def owners_of_households(
    conn: asyncpg.Connection, estate_id: int, household_ids: Sequence[int]
) -> list[tuple[str, int]]:
    """(owner key, the lowest of its households among ``household_ids``) in the estate."""
    rows = await conn.fetch(
        """SELECT owner_key, min(id) AS household_id FROM households
            WHERE estate_id = $1 AND id = ANY($2::bigint[])
            GROUP BY owner_key ORDER BY owner_key""",
        estate_id,
        list(household_ids),
    )
    return [(r["owner_key"], r["household_id"]) for r in rows]


async def approvals_of(
    conn: asyncpg.Connection, round_id: int, owner_keys: Sequence[str] | None = None
) -> list[ApprovalRow]:
    sql = """SELECT owner_key, household_id, work_ids, channel, sheet_no
               FROM choice_approvals WHERE round_id = $1"""
    args: list[Any] = [round_id]
    if owner_keys is not None:
        sql += " AND owner_key = ANY($2::text[])"
        args.append(list(owner_keys))
    rows = await conn.fetch(sql + " ORDER BY owner_key", *args)
    return [ApprovalRow(**dict(r)) for r in rows]


async def count_approvals(conn: asyncpg.Connection, round_id: int) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM choice_approvals WHERE round_id = $1", round_id
    )
    return count


async def sheet_taken(conn: asyncpg.Connection, round_id: int, sheet_no: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM choice_approvals WHERE round_id = $1 AND sheet_no = $2",
            round_id,
            sheet_no,
        )
    )


async def upsert_approval(
    conn: asyncpg.Connection,
    round_id: int,
    owner_key: str,
    household_id: int,
    work_ids: Sequence[int],
    channel: str,
    sheet_no: str | None,
    entered_by: int,
) -> None:
    await conn.execute(
        """INSERT INTO choice_approvals
               (round_id, owner_key, household_id, work_ids, channel, sheet_no, entered_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (round_id, owner_key) DO UPDATE
              SET household_id = EXCLUDED.household_id, work_ids = EXCLUDED.work_ids,
                  channel = EXCLUDED.channel, sheet_no = EXCLUDED.sheet_no,
                  entered_by = EXCLUDED.entered_by, entered_at = now()""",
        round_id,
        owner_key,
        household_id,
        sorted(work_ids),
        channel,
        sheet_no,
        entered_by,
    )
