"""A consultation's outreach: notice deliveries, the door-to-door list, live turnout, the
public pages and the printable notice and announcement (their data; ``pages.py`` prints).

Who sees what: the turnout and the notice are the members' once published (the committee's
also as a draft preview); deliveries and the door-to-door list are the committee's; the
announcement is the committee's once closed (marked as a draft until announced) and everyone's
once announced. The public pages (by ``public_token``, no sign-in) show no names and no unit's
choice; choices in tallies only for an open ballot or after the close.
"""

from __future__ import annotations

import asyncpg

from planner.access.guards import MANAGERS, MEMBERS
from planner.access.model import Principal
from planner.consultation import delivered, outreach_store, turnout
from planner.consultation import service as consultations
from planner.consultation import store as consultation_store
from planner.consultation.model import ConsultationOut
from planner.consultation.outreach_model import (
    ConsultationTurnout,
    DeliveryList,
    NewDelivery,
    OwnerDelivery,
    PublicConsultation,
    PublicMotion,
)
from planner.consultation.pages import (
    AnnouncedMotion,
    AnnouncementInput,
    NoticeInput,
    UnreachedInput,
)
from planner.db.pool import Database
from planner.deliberation import ballot_box, ballot_store
from planner.deliberation import store as deliberation_store
from planner.deliberation.model import ChainHead, ChannelTurnout, MotionRow, TallyOut, tally_out
from planner.deliberation.rules import Tally, count, decide, format_area
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates import store as estates_store
from planner.events import append_event, event_now
from planner.rule_sets import RULE_SETS

CLOSED = ("closed", "announced")


def public_address(base: str, token: str) -> str:
    """The public page of a consultation in the web app."""
    return f"{base}/#/c/{token}"


async def _by_token(conn: asyncpg.Connection, token: str) -> ConsultationOut:
    """A published consultation by its public token (404 for an unknown one or a draft)."""
    found = await consultation_store.get_by_token(conn, token)
    if found is None or found.status == "draft":
        raise NotFound("consultation")
    found.motions = [m.out() for m in await deliberation_store.list_motions(conn, found.id)]
    return found


def _channels(found: dict[str, tuple[int, int]]) -> dict[str, ChannelTurnout]:
    return {
        name: ChannelTurnout(owners=owners, area_m2=format_area(area))
        for name, (owners, area) in found.items()
    }


async def _tally(conn: asyncpg.Connection, motion: MotionRow) -> Tally:
    """Of record once closed, recounted while open, empty before."""
    if motion.status == "closed" and motion.final_tally is not None:
        return Tally(**motion.final_tally)
    if motion.status == "open":
        return await ballot_box.recount(conn, motion)
    units = await deliberation_store.scope_units(conn, motion.estate_id, motion.scope_building_ids)
    return decide(motion.matter, count(units, []), motion.rule_set)


async def _tallies(conn: asyncpg.Connection, consultation: ConsultationOut) -> list[TallyOut]:
    reveal = consultation.open_ballot or consultation.status in CLOSED
    out = []
    for motion in await deliberation_store.list_motions(conn, consultation.id):
        shown = tally_out(motion.id, motion.status, await _tally(conn, motion), redact=not reveal)
        shown.by_channel = _channels(await ballot_store.channel_turnout(conn, motion.id))
        out.append(shown)
    return out


async def _turnout(conn: asyncpg.Connection, consultation: ConsultationOut) -> ConsultationTurnout:
    units = await outreach_store.scope_units(conn, consultation.id)
    return ConsultationTurnout(
        consultation_id=consultation.id,
        status=consultation.status,
        overall=turnout.figures(units),
        by_building=turnout.by_building(units),
        by_channel=_channels(await outreach_store.channel_turnout(conn, consultation.id)),
        motions=await _tallies(conn, consultation),
    )


async def live_turnout(
    db: Database, principal: Principal, consultation_id: int
) -> ConsultationTurnout:
    async with db.connection() as conn:
        found = await consultations._found(conn, principal, consultation_id, MEMBERS)
        return await _turnout(conn, found)


