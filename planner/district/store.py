"""SQL of the district: its members and their estates, and the overview's figures.

The overview is a read model across slices (decisions, tenders, funding, the ledger, final
accounts, needs): each topic is ONE set-based query over all the assigned estates (grouped
by estate), never a query per estate, so that a district of a thousand estates costs a
handful of statements. Only aggregates are selected: no name of a person, no ballot, no
household's payment ever leaves these queries. A work's sealed bids that are not yet opened
are left out (their prices are nobody's to see before the opening).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from planner.access.tokens import token_hash
from planner.district.model import (
    DecisionFacts,
    DistrictMemberOut,
    EstateFacts,
    FundingFacts,
    MoneyFacts,
    NeedsFacts,
    TenderWork,
)

# Members and their estates ------------------------------------------------------------------


async def insert_district_member(
    conn: asyncpg.Connection, display_name: str, level: str | None, token: str
) -> int:
    member_id: int = await conn.fetchval(
        """INSERT INTO members (estate_id, role, display_name, token_hash, district_level)
           VALUES (NULL, 'district', $1, $2, $3) RETURNING id""",
        display_name,
        token_hash(token),
        level,
    )
    return member_id


async def unknown_estates(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[int]:
    """The ids among ``estate_ids`` that are no estate, in the given order."""
    rows = await conn.fetch(
        """SELECT i FROM unnest($1::bigint[]) WITH ORDINALITY AS x(i, n)
           WHERE NOT EXISTS (SELECT 1 FROM estates WHERE id = i) ORDER BY n""",
        list(estate_ids),
    )
    return [r["i"] for r in rows]


async def lock_district_member(conn: asyncpg.Connection, member_id: int) -> bool | None:
    """Lock the district member's row until the transaction ends: True if revoked, False if
    in force, None when there is no such district member."""
    revoked: bool | None = await conn.fetchval(
        """SELECT revoked_at IS NOT NULL FROM members
           WHERE id = $1 AND role = 'district' FOR UPDATE""",
        member_id,
    )
    return revoked


async def assigned_estates(conn: asyncpg.Connection, member_id: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT estate_id FROM district_estates WHERE member_id = $1 ORDER BY estate_id",
        member_id,
    )
    return [r["estate_id"] for r in rows]


async def all_estates(conn: asyncpg.Connection) -> list[int]:
    """Every estate (the global admin's overview)."""
    rows = await conn.fetch("SELECT id FROM estates ORDER BY id")
    return [r["id"] for r in rows]


async def assign(
    conn: asyncpg.Connection, member_id: int, estate_ids: Sequence[int], by: int
) -> None:
    await conn.execute(
        """INSERT INTO district_estates (member_id, estate_id, assigned_by)
           SELECT $1, e, $3 FROM unnest($2::bigint[]) AS e ON CONFLICT DO NOTHING""",
        member_id,
        list(estate_ids),
        by,
    )


async def unassign(conn: asyncpg.Connection, member_id: int, estate_ids: Sequence[int]) -> None:
    await conn.execute(
        "DELETE FROM district_estates WHERE member_id = $1 AND estate_id = ANY($2::bigint[])",
        member_id,
        list(estate_ids),
    )


async def list_district_members(conn: asyncpg.Connection) -> list[DistrictMemberOut]:
    rows = await conn.fetch(
        """SELECT m.id, m.display_name, m.district_level AS level, m.created_at,
                  m.revoked_at IS NOT NULL AS revoked,
                  coalesce(array_agg(d.estate_id ORDER BY d.estate_id)
                           FILTER (WHERE d.estate_id IS NOT NULL), '{}') AS estate_ids
           FROM members m LEFT JOIN district_estates d ON d.member_id = m.id
           WHERE m.role = 'district' GROUP BY m.id ORDER BY m.id"""
    )
    return [
        DistrictMemberOut(
            id=r["id"],
            display_name=r["display_name"],
            level=r["level"],
            estate_ids=list(r["estate_ids"]),
            revoked=r["revoked"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


# The overview ---------------------------------------------------------------------------------


async def freshness(conn: asyncpg.Connection) -> tuple[datetime, bool]:
    """When the data this connection reads was true, and whether it is a replica: on the
    primary now; on a replica now when it has replayed all it received, else the commit time
    of the last change it replayed."""
    row = await conn.fetchrow(
        """SELECT pg_is_in_recovery() AS replica,
                  CASE WHEN NOT pg_is_in_recovery()
                         OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN now()
                       ELSE coalesce(pg_last_xact_replay_timestamp(), now()) END AS as_of"""
    )
    assert row is not None
    return row["as_of"], row["replica"]


async def estate_facts(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[EstateFacts]:
    rows = await conn.fetch(
        """SELECT e.id AS estate_id, e.name, e.district AS area, e.time_zone,
                  coalesce(h.n, 0)::int AS households
           FROM estates e
           LEFT JOIN (SELECT estate_id, count(*) AS n FROM households
                      WHERE estate_id = ANY($1::bigint[]) GROUP BY estate_id) h
                  ON h.estate_id = e.id
           WHERE e.id = ANY($1::bigint[]) ORDER BY e.id""",
        list(estate_ids),
    )
    return [EstateFacts(**dict(r)) for r in rows]


async def decision_facts(
    conn: asyncpg.Connection, estate_ids: Sequence[int]
) -> list[DecisionFacts]:
    """Open motions' participation (running counts) and closed ones by ``final_tally``."""
    rows = await conn.fetch(
        """SELECT estate_id,
                  count(*) FILTER (WHERE status = 'open')::int AS open,
                  coalesce(sum(total_area) FILTER (WHERE status = 'open'), 0)::bigint
                      AS open_total_area,
                  coalesce(sum(yes_area + no_area + abstain_area)
                           FILTER (WHERE status = 'open'), 0)::bigint AS open_participating_area,
                  coalesce(sum(total_owners) FILTER (WHERE status = 'open'), 0)::bigint
                      AS open_total_owners,
                  coalesce(sum(yes_owners + no_owners + abstain_owners)
                           FILTER (WHERE status = 'open'), 0)::bigint
                      AS open_participating_owners,
                  count(*) FILTER (WHERE status = 'closed'
                                   AND (final_tally ->> 'passed')::boolean)::int AS passed,
                  count(*) FILTER (WHERE status = 'closed'
                                   AND NOT (final_tally ->> 'passed')::boolean)::int AS failed
           FROM motions
           WHERE estate_id = ANY($1::bigint[]) AND status IN ('open', 'closed')
           GROUP BY estate_id""",
        list(estate_ids),
    )
    return [DecisionFacts(**dict(r)) for r in rows]


async def tender_works(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[TenderWork]:
    """Every work with quotes (not rejected, sealed bids opened) of the estates, by its
    leading quote (the awarded one, else the lowest latest round): that quote's first round
    against the award or its latest round, as the pilot's ¥3.6M → ¥1.7M."""
    rows = await conn.fetch(
        """WITH w AS (
               SELECT id, estate_id, title, awarded_total_fen, awarded_quote_id FROM works
               WHERE estate_id = ANY($1::bigint[]) AND status <> 'rejected'
                 AND (sealed_until IS NULL OR opened_at IS NOT NULL)),
           lead AS (
               SELECT DISTINCT ON (q.work_id) q.work_id, r1.total_fen AS first_fen,
                      rl.total_fen AS latest_fen
               FROM quotes q
               JOIN w ON w.id = q.work_id
               JOIN rounds r1 ON r1.quote_id = q.id AND r1.round = 1
               JOIN rounds rl ON rl.quote_id = q.id AND rl.round = q.latest_round
               ORDER BY q.work_id, coalesce(q.id = w.awarded_quote_id, false) DESC,
                        rl.total_fen, q.id)
           SELECT w.estate_id, w.id AS work_id, w.title,
                  w.awarded_total_fen IS NOT NULL AS awarded, lead.first_fen::bigint AS first_fen,
                  coalesce(w.awarded_total_fen, lead.latest_fen)::bigint AS current_fen
           FROM w JOIN lead ON lead.work_id = w.id
           ORDER BY w.estate_id, w.id""",
        list(estate_ids),
    )
    return [TenderWork(**dict(r)) for r in rows]


async def funding_facts(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[FundingFacts]:
    """The plan in force of each estate, else its latest solved draft, with its band and
    what each kind of source gives (``funding_plan_figures``, written with the plan)."""
    rows = await conn.fetch(
        """WITH p AS (
               SELECT DISTINCT ON (p.estate_id) p.estate_id, p.status, p.total_cost_fen,
                      p.residents_total_fen, f.band_low, f.band_high, f.source_uses
               FROM funding_plans p JOIN funding_plan_figures f ON f.plan_id = p.id
               WHERE p.estate_id = ANY($1::bigint[]) AND p.status IN ('approved', 'draft')
               ORDER BY p.estate_id, (p.status = 'approved') DESC, p.version DESC)
           SELECT p.estate_id, p.status AS plan_status,
                  coalesce(p.total_cost_fen, 0)::bigint AS total_cost_fen,
                  coalesce(p.residents_total_fen, 0)::bigint AS residents_total_fen,
                  p.band_low::text, p.band_high::text,
                  coalesce((SELECT jsonb_object_agg(k.kind, k.fen) FROM (
                      SELECT s.kind, sum((u ->> 'used_fen')::bigint) AS fen
                      FROM jsonb_array_elements(p.source_uses) AS u
                      JOIN funding_sources s ON s.id = (u ->> 'source_id')::bigint
                      GROUP BY s.kind) k), '{}'::jsonb) AS by_kind
           FROM p""",
        list(estate_ids),
    )
    return [
        FundingFacts(
            estate_id=r["estate_id"],
            plan_status=r["plan_status"],
            total_cost_fen=r["total_cost_fen"],
            residents_total_fen=r["residents_total_fen"],
            band_low=r["band_low"],
            band_high=r["band_high"],
            by_kind={k: int(v) for k, v in (r["by_kind"] or {}).items()},
        )
        for r in rows
    ]


async def money_facts(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[MoneyFacts]:
    """The ledger's total per estate (every entry counts on the plan in force: entries are
    recorded against the version in force at the time) and the latest approved final
    accounts' totals."""
    rows = await conn.fetch(
        """WITH l AS (SELECT estate_id, sum(amount_fen)::bigint AS collected_fen
                      FROM ledger_entries WHERE estate_id = ANY($1::bigint[])
                      GROUP BY estate_id),
                f AS (SELECT DISTINCT ON (estate_id) estate_id, total_cost_fen,
                             residents_total_fen
                      FROM final_accounts
                      WHERE estate_id = ANY($1::bigint[]) AND status = 'approved'
                      ORDER BY estate_id, version DESC)
           SELECT coalesce(l.estate_id, f.estate_id) AS estate_id,
                  coalesce(l.collected_fen, 0)::bigint AS collected_fen,
                  f.total_cost_fen AS final_cost_fen, f.residents_total_fen AS final_residents_fen
           FROM l FULL JOIN f ON f.estate_id = l.estate_id""",
        list(estate_ids),
    )
    return [MoneyFacts(**dict(r)) for r in rows]


async def needs_facts(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> list[NeedsFacts]:
    """Suggestions received, common problems (merged ones left out) and those solved (urgent
    ones apart), small wishes fulfilled (fulfilled or confirmed)."""
    rows = await conn.fetch(
        """WITH e AS (SELECT unnest($1::bigint[]) AS estate_id),
                s AS (SELECT estate_id, count(*)::int AS n FROM suggestions
                      WHERE estate_id = ANY($1::bigint[]) GROUP BY estate_id),
                p AS (SELECT estate_id, count(*)::int AS n,
                             count(*) FILTER (WHERE status = 'solved')::int AS solved,
                             count(*) FILTER (WHERE status = 'solved'
                                              AND urgency = 'urgent')::int AS urgent
                      FROM problems
                      WHERE estate_id = ANY($1::bigint[]) AND merged_into IS NULL
                      GROUP BY estate_id),
                w AS (SELECT estate_id, count(*)::int AS n FROM wishes
                      WHERE estate_id = ANY($1::bigint[])
                        AND status IN ('fulfilled', 'confirmed')
                      GROUP BY estate_id)
           SELECT e.estate_id, coalesce(s.n, 0) AS suggestions, coalesce(p.n, 0) AS problems,
                  coalesce(p.solved, 0) AS problems_solved, coalesce(p.urgent, 0) AS urgent_solved,
                  coalesce(w.n, 0) AS wishes_fulfilled
           FROM e LEFT JOIN s USING (estate_id) LEFT JOIN p USING (estate_id)
                  LEFT JOIN w USING (estate_id)
           WHERE s.n IS NOT NULL OR p.n IS NOT NULL OR w.n IS NOT NULL""",
        list(estate_ids),
    )
    return [NeedsFacts(**dict(r)) for r in rows]
