"""Request and response bodies of deliberation: meetings, motions, proxies, ballots, tallies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from planner.deliberation.rules import Choice, Tally
from planner.model import Body, Id, LongText, Out, ShortText

MeetingKind = Literal["building_meeting", "public_hearing", "owners_assembly"]
#: A written consultation is a meeting too, made and run by the consultation routes.
MeetingKindOut = Literal[
    "building_meeting", "public_hearing", "owners_assembly", "written_consultation"
]
Channel = Literal["online", "paper"]
MeetingStatus = Literal["scheduled", "open", "closed"]
MotionStatus = Literal["draft", "open", "closed"]
Matter = Annotated[int, msgspec.Meta(ge=1, le=9, description="Art. 278 matter 1..9")]
HouseholdIds = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=2000)]


class NewAgendaItem(Body):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    work_id: Id | None = None


class NewMeeting(Body):
    title: ShortText
    kind: MeetingKind
    scope_building_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    agenda: Annotated[list[NewAgendaItem | str], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )
    scheduled_at: datetime | None = None


class AgendaItemOut(Out):
    position: int
    text: str
    work_id: int | None


class MotionOut(Out):
    id: int
    meeting_id: int
    estate_id: int
    title: str
    text: str
    matter: int
    rule: str
    work_id: int | None
    hide_results: bool
    status: MotionStatus
    opened_at: datetime | None
    closed_at: datetime | None
    #: the named rule set that decides it (``GET /api/rule-sets``)
    rule_set: str


class MotionRow(MotionOut):
    """A motion with what casting and closing need: its meeting's status and scope, and the
    tally of record once closed. Answers carry only its ``MotionOut`` part (``out()``)."""

    meeting_status: MeetingStatus
    scope_building_ids: list[int]
    final_tally: Any = None  # the closed motion's ``Tally`` as stored (JSON)
    #: a written consultation's "paper prevails" rule: a unit's paper ballot counts over online
    paper_prevails: bool = False

    def out(self) -> MotionOut:
        return MotionOut(**{name: getattr(self, name) for name in MotionOut.__struct_fields__})


class RollUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit on a motion's frozen roll: its owner (person) and area in hundredths of m²."""

    household_id: int
    person_key: str
    area: int


class BallotContext(msgspec.Struct, kw_only=True):
    """What a cast is checked against, read in one round trip."""

    motion: MotionRow
    delegated: dict[int, int]  # unit -> delegation id, for this meeting or any meeting
    units: list[RollUnit]  # roll units among the wanted ones
    #: the ballots the caller recorded under the cast's idempotency key, in id order
    keyed: list[BallotReceipt] = []


class MeetingOut(Out):
    id: int
    estate_id: int
    title: str
    kind: MeetingKindOut
    scope_building_ids: list[int]
    scheduled_at: datetime | None
    status: MeetingStatus
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    agenda: list[AgendaItemOut] = msgspec.field(default_factory=list)
    motions: list[MotionOut] = msgspec.field(default_factory=list)


class Attendee(Out):
    """A member who cast ballots in a meeting, for their own units and as a proxy."""

    member_id: int
    display_name: str
    own_units: int
    proxy_units: int
    references: list[str]
    #: "1栋-101" labels of the units voted for, own and as a proxy, in natural order.
    own_unit_labels: list[str] = []
    proxy_unit_labels: list[str] = []


class NewMotion(Body):
    title: ShortText
    matter: Matter
    text: LongText = ""
    work_id: Id | None = None
    hide_results: bool = False


class NewDelegation(Body):
    household_ids: HouseholdIds
    proxy_member_id: Id
    reference: ShortText
    meeting_id: Id | None = None


class DelegationOut(Out):
    id: int
    estate_id: int
    household_id: int
    proxy_member_id: int
    meeting_id: int | None
    reference: str
    recorded_by: int | None
    recorded_at: datetime
    revoked_at: datetime | None


IdempotencyKey = Annotated[
    str,
    msgspec.Meta(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description=(
            "The client's key for this cast, fresh per cast and kept for its retries: a "
            "retry answers the first cast's receipts (201, replayed: true) and records "
            "nothing; with another choice or other units, 409 idempotency_key_reused. "
            "Per member and motion."
        ),
    ),
]


class NewBallot(Body):
    """``idempotency_key`` (8–64 of A–Z a–z 0–9 _ -, chosen by the client, one per cast): a
    retry with the same key answers the first cast's receipts (201, ``replayed``: true) and
    records nothing; the same key with another choice, or naming other units, is 409
    ``idempotency_key_reused``. Keys are the member's own, per motion."""

    choice: Choice
    household_ids: HouseholdIds | None = None
    idempotency_key: IdempotencyKey | None = None


