"""SQL of the disclosure: the public token, and the works' awards with their approved
variations (one query). Everything else is read through the other slices' stores."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from planner.disclosure.model import Publication, WorkFigures
from planner.funding.engine import SourceUse, WorkPlan


async def work_figures(conn: asyncpg.Connection, work_ids: Sequence[int]) -> dict[int, WorkFigures]:
    rows = await conn.fetch(
        """SELECT w.id AS work_id, w.title, w.awarded_total_fen AS awarded_fen,
                  coalesce(v.fen, 0)::bigint AS variations_fen,
                  coalesce(v.n, 0)::int AS variations_count
           FROM works w
           LEFT JOIN (SELECT work_id, sum(amount_fen) AS fen, count(*) AS n FROM variations
                      WHERE status = 'approved' GROUP BY work_id) v ON v.work_id = w.id
           WHERE w.id = ANY($1::bigint[])""",
        list(work_ids),
    )
    return {r["work_id"]: WorkFigures(**dict(r)) for r in rows}


async def publication(conn: asyncpg.Connection, estate_id: int) -> Publication | None:
    row = await conn.fetchrow(
        "SELECT estate_id, token, published_at FROM estate_disclosures WHERE estate_id = $1",
        estate_id,
    )
    return Publication(**dict(row)) if row else None


async def publication_by_token(conn: asyncpg.Connection, token: str) -> Publication | None:
    row = await conn.fetchrow(
        "SELECT estate_id, token, published_at FROM estate_disclosures WHERE token = $1", token
    )
    return Publication(**dict(row)) if row else None


async def publish(
    conn: asyncpg.Connection, estate_id: int, token: str, member_id: int
) -> tuple[Publication, bool]:
    """The estate's publication, made now with ``token`` unless it exists (then kept, its
    time moved to now); ``True`` when made now."""
    row = await conn.fetchrow(
        """INSERT INTO estate_disclosures (estate_id, token, published_by)
           VALUES ($1, $2, $3)
           ON CONFLICT (estate_id) DO UPDATE SET published_at = now(), published_by = $3
           RETURNING estate_id, token, published_at, (xmax = 0) AS first""",
        estate_id,
        token,
        member_id,
    )
    values = dict(row)
    first = bool(values.pop("first"))
    return Publication(**values), first


class PlanFigures(msgspec.Struct, frozen=True, kw_only=True):
    """A solved plan's works, sources and residents' total, without its households."""

    works: list[WorkPlan]
    sources: list[SourceUse]
    residents_total_fen: int


async def plan_figures(conn: asyncpg.Connection, plan_id: int) -> PlanFigures | None:
    """Read from the stored result without decoding its (many) households."""
    raw = await conn.fetchval(
        """SELECT jsonb_build_object('works', result->'works', 'sources', result->'sources',
                                     'residents_total_fen', result->'residents_total_fen')::text
           FROM funding_plans WHERE id = $1 AND result IS NOT NULL""",
        plan_id,
    )
    return None if raw is None else msgspec.json.decode(raw, type=PlanFigures)
