"""The district's members and its overview: request bodies, answers and the store's rows.

The overview holds aggregates only: counts, sums of fen, areas and shares. No name of a
person, no ballot and no household's payment is ever part of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Id, Out, ShortText

#: 区 (district), 街道 (sub-district), 社区 (community)
DistrictLevel = Literal["district", "subdistrict", "community"]
#: where the residents' share lies against the plan's band (20–30 % by default)
BandPosition = Literal["below", "within", "above"]
#: the kinds of funding source (``funding_sources.kind``), in the order the overview lists them
SOURCE_KINDS: tuple[str, ...] = ("subsidy", "maintenance_fund", "utility", "donor", "other")

EstateIds = Annotated[list[Id], msgspec.Meta(max_length=10_000)]


class NewDistrictMember(Body):
    display_name: ShortText
    estate_ids: EstateIds = []
    level: DistrictLevel | None = None


class EstateAssignment(Body):
    """The estates a district member reads from now on (replaces the set)."""

    estate_ids: EstateIds


class DistrictMemberCreated(Out):
    member_id: int
    token: str
    login_url: str
    estate_ids: list[int]


class DistrictMemberOut(Out):
    id: int
    display_name: str
    level: str | None
    estate_ids: list[int]
    revoked: bool
    created_at: datetime


class DistrictGrant(msgspec.Struct, frozen=True, kw_only=True):
    """A district member just added; ``token`` is shown once."""

    member_id: int
    token: str
    estate_ids: list[int]


# The store's rows: one per estate and topic ---------------------------------------------


class EstateFacts(msgspec.Struct, frozen=True, kw_only=True):
    estate_id: int
    name: str
    area: str | None
    time_zone: str
    households: int


class DecisionFacts(msgspec.Struct, frozen=True, kw_only=True):
    """Motions (meetings and written consultations): the open ones' participation summed
    (areas in hundredths of m²), the closed ones by their tally of record."""

    estate_id: int
    open: int = 0
    open_total_area: int = 0
    open_participating_area: int = 0
    open_total_owners: int = 0
    open_participating_owners: int = 0
    passed: int = 0
    failed: int = 0


class TenderFacts(msgspec.Struct, frozen=True, kw_only=True):
    """Works with opened quotes, each by its leading quote (the awarded one, else the lowest
    latest round): its first round against the award (or its latest round), summed."""

    estate_id: int
    tenders: int = 0
    awarded: int = 0
    first_fen: int = 0
    current_fen: int = 0


class TenderWork(Out):
    """One work's tender by its leading quote (the awarded one, else the lowest latest
    round): that quote's first round against the award (or its latest round), and the
    change in percent ("-52.8" for the pilot's ¥3.6M → ¥1.7M)."""

    estate_id: int
    work_id: int
    title: str
    awarded: bool
    first_fen: int
    current_fen: int
    change_pct: str | None = None


class FundingFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The plan in force (or, without one, the latest solved draft)."""

    estate_id: int
    plan_status: str
    total_cost_fen: int
    residents_total_fen: int
    band_low: str | None
    band_high: str | None
    by_kind: dict[str, int] = {}


class MoneyFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The ledger's sum and the approved final accounts (latest version)."""

    estate_id: int
    collected_fen: int = 0
    final_cost_fen: int | None = None
    final_residents_fen: int | None = None


class NeedsFacts(msgspec.Struct, frozen=True, kw_only=True):
    estate_id: int
    suggestions: int = 0
    problems: int = 0
    problems_solved: int = 0
    urgent_solved: int = 0
    wishes_fulfilled: int = 0


# The answer -------------------------------------------------------------------------------


class EstateRow(Out):
    """One assigned estate's figures. Percentages are decimal strings with one place
    ("-52.8"), shares with four ("0.2000"); null where there is nothing to divide by."""

    estate_id: int
    name: str
    #: the estate's area (片区), when it was given one
    area: str | None
    households: int
    # decisions: the open ones' participation by area and by head count; closed: results
    decisions_open: int
    turnout_area_pct: str | None
    turnout_owners_pct: str | None
    open_owners: int
    open_participating_owners: int
    decisions_passed: int
    decisions_failed: int
    # tenders: the first quotes against the award (or the latest round)
    tenders: int
    tenders_awarded: int
    #: each tender (work titles and totals; no supplier, no quote's lines)
    tender_works: list[TenderWork]
    first_quotes_fen: int
    current_fen: int
    saving_fen: int
    saving_pct: str | None
    # funding: the plan in force (else the latest draft); residents' share against its band
    plan_status: str | None
    total_cost_fen: int
    residents_total_fen: int
    residents_share: str | None
    band_low: str | None
    band_high: str | None
    band_position: BandPosition | None
    by_source: dict[str, int]
    # collection against the plan in force, and the final accounts where approved
    expected_fen: int
    collected_fen: int
    collected_pct: str | None
    final_accounts: bool
    final_cost_fen: int | None
    final_residents_fen: int | None
    # needs
    suggestions: int
    problems: int
    problems_solved: int
    urgent_solved: int
    wishes_fulfilled: int


class DistrictTotals(Out):
    estates: int
    households: int
    decisions_open: int
    decisions_passed: int
    decisions_failed: int
    turnout_area_pct: str | None
    turnout_owners_pct: str | None
    tenders: int
    first_quotes_fen: int
    current_fen: int
    saving_fen: int
    saving_pct: str | None
    total_cost_fen: int
    residents_total_fen: int
    residents_share: str | None
    within_band: int
    outside_band: int
    expected_fen: int
    collected_fen: int
    collected_pct: str | None
    problems_solved: int
    wishes_fulfilled: int


class Overview(Out):
    #: when the figures were true: now on the primary, the last replayed change on a replica
    data_as_of: datetime
    #: ``primary`` or ``replica``: which database answered
    read_from: str
    #: the zone to show times in (the estates' own when they share one, else Asia/Shanghai)
    time_zone: str
    #: the areas (片区) of the assigned estates, for the filter
    areas: list[str]
    totals: DistrictTotals
    estates: list[EstateRow]
