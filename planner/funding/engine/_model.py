"""The engine's inputs and its result, as msgspec Structs.

Money is ``int`` fen, areas and shares are exact ``Decimal``. The result
(:class:`FundingPlanResult`) is what a stored plan's ``result`` column holds and what
the API and the exports read; see its docstring for the stable contract.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from planner.works.rules import WorkBenefit

Policy = Literal["minimum", "target"]
SourceKind = Literal["subsidy", "maintenance_fund", "utility", "donor", "other"]

DEFAULT_BAND: tuple[Decimal, Decimal] = (Decimal("0.20"), Decimal("0.30"))


class WorkInput(msgspec.Struct, frozen=True, kw_only=True):
    """A work to fund: its cost (awarded total, else estimate) and who benefits.

    ``resident_band`` optionally bounds the residents' share of this one work.
    """

    work_id: int
    cost_fen: int
    title: str = ""
    benefit: WorkBenefit = msgspec.field(default_factory=WorkBenefit)
    resident_band: tuple[Decimal, Decimal] | None = None


class SourceInput(msgspec.Struct, frozen=True, kw_only=True):
    """A public funding source.

    It may pay only for ``eligible_work_ids``, at most ``budget_fen`` in all, and at most
    ``max_share`` of any one work's cost (None: no limit). ``pledges`` fixes its amount
    on some works exactly (``{work_id: fen}``); a pledged work must be eligible.
    """

    source_id: int
    budget_fen: int
    eligible_work_ids: tuple[int, ...] = ()
    max_share: Decimal | None = None
    pledges: dict[int, int] = msgspec.field(default_factory=dict)
    name: str = ""
    kind: SourceKind = "other"


class HouseholdInput(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A household (unit): its exclusive area, building, floor and hardship cap.

    ``cap_fen`` None: no cap; 0: exempt from paying anything. A problem holds one per
    household and none can be part of a reference cycle, so the garbage collector does not
    track them (gc=False).
    """

    household_id: int
    area_m2: Decimal
    building_id: int
    floor: int = 1
    cap_fen: int | None = None