async def public(db: Database, token: str) -> PublicConsultation:
    """The public page's data: notice, status, turnout, the result after the close."""
    async with db.connection() as conn:
        found = await _by_token(conn, token)
        figures = await _turnout(conn, found)
        estate = await estates_store.estate_name(conn, found.estate_id) or ""
        zone = await estates_store.estate_time_zone(conn, found.estate_id)
        scope = await deliberation_store.building_names(conn, found.scope_building_ids)
    results = {t.motion_id: t for t in figures.motions}
    return PublicConsultation(
        title=found.title,
        estate=estate,
        time_zone=zone,
        status=found.status,
        opens_at=found.opens_at,
        closes_at=found.closes_at,
        published_at=found.published_at,
        closed_at=found.closed_at,
        announced_at=found.announced_at,
        open_ballot=found.open_ballot,
        rule_set=RULE_SETS[found.rule_set].describe(),
        scope=scope,
        motions=[
            PublicMotion(
                id=m.id,
                title=m.title,
                text=m.text,
                matter=m.matter,
                result=results[m.id] if found.status in CLOSED else None,
            )
            for m in found.motions
        ],
        overall=figures.overall,
        by_building=figures.by_building,
        by_channel=figures.by_channel,
    )


# Deliveries -----------------------------------------------------------------------------------


async def _owners(conn: asyncpg.Connection, consultation: ConsultationOut) -> list[OwnerDelivery]:
    units = await outreach_store.scope_units(conn, consultation.id)
    rows = await outreach_store.deliveries(conn, consultation.id)
    return turnout.owners(units, rows, [m.id for m in consultation.motions])


async def deliveries(db: Database, principal: Principal, consultation_id: int) -> DeliveryList:
    """Committee: every owner in scope, how the notice reached them, whether they voted."""
    async with db.connection() as conn:
        found = await consultations._found(conn, principal, consultation_id, MANAGERS)
        return DeliveryList(
            consultation_id=found.id,
            status=found.status,
            motions=len(found.motions),
            items=await _owners(conn, found),
        )


async def record_paper(
    db: Database, principal: Principal, consultation_id: int, data: NewDelivery
) -> OwnerDelivery:
    """A committee member handed the notice to an owner on paper (once published, until the
    close; 409 otherwise). A second paper delivery to the same owner keeps the first."""
    async with db.transaction() as conn:
        found = await consultations._found(conn, principal, consultation_id, MANAGERS)
        if found.status not in ("noticed", "open"):
            raise Conflict(
                f"the consultation is {found.status}, not noticed or open",
                "wrong_status",
                {"what": "consultation", "status": found.status, "needed": "noticed"},
            )
        owner_key = await _owner_key(conn, found, data)
        if await outreach_store.insert_delivery(
            conn, found.id, owner_key, "paper", principal.member_id, data.note, event_now()
        ):
            await append_event(
                conn,
                estate_id=found.estate_id,
                type="notice.delivered",
                data={
                    "consultation_id": found.id,
                    "owner_key": owner_key,
                    "channel": "paper",
                    "by": principal.member_id,
                    "note": data.note,
                },
                actor_id=principal.member_id,
                audience="staff",
            )
        owners = await _owners(conn, found)
    return next(o for o in owners if o.owner_key == owner_key)


async def _owner_key(conn: asyncpg.Connection, found: ConsultationOut, data: NewDelivery) -> str:
    if data.household_id is not None:
        key = await outreach_store.household_owner(conn, found.estate_id, data.household_id)
        if key is None:
            raise NotFound("household")
        if not await outreach_store.owner_keys_of(conn, found.id, [data.household_id]):
            raise BadRequest(
                "household_id",
                "this unit is outside the consultation's scope",
                "not_in_scope",
                {"what": "units", "ids": [data.household_id]},
            )
        return key
    if data.owner_key is None:
        raise BadRequest("household_id", "name the owner by household_id or owner_key", "required")
    units = await outreach_store.scope_units(conn, found.id)
    if data.owner_key not in {u.owner_key for u in units}:
        raise BadRequest(
            "owner_key",
            "no owner of the consultation's scope has this key",
            "not_in_scope",
            {"what": "owners", "ids": [data.owner_key]},
        )
    return data.owner_key


# Printable pages' data ------------------------------------------------------------------------


