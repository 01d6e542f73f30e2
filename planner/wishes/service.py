"""Small wishes' use cases: post, claim, release, fulfil, confirm, cancel, list, summary.

Each change is one transaction that locks the wish, checks the move
(:mod:`planner.wishes.rules`) and appends its event (audience ``wishes``: every member but
suppliers, partner units included). Events carry the wish's id, category, building and
status and the claiming partner unit's name, never an owner's name, unit or area.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from planner.access.guards import CAPABILITIES, PARTNERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Forbidden, NotFound
from planner.estates.store import households_outside_estate
from planner.events import append_event
from planner.wishes import store
from planner.wishes.model import (
    WISH_STATUSES,
    NewWish,
    WishCreated,
    WishOut,
    WishRow,
    WishSummary,
)
from planner.wishes.rules import (
    MANAGER_ROLES,
    POSTER_ROLES,
    available_actions,
    check_act,
    list_filters,
    sees_unit,
    summary_counts,
)

#: who reads the lists and the summary (members but suppliers, and partner units)
WISH_READERS = CAPABILITIES["wishes.view"]
#: who confirms receipt or cancels (owners only for their own units)
RESIDENT_SIDE = ("admin", "committee", "owner")

_EVENT_TYPE = {
    "claim": "wish.claimed",
    "release": "wish.released",
    "fulfil": "wish.fulfilled",
    "confirm": "wish.confirmed",
    "cancel": "wish.cancelled",
}


def _holds(principal: Principal, wish: WishRow) -> bool:
    return wish.household_id in principal.household_ids


def wish_out(wish: WishRow, principal: Principal) -> WishOut:
    """The wish as ``principal`` may see it: the unit only to staff, its owners and the
    partner that claimed it; the actions the caller may take now."""
    who: dict[str, Any] = {
        "role": principal.role,
        "member_id": principal.member_id,
        "holds_unit": _holds(principal, wish),
        "claimed_by": wish.claimed_by,
    }
    shown = sees_unit(**who)
    return WishOut(
        id=wish.id,
        text=wish.text,
        category=wish.category,
        status=wish.status,
        building_id=wish.building_id,
        building=wish.building,
        unit=f"{wish.building} {wish.unit}" if shown else None,
        household_id=wish.household_id if shown else None,
        claimed_by=wish.claimed_by,
        claimed_by_name=wish.claimed_by_name,
        partner_kind=wish.partner_kind,
        posted_at=wish.posted_at,
        claimed_at=wish.claimed_at,
        fulfilled_at=wish.fulfilled_at,
        fulfil_note=wish.fulfil_note,
        confirmed_at=wish.confirmed_at,
        cancelled_at=wish.cancelled_at,
        actions=available_actions(wish.status, **who),
    )


def _event_data(wish: WishRow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "wish_id": wish.id,
        "status": wish.status,
        "category": wish.category,
        "building_id": wish.building_id,
        "building": wish.building,
    }
    if wish.claimed_by is not None:
        data["partner_id"] = wish.claimed_by
        data["partner_name"] = wish.claimed_by_name
        data["partner_kind"] = wish.partner_kind
    return data


async def _household_for(
    conn: asyncpg.Connection, estate_id: int, data: NewWish, principal: Principal
) -> int:
    """The unit the wish is for: an owner's own (given, or the first they hold); a
    manager's ``household_id`` (required, of the estate)."""
    if principal.role == "owner":
        held = sorted(principal.household_ids)
        if data.household_id is None:
            if not held:
                raise BadRequest("household_id", "you hold no unit in this estate", "required")
            return held[0]
        if data.household_id not in held:
            raise Forbidden("this wish is not for one of your units", "not_your_wish")
        return data.household_id
    if data.household_id is None:
        raise BadRequest("household_id", "give the resident's unit", "required")
    if await households_outside_estate(conn, estate_id, [data.household_id]):
        raise BadRequest(
            "household_id",
            f"no household {data.household_id} in this estate",
            "not_in_estate",
            {"what": "household", "id": data.household_id},
        )
    return data.household_id


