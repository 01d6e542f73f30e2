"""The online delivery of a consultation's notice: the first time an owner opens it.

Called by the reads an owner makes (the consultation, its notice); several cities count that
first opening as delivery. A committee member or admin opening it is not delivery, nor is a
proxy's or anyone's opening of the public pages (no sign-in, nobody to credit).
"""

from __future__ import annotations

from planner.access.guards import MANAGERS
from planner.access.model import Principal
from planner.consultation import outreach_store
from planner.consultation.model import ConsultationOut
from planner.db.pool import Database
from planner.events import append_event, event_now


async def note_online(db: Database, principal: Principal, consultation: ConsultationOut) -> None:
    """Record, once per owner, that the owners of the caller's units saw the notice online
    (while it is noticed or open), with a ``notice.delivered`` event (staff)."""
    if principal.role in MANAGERS or not principal.household_ids:
        return
    if consultation.status not in ("noticed", "open"):
        return
    async with db.connection() as conn:
        missing = await outreach_store.undelivered_online(
            conn, consultation.id, principal.household_ids
        )
    if not missing:
        return  # the usual case: one read, no transaction
    async with db.transaction() as conn:
        for owner_key in missing:
            if await outreach_store.insert_delivery(
                conn, consultation.id, owner_key, "online", principal.member_id, "", event_now()
            ):
                await append_event(
                    conn,
                    estate_id=consultation.estate_id,
                    type="notice.delivered",
                    data={
                        "consultation_id": consultation.id,
                        "owner_key": owner_key,
                        "channel": "online",
                        "by": principal.member_id,
                    },
                    actor_id=principal.member_id,
                    audience="staff",
                )