class FundingProblem(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one solve needs; its encoding is the plan's inputs snapshot.

    ``policy`` "minimum": residents pay the least the band and budgets allow;
    "target": residents' total as close as possible to ``target_share`` of the cost.
    ``time_limit_s`` bounds the whole solve (HiGHS stops and the solve fails).
    """

    works: tuple[WorkInput, ...]
    sources: tuple[SourceInput, ...] = ()
    households: tuple[HouseholdInput, ...] = ()
    policy: Policy = "minimum"
    resident_band: tuple[Decimal, Decimal] = DEFAULT_BAND
    target_share: Decimal | None = None
    time_limit_s: float = 60.0


# ---- result -----------------------------------------------------------------------------


class SourceAmount(msgspec.Struct, frozen=True, kw_only=True):
    source_id: int
    amount_fen: int


class WorkPlan(msgspec.Struct, frozen=True, kw_only=True):
    """One work: ``sum(sources.amount_fen) + residents_fen == cost_fen`` exactly.

    ``binding`` names the rules that stopped the residents' amount from being lower,
    e.g. ``"budget:3"`` (source 3 used up), ``"max_share:3"``, ``"not_eligible"``
    (no source may pay more), ``"band_low"``, ``"work_band_low"``, ``"pledge:3"``.
    """

    work_id: int
    cost_fen: int
    residents_fen: int
    residents_share: str
    sources: list[SourceAmount]
    binding: list[str]


class SourceUse(msgspec.Struct, frozen=True, kw_only=True):
    source_id: int
    used_fen: int
    budget_fen: int


# Plans hold tens of thousands of these and of HouseholdPlan; neither can be part of a
# reference cycle, so the garbage collector need not track them (gc=False): a large solve
# then does not set off collections over the whole heap.
class HouseholdWorkAmount(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    work_id: int
    amount_fen: int


class HouseholdPlan(msgspec.Struct, frozen=True, gc=False):
    """One household: ``amount_fen == sum(works.amount_fen)``.

    Not keyword-only (unlike the other Structs): the optimiser makes one per household,
    positionally, which is a third cheaper; elsewhere name the fields.

    ``proportional_fen`` is its benefit-weighted share of the residents' amounts with no
    caps. ``reason`` says why the amount differs: "proportional" (it does not, beyond
    rounding of a fen or so per work), "cap" (held at its hardship cap; ``capped`` is
    true), "covers_caps" (pays more to cover capped households), "rounding".
    The optimiser gives households with the same amounts one shared ``works`` list: like
    the plan itself, treat it as read-only.
    """

    household_id: int
    amount_fen: int
    proportional_fen: int
    capped: bool
    reason: str
    works: list[HouseholdWorkAmount]


class Note(msgspec.Struct, frozen=True, kw_only=True):
    """One finding, in Chinese and English, with the figure it is about."""

    code: str
    zh: str
    en: str
    amount_fen: int | None = None
    subject_id: int | None = None


class Explanation(msgspec.Struct, frozen=True, kw_only=True):
    zh: str
    en: str
    notes: list[Note]


class FundingPlanResult(msgspec.Struct, frozen=True, kw_only=True):
    """A solved plan. Stable contract for the API, the store and the exports:

    - ``total_cost_fen == sum(w.cost_fen for w in works)``;
      ``residents_total_fen == sum(w.residents_fen for w in works)
      == sum(h.amount_fen for h in households)``.
    - for each work, ``sum(s.amount_fen for s in sources) + residents_fen == cost_fen``;
      for each household and work, the household amounts add up to the work's
      ``residents_fen``.
    - ``sources[i].used_fen == sum`` of that source's amounts over works ≤ ``budget_fen``.
    - ``residents_share`` is the residents' total over the total cost as a decimal
      string with four places ("0.2000"); ``WorkPlan.residents_share`` likewise.
    - works are in input order by ``work_id``, sources by ``source_id``, households by
      ``household_id``; works inside a household in work order; households that pay
      nothing and benefit from nothing are still listed (amount 0).
    - ``explanation`` holds sentences in Chinese and English plus structured notes.
    Fields may be added; none will be renamed or removed.
    """

    total_cost_fen: int
    residents_total_fen: int
    residents_share: str
    works: list[WorkPlan]
    sources: list[SourceUse]
    households: list[HouseholdPlan]
    explanation: Explanation


class SolveStats(msgspec.Struct, frozen=True, kw_only=True):
    """Timings and sizes of one solve (not part of the deterministic result)."""

    total_seconds: float
    highs_seconds: float
    lp_solves: int
    household_classes: int
    lp_variables: int


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a plan cannot be made, with the amount it is short by."""

    constraint: str
    zh: str
    en: str
    amount_fen: int | None = None
    subject_id: int | None = None
    # the estate-wide residents' part the band would need (resident_band_high) or the most
    # residents can pay (resident_band_low), fen: the preview compares it with the plan in force
    residents_fen: int | None = None


class FundingInfeasible(Exception):
    """No plan satisfies every hard constraint; ``problems`` says which bind and by how much."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.zh = "；".join(p.zh for p in problems)
        self.en = "; ".join(p.en for p in problems)
        super().__init__(self.en)


class InvalidProblem(Exception):
    """Inputs that make no sense at all (negative cost, band 0.3–0.2): the API answers 400."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class SolveTimeout(Exception):
    """The solver ran out of its time limit."""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What a solver worker process sends back (encoded as JSON bytes)."""

    kind: Literal["ok", "infeasible", "invalid", "timeout", "error"]
    result: FundingPlanResult | None = None
    stats: SolveStats | None = None
    problems: list[Problem] = msgspec.field(default_factory=list)
    field: str = ""
    reason: str = ""
