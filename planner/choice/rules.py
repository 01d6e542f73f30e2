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
from typing import Literal

import msgspec

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


def choose(
    works: Sequence[CandidateWork], budget_fen: int, approvals: Sequence[Iterable[int]]
) -> ChoiceOutcome:
    """The three methods and the explanations for one round (pure, deterministic)."""
    # here, not at module level: pabutools (with pulp and numpy) takes a third of a second to
    # import, and the service imports this module at start-up but runs a round seldom
    from planner.choice.equal_shares import (
        add1,
        build_election,
        greedy,
        mes,
        mes_shares,
        work_ids_of,
    )

    election = build_election(works, budget_fen, approvals)
    voters = election.profile.num_ballots()
    allocation = mes(election, analytics=True)
    mes_ids = work_ids_of(allocation)
    add1_ids, completion_share = add1(election, mes_ids)
    funded_ids = greedy(election, add1_ids) if voters else []
    greedy_ids = greedy(election) if voters else []
    rounds, bought, dropped = mes_shares(election, allocation) if voters else ({}, {}, {})
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