async def _estate(conn: asyncpg.Connection, found: ConsultationOut) -> tuple[str, str, list[str]]:
    name = await estates_store.estate_name(conn, found.estate_id) or ""
    zone = await estates_store.estate_time_zone(conn, found.estate_id)
    return name, zone, await deliberation_store.building_names(conn, found.scope_building_ids)


async def _notice_input(conn: asyncpg.Connection, found: ConsultationOut, base: str) -> NoticeInput:
    estate, zone, scope = await _estate(conn, found)
    return NoticeInput(
        estate_name=estate,
        time_zone=zone,
        consultation=found,
        building_names=scope,
        public_url=public_address(base, found.public_token),
        preview=found.status == "draft",
    )


async def notice(
    db: Database, principal: Principal, consultation_id: int, base: str
) -> NoticeInput:
    """Members once published, the committee also as a draft preview; an owner's first
    opening counts as the notice's delivery."""
    async with db.connection() as conn:
        found = await consultations._found(conn, principal, consultation_id, MEMBERS)
        page = await _notice_input(conn, found, base)
    await delivered.note_online(db, principal, found)
    return page


async def public_notice(db: Database, token: str, base: str) -> NoticeInput:
    async with db.connection() as conn:
        return await _notice_input(conn, await _by_token(conn, token), base)


async def unreached(db: Database, principal: Principal, consultation_id: int) -> UnreachedInput:
    """Committee: the owners not reached or not voted on every motion, for door-to-door."""
    async with db.connection() as conn:
        found = await consultations._found(conn, principal, consultation_id, MANAGERS)
        estate, zone, _ = await _estate(conn, found)
        owners = [
            o for o in await _owners(conn, found) if o.state == "not_yet" or o.voted != "every"
        ]
    return UnreachedInput(
        estate_name=estate,
        time_zone=zone,
        consultation=found,
        owners=owners,
        printed_at=consultations.now(),
    )


async def _announcement_input(
    conn: asyncpg.Connection, found: ConsultationOut, base: str
) -> AnnouncementInput:
    estate, zone, scope = await _estate(conn, found)
    units = {u.household_id: u for u in await outreach_store.scope_units(conn, found.id)}
    motions = []
    for motion in await deliberation_store.list_motions(conn, found.id):
        took_part = []
        for household_id, choice in await outreach_store.unit_choices(conn, motion.id):
            unit = units.get(household_id)
            label = f"{unit.building}-{unit.unit}" if unit else f"#{household_id}"
            took_part.append((label, choice if found.open_ballot else None))
        motions.append(
            AnnouncedMotion(
                motion=motion.out(),
                tally=await _tally(conn, motion),
                units=sorted(took_part),
            )
        )
    head = await deliberation_store.close_head(conn, "meeting", found.id)
    return AnnouncementInput(
        estate_name=estate,
        time_zone=zone,
        consultation=found,
        building_names=scope,
        motions=motions,
        by_channel=_channels(await outreach_store.channel_turnout(conn, found.id)),
        chain_head=ChainHead(seq=head[0], hash=head[1].hex()) if head else None,
        public_url=public_address(base, found.public_token),
    )


def _not_announced(found: ConsultationOut, needed: str) -> Conflict:
    return Conflict(
        f"the result is announced after the close (the consultation is {found.status})",
        "not_yet_available",
        {"when": f"consultation_{needed}"},
    )


async def announcement(
    db: Database, principal: Principal, consultation_id: int, base: str
) -> AnnouncementInput:
    """The committee's once closed (a draft until announced), everyone's once announced."""
    async with db.connection() as conn:
        found = await consultations._found(conn, principal, consultation_id, MEMBERS)
        if found.status not in CLOSED:
            raise _not_announced(found, "closed")
        if found.status != "announced" and principal.role not in MANAGERS:
            raise _not_announced(found, "announced")
        return await _announcement_input(conn, found, base)


async def public_announcement(db: Database, token: str, base: str) -> AnnouncementInput:
    async with db.connection() as conn:
        found = await _by_token(conn, token)
        if found.status != "announced":
            raise _not_announced(found, "announced")
        return await _announcement_input(conn, found, base)
