"""Bodies and answers of a consultation's outreach: notice deliveries, turnout, public pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.deliberation.model import ChannelTurnout, TallyOut
from planner.model import Body, Id, Out

#: How the notice reached an owner: not yet, seen online (first opening), handed on paper.
DeliveryState = Literal["not_yet", "online", "paper"]
#: Whether an owner voted on every motion, on some, or on none.
Voted = Literal["every", "some", "none"]
OwnerKey = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Note = Annotated[str, msgspec.Meta(max_length=500)]


class NewDelivery(Body):
    """A committee member handed the notice to an owner: name the owner by one of their units
    (``household_id``) or by their ``owner_key``."""

    channel: Literal["paper"]
    household_id: Id | None = None
    owner_key: OwnerKey | None = None
    note: Note = ""


class Delivery(Out):
    channel: Literal["online", "paper"]
    #: the member who opened it (online) or handed it over (paper)
    by: int | None
    by_name: str | None
    at: datetime
    note: str = ""


class OwnerUnit(Out):
    household_id: int
    building_id: int
    building: str
    unit: str
    area_m2: str


class OwnerDelivery(Out):
    """One owner (person) of the consultation's scope: their units, how the notice reached
    them (the first delivery; every delivery in ``deliveries``), and whether they voted."""

    owner_key: str
    owner_name: str
    buildings: list[str]
    units: list[OwnerUnit]
    state: DeliveryState
    by: int | None
    by_name: str | None
    at: datetime | None
    deliveries: list[Delivery]
    voted: Voted


class DeliveryList(Out):
    consultation_id: int
    status: str
    motions: int
    items: list[OwnerDelivery]


class TurnoutFigures(Out):
    """Owners (persons) and area that took part in at least one motion, of the scope's."""

    owners: int
    total_owners: int
    area_m2: str
    total_area_m2: str


class BuildingTurnout(TurnoutFigures):
    building_id: int
    building: str


class ConsultationTurnout(Out):
    """Live turnout; the motions' tallies show choices only for an open ballot or once
    closed (else participation only, ``results_hidden``)."""

    consultation_id: int
    status: str
    overall: TurnoutFigures
    by_building: list[BuildingTurnout]
    by_channel: dict[str, ChannelTurnout]
    motions: list[TallyOut]


class PublicMotion(Out):
    id: int
    title: str
    text: str
    matter: int
    #: the tally after the close (with its rule set and channels), else null
    result: TallyOut | None = None


class PublicConsultation(Out):
    """What anyone with the public address sees: no names, no unit's choice."""

    title: str
    estate: str
    time_zone: str
    status: str
    opens_at: datetime
    closes_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    announced_at: datetime | None
    open_ballot: bool
    rule_set: dict[str, object]
    scope: list[str]
    motions: list[PublicMotion]
    overall: TurnoutFigures
    by_building: list[BuildingTurnout]
    by_channel: dict[str, ChannelTurnout]


class ScopeUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit of the consultation's scope with the motions its counted ballots are on."""

    household_id: int
    building_id: int
    building: str
    unit: str
    area: int  # hundredths of m²
    owner_key: str
    owner_name: str
    voted_motions: frozenset[int]


class DeliveryRow(msgspec.Struct, frozen=True, kw_only=True):
    owner_key: str
    channel: Literal["online", "paper"]
    by: int | None
    by_name: str | None
    at: datetime
    note: str
