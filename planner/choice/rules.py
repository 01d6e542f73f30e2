"""Choosing works by equal shares: a thin, exact wrapper over ``pabutools``.

Inputs: the candidate works (id, cost in fen), the budget in fen and one approval set per
owner (an owner who approved nothing still counts: their share is theirs and goes unspent).
Three methods, all exact (``pabutools`` computes with gmpy2 rationals):

* ``mes_work_ids``: the Method of Equal Shares (``pabutools.rules.method_of_equal_shares``)
  with cost utilities (``Cost_Sat``): the budget is split equally among the owners, a work is
  bought by its supporters' shares, the work whose supporters each pay the smallest part of
  its cost first. Before any completion.
* ``funded_work_ids``: the completion, in two documented steps.
  1. **Add1 by budget increase** (``pabutools.rules.exhaustion_by_budget_increase`` with
     MES as the rule, ``budget_step`` 2 % of the budget, ``budget_bound`` 3 x the budget):
     MES is run again as if the budget were 102 %, 104 %, ... of the real one (each owner's
     share rises by 2 % of the equal share per step) and the last outcome whose cost still
     fits the REAL budget is kept; the raising stops early when an outcome is exhaustive (no
     supported work left that fits), and at the latest when each share has tripled (at most
     100 MES runs: pabutools' default bound, budget x (voters + 1), would allow 100,000 runs
     of 1 % with 2,000 owners when a costly work has one supporter).
  2. **Greedy fill of what is left**: the works still fitting the leftover money are added
     "most approvals first" (the same order as the greedy method below), starting from the
     Add1 set (``greedy_utilitarian_welfare`` with ``initial_budget_allocation``).
  The first step may, in rare profiles, drop a work that plain MES had chosen (MES is not
  monotone in the budget). ``funded`` must keep every MES work, so the raising also stops
  at the last outcome that still holds the whole MES set (``tests/unit/choice`` checks
  the result against pabutools' own ``exhaustion_by_budget_increase`` when it does not).
* ``greedy_work_ids``: "most approvals first, skip what no longer fits" (pabutools'
  ``greedy_utilitarian_welfare`` with ``Cost_Sat``: total cost-satisfaction per fen is the
  number of approvals).

Works nobody approved are never funded by any method (they are left out of the pabutools
instance, so neither the completion nor the greedy method spends money on them).

Tie-breaking is deterministic. A pabutools project is named by its work id zero-padded to
12 digits, so the name order is the work-id order. MES and Add1 break ties by name (lower
work id first: pabutools' ``lexico_tie_breaking``); the greedy method and the greedy fill
break ties of approvals by cost (cheaper first), then by work id.

Explanations: for each work, its approvals and cost, whether each method funds it, and for
MES the supporters' remaining shares when it was decided: for a chosen work, what its
supporters still held in the round it was bought (at least its cost); for a work not
chosen, what they still held in the first round where that fell short of its cost (MES
drops it there). They are read from pabutools' ``MESAllocationDetails`` (``analytics=True``)
and are exact fractions of a fen (``Fraction``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import msgspec
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.fractions import frac
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

#: Method names and versions, as the recountable record states them.
MES_METHOD = "method_of_equal_shares(Cost_Sat, lexico tie-breaking)"
COMPLETION_METHOD = (
    "exhaustion_by_budget_increase(step 2% of the budget, bound 3x, keeps the MES set)"
    " + greedy_utilitarian_welfare(Cost_Sat, cheaper then lower id)"
)
GREEDY_METHOD = "greedy_utilitarian_welfare(Cost_Sat, cheaper then lower id)"
#: the step of the Add1 raising, as a part of the budget
BUDGET_STEP = Fraction(2, 100)
#: how far the Add1 raising may go, as a multiple of the budget (pabutools' ``budget_bound``)
BUDGET_BOUND = 3

MesReason = Literal["bought", "short_of_shares", "no_support"]
FundedBy = Literal["mes", "completion", "fill", "none"]


class CandidateWork(msgspec.Struct, frozen=True):
    work_id: int
    cost_fen: int


class WorkExplanation(msgspec.Struct, frozen=True):
    """Why one work was or was not funded, by each method.

    ``supporters_shares``: the supporters' remaining shares (fen, exact) when MES decided on
    the work; ``None`` for a work nobody approved. ``mes_round``: 1 for the first work MES
    bought, 2 for the next...; ``None`` when MES did not buy it.
    """

    work_id: int
    cost_fen: int
    approvals: int
    mes: bool
    funded: bool
    greedy: bool
    funded_by: FundedBy
    mes_reason: MesReason
    mes_round: int | None
    supporters_shares: Fraction | None


class ChoiceOutcome(msgspec.Struct, frozen=True):
    """The result of a round: the three sets (ascending work ids) and the explanations."""

    mes_work_ids: list[int]
    funded_work_ids: list[int]
    greedy_work_ids: list[int]
    explanations: list[WorkExplanation]
    voters: int
    #: the equal share of each owner (budget / voters), exact; 0 without voters
    equal_share: Fraction
    #: the per-owner share at which the Add1 raising stopped (the equal share if it did not)
    completion_share: Fraction


def project_name(work_id: int) -> str:
    """The pabutools project name of a work: its id on 12 digits (name order = id order)."""
    return f"{work_id:012d}"


def _cheaper_then_name(_instance: Any, _profile: Any, project: Project) -> tuple[Any, str]:
    return (project.cost, project.name)


#: the greedy methods' ties: cheaper first, then lower work id
CHEAPER_THEN_ID = TieBreakingRule(_cheaper_then_name)


class Election(msgspec.Struct):
    """The pabutools instance (approved works only) and profile (one ballot per owner)."""

    instance: Any
    profile: Any
    projects: dict[int, Any]
    budget_fen: int
    #: the Cost_Sat satisfaction profile, computed once for every MES run of the round
    sat_profile: Any


def build_election(
    works: Sequence[CandidateWork], budget_fen: int, approvals: Sequence[Iterable[int]]
) -> Election:
    """The pabutools objects for a round. Raises ``ValueError`` on an unknown work id."""
    by_id = {w.work_id: w for w in works}
    ballots = [frozenset(a) for a in approvals]
    supported = set().union(*ballots) if ballots else set()
    unknown = supported - by_id.keys()
    if unknown:
        raise ValueError(f"approval of works outside the round: {sorted(unknown)}")
    projects = {wid: Project(project_name(wid), by_id[wid].cost_fen) for wid in sorted(supported)}
    instance = Instance(projects.values(), budget_limit=budget_fen)
    profile = ApprovalProfile(
        [ApprovalBallot(projects[wid] for wid in ballot) for ballot in ballots],
        instance=instance,
    )
    return Election(
        instance=instance,
        profile=profile,
        projects=projects,
        budget_fen=budget_fen,
        sat_profile=profile.as_sat_profile(sat_class=Cost_Sat),
    )


def _ids(allocation: Iterable[Any]) -> list[int]:
    return sorted(int(p.name) for p in allocation)


def _fraction(value: Any) -> Fraction:
    return Fraction(int(value.numerator), int(value.denominator))


def mes(election: Election, analytics: bool = False) -> Any:
    """pabutools' MES with cost utilities and name tie-breaking (the allocation object)."""
    return method_of_equal_shares(
        election.instance,
        election.profile,
        sat_profile=election.sat_profile,
        tie_breaking=lexico_tie_breaking,
        analytics=analytics,
    )


