"""The OCDS export's use cases: gather a work's tender (``model.Tender``) from the other
slices, and answer a release package, a record package, or a bulk release package streamed
in batches of works (bounded memory: one batch of ``BATCH`` works at a time, in one
repeatable-read transaction so the package is one consistent snapshot).

Who reads: the estate's members but suppliers and partners (``READ``): a supplier must never
see another's prices, and bids are in the package once the tender is awarded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import asyncpg

from planner.access.guards import MEMBERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.delivery import store as delivery_store
from planner.errors import Forbidden, NotFound
from planner.estates.store import get_estate
from planner.funding import store as funding_store
from planner.negotiation import store as negotiation_store
from planner.ocds import build, store
from planner.ocds.model import Award, Milestone, Source, Supplier, Tender

#: who reads the export: every member role but supplier and partner
READ = MEMBERS
#: works gathered and encoded at a time by the bulk export
BATCH = 100
#: the publisher named by a package of several estates
PUBLISHER = "planner (业主共治平台)"


class _Estate:
    """What every work of one estate shares: read once per estate."""

    def __init__(
        self,
        estate_id: int,
        name: str,
        time_zone: str,
        suppliers: tuple[Supplier, ...],
        sources: tuple[Source, ...],
    ) -> None:
        self.estate_id = estate_id
        self.name = name
        self.time_zone = time_zone
        self.suppliers = suppliers
        self.sources = sources


async def _estate(conn: asyncpg.Connection, estate_id: int) -> _Estate | None:
    estate = await get_estate(conn, estate_id)
    if estate is None:
        return None
    suppliers = await negotiation_store.list_suppliers(conn, estate_id)
    sources = await funding_store.list_sources(conn, estate_id)
    return _Estate(
        estate_id,
        estate.name,
        estate.time_zone,
        tuple(Supplier(id=s.id, name=s.name) for s in suppliers),
        tuple(Source(id=s.id, name=s.name, kind=s.kind) for s in sources),
    )


async def tenders(
    conn: asyncpg.Connection, estate: _Estate, ids: Sequence[int], now: datetime
) -> list[Tender]:
    """The tenders of these works of ``estate`` (a few queries for the whole batch)."""
    rows = await store.works(conn, ids)
    invitations = await store.invitations(conn, ids)
    quotes = await store.quotes(conn, ids)
    awarded = await store.award_times(conn, estate.estate_id, ids)
    rejected = await store.rejection_times(conn, estate.estate_id, ids)
    variations = await store.approved_variations(conn, ids)
    budgets = await store.plan_budgets(conn, estate.estate_id, ids)
    settlements = await store.settlements(conn, estate.estate_id, ids)
    ran = await store.finished_auctions(conn, ids)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    wanted = set(ids)
    if len(ids) == 1:  # one work: its own milestones, not the estate's
        rows_of_milestones = await delivery_store.list_milestones(conn, ids[0])
    else:
        rows_of_milestones = await delivery_store.estate_milestones(conn, estate.estate_id)
    for m in rows_of_milestones:
        if m.work_id in wanted:
            milestones[m.work_id].append(
                Milestone(
                    id=m.id,
                    title=m.title,
                    planned_start=m.planned_start,
                    planned_end=m.planned_end,
                    percent=m.percent,
                    done_at=m.done_at,
                    created_at=m.created_at,
                )
            )
    out = []
    for row in rows:
        work_id = row.work.id
        its_quotes = quotes.get(work_id, [])
        award = None
        if row.awarded_quote_id is not None and row.awarded_round is not None:
            at = awarded.get(work_id)
            if at is None:  # no event (older data): the awarded round's time
                at = max(
                    (
                        r.at
                        for q in its_quotes
                        if q.quote_id == row.awarded_quote_id
                        for r in q.rounds
                    ),
                    default=row.work.created_at,
                )
            supplier = next(
                (q.supplier_id for q in its_quotes if q.quote_id == row.awarded_quote_id), 0
            )
            award = Award(
                quote_id=row.awarded_quote_id,
                supplier_id=supplier,
                round=row.awarded_round,
                total_fen=row.awarded_total_fen or 0,
                at=at,
            )
        out.append(
            Tender(
                estate_id=estate.estate_id,
                estate_name=estate.name,
                time_zone=estate.time_zone,
                now=now,
                work=row.work,
                suppliers=estate.suppliers,
                invitations=tuple(invitations.get(work_id, [])),
                quotes=tuple(its_quotes),
                sources=estate.sources,
                budget=budgets.get(work_id),
                award=award,
                auction=ran.get(work_id),
                milestones=tuple(milestones.get(work_id, [])),
                variations=tuple(variations.get(work_id, [])) if award else (),
                settlement=settlements.get(work_id) if award else None,
                rejected_at=rejected.get(work_id) if row.work.status == "rejected" else None,
            )
        )
    return out


async def _work_tender(db: Database, work_id: int, principal: Principal | None) -> Tender:
    """The work's tender; ``principal`` None: no access check (``planner ocds``, the
    command line, reads the database itself)."""
    async with db.connection() as conn, conn.transaction(isolation="repeatable_read"):
        rows = await store.works(conn, [work_id])
        if not rows:
            raise NotFound("work")
        if principal is not None:
            authorize(principal, rows[0].estate_id, READ, what="work")
        estate = await _estate(conn, rows[0].estate_id)
        assert estate is not None
        found = await tenders(conn, estate, [work_id], datetime.now(UTC))
    return found[0]


async def release_package(
    db: Database, work_id: int, principal: Principal, prefix: str, uri: str
) -> bytes:
    """``GET /api/works/{id}/ocds``: the work's releases as one release package."""
    tender = await _work_tender(db, work_id, principal)
    return build.encode(build.release_package(tender, prefix, uri, datetime.now(UTC)))


