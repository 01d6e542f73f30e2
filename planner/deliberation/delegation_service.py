"""Proxies: recording and revoking written authorisations (委托), one transaction each."""

from __future__ import annotations

from planner.access.guards import MANAGERS, VOTERS
from planner.access.model import Principal
from planner.db.pool import Database
from planner.deliberation import delegation_store, store
from planner.deliberation.model import DelegationOut, NewDelegation
from planner.deliberation.service import authorized
from planner.errors import BadRequest
from planner.estates import store as estates_store
from planner.events import append_event


async def record_delegations(
    db: Database, principal: Principal, estate_id: int, data: NewDelegation
) -> list[DelegationOut]:
    """One delegation per unit to a member of the (authorized) estate who may vote; it
    replaces earlier ones for the same units and meeting. 400 for units, a proxy or a
    meeting of another estate, and for a proxy whose role does not vote."""
    async with db.transaction() as conn:
        outside = await estates_store.households_outside_estate(conn, estate_id, data.household_ids)
        if outside:
            raise BadRequest(
                "household_ids",
                f"not households of this estate: {outside}",
                "not_in_estate",
                {"what": "households", "ids": outside},
            )
        role = await delegation_store.member_role(conn, estate_id, data.proxy_member_id)
        if role is None:
            raise BadRequest(
                "proxy_member_id",
                "not a member of this estate",
                "not_in_estate",
                {"what": "member"},
            )
        if role not in VOTERS:
            raise BadRequest(
                "proxy_member_id",
                f"a {role} may not vote, so not as proxy",
                "proxy_not_voter",
                {"role": role},
            )
        if data.meeting_id is not None:
            meeting = await store.get_meeting(conn, data.meeting_id)
            if meeting is None or meeting.estate_id != estate_id:
                raise BadRequest(
                    "meeting_id",
                    "not a meeting of this estate",
                    "not_in_estate",
                    {"what": "meeting"},
                )
        made = await delegation_store.insert_delegations(
            conn,
            estate_id,
            data.household_ids,
            data.proxy_member_id,
            data.meeting_id,
            data.reference,
            principal.member_id,
        )
        await append_event(
            conn,
            estate_id=estate_id,
            type="delegation.recorded",
            data={
                "delegation_ids": [d.id for d in made],
                "proxy_member_id": data.proxy_member_id,
                "units": len(made),
                "meeting_id": data.meeting_id,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
    return made


async def list_delegations(
    db: Database, principal: Principal, estate_id: int
) -> list[DelegationOut]:
    """The estate's delegations for the committee and admin; the ones made out to them for
    any other member."""
    only = None if principal.role in MANAGERS else principal.member_id
    async with db.connection() as conn:
        return await delegation_store.list_delegations(conn, estate_id, only)


async def revoke_delegation(
    db: Database, principal: Principal, delegation_id: int
) -> DelegationOut:
    """End a delegation; ballots already cast under it stay in the record."""
    async with db.transaction() as conn:
        found = authorized(
            await delegation_store.get_delegation(conn, delegation_id),
            "delegation",
            principal,
            MANAGERS,
        )
        revoked = await delegation_store.revoke_delegation(conn, delegation_id)
        assert revoked is not None
        await append_event(
            conn,
            estate_id=found.estate_id,
            type="delegation.revoked",
            data={"delegation_id": delegation_id},
            actor_id=principal.member_id,
            audience="staff",
        )
    return revoked
