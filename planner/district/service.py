"""The district's use cases: the global admin adds district members and assigns them
estates (each change one transaction, recorded in every estate it touches); a district
member reads the overview of its estates (the global admin: of every estate).

Reads of the overview take the database to read from (``read_db``: a streaming replica
where one is configured) apart from the primary that holds the assignment, so a changed
assignment applies at once while the figures may come from the replica; the answer says
how fresh they are (``data_as_of``).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from planner.access import store as access_store
from planner.access.guards import authorize_district
from planner.access.model import Principal
from planner.access.tokens import new_token
from planner.db.pool import Database
from planner.db.replica import Freshness, ReadDatabase, freshness
from planner.district import rules, store
from planner.district.model import (
    DecisionFacts,
    DistrictGrant,
    DistrictMemberOut,
    EstateAssignment,
    EstateFacts,
    FundingFacts,
    MoneyFacts,
    NeedsFacts,
    NewDistrictMember,
    Overview,
    TenderWork,
)
from planner.errors import BadRequest, NotFound
from planner.events import append_event
from planner.localtime import DEFAULT_TIME_ZONE


async def _check_estates(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> None:
    unknown = await store.unknown_estates(conn, estate_ids)
    if unknown:
        raise BadRequest(
            "estate_ids", f"no such estates: {unknown}", "estates_unknown", {"ids": unknown}
        )


async def _record(
    conn: asyncpg.Connection,
    principal: Principal,
    event_type: str,
    member_id: int,
    display_name: str | None,
    estate_ids: Sequence[int],
) -> None:
    """The estate's staff learn which district member reads its figures (and since when)."""
    for estate_id in sorted(estate_ids):
        await append_event(
            conn,
            estate_id=estate_id,
            type=event_type,
            data={"member_id": member_id, "display_name": display_name},
            actor_id=principal.member_id,
            audience="staff",
        )


async def add_member(db: Database, principal: Principal, data: NewDistrictMember) -> DistrictGrant:
    """The global admin only (403 ``role_not_allowed``); every estate must exist (400
    ``estates_unknown``). The token is returned once and stored hashed."""
    authorize_district(principal, manage=True)
    estate_ids = sorted(set(data.estate_ids))
    token = new_token()
    async with db.transaction() as conn:
        await _check_estates(conn, estate_ids)
        member_id = await store.insert_district_member(conn, data.display_name, data.level, token)
        await store.assign(conn, member_id, estate_ids, principal.member_id)
        await _record(
            conn, principal, "district.assigned", member_id, data.display_name, estate_ids
        )
    return DistrictGrant(member_id=member_id, token=token, estate_ids=estate_ids)


async def set_estates(
    db: Database, principal: Principal, member_id: int, data: EstateAssignment
) -> list[int]:
    """Replace the district member's estates (the global admin only); the next overview
    shows exactly these. 404 ``district_member_not_found``; 409 when revoked."""
    authorize_district(principal, manage=True)
    wanted = sorted(set(data.estate_ids))
    async with db.transaction() as conn:
        revoked = await store.lock_district_member(conn, member_id)
        if revoked is None or revoked:
            raise NotFound("district member")
        await _check_estates(conn, wanted)
        before = set(await store.assigned_estates(conn, member_id))
        added = [e for e in wanted if e not in before]
        removed = sorted(before - set(wanted))
        await store.assign(conn, member_id, added, principal.member_id)
        await store.unassign(conn, member_id, removed)
        await _record(conn, principal, "district.assigned", member_id, None, added)
        await _record(conn, principal, "district.unassigned", member_id, None, removed)
    return wanted


async def list_members(db: Database, principal: Principal) -> list[DistrictMemberOut]:
    authorize_district(principal, manage=True)
    async with db.connection() as conn:
        return await store.list_district_members(conn)


