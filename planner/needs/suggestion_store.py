"""SQL for suggestions: their rows, the triage list (filters, keyset paging), duplicates and
the photos owners attach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from planner.needs.suggestion_model import ProblemRef, SuggestionFilter, SuggestionRow

_STATE = """CASE WHEN s.duplicate_of IS NOT NULL THEN 'duplicate'
                 WHEN s.problem_id IS NOT NULL THEN 'merged'
                 WHEN s.self_help THEN 'self_help'
                 WHEN s.triaged_at IS NOT NULL THEN 'triaged'
                 ELSE 'untriaged' END"""

_SELECT = f"""
SELECT s.id, s.estate_id, s.text, s.category, s.building_id, b.name AS building_name,
       s.household_id, h.unit, s.channel, s.sheet_no, s.photo_sha256, s.submitted_by,
       s.submitted_at, s.urgency, s.difficulty, s.triaged_by, s.triaged_at, s.self_help,
       s.helper, s.duplicate_of, s.questionnaire_id, {_STATE} AS state,
       p.id AS p_id, p.title AS p_title, p.status AS p_status
  FROM suggestions s
  LEFT JOIN buildings b ON b.id = s.building_id
  LEFT JOIN households h ON h.id = s.household_id
  LEFT JOIN problems p ON p.id = s.problem_id
"""

#: the WHERE fragment of each triage state (they partition the suggestions)
_STATE_WHERE = {
    "untriaged": "s.triaged_at IS NULL AND s.problem_id IS NULL AND s.duplicate_of IS NULL"
    " AND NOT s.self_help",
    "triaged": "s.triaged_at IS NOT NULL AND s.problem_id IS NULL AND s.duplicate_of IS NULL"
    " AND NOT s.self_help",
    "self_help": "s.self_help AND s.problem_id IS NULL AND s.duplicate_of IS NULL",
    "merged": "s.problem_id IS NOT NULL AND s.duplicate_of IS NULL",
    "duplicate": "s.duplicate_of IS NOT NULL",
}


def _row(r: asyncpg.Record) -> SuggestionRow:
    problem = (
        None
        if r["p_id"] is None
        else ProblemRef(id=r["p_id"], title=r["p_title"], status=r["p_status"])
    )
    return SuggestionRow(
        id=r["id"],
        estate_id=r["estate_id"],
        text=r["text"],
        category=r["category"],
        building_id=r["building_id"],
        building_name=r["building_name"],
        household_id=r["household_id"],
        unit=r["unit"],
        channel=r["channel"],
        sheet_no=r["sheet_no"],
        photo_sha256=r["photo_sha256"],
        submitted_by=r["submitted_by"],
        submitted_at=r["submitted_at"],
        urgency=r["urgency"],
        difficulty=r["difficulty"],
        triaged_by=r["triaged_by"],
        triaged_at=r["triaged_at"],
        self_help=r["self_help"],
        helper=r["helper"],
        duplicate_of=r["duplicate_of"],
        questionnaire_id=r["questionnaire_id"],
        state=r["state"],
        problem=problem,
    )


async def suggestion(conn: asyncpg.Connection, suggestion_id: int) -> SuggestionRow | None:
    r = await conn.fetchrow(_SELECT + " WHERE s.id = $1", suggestion_id)
    return None if r is None else _row(r)


async def lock_suggestion(conn: asyncpg.Connection, suggestion_id: int) -> SuggestionRow | None:
    """The suggestion, its row locked for the change."""
    locked = await conn.fetchval(
        "SELECT id FROM suggestions WHERE id = $1 FOR UPDATE", suggestion_id
    )
    return None if locked is None else await suggestion(conn, suggestion_id)


async def estate_of(conn: asyncpg.Connection, suggestion_id: int) -> int | None:
    return await conn.fetchval("SELECT estate_id FROM suggestions WHERE id = $1", suggestion_id)  # type: ignore[no-any-return]


async def household_building(
    conn: asyncpg.Connection, estate_id: int, household_id: int
) -> int | None:
    """The building of the estate's household (None: no such household in the estate)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT building_id FROM households WHERE id = $1 AND estate_id = $2",
        household_id,
        estate_id,
    )