async def record_package(
    db: Database, work_id: int, principal: Principal, prefix: str, uri: str
) -> bytes:
    """``GET /api/works/{id}/ocds/record``: the record (releases and the compiled release)."""
    tender = await _work_tender(db, work_id, principal)
    return build.encode(build.record_package(tender, prefix, uri, datetime.now(UTC)))


async def bulk(
    db: Database, principal: Principal, estate_id: int | None, prefix: str, uri: str
) -> AsyncIterator[bytes]:
    """The bulk export's stream, after the checks: ``estate_id`` (404 outside the caller's
    estate or missing), or with none every estate the caller reads (the global admin: all;
    anyone else of ``READ``: their own estate)."""
    async with db.connection() as conn:
        if estate_id is not None:
            authorize(principal, estate_id, READ, what="estate")
            estate = await get_estate(conn, estate_id)
            if estate is None:
                raise NotFound("estate")
            await _some_work(conn, [estate_id])
            return bulk_package(db, [estate_id], prefix, uri, f"{estate.name}业主委员会")
        if principal.is_global_admin:
            ids = await store.estate_ids(conn)
        elif principal.estate_id is None or principal.role not in READ:
            raise Forbidden(
                f"role {principal.role} may not do this",
                "role_not_allowed",
                {"role": principal.role},
            )
        else:
            ids = await store.estate_ids(conn, principal.estate_id)
        await _some_work(conn, ids)
        return bulk_package(db, ids, prefix, uri, PUBLISHER)


async def _some_work(conn: asyncpg.Connection, estate_ids: Sequence[int]) -> None:
    """404 ``tenders_not_found`` when there is no work to export: OCDS allows no release
    package without a release (``minItems: 1``)."""
    if not await store.any_work(conn, estate_ids):
        raise NotFound("tenders")


async def bulk_package(
    db: Database, estate_ids: Sequence[int], prefix: str, uri: str, publisher: str
) -> AsyncIterator[bytes]:
    """A release package of every work of ``estate_ids``, streamed: the head, then each
    batch's releases as they are built (one snapshot: a repeatable-read transaction)."""
    now = datetime.now(UTC)
    head = build.encode(build.package_head(uri, now.isoformat(timespec="seconds"), publisher))
    yield head[:-1] + b',"releases":['
    first = True
    async with (
        db.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        for estate_id in estate_ids:
            estate = await _estate(conn, estate_id)
            if estate is None:
                continue
            after = 0
            while ids := await store.work_ids(conn, estate_id, after, BATCH):
                after = ids[-1]
                chunk = bytearray()
                for tender in await tenders(conn, estate, ids, now):
                    for release in build.releases(tender, prefix):
                        chunk += b"" if first else b","
                        chunk += build.encode(release)
                        first = False
                yield bytes(chunk)
    yield b"]}"


async def export(
    db: Database, prefix: str, base_url: str, estate_id: int | None, work_id: int | None
) -> AsyncIterator[bytes]:
    """``planner ocds``: what the API answers, with no access check (the command line reads
    the database itself): a work's release package (``work_id``; in ``estate_id`` if both are
    given), an estate's, or every estate's. 404-like ``NotFound`` for a missing estate or
    work, raised before the first byte."""
    now = datetime.now(UTC)
    if work_id is not None:
        tender = await _work_tender(db, work_id, None)
        if estate_id is not None and tender.estate_id != estate_id:
            raise NotFound("work")
        uri = f"{base_url}/api/works/{work_id}/ocds"
        return _once(build.encode(build.release_package(tender, prefix, uri, now)))
    async with db.connection() as conn:
        if estate_id is not None:
            estate = await get_estate(conn, estate_id)
            if estate is None:
                raise NotFound("estate")
            await _some_work(conn, [estate_id])
            uri = f"{base_url}/api/estates/{estate_id}/ocds"
            return bulk_package(db, [estate_id], prefix, uri, f"{estate.name}业主委员会")
        ids = await store.estate_ids(conn)
        await _some_work(conn, ids)
    return bulk_package(db, ids, prefix, f"{base_url}/api/ocds", PUBLISHER)


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body
