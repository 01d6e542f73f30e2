"""SQL for common problems (共性问题), their supporters and the board's counts.

A problem's *group* is the problem and the duplicates merged into it (``merged_into``,
kept one level deep: merging a problem that had duplicates re-points them to the new
target). Supporters and sources are counted over the group. The suggestions table is
intake's; here only its ``problem_id`` is read and set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from planner.needs.problem_model import NewProblem, SourceOut


class ProblemRow(msgspec.Struct, kw_only=True):
    id: int
    estate_id: int
    title: str
    category: str
    urgency: str
    difficulty: str
    status: str
    status_note: str | None
    responsible: str | None
    merged_into: int | None
    work_id: int | None
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None


class GroupCount(msgspec.Struct, kw_only=True):
    owners: int = 0
    units: int = 0
    sources: int = 0


_COLUMNS = """id, estate_id, title, category, urgency, difficulty, status, status_note,
    responsible, merged_into, work_id, created_at, updated_at, solved_at"""


def _row(row: asyncpg.Record) -> ProblemRow:
    return ProblemRow(**dict(row))


async def insert_problem(
    conn: asyncpg.Connection, estate_id: int, data: NewProblem, created_by: int
) -> int:
    found: int = await conn.fetchval(
        """INSERT INTO problems (estate_id, title, category, urgency, difficulty, responsible,
                                 created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        estate_id,
        data.title,
        data.category,
        data.urgency,
        data.difficulty,
        data.responsible,
        created_by,
    )
    return found


async def get_problem(
    conn: asyncpg.Connection, problem_id: int, *, lock: bool = False
) -> ProblemRow | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM problems WHERE id = $1" + (" FOR UPDATE" if lock else ""),
        problem_id,
    )
    return None if row is None else _row(row)


async def problems_of_estate(
    conn: asyncpg.Connection,
    estate_id: int,
    ids: Sequence[int],
    *,
    lock: bool = False,
) -> list[ProblemRow]:
    """The problems among ``ids`` that belong to the estate (ordered by id)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM problems WHERE estate_id = $1 AND id = ANY($2::bigint[])"
        " ORDER BY id" + (" FOR UPDATE" if lock else ""),
        estate_id,
        list(ids),
    )
    return [_row(r) for r in rows]


async def list_problems(
    conn: asyncpg.Connection,
    estate_id: int,
    *,
    status: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
) -> list[ProblemRow]:
    """The estate's problems that are not merged duplicates, newest first, filtered."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM problems
             WHERE estate_id = $1 AND merged_into IS NULL
               AND ($2::text IS NULL OR status = $2)
               AND ($3::text IS NULL OR category = $3)
               AND ($4::text IS NULL OR urgency = $4)
             ORDER BY id DESC""",
        estate_id,
        status,
        category,
        urgency,
    )
    return [_row(r) for r in rows]


async def merged_into(conn: asyncpg.Connection, root_ids: Sequence[int]) -> dict[int, list[int]]:
    """For each root, the duplicates merged into it (ids ascending)."""
    rows = await conn.fetch(
        """SELECT merged_into AS root, array_agg(id ORDER BY id) AS ids FROM problems
            WHERE merged_into = ANY($1::bigint[]) GROUP BY merged_into""",
        list(root_ids),
    )
    return {r["root"]: list(r["ids"]) for r in rows}


_GROUPS = """
    grp AS (SELECT id AS problem_id, coalesce(merged_into, id) AS root FROM problems
             WHERE coalesce(merged_into, id) = ANY($1::bigint[])),
    sup AS (SELECT g.root, s.household_id FROM suggestions s
              JOIN grp g ON g.problem_id = s.problem_id WHERE s.household_id IS NOT NULL
            UNION
            SELECT g.root, ps.household_id FROM problem_supporters ps
              JOIN grp g ON g.problem_id = ps.problem_id)
"""


async def group_counts(conn: asyncpg.Connection, root_ids: Sequence[int]) -> dict[int, GroupCount]:
    """Supporters by head (distinct owner keys; a unit without one counts alone) and by
    units, and the number of source suggestions, per root problem."""
    counts = {root: GroupCount() for root in root_ids}
    rows = await conn.fetch(
        f"""WITH {_GROUPS}
            SELECT sup.root,
                   count(DISTINCT coalesce(nullif(h.owner_key, ''), '#unit:' || h.id)) AS owners,
                   count(DISTINCT h.id) AS units
              FROM sup JOIN households h ON h.id = sup.household_id GROUP BY sup.root""",
        list(root_ids),
    )
    for r in rows:
        counts[r["root"]].owners = r["owners"]
        counts[r["root"]].units = r["units"]
    rows = await conn.fetch(
        """SELECT coalesce(p.merged_into, p.id) AS root, count(s.id) AS n
             FROM suggestions s JOIN problems p ON p.id = s.problem_id
            WHERE coalesce(p.merged_into, p.id) = ANY($1::bigint[])
            GROUP BY coalesce(p.merged_into, p.id)""",
        list(root_ids),
    )
    for r in rows:
        counts[r["root"]].sources = r["n"]
    return counts


async def supported_roots(
    conn: asyncpg.Connection,
    root_ids: Sequence[int],
    household_ids: Sequence[int],
    member_id: int,
) -> set[int]:
    """The roots the member supports: through their units' suggestions or "me too", or
    through a suggestion they submitted."""
    rows = await conn.fetch(
        f"""WITH {_GROUPS}
            SELECT root FROM sup WHERE household_id = ANY($2::bigint[])
            UNION
            SELECT g.root FROM suggestions s JOIN grp g ON g.problem_id = s.problem_id
             WHERE s.submitted_by = $3""",
        list(root_ids),
        list(household_ids),
        member_id,
    )
    return {r["root"] for r in rows}


async def sources(conn: asyncpg.Connection, root_id: int) -> list[SourceOut]:
    rows = await conn.fetch(
        """SELECT s.id AS suggestion_id, s.problem_id, s.text, s.category, s.channel,
                  s.household_id, s.building_id, s.submitted_at
             FROM suggestions s JOIN problems p ON p.id = s.problem_id
            WHERE coalesce(p.merged_into, p.id) = $1 ORDER BY s.id""",
        root_id,
    )
    return [SourceOut(**dict(r)) for r in rows]


async def suggestions_for_merge(
    conn: asyncpg.Connection, estate_id: int, suggestion_ids: Sequence[int]
) -> dict[int, int | None]:
    """The estate's suggestions among ``suggestion_ids`` (locked): id → problem_id."""
    rows = await conn.fetch(
        """SELECT id, problem_id FROM suggestions
            WHERE estate_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE""",
        estate_id,
        list(suggestion_ids),
    )
    return {r["id"]: r["problem_id"] for r in rows}


