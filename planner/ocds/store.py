"""SQL of the OCDS export: batched reads of other slices' tables for many works at once.

The export reads works, invitations, quotes and rounds (negotiation), the ``work.awarded``
events (the award's time: works keep no award time of their own) and rejections, approved variations
(settlement), the plan in force's per-work split (funding), the approved final accounts'
per-work final costs (settlement) and each work's finished auction (auction). Those slices'
stores read one work at a time or decode whole plans (every household); the bulk export of
an estate's 1,000 works needs a few queries per batch instead, so these read-only queries
live here (nothing here writes). Suppliers, sources, milestones and the estate are read
through their own slices' stores (service.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from planner.ocds.model import (
    Auction,
    Budget,
    Invitation,
    Line,
    Quote,
    Round,
    Settlement,
    Share,
    Variation,
    Work,
)

_LINES = msgspec.json.Decoder(tuple[Line, ...])


async def estate_ids(conn: asyncpg.Connection, only: int | None = None) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM estates WHERE ($1::bigint IS NULL OR id = $1) ORDER BY id", only
    )
    return [r["id"] for r in rows]


async def work_ids(conn: asyncpg.Connection, estate_id: int, after: int, limit: int) -> list[int]:
    """The estate's work ids after ``after``, ascending (keyset pages)."""
    rows = await conn.fetch(
        "SELECT id FROM works WHERE estate_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        estate_id,
        after,
        limit,
    )
    return [r["id"] for r in rows]