async def revoke_member(db: Database, principal: Principal, member_id: int) -> bool:
    """Revoke the district member's token and sessions (its next request is 401) and end
    its assignments; False when it was revoked already. The global admin only."""
    authorize_district(principal, manage=True)
    async with db.transaction() as conn:
        revoked = await store.lock_district_member(conn, member_id)
        if revoked is None:
            raise NotFound("district member")
        if revoked:
            return False
        estates = await store.assigned_estates(conn, member_id)
        await access_store.revoke_member(conn, member_id)
        await store.unassign(conn, member_id, estates)
        await _record(conn, principal, "district.unassigned", member_id, None, estates)
    return True


_Facts = tuple[
    Freshness,
    list[EstateFacts],
    dict[int, DecisionFacts],
    list[TenderWork],
    dict[int, FundingFacts],
    dict[int, MoneyFacts],
    dict[int, NeedsFacts],
]


async def _facts(source: Database, estate_ids: Sequence[int]) -> _Facts | None:
    """Every topic's figures in one repeatable-read snapshot, with how fresh they are; None
    when ``source`` is a replica further behind than its ``max_lag_s`` (nothing else read)."""
    async with (
        source.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        fresh = await freshness(conn)
        if isinstance(source, ReadDatabase) and source.too_far_behind(fresh):
            return None
        return (
            fresh,
            await store.estate_facts(conn, estate_ids),
            {d.estate_id: d for d in await store.decision_facts(conn, estate_ids)},
            await store.tender_works(conn, estate_ids),
            {f.estate_id: f for f in await store.funding_facts(conn, estate_ids)},
            {m.estate_id: m for m in await store.money_facts(conn, estate_ids)},
            {n.estate_id: n for n in await store.needs_facts(conn, estate_ids)},
        )


async def overview(
    db: Database,
    principal: Principal,
    *,
    read_db: Database | None = None,
    sort: str = "name",
    area: str | None = None,
    q: str | None = None,
    band: rules.BandFilter | None = None,
) -> Overview:
    """One row per assigned estate (the global admin: every estate), sorted and filtered
    (``rules.arrange``; an unknown sort field is 400), with the district's totals over the
    rows shown. Aggregates only. The assignment is read from ``db``, the figures from
    ``read_db`` (default ``db``) in one repeatable-read snapshot, a query per topic; from
    ``db`` when the replica is more than its ``max_lag_s`` behind."""
    authorize_district(principal)
    field = sort.lstrip("-")
    if field not in rules.SORT_KEYS:
        raise BadRequest(
            "sort", f"not a field to sort by: {field!r}", "invalid", {"reason": "unknown field"}
        )
    async with db.connection() as conn:
        estate_ids = (
            await store.all_estates(conn)
            if principal.is_global_admin
            else await store.assigned_estates(conn, principal.member_id)
        )
    facts = await _facts(read_db or db, estate_ids)
    if facts is None:  # the replica is too far behind: the primary answers
        facts = await _facts(db, estate_ids)
        assert facts is not None
    fresh, estates, decisions, works, funding, money, needs = facts
    by_estate: dict[int, list[TenderWork]] = {}
    for work in works:
        by_estate.setdefault(work.estate_id, []).append(work)
    tenders = {e: rules.tender_facts(w) for e, w in by_estate.items()}
    rows = [
        rules.estate_row(
            e,
            decisions.get(e.estate_id),
            tenders[e.estate_id][0] if e.estate_id in tenders else None,
            funding.get(e.estate_id),
            money.get(e.estate_id),
            needs.get(e.estate_id),
            tenders[e.estate_id][1] if e.estate_id in tenders else (),
        )
        for e in estates
    ]
    shown = rules.arrange(rows, sort=sort, area=area, q=q, band=band)
    zones = {e.time_zone for e in estates}
    return Overview(
        data_as_of=fresh.as_of,
        data_lag_s=fresh.lag_s,
        read_from=fresh.source,
        time_zone=zones.pop() if len(zones) == 1 else DEFAULT_TIME_ZONE,
        areas=sorted({e.area for e in estates if e.area}),
        totals=rules.totals(
            shown, (decisions[r.estate_id] for r in shown if r.estate_id in decisions)
        ),
        estates=shown,
    )