async def post_wish(
    db: Database, estate_id: int, data: NewWish, principal: Principal
) -> WishCreated:
    """An owner posts a wish for their own unit; the committee or the admin for a resident
    (``household_id`` required). Event ``wish.posted``."""
    authorize(principal, estate_id, POSTER_ROLES, what="estate")
    async with db.transaction() as conn:
        household_id = await _household_for(conn, estate_id, data, principal)
        wish_id = await store.insert_wish(
            conn, estate_id, household_id, data.text, data.category, principal.member_id
        )
        wish = await store.get_wish(conn, wish_id)
        assert wish is not None
        await append_event(
            conn,
            estate_id=estate_id,
            type="wish.posted",
            data=_event_data(wish),
            actor_id=principal.member_id,
            audience="wishes",
        )
    return WishCreated(id=wish_id, status="open")


async def act(
    db: Database, wish_id: int, action: str, principal: Principal, note: str | None = None
) -> WishOut:
    """Move a wish along its path (see :mod:`planner.wishes.rules`): 404 for a missing wish
    or another estate's, 403 for a role or member that may not, 409 for an illegal move.
    Appends ``wish.<claimed|released|fulfilled|confirmed|cancelled>``."""
    async with db.transaction() as conn:
        wish = await store.get_wish(conn, wish_id, lock=True)
        if wish is None:
            raise NotFound("wish")
        roles = PARTNERS if action in ("claim", "release", "fulfil") else RESIDENT_SIDE
        authorize(principal, wish.estate_id, roles, what="wish")
        check_act(
            action,
            wish.status,
            role=principal.role,
            member_id=principal.member_id,
            holds_unit=_holds(principal, wish),
            claimed_by=wish.claimed_by,
        )
        if action == "claim":
            await store.claim(conn, wish_id, principal.member_id)
        elif action == "release":
            await store.release(conn, wish_id)
        elif action == "fulfil":
            await store.fulfil(conn, wish_id, note)
        elif action == "confirm":
            await store.confirm(conn, wish_id, principal.member_id)
        else:
            await store.cancel(conn, wish_id, principal.member_id)
        after = await store.get_wish(conn, wish_id)
        assert after is not None
        data = _event_data(after)
        if action == "release":
            data["released_by"] = principal.member_id
        if action == "confirm":
            data["confirmed_by"] = "committee" if principal.role in MANAGER_ROLES else "resident"
        await append_event(
            conn,
            estate_id=wish.estate_id,
            type=_EVENT_TYPE[action],
            data=data,
            actor_id=principal.member_id,
            audience="wishes",
        )
    return wish_out(after, principal)


async def list_wishes(
    db: Database, estate_id: int, principal: Principal, status_query: str, mine_query: str
) -> list[WishOut]:
    """The estate's wishes, newest first (query values: :func:`rules.list_filters`).
    ``mine``: a partner's claimed ones; anyone else's, those for the units they hold."""
    authorize(principal, estate_id, WISH_READERS, what="estate")
    status, mine = list_filters(status_query, mine_query)
    claimed_by: int | None = None
    household_ids: list[int] | None = None
    if mine and principal.role == "partner":
        claimed_by = principal.member_id
    elif mine:
        household_ids = list(principal.household_ids)
    async with db.connection() as conn:
        rows = await store.list_wishes(
            conn, estate_id, status=status, claimed_by=claimed_by, household_ids=household_ids
        )
    return [wish_out(w, principal) for w in rows]


async def read_wish(db: Database, wish_id: int, principal: Principal) -> WishOut:
    async with db.connection() as conn:
        wish = await store.get_wish(conn, wish_id)
    if wish is None:
        raise NotFound("wish")
    authorize(principal, wish.estate_id, WISH_READERS, what="wish")
    return wish_out(wish, principal)


async def summary(db: Database, estate_id: int, principal: Principal) -> WishSummary:
    """Totals by status and per partner unit (see :class:`WishSummary`)."""
    authorize(principal, estate_id, WISH_READERS, what="estate")
    async with db.connection() as conn, conn.transaction(isolation="repeatable_read"):
        statuses = await store.statuses(conn, estate_id)
        partners = await store.partner_counts(conn, estate_id)
    return WishSummary(
        total=len(statuses),
        by_status=summary_counts(statuses, WISH_STATUSES),
        partners=partners,
    )
