"""The pabutools side of a choice round: the election, MES, Add1 and the greedy methods.

Imported by :func:`planner.choice.rules.choose` on first use (pabutools, with pulp and numpy,
takes about a third of a second to import: not at the service's start-up). The method names,
tie-breaking and bounds are described in :mod:`planner.choice.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

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

from planner.choice.rules import BUDGET_BOUND, BUDGET_STEP, CandidateWork, project_name


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


def work_ids_of(allocation: Iterable[Any]) -> list[int]:
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
        ids = work_ids_of(outcome)
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
    return work_ids_of(
        greedy_utilitarian_welfare(
            election.instance,
            election.profile,
            sat_profile=election.sat_profile,
            is_sat_additive=True,
            tie_breaking=CHEAPER_THEN_ID,
            initial_budget_allocation=[election.projects[w] for w in start_ids],
        )
    )


def mes_shares(
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