async def any_work(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> bool:
    """Whether these estates have a work at all (a release package needs a release)."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM works WHERE estate_id = ANY($1::bigint[]))",
        list(estate_ids),
    )
    return found


class WorkRow(msgspec.Struct, frozen=True, kw_only=True):
    work: Work
    estate_id: int
    awarded_quote_id: int | None
    awarded_round: int | None
    awarded_total_fen: int | None


async def works(conn: asyncpg.Connection, ids: Sequence[int]) -> list[WorkRow]:
    rows = await conn.fetch(
        """SELECT id, estate_id, title, description, category, status, estimate_fen,
                  created_at, sealed_until, opened_at, awarded_quote_id, awarded_round,
                  awarded_total_fen
           FROM works WHERE id = ANY($1::bigint[]) ORDER BY id""",
        list(ids),
    )
    return [
        WorkRow(
            work=Work(
                id=r["id"],
                title=r["title"],
                description=r["description"],
                category=r["category"],
                status=r["status"],
                estimate_fen=r["estimate_fen"],
                created_at=r["created_at"],
                sealed_until=r["sealed_until"],
                opened_at=r["opened_at"],
            ),
            estate_id=r["estate_id"],
            awarded_quote_id=r["awarded_quote_id"],
            awarded_round=r["awarded_round"],
            awarded_total_fen=r["awarded_total_fen"],
        )
        for r in rows
    ]


async def invitations(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, list[Invitation]]:
    rows = await conn.fetch(
        """SELECT work_id, supplier_id, invited_at FROM invitations
           WHERE work_id = ANY($1::bigint[]) ORDER BY work_id, supplier_id""",
        list(ids),
    )
    out: dict[int, list[Invitation]] = defaultdict(list)
    for r in rows:
        out[r["work_id"]].append(
            Invitation(supplier_id=r["supplier_id"], invited_at=r["invited_at"])
        )
    return out


async def quotes(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, list[Quote]]:
    """Each work's quotes (quote order) with every round (round order)."""
    rows = await conn.fetch(
        """SELECT q.work_id, q.id AS quote_id, q.supplier_id, q.status, r.round, r.total_fen,
                  r.at, r.is_final, r.valid_until, r.lines::text AS lines
           FROM quotes q JOIN rounds r ON r.quote_id = q.id
           WHERE q.work_id = ANY($1::bigint[]) ORDER BY q.work_id, q.id, r.round""",
        list(ids),
    )
    rounds: dict[tuple[int, int, int, str], list[Round]] = defaultdict(list)
    for r in rows:
        rounds[(r["work_id"], r["quote_id"], r["supplier_id"], r["status"])].append(
            Round(
                round=r["round"],
                total_fen=r["total_fen"],
                at=r["at"],
                lines=_LINES.decode(r["lines"]),
                is_final=r["is_final"],
                valid_until=r["valid_until"],
            )
        )
    out: dict[int, list[Quote]] = defaultdict(list)
    for (work_id, quote_id, supplier_id, status), its in rounds.items():
        out[work_id].append(
            Quote(quote_id=quote_id, supplier_id=supplier_id, status=status, rounds=tuple(its))
        )
    return out


async def award_times(
    conn: asyncpg.Connection, estate_id: int, ids: Sequence[int]
) -> dict[int, datetime]:
    """The latest ``work.awarded`` event of each work (its award's time)."""
    rows = await conn.fetch(
        """SELECT (data->>'work_id')::bigint AS work_id, max(at) AS at FROM events
           WHERE estate_id = $1 AND type = 'work.awarded'
             AND (data->>'work_id')::bigint = ANY($2::bigint[])
           GROUP BY 1""",
        estate_id,
        list(ids),
    )
    return {r["work_id"]: r["at"] for r in rows}


async def rejection_times(
    conn: asyncpg.Connection, estate_id: int, ids: Sequence[int]
) -> dict[int, datetime]:
    """When each of these works was rejected (its latest ``work.status_changed`` to
    ``rejected``)."""
    rows = await conn.fetch(
        """SELECT (data->>'work_id')::bigint AS work_id, max(at) AS at FROM events
           WHERE estate_id = $1 AND type = 'work.status_changed' AND data->>'to' = 'rejected'
             AND (data->>'work_id')::bigint = ANY($2::bigint[])
           GROUP BY 1""",
        estate_id,
        list(ids),
    )
    return {r["work_id"]: r["at"] for r in rows}


async def approved_variations(
    conn: asyncpg.Connection, ids: Sequence[int]
) -> dict[int, list[Variation]]:
    rows = await conn.fetch(
        """SELECT id, work_id, amount_fen, reason, decided_at FROM variations
           WHERE work_id = ANY($1::bigint[]) AND status = 'approved' AND decided_at IS NOT NULL
           ORDER BY work_id, id""",
        list(ids),
    )
    out: dict[int, list[Variation]] = defaultdict(list)
    for r in rows:
        out[r["work_id"]].append(
            Variation(
                id=r["id"],
                amount_fen=r["amount_fen"],
                reason=r["reason"],
                decided_at=r["decided_at"],
            )
        )
    return out


class _PlanWork(msgspec.Struct, frozen=True):
    work_id: int
    cost_fen: int
    residents_fen: int
    sources: list[Share]


async def plan_budgets(
    conn: asyncpg.Connection, estate_id: int, ids: Sequence[int]
) -> dict[int, Budget]:
    """These works' lines in the estate's plan in force (none without one); only those lines
    of the stored result leave the database (not its households)."""
    row = await conn.fetchrow(
        """SELECT p.id, p.version, p.approved_at,
                  (SELECT coalesce(jsonb_agg(w), '[]')
                   FROM jsonb_array_elements(p.result->'works') w
                   WHERE (w->>'work_id')::bigint = ANY($2::bigint[]))::text AS works
           FROM funding_plans p
           WHERE p.estate_id = $1 AND p.status = 'approved' AND p.result IS NOT NULL""",
        estate_id,
        list(ids),
    )
    if row is None or row["approved_at"] is None:
        return {}
    lines = msgspec.json.decode(row["works"], type=list[_PlanWork])
    return {
        w.work_id: Budget(
            plan_id=row["id"],
            plan_version=row["version"],
            approved_at=row["approved_at"],
            cost_fen=w.cost_fen,
            residents_fen=w.residents_fen,
            shares=tuple(w.sources),
        )
        for w in lines
    }


class _FinalWork(msgspec.Struct, frozen=True):
    work_id: int
    final_cost_fen: int


async def settlements(
    conn: asyncpg.Connection, estate_id: int, ids: Sequence[int]
) -> dict[int, Settlement]:
    """These works' final costs in the approved final accounts of the plan in force."""
    row = await conn.fetchrow(
        """SELECT f.id, f.version, f.approved_at,
                  (SELECT coalesce(jsonb_agg(w), '[]') FROM jsonb_array_elements(f.works) w
                   WHERE (w->>'work_id')::bigint = ANY($2::bigint[]))::text AS works
           FROM final_accounts f JOIN funding_plans p ON p.id = f.plan_id
           WHERE f.estate_id = $1 AND f.status = 'approved' AND p.status = 'approved'""",
        estate_id,
        list(ids),
    )
    if row is None or row["approved_at"] is None:
        return {}
    return {
        w.work_id: Settlement(
            final_accounts_id=row["id"],
            version=row["version"],
            approved_at=row["approved_at"],
            final_cost_fen=w.final_cost_fen,
        )
        for w in msgspec.json.decode(row["works"], type=list[_FinalWork])
    }


async def finished_auctions(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, Auction]:
    """Each work's latest finished live reverse auction (the auction slice's table)."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (work_id) id, work_id, status, rounds, starts_at, finished_at
           FROM auctions WHERE work_id = ANY($1::bigint[]) AND status = 'finished'
           ORDER BY work_id, id DESC""",
        list(ids),
    )
    return {
        r["work_id"]: Auction(
            id=r["id"],
            status=r["status"],
            rounds=r["rounds"],
            started_at=r["starts_at"],
            ended_at=r["finished_at"],
        )
        for r in rows
    }