async def attach_suggestions(
    conn: asyncpg.Connection, problem_id: int, suggestion_ids: Sequence[int]
) -> None:
    await conn.execute(
        "UPDATE suggestions SET problem_id = $1 WHERE id = ANY($2::bigint[])",
        problem_id,
        list(suggestion_ids),
    )


async def merge_problems(
    conn: asyncpg.Connection, target_id: int, problem_ids: Sequence[int]
) -> None:
    """Mark ``problem_ids`` (and their own duplicates) merged into ``target_id``."""
    await conn.execute(
        """UPDATE problems SET merged_into = $1, updated_at = now()
            WHERE id = ANY($2::bigint[]) OR merged_into = ANY($2::bigint[])""",
        target_id,
        list(problem_ids),
    )


async def add_supporters(
    conn: asyncpg.Connection, problem_id: int, household_ids: Sequence[int], member_id: int
) -> int:
    """ "Me too" for these households (already supporting: unchanged); how many were added."""
    status: str = await conn.execute(
        """INSERT INTO problem_supporters (problem_id, household_id, member_id)
           SELECT $1, h, $3 FROM unnest($2::bigint[]) AS h
           ON CONFLICT DO NOTHING""",
        problem_id,
        list(household_ids),
        member_id,
    )
    return int(status.rsplit(" ", 1)[-1])


async def remove_supporters(
    conn: asyncpg.Connection, root_id: int, household_ids: Sequence[int]
) -> int:
    """Withdraw the households' "me too" over the group (their suggestions stay)."""
    status: str = await conn.execute(
        """DELETE FROM problem_supporters ps USING problems p
            WHERE p.id = ps.problem_id AND coalesce(p.merged_into, p.id) = $1
              AND ps.household_id = ANY($2::bigint[])""",
        root_id,
        list(household_ids),
    )
    return int(status.rsplit(" ", 1)[-1])


async def set_status(
    conn: asyncpg.Connection,
    problem_id: int,
    status: str,
    note: str | None,
    responsible: str | None,
) -> None:
    """The new status (``solved_at`` set when solved), its note, and the responsible
    party when given (else kept)."""
    await conn.execute(
        """UPDATE problems SET status = $2, status_note = coalesce($3, status_note),
                  responsible = coalesce($4, responsible), updated_at = now(),
                  solved_at = CASE WHEN $2 = 'solved' THEN now() ELSE solved_at END
            WHERE id = $1""",
        problem_id,
        status,
        note,
        responsible,
    )


async def set_work(conn: asyncpg.Connection, problem_id: int, work_id: int) -> None:
    await conn.execute(
        "UPDATE problems SET work_id = $2, updated_at = now() WHERE id = $1", problem_id, work_id
    )


# The board --------------------------------------------------------------------------------


class SuggestionFigures(msgspec.Struct, kw_only=True):
    received: int
    sorted: int
    self_help: int


async def suggestion_figures(conn: asyncpg.Connection, estate_id: int) -> SuggestionFigures:
    """Received; sorted (tagged, merged into a problem, marked self-help or a duplicate);
    self-help."""
    row = await conn.fetchrow(
        """SELECT count(*) AS received,
                  count(*) FILTER (WHERE triaged_at IS NOT NULL OR problem_id IS NOT NULL
                                      OR self_help OR duplicate_of IS NOT NULL) AS sorted,
                  count(*) FILTER (WHERE self_help) AS self_help
             FROM suggestions WHERE estate_id = $1""",
        estate_id,
    )
    assert row is not None
    return SuggestionFigures(
        received=row["received"], sorted=row["sorted"], self_help=row["self_help"]
    )


async def suggestions_by_category(conn: asyncpg.Connection, estate_id: int) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT category, count(*) AS n FROM suggestions WHERE estate_id = $1 GROUP BY category",
        estate_id,
    )
    return {r["category"]: r["n"] for r in rows}
