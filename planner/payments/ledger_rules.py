"""The collection ledger's rules, pure: who may do what, balances, instalments, arrears.

Instalments: a schedule ``[{due_date, share | amount_fen}]`` (sorted by date). What is due
by a day is cumulative: ``min(due, floor(due × shares so far) + amounts so far)``, and the
last instalment always completes the whole amount, so the parts add up to ``due`` exactly.
With no schedule everything is due now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from planner.payments.ledger_model import (
    ArrearsLine,
    BalanceOut,
    BuildingTotal,
    HouseholdLabel,
    LedgerEntry,
    LedgerEntryOut,
    Totals,
)

RECORD = ("admin", "treasurer")
# owners read their own households' lines only
READ = ("admin", "committee", "owner", "treasurer")
STAFF = ("admin", "committee", "treasurer")
PAGE_MAX = 1000


def entry_out(e: LedgerEntry) -> LedgerEntryOut:
    return LedgerEntryOut(
        entry_id=e.id,
        plan_id=e.plan_id,
        plan_version=e.plan_version,
        household_id=e.household_id,
        building_id=e.building_id,
        building=e.building,
        unit=e.unit,
        kind=e.kind,
        amount_fen=e.amount_fen,
        channel=e.channel,
        receipt_no=e.receipt_no,
        paid_on=e.paid_on,
        note=e.note,
        reverses_entry_id=e.reverses_entry_id,
        reversed_by_entry_id=e.reversed_by_entry_id,
        reason=e.reason,
        bank_tx_id=e.bank_tx_id,
        recorded_by=e.recorded_by,
        recorded_at=e.recorded_at,
    )


def schedule_parts(due_fen: int, schedule: Sequence[Mapping[str, Any]]) -> list[tuple[date, int]]:
    """Each instalment's (due date, fen); the parts add up to ``due_fen`` exactly."""
    items = sorted(schedule, key=lambda i: str(i["due_date"]))
    parts: list[tuple[date, int]] = []
    share = Decimal(0)
    amounts = 0
    before = 0
    for n, item in enumerate(items):
        if item.get("share") is not None:
            share += Decimal(str(item["share"]))
        else:
            amounts += int(item.get("amount_fen") or 0)
        cumulative = int((Decimal(due_fen) * share).to_integral_value(ROUND_FLOOR)) + amounts
        cumulative = max(min(cumulative, due_fen), before)
        if n == len(items) - 1:
            cumulative = due_fen
        day = item["due_date"]
        parts.append(
            (day if isinstance(day, date) else date.fromisoformat(day), cumulative - before)
        )
        before = cumulative
    return parts


def due_by(due_fen: int, schedule: Sequence[Mapping[str, Any]], today: date) -> int:
    """What the schedule asks by ``today`` (no schedule: everything)."""
    if not schedule or due_fen <= 0:
        return max(due_fen, 0)
    return sum(fen for day, fen in schedule_parts(due_fen, schedule) if day <= today)


def balance(
    household_id: int,
    due_fen: int,
    paid_fen: int,
    schedule: Sequence[Mapping[str, Any]],
    today: date,
    label: HouseholdLabel | None = None,
) -> BalanceOut:
    now = due_by(due_fen, schedule, today)
    overdue = max(now - paid_fen, 0)
    return BalanceOut(
        household_id=household_id,
        due_fen=due_fen,
        paid_fen=paid_fen,
        balance_fen=due_fen - paid_fen,
        due_now_fen=now,
        overdue_fen=overdue,
        overdue=overdue > 0,
        building_id=label.building_id if label else None,
        building=label.building if label else None,
        unit=label.unit if label else None,
    )


def totals(items: Iterable[BalanceOut]) -> Totals:
    rows = list(items)
    return Totals(
        households=len(rows),
        due_fen=sum(r.due_fen for r in rows),
        paid_fen=sum(r.paid_fen for r in rows),
        balance_fen=sum(r.balance_fen for r in rows),
        in_arrears=sum(1 for r in rows if r.balance_fen > 0),
    )


def building_totals(items: Iterable[BalanceOut]) -> list[BuildingTotal]:
    groups: dict[int, list[BalanceOut]] = {}
    names: dict[int, str] = {}
    for r in items:
        key = r.building_id or 0
        groups.setdefault(key, []).append(r)
        names[key] = r.building or ""
    out = []
    for key in sorted(groups, key=lambda k: (names[k], k)):
        t = totals(groups[key])
        out.append(
            BuildingTotal(
                building_id=key,
                building=names[key],
                households=t.households,
                due_fen=t.due_fen,
                paid_fen=t.paid_fen,
                balance_fen=t.balance_fen,
                in_arrears=t.in_arrears,
            )
        )
    return out


def arrears(
    items: Iterable[BalanceOut], labels: Mapping[int, HouseholdLabel], building_id: int | None
) -> list[ArrearsLine]:
    """Households still owing (balance > 0), by building then unit."""
    out = []
    for r in items:
        label = labels.get(r.household_id)
        if r.balance_fen <= 0 or label is None:
            continue
        if building_id is not None and label.building_id != building_id:
            continue
        out.append(
            ArrearsLine(
                household_id=r.household_id,
                building_id=label.building_id,
                building=label.building,
                unit=label.unit,
                owner_name=label.owner_name,
                due_fen=r.due_fen,
                paid_fen=r.paid_fen,
                balance_fen=r.balance_fen,
                overdue_fen=r.overdue_fen,
            )
        )
    return sorted(out, key=lambda a: (a.building, a.unit, a.household_id))
