"""The demo's equal-shares round (issue 18): approvals designed so that equal shares funds
exactly the works the funding plan covers while "most votes" funds a different set, played
through the HTTP API (create, open, approve online and on paper, close).

The lead wires it into the story; this module only needs Callers::

    result = await play_choice_round(
        committee,                       # a Caller of the estate's committee (or admin)
        estate_id,
        works={"lift": (work_id, estimate_fen), ...},   # the candidate works of the round
        required={"lift", ...},          # the keys equal shares must fund (the public works)
        owners=[(caller, household_ids), ...],          # one entry per owner (person)
        budget_fen=...,
    )
    # → {"round_id", "approvals", "result": the close's answer}

Every work must be ``candidate`` or ``proposed`` with an estimate (the round snapshots the
estimates); the owners must be distinct persons (units sharing an owner key are one owner).

How the approvals are designed (``design_approvals``, pure, fixed seed): the owners are
shuffled. A "decoy" is a work outside the required set that costs more than the money left
once the required works are bought (so neither the completion nor its greedy fill can add
it) and no more than the budget. A block of owners approves the decoy together with a subset
of the required works: their shares buy those works but not the decoy. Each other required
work gets a group of its own supporters just large enough for their equal shares to buy it,
approving only it; the block outnumbers every group, so "most votes" funds the block's works
and the decoy first and then runs out of money for a required work. Owners left over approve
nothing (they still count: their shares go unspent). The decoy, the block's subset and the
sizes are searched in a fixed order and each design is checked with
``planner.choice.rules.choose`` before anything is played; when no design fits the numbers a
``ValueError`` says so (``suggest_budget`` finds the smallest budget from the required works'
cost up for which one does). One owner in ten is entered on paper by the committee (sheet
``CR-<n>``, for the owner's first household), the others approve on their phones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping, Sequence
from itertools import combinations
from typing import Any

from planner.choice.rules import CandidateWork, choose
from planner.demo.client import Caller, DemoLoadError

SEED = 18
TITLE = "2026年改造项目选择（等额份额法）"
PAPER_EVERY = 10


def _check(
    works: Mapping[str, tuple[int, int]], need: set[str], budget_fen: int, sets: list[set[str]]
) -> bool:
    """Whether equal shares funds exactly ``need`` and most votes something else."""
    ids = {key: w_id for key, (w_id, _) in works.items()}
    outcome = choose(
        [CandidateWork(w_id, cost) for w_id, cost in works.values()],
        budget_fen,
        [{ids[k] for k in s} for s in sets],
    )
    wanted = sorted(ids[k] for k in need)
    return outcome.funded_work_ids == wanted and outcome.greedy_work_ids != wanted


def design_approvals(
    works: Mapping[str, tuple[int, int]],
    required: Collection[str],
    owners: int,
    budget_fen: int,
    seed: int = SEED,
) -> list[set[str]]:
    """One approval set (work keys) per owner, in the owners' given order; ``ValueError``
    when no design of this shape fits the numbers (see the module's docstring)."""
    need = set(required)
    unknown = need - works.keys()
    if unknown:
        raise ValueError(f"required works not in the round: {sorted(unknown)}")
    if owners < 1 or budget_fen < 1:
        raise ValueError("a round needs owners and a budget")
    cost = {key: c for key, (_, c) in works.items()}
    share = budget_fen / owners  # only to size the groups; the check below is exact
    leftover = budget_fen - sum(cost[k] for k in need)
    decoys = sorted(
        (cost[k], k) for k in works if k not in need and leftover < cost[k] <= budget_fen
    )
    order = list(range(owners))
    random.Random(seed).shuffle(order)  # noqa: S311 - a fixed demo story, not a secret
    for _, decoy in decoys:
        for size in range(len(need) + 1):
            for block_works in combinations(sorted(need), size):
                if cost[decoy] > budget_fen - sum(cost[k] for k in block_works):
                    continue  # most votes could not fund the decoy after the block's works
                groups = {k: math.ceil(cost[k] / share) for k in sorted(need - set(block_works))}
                block = max([math.ceil(sum(cost[k] for k in block_works) / share), 1])
                block = max([block, *(g + 1 for g in groups.values())])
                if block * share >= cost[decoy] or block + sum(groups.values()) > owners:
                    continue
                sets: list[set[str]] = [set() for _ in range(owners)]
                at = 0
                for key, group in groups.items():
                    for index in order[at : at + group]:
                        sets[index] = {key}
                    at += group
                for index in order[at : at + block]:
                    sets[index] = {*block_works, decoy}
                if _check(works, need, budget_fen, sets):
                    return sets
    raise ValueError(
        "no design: equal shares cannot fund exactly the required works while most votes"
        " funds others with these costs, owners and budget (another work must cost more than"
        f" the {leftover} fen left after the required works; try another budget:"
        " suggest_budget)"
    )


def suggest_budget(
    works: Mapping[str, tuple[int, int]], required: Collection[str], owners: int
) -> int | None:
    """The smallest budget (from the required works' cost up, in steps of 1 %, up to twice it)
    for which ``design_approvals`` finds a design; ``None`` if none does."""
    base = sum(works[k][1] for k in required)
    for pct in range(100, 201):
        budget = base * pct // 100
        try:
            design_approvals(works, required, owners, budget)
        except ValueError:
            continue
        return budget
    return None


async def play_choice_round(
    committee: Caller,
    estate_id: int,
    works: Mapping[str, tuple[int, int]],
    required: Collection[str],
    owners: Sequence[tuple[Caller, Sequence[int]]],
    budget_fen: int,
    *,
    title: str = TITLE,
    seed: int = SEED,
) -> dict[str, Any]:
    """Create, open, approve (phones and paper sheets) and close one round; returns
    ``{"round_id", "approvals", "result"}``. Raises ``DemoLoadError`` if the service's result
    is not the designed one."""
    sets = design_approvals(works, required, len(owners), budget_fen, seed)
    ids = {key: w_id for key, (w_id, _) in works.items()}
    created = await committee.post(
        f"/api/estates/{estate_id}/choice-rounds",
        {"title": title, "budget_fen": budget_fen, "work_ids": sorted(ids.values())},
    )
    round_id = int(created["id"])
    await committee.post(f"/api/choice-rounds/{round_id}/open")
    for n, ((caller, household_ids), keys) in enumerate(zip(owners, sets, strict=True)):
        work_ids = sorted(ids[k] for k in keys)
        if n % PAPER_EVERY == PAPER_EVERY - 1 and household_ids:
            await committee.post(
                f"/api/choice-rounds/{round_id}/paper-approvals",
                {"household_id": household_ids[0], "work_ids": work_ids, "sheet_no": f"CR-{n + 1}"},
            )
        else:
            await caller.post(f"/api/choice-rounds/{round_id}/approvals", {"work_ids": work_ids})
    result = await committee.post(f"/api/choice-rounds/{round_id}/close")
    wanted = sorted(ids[k] for k in required)
    if result["funded_work_ids"] != wanted or result["greedy_work_ids"] == wanted:
        raise DemoLoadError(f"choice round {round_id}: funded {result['funded_work_ids']}")
    return {"round_id": round_id, "approvals": len(sets), "result": result}
