"""Acceptance (验收) of a delivered work: defects listed and re-checked, sign-offs, completion.

- The committee or the admin opens one acceptance per work while it is ``in_progress``, with
  the defects found (``acceptance.opened``).
- The committee or the admin re-checks a defect (``defect.rechecked``: fixed or not, a note).
- Sign-offs, each member once on their own phone (``acceptance.signed``): the committee or the
  admin sign as the committee; an owner signs as an owners' representative only when holding a
  unit in the work's scope (any unit of the estate when the work has no scope), else 403
  ``not_owner_representative``.
- Completing it (``acceptance.completed``, the work → ``done`` through the works service) needs
  at least one committee signature, at least two owner representatives' and every defect fixed;
  else 409 ``acceptance_incomplete`` with what is missing.
All events have the audience ``members``.
"""

from __future__ import annotations

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.delivery import rules, store
from planner.delivery.model import (
    AcceptanceOut,
    AcceptanceRow,
    MissingOut,
    NewAcceptance,
    Recheck,
    SignatureOut,
)
from planner.errors import BadRequest, Conflict, Forbidden, NotFound
from planner.estates import photo_store
from planner.estates.store import estate_time_zone
from planner.events import append_event, event_now
from planner.works import service as works_service
from planner.works import store as works_store
from planner.works.model import WorkOut


async def _capacity(conn: asyncpg.Connection, work: WorkOut, principal: Principal) -> str | None:
    """What the caller signs as: ``committee``, ``owner`` (a representative) or None."""
    if principal.role in MANAGERS:
        return "committee"
    if principal.role != "owner" or not principal.household_ids:
        return None
    held = await store.building_ids_of_households(
        conn, work.estate_id, list(principal.household_ids)
    )
    return "owner" if rules.is_owner_representative(held, work.scope_building_ids) else None


async def _out(
    conn: asyncpg.Connection, a: AcceptanceRow, work: WorkOut, principal: Principal
) -> AcceptanceOut:
    defects = await store.defects(conn, a.id)
    signatures = await store.signatures(conn, a.id)
    lack = _missing(defects_open=sum(1 for d in defects if not d.fixed), signatures=signatures)
    capacity = None
    if a.accepted_at is None and all(s.member_id != principal.member_id for s in signatures):
        capacity = await _capacity(conn, work, principal)
    return AcceptanceOut(
        id=a.id,
        work_id=a.work_id,
        work_title=work.title,
        opened_by=a.opened_by,
        opened_at=a.opened_at,
        accepted_at=a.accepted_at,
        defects=defects,
        signatures=signatures,
        missing=MissingOut(
            committee_signatures=lack.committee_signatures,
            owner_signatures=lack.owner_signatures,
            open_defects=lack.open_defects,
        ),
        may_sign=capacity,
    )


def _missing(defects_open: int, signatures: list[SignatureOut]) -> rules.Missing:
    capacities = [s.capacity for s in signatures]
    return rules.missing(capacities.count("committee"), capacities.count("owner"), defects_open)


async def open_acceptance(
    db: Database, work_id: int, data: NewAcceptance, principal: Principal
) -> AcceptanceOut:
    """Committee or admin, once per work (409 ``already_exists``), the work ``in_progress``
    (409 ``wrong_status``); defect photos must be the estate's (400 ``photo_not_found``)."""
    async with db.transaction() as conn:
        work = await works_service.work_for(conn, work_id, principal, MANAGERS, lock=True)
        if work.status != "in_progress":
            raise Conflict(
                f"work is {work.status}; this needs in_progress",
                "wrong_status",
                {"what": "work", "status": work.status, "needed": "in_progress"},
            )
        photos = [d.photo_sha256 for d in data.defects if d.photo_sha256]
        if await photo_store.photos_missing(conn, work.estate_id, photos):
            raise BadRequest(
                "defects.photo_sha256", "no photo with this hash in the estate", "photo_not_found"
            )
        acceptance_id = await store.insert_acceptance(
            conn, work.estate_id, work_id, principal.member_id, event_now()
        )
        if acceptance_id is None:
            raise Conflict("acceptance already exists", "already_exists", {"what": "acceptance"})
        await store.insert_defects(conn, work.estate_id, acceptance_id, data.defects)
        await append_event(
            conn,
            estate_id=work.estate_id,
            type="acceptance.opened",
            data={"acceptance_id": acceptance_id, "work_id": work_id, "defects": len(data.defects)},
            actor_id=principal.member_id,
            audience="members",
        )
        a = await store.get_acceptance(conn, acceptance_id)
        assert a is not None
        return await _out(conn, a, work, principal)


async def read_acceptance(db: Database, work_id: int, principal: Principal) -> AcceptanceOut:
    """Members of the work's estate; 404 ``acceptance_not_found`` before it is opened."""
    async with db.connection() as conn:
        work = await works_service.work_for(conn, work_id, principal, MEMBERS)
        a = await store.acceptance_of_work(conn, work_id)
        if a is None:
            raise NotFound("acceptance")
        return await _out(conn, a, work, principal)


