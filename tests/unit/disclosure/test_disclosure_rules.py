"""The disclosure's arithmetic: the collection's parts add up to the ledger's balances, an
owner's lines are hers only, final figures come from the final accounts when approved."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from planner.disclosure import rules
from planner.disclosure.model import WorkFigures
from planner.funding.engine import SourceUse, WorkPlan
from planner.payments.ledger_model import BalanceOut
from planner.payments.ledger_rules import balance, totals
from planner.settlement.model import HouseholdSettlement, SourceSettlement, WorkSettlement

fen = st.integers(min_value=0, max_value=10**10)
lines = st.lists(st.tuples(fen, fen), max_size=40)


def _balances(pairs: list[tuple[int, int]]) -> list[BalanceOut]:
    return [balance(i + 1, due, paid, [], date(2026, 12, 4)) for i, (due, paid) in enumerate(pairs)]


@given(lines)
def test_collection_parts_add_up(pairs: list[tuple[int, int]]) -> None:
    c = rules.collection(pairs, None)
    # the same figures as the ledger's totals over its balances
    ledger = totals(_balances(pairs))
    assert (c.due_fen, c.collected_fen, c.households) == (
        ledger.due_fen,
        ledger.paid_fen,
        ledger.households,
    )
    assert c.households_in_arrears == ledger.in_arrears
    assert c.households == len(pairs)
    assert c.due_fen == sum(d for d, _ in pairs)
    assert c.collected_fen == sum(p for _, p in pairs)
    assert c.arrears_fen == sum(max(d - p, 0) for d, p in pairs)
    assert c.households_in_arrears == sum(1 for d, p in pairs if d > p)
    # what is owed minus what was overpaid is the whole balance
    overpaid = sum(max(p - d, 0) for d, p in pairs)
    assert c.arrears_fen - overpaid == c.due_fen - c.collected_fen
    assert c.refunds_due_fen is None and c.topups_due_fen is None


@given(lines, st.sets(st.integers(min_value=1, max_value=60), max_size=5))
def test_my_lines_are_mine_only(pairs: list[tuple[int, int]], own: set[int]) -> None:
    items = _balances(pairs)
    finals = [
        HouseholdSettlement(
            household_id=b.household_id,
            final_fen=b.due_fen,
            paid_fen=b.paid_fen,
            refund_fen=max(b.paid_fen - b.due_fen, 0),
            topup_fen=max(b.due_fen - b.paid_fen, 0),
        )
        for b in items
    ]
    mine = rules.my_lines(own, items, finals)
    assert {m.household_id for m in mine} == own & {b.household_id for b in items}
    c = rules.collection([(b.due_fen, b.paid_fen) for b in items], finals)
    assert c.refunds_due_fen is not None and c.topups_due_fen is not None
    assert c.topups_due_fen - c.refunds_due_fen == c.due_fen - c.collected_fen
    for m in mine:
        assert m.balance_fen == m.due_fen - m.paid_fen
        assert m.topup_fen is not None and m.refund_fen is not None
        assert m.topup_fen - m.refund_fen == m.balance_fen


def test_works_and_sources_prefer_the_final_accounts() -> None:
    planned = [
        WorkPlan(work_id=1, cost_fen=100, residents_fen=60, residents_share="0.6000",
                 sources=[], binding=[]),
        WorkPlan(work_id=2, cost_fen=50, residents_fen=50, residents_share="1.0000",
                 sources=[], binding=[]),
    ]  # fmt: skip
    figures = {
        1: WorkFigures(work_id=1, title="屋面", awarded_fen=90, variations_fen=15,
                       variations_count=2),
        2: WorkFigures(work_id=2, title="管道", awarded_fen=None, variations_fen=0,
                       variations_count=0),
    }  # fmt: skip
    before = rules.works(planned, figures, None)
    assert [w.final_cost_fen for w in before] == [105, None]
    after = rules.works(
        planned,
        figures,
        [
            WorkSettlement(work_id=1, title="屋面", planned_cost_fen=100, final_cost_fen=105),
            WorkSettlement(work_id=2, title="管道", planned_cost_fen=50, final_cost_fen=40),
        ],
    )
    assert [w.final_cost_fen for w in after] == [105, 40]
    used = [SourceUse(source_id=7, used_fen=40, budget_fen=60)]
    assert rules.sources(used, {7: "补贴"}, None)[0].unspent_fen is None
    [s] = rules.sources(
        used,
        {7: "补贴"},
        [SourceSettlement(source_id=7, name="补贴", planned_fen=40, final_fen=35, unspent_fen=5)],
    )
    assert (s.promised_fen, s.final_fen, s.unspent_fen) == (40, 35, 5)