async def building_in_estate(conn: asyncpg.Connection, estate_id: int, building_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM buildings WHERE id = $1 AND estate_id = $2", building_id, estate_id
        )
    )


async def by_sheet(conn: asyncpg.Connection, estate_id: int, sheet_no: str) -> int | None:
    """The id of the estate's suggestion entered from this paper sheet."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT id FROM suggestions WHERE estate_id = $1 AND sheet_no = $2", estate_id, sheet_no
    )


async def insert_suggestion(
    conn: asyncpg.Connection,
    *,
    estate_id: int,
    text: str,
    category: str,
    building_id: int | None,
    household_id: int | None,
    channel: str,
    sheet_no: str | None,
    photo_sha256: str | None,
    submitted_by: int | None,
    questionnaire_id: int | None = None,
) -> int | None:
    """The new suggestion's id; None when the estate has this sheet number already."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        """INSERT INTO suggestions (estate_id, text, category, building_id, household_id,
                                    channel, sheet_no, photo_sha256, submitted_by,
                                    questionnaire_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (estate_id, sheet_no) DO NOTHING RETURNING id""",
        estate_id,
        text,
        category,
        building_id,
        household_id,
        channel,
        sheet_no,
        photo_sha256,
        submitted_by,
        questionnaire_id,
    )


async def insert_many(
    conn: asyncpg.Connection,
    estate_id: int,
    rows: Sequence[tuple[str, str, int | None, int | None]],
    *,
    channel: str,
    submitted_by: int | None,
    questionnaire_id: int | None,
) -> list[int]:
    """Insert (text, category, building_id, household_id) rows in one statement; their ids in
    the order given."""
    if not rows:
        return []
    texts, categories, buildings, households = (list(c) for c in zip(*rows, strict=True))
    records = await conn.fetch(
        """INSERT INTO suggestions (estate_id, text, category, building_id, household_id,
                                    channel, submitted_by, questionnaire_id)
           SELECT $1, t, c, b, h, $6, $7, $8
             FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[])
                  WITH ORDINALITY AS x(t, c, b, h, n)
            ORDER BY n
           RETURNING id""",
        estate_id,
        texts,
        categories,
        buildings,
        households,
        channel,
        submitted_by,
        questionnaire_id,
    )
    return sorted(r["id"] for r in records)


async def update_text(
    conn: asyncpg.Connection, suggestion_id: int, text: str, category: str
) -> None:
    await conn.execute(
        "UPDATE suggestions SET text = $2, category = $3 WHERE id = $1",
        suggestion_id,
        text,
        category,
    )


async def update_triage(
    conn: asyncpg.Connection,
    suggestion_id: int,
    *,
    category: str,
    urgency: str | None,
    difficulty: str | None,
    self_help: bool,
    helper: str | None,
    triaged_by: int,
    triaged_at: datetime,
) -> None:
    await conn.execute(
        """UPDATE suggestions SET category = $2, urgency = $3, difficulty = $4, self_help = $5,
                  helper = $6, triaged_by = $7, triaged_at = $8
            WHERE id = $1""",
        suggestion_id,
        category,
        urgency,
        difficulty,
        self_help,
        helper,
        triaged_by,
        triaged_at,
    )


async def duplicate_chain(conn: asyncpg.Connection, suggestion_id: int) -> list[int]:
    """The ids ``suggestion_id`` is a duplicate of, transitively (itself first)."""
    rows = await conn.fetch(
        """WITH RECURSIVE chain(id, duplicate_of, depth) AS (
               SELECT id, duplicate_of, 0 FROM suggestions WHERE id = $1
               UNION ALL
               SELECT s.id, s.duplicate_of, c.depth + 1
                 FROM suggestions s JOIN chain c ON s.id = c.duplicate_of
                WHERE c.depth < 10000)
           SELECT id FROM chain ORDER BY depth""",
        suggestion_id,
    )
    return [r["id"] for r in rows]


async def set_duplicate(
    conn: asyncpg.Connection, suggestion_id: int, of: int, by: int, at: datetime
) -> None:
    await conn.execute(
        """UPDATE suggestions SET duplicate_of = $2, triaged_by = $3, triaged_at = $4
            WHERE id = $1""",
        suggestion_id,
        of,
        by,
        at,
    )


def _where(estate_id: int, f: SuggestionFilter) -> tuple[list[str], list[Any]]:
    clauses = ["s.estate_id = $1"]
    args: list[Any] = [estate_id]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.category is not None:
        clauses.append(f"s.category = {arg(f.category)}")
    if f.state is not None:
        clauses.append(_STATE_WHERE[f.state])
    if f.urgency is not None:
        clauses.append(f"s.urgency = {arg(f.urgency)}")
    if f.difficulty is not None:
        clauses.append(f"s.difficulty = {arg(f.difficulty)}")
    if f.building_id is not None:
        clauses.append(f"s.building_id = {arg(f.building_id)}")
    if f.channel is not None:
        clauses.append(f"s.channel = {arg(f.channel)}")
    if f.q:
        pattern = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(f"s.text ILIKE {arg('%' + pattern + '%')}")
    return clauses, args


async def list_suggestions(
    conn: asyncpg.Connection,
    estate_id: int,
    f: SuggestionFilter,
    limit: int,
    after: int | None,
) -> tuple[list[SuggestionRow], int]:
    """One page of the estate's matching suggestions, newest first (``after``: ids below it),
    and how many match in all."""
    clauses, args = _where(estate_id, f)
    total = await conn.fetchval(
        "SELECT count(*) FROM suggestions s WHERE " + " AND ".join(clauses), *args
    )
    if after is not None:
        args.append(after)
        clauses.append(f"s.id < ${len(args)}")
    args.append(limit)
    rows = await conn.fetch(
        _SELECT + " WHERE " + " AND ".join(clauses) + f" ORDER BY s.id DESC LIMIT ${len(args)}",
        *args,
    )
    return [_row(r) for r in rows], int(total)


async def list_mine(
    conn: asyncpg.Connection, estate_id: int, household_ids: Sequence[int], member_id: int
) -> list[SuggestionRow]:
    """The estate's suggestions for the owner's units or submitted by the member, newest
    first."""
    rows = await conn.fetch(
        _SELECT
        + """ WHERE s.estate_id = $1
                AND (s.household_id = ANY($2::bigint[]) OR s.submitted_by = $3)
              ORDER BY s.id DESC LIMIT 500""",
        estate_id,
        list(household_ids),
        member_id,
    )
    return [_row(r) for r in rows]


# -- photos


async def insert_photo(
    conn: asyncpg.Connection,
    estate_id: int,
    sha256: str,
    media_type: str,
    content: bytes,
    uploaded_by: int,
) -> None:
    """Store the photo unless the estate has these bytes already (then nothing changes)."""
    await conn.execute(
        """INSERT INTO suggestion_photos (estate_id, sha256, media_type, size, bytes,
                                          uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        estate_id,
        sha256,
        media_type,
        len(content),
        content,
        uploaded_by,
    )


async def photo_uploader(conn: asyncpg.Connection, estate_id: int, sha256: str) -> int | None:
    """Who uploaded the estate's photo first (None: the estate has no such photo)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT uploaded_by FROM suggestion_photos WHERE estate_id = $1 AND sha256 = $2",
        estate_id,
        sha256,
    )


async def photo_attached_for(
    conn: asyncpg.Connection,
    estate_id: int,
    sha256: str,
    household_ids: Sequence[int],
    member_id: int,
) -> bool:
    """Whether the photo is attached to a suggestion of these units or by this member."""
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM suggestions
                WHERE estate_id = $1 AND photo_sha256 = $2
                  AND (household_id = ANY($3::bigint[]) OR submitted_by = $4) LIMIT 1""",
            estate_id,
            sha256,
            list(household_ids),
            member_id,
        )
    )


async def photo(conn: asyncpg.Connection, estate_id: int, sha256: str) -> tuple[str, bytes] | None:
    row = await conn.fetchrow(
        "SELECT media_type, bytes FROM suggestion_photos WHERE estate_id = $1 AND sha256 = $2",
        estate_id,
        sha256,
    )
    return None if row is None else (row["media_type"], bytes(row["bytes"]))