def add1(election: Election, mes_ids: Sequence[int]) -> tuple[list[int], Fraction]:
    """Add1 by budget increase (pabutools' ``exhaustion_by_budget_increase`` loop, step 2 %).

    Returns the kept set and the per-owner share it was computed with. Stops at the last
    outcome that fits the real budget and still holds every MES work; stops on an exhaustive
    outcome; goes no further than ``BUDGET_BOUND`` x the budget.
    """
    instance = election.instance
    voters = election.profile.num_ballots()
    if voters == 0:
        return [], Fraction(0)
    budget = Fraction(election.budget_fen)
    step = budget * BUDGET_STEP
    bound = budget * BUDGET_BOUND
    must_keep = set(mes_ids)
    previous_ids = list(mes_ids)
    previous_limit = budget
    # the first run, at the budget itself, is plain MES: start from its outcome
    if instance.is_exhaustive([election.projects[w] for w in mes_ids]):
        return previous_ids, previous_limit / voters
    current = budget + step
    while current <= bound:
        trial = Instance(instance, budget_limit=_mpq(current))
        outcome = method_of_equal_shares(
            trial,
            election.profile,
            sat_profile=election.sat_profile,
            tie_breaking=lexico_tie_breaking,
        )
        ids = _ids(outcome)
        if not instance.is_feasible(outcome) or not must_keep <= set(ids):
            break
        previous_ids, previous_limit = ids, current
        if instance.is_exhaustive(outcome):
            break
        current += step
    return previous_ids, previous_limit / voters


