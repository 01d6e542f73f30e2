"""The disclosure's arithmetic (pure): the plan's and the final accounts' figures per work
and per source, and the collection's aggregates from the ledger's balances.

Parts add up: ``collected = Σ paid``, ``due = Σ due``, ``arrears = Σ max(balance, 0)``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from planner.access.guards import MANAGERS, MEMBERS
from planner.disclosure.model import (
    Collection,
    DisclosedSource,
    DisclosedWork,
    MyLine,
    WorkFigures,
)
from planner.funding.engine import SourceUse, WorkPlan
from planner.payments.ledger_model import BalanceOut
from planner.settlement.model import HouseholdSettlement, SourceSettlement, WorkSettlement

#: who reads the disclosure: every role but supplier and partner
READ = MEMBERS
#: who publishes it (the public link and the printed notice)
PUBLISH = MANAGERS


def collection(
    pairs: Iterable[tuple[int, int]], final_households: Sequence[HouseholdSettlement] | None
) -> Collection:
    """From each household of the plan's (due, paid): sums, arrears (positive balances)."""
    rows = list(pairs)
    owing = [due - paid for due, paid in rows if due > paid]
    return Collection(
        households=len(rows),
        due_fen=sum(due for due, _ in rows),
        collected_fen=sum(paid for _, paid in rows),
        arrears_fen=sum(owing),
        households_in_arrears=len(owing),
        refunds_due_fen=None
        if final_households is None
        else sum(h.refund_fen for h in final_households),
        topups_due_fen=None
        if final_households is None
        else sum(h.topup_fen for h in final_households),
    )


def works(
    planned: Sequence[WorkPlan],
    figures: Mapping[int, WorkFigures],
    final_works: Sequence[WorkSettlement] | None,
) -> list[DisclosedWork]:
    """The plan's works in plan order: estimate, award, approved variations and final cost
    (the final accounts' when approved, else award + variations)."""
    finals = {w.work_id: w.final_cost_fen for w in final_works or ()}
    out = []
    for w in planned:
        f = figures.get(w.work_id)
        awarded = f.awarded_fen if f else None
        variations = f.variations_fen if f else 0
        final = finals.get(w.work_id)
        if final is None and awarded is not None:
            final = awarded + variations
        out.append(
            DisclosedWork(
                work_id=w.work_id,
                title=f.title if f else "",
                estimate_fen=w.cost_fen,
                awarded_fen=awarded,
                variations_fen=variations,
                variations_count=f.variations_count if f else 0,
                final_cost_fen=final,
            )
        )
    return out


def sources(
    planned: Sequence[SourceUse],
    names: Mapping[int, str],
    final_sources: Sequence[SourceSettlement] | None,
) -> list[DisclosedSource]:
    finals = {s.source_id: s for s in final_sources or ()}
    out = []
    for s in planned:
        f = finals.get(s.source_id)
        out.append(
            DisclosedSource(
                source_id=s.source_id,
                name=names.get(s.source_id, f.name if f else ""),
                promised_fen=s.used_fen,
                final_fen=f.final_fen if f else None,
                unspent_fen=(s.used_fen - f.final_fen) if f else None,
            )
        )
    return out


def my_lines(
    own: Iterable[int],
    items: Iterable[BalanceOut],
    final_households: Sequence[HouseholdSettlement] | None,
) -> list[MyLine]:
    """The owner's households only (a household of hers not in the plan is left out)."""
    mine = set(own)
    finals = {h.household_id: h for h in final_households or () if h.household_id in mine}
    out = []
    for r in items:
        if r.household_id not in mine:
            continue
        f = finals.get(r.household_id)
        out.append(
            MyLine(
                household_id=r.household_id,
                building=r.building,
                unit=r.unit,
                due_fen=r.due_fen,
                paid_fen=r.paid_fen,
                balance_fen=r.balance_fen,
                final_fen=f.final_fen if f else None,
                refund_fen=f.refund_fen if f else None,
                topup_fen=f.topup_fen if f else None,
            )
        )
    return sorted(out, key=lambda m: (m.building or "", m.unit or "", m.household_id))