async def _acceptance_for(
    conn: asyncpg.Connection, acceptance_id: int, principal: Principal, roles: tuple[str, ...]
) -> tuple[AcceptanceRow, WorkOut]:
    a = await store.get_acceptance(conn, acceptance_id, lock=True)
    if a is None:
        raise NotFound("acceptance")
    authorize(principal, a.estate_id, roles, what="acceptance")
    work = await works_store.get_work(conn, a.work_id, lock=True)
    assert work is not None
    return a, work


def _still_open(a: AcceptanceRow) -> None:
    if a.accepted_at is not None:
        raise Conflict(
            "acceptance is accepted; this needs open",
            "wrong_status",
            {"what": "acceptance", "status": "accepted", "needed": "open"},
        )


async def recheck_defect(
    db: Database, defect_id: int, data: Recheck, principal: Principal
) -> AcceptanceOut:
    """Committee or admin, before the acceptance completes; ``defect.rechecked``."""
    async with db.transaction() as conn:
        found = await store.get_defect(conn, defect_id)
        if found is None:
            raise NotFound("defect")
        estate_id, acceptance_id = found
        authorize(principal, estate_id, MANAGERS, what="defect")
        a, work = await _acceptance_for(conn, acceptance_id, principal, MANAGERS)
        _still_open(a)
        await store.recheck_defect(
            conn, defect_id, data.fixed, data.note, principal.member_id, event_now()
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="defect.rechecked",
            data={
                "defect_id": defect_id,
                "acceptance_id": acceptance_id,
                "work_id": a.work_id,
                "fixed": data.fixed,
            },
            actor_id=principal.member_id,
            audience="members",
        )
        return await _out(conn, a, work, principal)


async def sign(db: Database, acceptance_id: int, principal: Principal) -> AcceptanceOut:
    """The committee (or the admin) and owner representatives, each once (409
    ``already_signed``); another owner 403 ``not_owner_representative``."""
    async with db.transaction() as conn:
        a, work = await _acceptance_for(conn, acceptance_id, principal, (*MANAGERS, "owner"))
        _still_open(a)
        capacity = await _capacity(conn, work, principal)
        if capacity is None:
            raise Forbidden(
                "only an owner holding a unit in the work's scope signs for the owners",
                "not_owner_representative",
            )
        if not await store.insert_signature(
            conn, a.id, principal.member_id, capacity, principal.display_name, event_now()
        ):
            raise Conflict("you have already signed this acceptance", "already_signed")
        await append_event(
            conn,
            estate_id=a.estate_id,
            type="acceptance.signed",
            data={
                "acceptance_id": a.id,
                "work_id": a.work_id,
                "member_id": principal.member_id,
                "display_name": principal.display_name,
                "capacity": capacity,
            },
            actor_id=principal.member_id,
            audience="members",
        )
        return await _out(conn, a, work, principal)


async def complete(db: Database, acceptance_id: int, principal: Principal) -> AcceptanceOut:
    """Committee or admin: the acceptance completes (``accepted_at``; the work → ``done``) when
    the committee and at least two owner representatives signed and every defect is fixed;
    else 409 ``acceptance_incomplete`` with ``committee_signatures``, ``owner_signatures`` and
    ``open_defects`` still missing."""
    async with db.transaction() as conn:
        a, work = await _acceptance_for(conn, acceptance_id, principal, MANAGERS)
        _still_open(a)
        defects = await store.defects(conn, a.id)
        lack = _missing(sum(1 for d in defects if not d.fixed), await store.signatures(conn, a.id))
        if not lack.complete:
            raise Conflict(
                "the acceptance still needs signatures or defect fixes",
                "acceptance_incomplete",
                {
                    "committee_signatures": lack.committee_signatures,
                    "owner_signatures": lack.owner_signatures,
                    "open_defects": lack.open_defects,
                },
            )
        now = event_now()
        await store.set_accepted(conn, a.id, now)
        await works_service.move_status(conn, work, "done", principal.member_id)
        await append_event(
            conn,
            estate_id=a.estate_id,
            type="acceptance.completed",
            data={"acceptance_id": a.id, "work_id": a.work_id},
            actor_id=principal.member_id,
            audience="members",
        )
        done = await store.get_acceptance(conn, a.id)
        assert done is not None
        updated = await works_store.get_work(conn, a.work_id)
        assert updated is not None
        return await _out(conn, done, updated, principal)


async def time_zone(db: Database, acceptance: AcceptanceOut) -> str:
    """The time zone of the acceptance's estate."""
    async with db.connection() as conn:
        work = await works_store.get_work(conn, acceptance.work_id)
        assert work is not None
        return await estate_time_zone(conn, work.estate_id)