class BallotReceipt(Out):
    ballot_id: int
    household_id: int
    choice: Choice
    receipt: str
    by_proxy: bool
    cast_at: datetime
    channel: Channel = "online"


class CastResult(Out):
    motion_id: int
    ballots: list[BallotReceipt]
    #: True when this answers a retry: the ballots are those of the first cast with the key.
    replayed: bool = False


class BallotRecord(Out):
    """One row of the ballot record (committee view): who cast for which unit, every change."""

    ballot_id: int
    household_id: int
    choice: Choice
    cast_by: int
    cast_by_name: str
    delegation_id: int | None
    delegation_reference: str | None
    receipt: str
    cast_at: datetime
    counted: bool


class CountedReceipt(Out):
    receipt: str
    choice: Choice


class ChainHead(Out):
    """The estate's audit-chain head recorded with a close: print it, then check it later
    with ``planner audit verify --expect-head <hash>``."""

    seq: int
    hash: str  # hex SHA-256


class ReceiptList(Out):
    motion_id: int
    closed_at: datetime | None
    receipts: list[CountedReceipt]
    chain_head: ChainHead | None = None  # None for a motion closed before heads were kept


class AuditedMotion(msgspec.Struct, kw_only=True):
    """What ``planner audit verify`` compares a motion's chain against (never sent out)."""

    id: int
    meeting_id: int
    status: MotionStatus
    matter: int
    rule_set: str
    paper_prevails: bool
    final_tally: Any
    ballot_secret: bytes | None
    close_head: tuple[int, bytes] | None


class BallotFact(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the ballots table as the audit reads it."""

    id: int
    household_id: int
    choice: Choice
    cast_at: datetime
    channel: Channel = "online"


class RollEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One unit on a motion's roll with its counted choice as the roll table holds it."""

    household_id: int
    person_key: str
    area: int  # hundredths of m²
    choice: Choice | None


class TallyOut(Out):
    """A motion's tally; with hidden results before close, the figures that reveal how people
    voted are null for everyone but the committee (participation and quorum stay visible)."""

    motion_id: int
    status: MotionStatus
    results_hidden: bool
    matter: int
    rule: str
    total_area_m2: str
    participating_area_m2: str
    total_owners: int
    participating_owners: int
    total_units: int
    participating_units: int
    quorum_area_met: bool
    quorum_owners_met: bool
    quorum_met: bool
    yes_area_m2: str | None = None
    no_area_m2: str | None = None
    abstain_area_m2: str | None = None
    yes_owners: int | None = None
    no_owners: int | None = None
    abstain_owners: int | None = None
    consent_area_met: bool | None = None
    consent_owners_met: bool | None = None
    passed: bool | None = None
    #: the named rule set the thresholds come from (``GET /api/rule-sets``)
    rule_set: str = "civil_code_2021"
    #: who took part by which channel (a counted ballot's channel; proxy: an online ballot
    #: cast by a proxy). An owner whose units came by two channels is in both.
    by_channel: dict[str, ChannelTurnout] | None = None


class ChannelTurnout(Out):
    owners: int
    area_m2: str


def tally_out(motion_id: int, status: MotionStatus, tally: Tally, *, redact: bool) -> TallyOut:
    """The API view of a tally; ``redact`` hides everything that shows how people voted."""
    shown: dict[str, object] = {
        "total_area_m2": tally.total_area_m2,
        "participating_area_m2": tally.participating_area_m2,
        "total_owners": tally.total_owners,
        "participating_owners": tally.participating_owners,
        "total_units": tally.total_units,
        "participating_units": tally.participating_units,
        "quorum_area_met": tally.quorum_area_met,
        "quorum_owners_met": tally.quorum_owners_met,
        "quorum_met": tally.quorum_met,
    }
    if not redact:
        shown.update(
            yes_area_m2=tally.yes_area_m2,
            no_area_m2=tally.no_area_m2,
            abstain_area_m2=tally.abstain_area_m2,
            yes_owners=tally.yes_owners,
            no_owners=tally.no_owners,
            abstain_owners=tally.abstain_owners,
            consent_area_met=tally.consent_area_met,
            consent_owners_met=tally.consent_owners_met,
            passed=tally.passed,
        )
    return TallyOut(
        motion_id=motion_id,
        status=status,
        results_hidden=redact,
        matter=tally.matter,
        rule=tally.rule,
        rule_set=tally.rule_set,
        **shown,  # type: ignore[arg-type]
    )