def _mpq(value: Fraction) -> Any:
    return frac(value.numerator, value.denominator)


def greedy(election: Election, start_ids: Sequence[int] = ()) -> list[int]:
    """Most approvals first, skip what no longer fits (ties: cheaper, then lower id)."""
    return _ids(
        greedy_utilitarian_welfare(
            election.instance,
            election.profile,
            sat_profile=election.sat_profile,
            is_sat_additive=True,
            tie_breaking=CHEAPER_THEN_ID,
            initial_budget_allocation=[election.projects[w] for w in start_ids],
        )
    )


def _mes_shares(
    election: Election, allocation: Any
) -> tuple[dict[int, int], dict[int, Fraction], dict[int, Fraction]]:
    """From MES analytics: each bought work's round, and the supporters' remaining shares.

    ``bought``: work id → (round, shares before buying); ``dropped``: work id → the shares in
    the first round where they fell short of its cost.
    """
    details = allocation.details
    supporters: dict[int, list[int]] = {wid: [] for wid in election.projects}
    for index, ballot in enumerate(election.profile):
        for project in ballot:
            supporters[int(project.name)].append(index)
    rounds: dict[int, int] = {}
    bought: dict[int, Fraction] = {}
    dropped: dict[int, Fraction] = {}
    undecided = dict(election.projects)
    iterations = list(details.iterations) if details is not None else []
    for number, iteration in enumerate(iterations, start=1):
        budgets = iteration.voters_budget
        selected = iteration.selected_project
        for wid, project in list(undecided.items()):
            # gmpy2 rationals summed natively; one conversion to Fraction per decision
            shares = sum((budgets[i] for i in supporters[wid]), frac(0))
            if selected is not None and selected.name == project.name:
                rounds[wid] = number
                bought[wid] = _fraction(shares)
                del undecided[wid]
            elif shares < project.cost:
                dropped[wid] = _fraction(shares)
                del undecided[wid]
    return rounds, bought, dropped


def choose(
    works: Sequence[CandidateWork], budget_fen: int, approvals: Sequence[Iterable[int]]
) -> ChoiceOutcome:
    """The three methods and the explanations for one round (pure, deterministic)."""
    election = build_election(works, budget_fen, approvals)
    voters = election.profile.num_ballots()
    allocation = mes(election, analytics=True)
    mes_ids = _ids(allocation)
    add1_ids, completion_share = add1(election, mes_ids)
    funded_ids = greedy(election, add1_ids) if voters else []
    greedy_ids = greedy(election) if voters else []
    rounds, bought, dropped = _mes_shares(election, allocation) if voters else ({}, {}, {})
    counts = approval_counts(approvals)
    explanations = []
    mes_set, add1_set, funded_set, greedy_set = (
        set(mes_ids),
        set(add1_ids),
        set(funded_ids),
        set(greedy_ids),
    )
    for work in sorted(works, key=lambda w: w.work_id):
        wid = work.work_id
        funded_by: FundedBy = (
            "mes"
            if wid in mes_set
            else "completion"
            if wid in add1_set
            else "fill"
            if wid in funded_set
            else "none"
        )
        reason: MesReason = (
            "bought" if wid in mes_set else "short_of_shares" if wid in dropped else "no_support"
        )
        explanations.append(
            WorkExplanation(
                work_id=wid,
                cost_fen=work.cost_fen,
                approvals=counts.get(wid, 0),
                mes=wid in mes_set,
                funded=wid in funded_set,
                greedy=wid in greedy_set,
                funded_by=funded_by,
                mes_reason=reason,
                mes_round=rounds.get(wid),
                supporters_shares=bought.get(wid, dropped.get(wid)),
            )
        )
    equal_share = Fraction(budget_fen, voters) if voters else Fraction(0)
    return ChoiceOutcome(
        mes_work_ids=mes_ids,
        funded_work_ids=funded_ids,
        greedy_work_ids=greedy_ids,
        explanations=explanations,
        voters=voters,
        equal_share=equal_share,
        completion_share=completion_share if voters else Fraction(0),
    )


def approval_counts(approvals: Sequence[Iterable[int]]) -> dict[int, int]:
    """How many owners approved each work."""
    counts: dict[int, int] = {}
    for ballot in approvals:
        for wid in set(ballot):
            counts[wid] = counts.get(wid, 0) + 1
    return counts


def total_cost(works: Mapping[int, int], work_ids: Iterable[int]) -> int:
    """The cost in fen of a set of works (``works``: work id → cost)."""
    return sum(works[w] for w in work_ids)
