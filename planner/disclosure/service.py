"""The disclosure's use cases: read it (members; an owner with her own lines), publish it
(the committee: a public token, made once, and the ``disclosure.published`` event), and read
it by the public token (no sign-in, aggregates only).

Reads go through the other slices' stores: the plan in force (funding), the ledger's
balances (payments), the approved final accounts (settlement), the audit chain head."""

from __future__ import annotations

import secrets

import asyncpg

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.deliberation.model import ChainHead
from planner.disclosure import rules, store
from planner.disclosure.model import DisclosedSource, DisclosedWork, Disclosure, Published
from planner.errors import NotFound
from planner.estates.store import estate_exists, estate_name, estate_time_zone
from planner.events import append_event, event_now, stream_head
from planner.funding import store as funding_store
from planner.localtime import zone
from planner.payments import ledger_store
from planner.payments.ledger_model import BalanceOut
from planner.payments.ledger_service import amounts_of, compute_balances
from planner.settlement import store as settlement_store
from planner.settlement.model import FinalAccountsOut


def public_address(base: str, token: str) -> str:
    """The public page of the estate's disclosure in the web app."""
    return f"{base}/#/d/{token}"


async def _final_accounts(
    conn: asyncpg.Connection, estate_id: int, plan_id: int
) -> FinalAccountsOut | None:
    """The approved final accounts of the plan in force (None before)."""
    for summary in await settlement_store.list_final_accounts(conn, estate_id, True):
        if summary.plan_id == plan_id:
            return await settlement_store.get_final_accounts(conn, summary.id)
    return None


async def build(
    conn: asyncpg.Connection, estate_id: int, own: set[int] | None, with_token: bool
) -> Disclosure:
    """The disclosure of the estate (``own``: an owner's households, for ``mine``)."""
    tz = await estate_time_zone(conn, estate_id)
    name = await estate_name(conn, estate_id) or ""
    seq, head = await stream_head(conn, estate_id)
    published = await store.publication(conn, estate_id)
    in_force = await funding_store.plan_in_force(conn, estate_id)
    plan = None if in_force is None else await store.plan_figures(conn, in_force.id)
    final = None
    works: list[DisclosedWork] = []
    sources: list[DisclosedSource] = []
    pairs: list[tuple[int, int]] = []
    mine: list[BalanceOut] = []
    if in_force is not None and plan is not None:
        final = await _final_accounts(conn, estate_id, in_force.id)
        figures = await store.work_figures(conn, [w.work_id for w in plan.works])
        works = rules.works(plan.works, figures, final.works if final else None)
        names = {s.id: s.name for s in await funding_store.list_sources(conn, estate_id)}
        sources = rules.sources(plan.sources, names, final.sources if final else None)
        head_record = await ledger_store.plan_head(conn, in_force.id)
        assert head_record is not None
        # every household of the plan (cached amounts) with what it paid (one GROUP BY)
        due = await amounts_of(conn, head_record)
        paid = await ledger_store.paid_in_lineage(conn, in_force.id)
        pairs = [(fen, paid.get(hid, 0)) for hid, fen in due.items()]
        if own:
            mine, _, _ = await compute_balances(conn, head_record, own)
    final_households = final.households if final else None
    finals = [w.final_cost_fen for w in works]
    if final is not None:
        total_final: int | None = final.total_cost_fen
    elif works and all(f is not None for f in finals):
        total_final = sum(f for f in finals if f is not None)
    else:
        total_final = None
    return Disclosure(
        estate_id=estate_id,
        estate_name=name,
        time_zone=tz,
        generated_at=event_now().astimezone(zone(tz)),
        plan_id=in_force.id if in_force and plan else None,
        plan_version=in_force.version if in_force and plan else None,
        final_accounts_id=final.id if final else None,
        final_accounts_version=final.version if final else None,
        final_accounts_approved_at=final.approved_at.astimezone(zone(tz))
        if final and final.approved_at
        else None,
        total_estimate_fen=sum(w.estimate_fen for w in works),
        total_final_fen=total_final,
        works=works,
        sources=sources,
        residents_planned_fen=plan.residents_total_fen if plan else 0,
        residents_final_fen=final.residents_total_fen if final else None,
        collection=rules.collection(pairs, final_households),
        chain_head=ChainHead(seq=seq, hash=head.hex()),
        published=published is not None,
        public_token=published.token if published and with_token else None,
        mine=None if own is None else rules.my_lines(own, mine, final_households),
    )


async def read(db: Database, estate_id: int, principal: Principal) -> Disclosure:
    """Members (not suppliers, not partners): the aggregates; an owner also her own lines."""
    authorize(principal, estate_id, rules.READ, what="estate")
    own = set(principal.household_ids) if principal.role == "owner" else None
    async with db.connection() as conn, conn.transaction(isolation="repeatable_read"):
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        return await build(conn, estate_id, own, True)


async def read_public(db: Database, token: str) -> Disclosure:
    """No sign-in: the aggregates of the estate whose token this is (404 otherwise)."""
    async with db.connection() as conn, conn.transaction(isolation="repeatable_read"):
        found = await store.publication_by_token(conn, token)
        if found is None:
            raise NotFound("disclosure")
        return await build(conn, found.estate_id, None, False)


async def publish(db: Database, estate_id: int, principal: Principal, base: str) -> Published:
    """The committee publishes: the estate's public token (made the first time, kept after)
    and the event ``disclosure.published`` (members, no amounts)."""
    authorize(principal, estate_id, rules.PUBLISH, what="estate")
    async with db.transaction() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        found, first = await store.publish(
            conn, estate_id, secrets.token_urlsafe(18), principal.member_id
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="disclosure.published",
            data={"estate_id": estate_id, "first": first},
            actor_id=principal.member_id,
            audience="members",
        )
        tz = await estate_time_zone(conn, estate_id)
    return Published(
        estate_id=estate_id,
        token=found.token,
        public_url=public_address(base, found.token),
        published_at=found.published_at.astimezone(zone(tz)),
        first=first,
    )
