"""The collection ledger's use cases: record a payment, reverse an entry, read the ledger,
balances and arrears. Every change is one transaction and an event: ``ledger.entry`` /
``ledger.reversed`` for staff (with amounts) and ``ledger.changed`` for members (no amounts:
an owner's screen re-reads its own lines)."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

import asyncpg

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import BadRequest, Conflict, NotFound
from planner.estates.store import estate_name, estate_time_zone
from planner.events import append_event, event_now
from planner.funding.rules import owner_may_see_notice
from planner.funding.store import plan_estate, plan_in_force
from planner.localtime import zone
from planner.payments import ledger_store as store
from planner.payments.ledger_model import (
    ArrearsLine,
    ArrearsOut,
    BalanceOut,
    BalancesOut,
    BuildingTotal,
    EntryCreated,
    HouseholdLabel,
    LedgerEntry,
    LedgerEntryOut,
    LedgerPage,
    RecordEntry,
    ReverseEntry,
    Totals,
)
from planner.payments.ledger_rules import (
    PAGE_MAX,
    READ,
    RECORD,
    STAFF,
    balance,
    due_by,
    entry_out,
)


async def local_today(conn: asyncpg.Connection, estate_id: int) -> date:
    """Today's date in the estate's zone (the demo's story clock while it plays)."""
    return event_now().astimezone(zone(await estate_time_zone(conn, estate_id))).date()


async def approved_plan(
    conn: asyncpg.Connection, plan_id: int, principal: Principal
) -> store.PlanHead:
    """The plan in force, for the treasurer roles (409 ``plan_not_approved`` otherwise)."""
    record = await plan_head(conn, plan_id, principal, RECORD)
    if record.status != "approved":
        raise Conflict(
            "payments are recorded against the approved plan (the plan in force) only",
            "plan_not_approved",
            {"status": record.status},
        )
    return record


async def post_entry(
    conn: asyncpg.Connection,
    record: store.PlanHead,
    principal: Principal,
    *,
    household_id: int,
    amount_fen: int,
    channel: str,
    receipt_no: str | None,
    paid_on: date,
    note: str = "",
    kind: str = "payment",
    bank_tx_id: str | None = None,
) -> int:
    """Append one entry against ``record`` (checked by the caller) and tell staff and
    members; 409 ``receipt_no_taken`` when the receipt number or bank transaction id is
    already in the estate's ledger."""
    entry_id = await store.insert_entry(
        conn,
        estate_id=record.estate_id,
        plan_id=record.id,
        household_id=household_id,
        kind=kind,
        amount_fen=amount_fen,
        channel=channel,
        receipt_no=receipt_no,
        paid_on=paid_on,
        note=note,
        bank_tx_id=bank_tx_id,
        recorded_by=principal.member_id,
    )
    if entry_id is None:
        raise Conflict(
            f"receipt number {receipt_no} is already in the ledger",
            "receipt_no_taken",
            {"receipt_no": receipt_no or bank_tx_id or ""},
        )
    await _announce(
        conn,
        record.estate_id,
        "ledger.entry",
        {
            "entry_id": entry_id,
            "plan_id": record.id,
            "household_id": household_id,
            "kind": kind,
            "amount_fen": amount_fen,
            "channel": channel,
            "receipt_no": receipt_no,
            "paid_on": paid_on.isoformat(),
        },
        principal,
    )
    return entry_id


async def _announce(
    conn: asyncpg.Connection, estate_id: int, type_: str, data: dict[str, Any], principal: Principal
) -> None:
    await append_event(
        conn,
        estate_id=estate_id,
        type=type_,
        data=data,
        actor_id=principal.member_id,
        audience="staff",
    )
    await append_event(
        conn,
        estate_id=estate_id,
        type="ledger.changed",
        data={"plan_id": data["plan_id"]},
        actor_id=principal.member_id,
        audience="members",
    )


async def record_entry(
    db: Database, plan_id: int, data: RecordEntry, principal: Principal
) -> EntryCreated:
    """A sum received from a household of the plan in force (treasurer, admin)."""
    async with db.transaction() as conn:
        record = await approved_plan(conn, plan_id, principal)
        if data.household_id not in await amounts_of(conn, record):
            raise NotFound("household")
        today = await local_today(conn, record.estate_id)
        if data.paid_on > today:
            raise BadRequest(
                "paid_on",
                f"{data.paid_on} is after today ({today})",
                "date_in_future",
                {"today": today.isoformat()},
            )
        if await store.receipt_taken(conn, record.estate_id, data.receipt_no):
            raise Conflict(
                f"receipt number {data.receipt_no} is already in the ledger",
                "receipt_no_taken",
                {"receipt_no": data.receipt_no},
            )
        entry_id = await post_entry(
            conn,
            record,
            principal,
            household_id=data.household_id,
            amount_fen=data.amount_fen,
            channel=data.channel,
            receipt_no=data.receipt_no,
            paid_on=data.paid_on,
            note=data.note,
        )
    return EntryCreated(entry_id=entry_id)


async def reverse_entry(
    db: Database, entry_id: int, data: ReverseEntry, principal: Principal
) -> EntryCreated:
    """A reversing entry (minus the amount, the reason) against the plan in force; an entry
    is reversed at most once (409 ``entry_already_reversed``), a reversal never (409
    ``reversal_not_reversible``)."""
    async with db.transaction() as conn:
        entry = await store.get_entry(conn, entry_id)
        if entry is None:
            raise NotFound("ledger entry")
        authorize(principal, entry.estate_id, RECORD, what="ledger entry")
        if entry.kind == "reversal":
            raise Conflict(
                "a reversal cannot be reversed; record a new payment instead",
                "reversal_not_reversible",
                {"entry_id": entry_id},
            )
        if entry.reversed_by_entry_id is not None:
            raise Conflict(
                f"entry {entry_id} was reversed already",
                "entry_already_reversed",
                {"entry_id": entry_id, "by": entry.reversed_by_entry_id},
            )
        in_force = await plan_in_force(conn, entry.estate_id)
        plan_id = in_force.id if in_force else entry.plan_id
        today = await local_today(conn, entry.estate_id)
        new_id = await store.insert_entry(
            conn,
            estate_id=entry.estate_id,
            plan_id=plan_id,
            household_id=entry.household_id,
            kind="reversal",
            amount_fen=-entry.amount_fen,
            channel=entry.channel,
            paid_on=today,
            reverses_entry_id=entry_id,
            reason=data.reason,
            recorded_by=principal.member_id,
        )
        if new_id is None:
            raise Conflict(
                f"entry {entry_id} was reversed already",
                "entry_already_reversed",
                {"entry_id": entry_id, "by": 0},
            )
        await _announce(
            conn,
            entry.estate_id,
            "ledger.reversed",
            {
                "entry_id": new_id,
                "reverses_entry_id": entry_id,
                "plan_id": plan_id,
                "household_id": entry.household_id,
                "amount_fen": -entry.amount_fen,
                "reason": data.reason,
            },
            principal,
        )
    return EntryCreated(entry_id=new_id)


_AMOUNTS: OrderedDict[tuple[int, int, int, datetime], dict[int, int]] = OrderedDict()
_AMOUNTS_KEPT = 16


async def amounts_of(conn: asyncpg.Connection, plan: store.PlanHead) -> dict[int, int]:
    """The plan's amount per household, cached per process (a solved result is immutable;
    the key holds the version's estate, number and creation time, so another database's
    plan of the same id is never taken for it)."""
    key = (plan.id, plan.estate_id, plan.version, plan.created_at)
    found = _AMOUNTS.get(key)
    if found is None:
        found = await store.plan_amounts(conn, plan.id)
        _AMOUNTS[key] = found
        while len(_AMOUNTS) > _AMOUNTS_KEPT:
            _AMOUNTS.popitem(last=False)
    else:
        _AMOUNTS.move_to_end(key)
    return found


async def plan_head(
    conn: asyncpg.Connection, plan_id: int, principal: Principal, roles: tuple[str, ...]
) -> store.PlanHead:
    """As ``solved_plan`` without reading the figures: 404 none or another estate's, 403 for
    other roles, 409 ``plan_failed``."""
    head = await store.plan_head(conn, plan_id)
    if head is None:
        raise NotFound("funding plan")
    authorize(principal, head.estate_id, roles, what="funding plan")
    if not head.solved:
        raise Conflict(
            f"plan version {head.version} failed; it has nothing to export",
            "plan_failed",
            {"version": head.version},
        )
    return head


async def readable_plan(
    conn: asyncpg.Connection, plan_id: int, principal: Principal
) -> store.PlanHead:
    """The plan for READ roles; an owner only the plan her notices come from (else 404)."""
    record = await plan_head(conn, plan_id, principal, READ)
    if principal.role == "owner":
        in_force = await plan_in_force(conn, record.estate_id)
        if not owner_may_see_notice(record.status, in_force is not None):
            raise NotFound("funding plan")
    return record


def mine(principal: Principal) -> set[int] | None:
    return set(principal.household_ids) if principal.role == "owner" else None


async def ledger_page(
    db: Database,
    plan_id: int,
    principal: Principal,
    household_id: int | None,
    after: int,
    limit: int,
    before: int | None = None,
) -> LedgerPage:
    """The plan's entries (with those of its earlier versions) in id order, paged (with
    ``before``: newest first below that id)."""
    limit = max(1, min(limit, PAGE_MAX))
    async with db.connection() as conn:
        await readable_plan(conn, plan_id, principal)
        own = mine(principal)
        ids: list[int] | None = None
        if own is not None:
            ids = sorted(own if household_id is None else own & {household_id})
        elif household_id is not None:
            ids = [household_id]
        found = await store.entries(conn, plan_id, ids, after, limit + 1, before)
    items = [entry_out(e) for e in found[:limit]]
    more = len(found) > limit
    if before is not None:
        return LedgerPage(
            items=items, next_after=None, next_before=items[-1].entry_id if more else None
        )
    return LedgerPage(items=items, next_after=items[-1].entry_id if more else None)


async def all_entries(conn: asyncpg.Connection, plan_id: int) -> list[LedgerEntry]:
    out: list[LedgerEntry] = []
    after = 0
    while True:
        page = await store.entries(conn, plan_id, None, after, 10_000)
        out.extend(page)
        if len(page) < 10_000:
            return out
        after = page[-1].id


async def compute_balances(
    conn: asyncpg.Connection,
    record: store.PlanHead,
    own: set[int] | None,
    building_id: int | None = None,
) -> tuple[list[BalanceOut], dict[int, HouseholdLabel], date]:
    """Balances of the plan's households (``own``: only those; ``building_id``: only that
    building's)."""
    amounts = await amounts_of(conn, record)
    ids = None if own is None else sorted(own & set(amounts))
    labels, paid = await store.standing(conn, record.id, ids, building_id)
    schedule = await store.instalments(conn, record.id)
    today = await local_today(conn, record.estate_id)
    # a household of the plan no longer in the register still owes (no label) unless the
    # request is for one building
    items = [
        balance(hid, due, paid.get(hid, 0), schedule, today, labels.get(hid))
        for hid, due in amounts.items()
        if hid in labels or (building_id is None and (own is None or hid in own))
    ]
    return items, labels, today


BALANCES_DEFAULT = 500
BALANCES_MAX = 5000


class _Standing:
    """A plan's households (ascending ids) with due and paid, for one state of its
    lineage's entries (their count and highest id); derived orders per register state."""

    def __init__(self, amounts: dict[int, int], paid: dict[int, int], mark: tuple[int, int]):
        self.mark = mark
        self.paid = paid
        self.amounts = amounts
        self.ids = sorted(amounts)
        self._derived: dict[str, Any] = {}

    def balance_of(self, hid: int) -> int:
        return self.amounts[hid] - self.paid.get(hid, 0)

    def totals(self, ids: list[int]) -> Totals:
        due = sum(self.amounts[h] for h in ids)
        paid = sum(self.paid.get(h, 0) for h in ids)
        return Totals(
            households=len(ids),
            due_fen=due,
            paid_fen=paid,
            balance_fen=due - paid,
            in_arrears=sum(1 for h in ids if self.balance_of(h) > 0),
        )

    def derived(self, register: _Register) -> dict[str, Any]:
        """Per building totals and the arrears order (by building, unit, id) for a state
        of the register, computed once."""
        found: dict[str, Any] | None = self._derived.get(register.mark)
        if found is not None:
            return found
        labels = register.labels
        groups: dict[int, list[int]] = {}
        for h in self.ids:
            label = labels.get(h)
            if label is not None:
                groups.setdefault(label.building_id, []).append(h)
        names = register.building_names
        buildings = []
        for key in sorted(groups, key=lambda k: (names.get(k, ""), k)):
            t = self.totals(groups[key])
            buildings.append(
                BuildingTotal(
                    building_id=key,
                    building=names.get(key, ""),
                    households=t.households,
                    due_fen=t.due_fen,
                    paid_fen=t.paid_fen,
                    balance_fen=t.balance_fen,
                    in_arrears=t.in_arrears,
                )
            )
        owing = sorted(
            (
                (labels[h].building, labels[h].unit, h)
                for h in self.ids
                if h in labels and self.balance_of(h) > 0
            ),
        )
        found = {"buildings": buildings, "owing": owing, "by_building": groups}
        self._derived = {register.mark: found}
        return found


class _Register:
    """The estate's households' labels for one fingerprint of its register."""

    def __init__(self, mark: str, labels: dict[int, HouseholdLabel]):
        self.mark = mark
        self.labels = labels
        self.building_names = {x.building_id: x.building for x in labels.values()}


_REGISTERS: OrderedDict[tuple[int, str], _Register] = OrderedDict()


async def register_of(conn: asyncpg.Connection, estate_id: int) -> _Register:
    """The estate's labels, kept per process while the register's fingerprint holds."""
    mark = await store.register_mark(conn, estate_id)
    key = (estate_id, mark)
    found = _REGISTERS.get(key)
    if found is None:
        found = _Register(mark, await store.household_labels(conn, estate_id))
        _REGISTERS[key] = found
        while len(_REGISTERS) > _AMOUNTS_KEPT:
            _REGISTERS.popitem(last=False)
    else:
        _REGISTERS.move_to_end(key)
    return found


_STANDING: OrderedDict[tuple[int, int, int, datetime], _Standing] = OrderedDict()


async def standing_of(conn: asyncpg.Connection, plan: store.PlanHead) -> _Standing:
    """Due and paid of every household of the plan, kept per process and brought up to date
    from the entries appended since (the table is append-only: the count of the lineage's
    entries tells whether anything was added; added entries below the highest id seen
    (commits out of order) make it read every sum again)."""
    key = (plan.id, plan.estate_id, plan.version, plan.created_at)
    mark = await store.lineage_mark(conn, plan.id)
    found = _STANDING.get(key)
    if found is not None and found.mark == mark:
        _STANDING.move_to_end(key)
        return found
    amounts = await amounts_of(conn, plan)
    paid: dict[int, int] | None = None
    if found is not None and mark[0] > found.mark[0]:
        added, count = await store.paid_since(conn, plan.id, found.mark[1])
        if len(added) == count - found.mark[0]:
            paid = dict(found.paid)
            for _, hid, fen in added:
                paid[hid] = paid.get(hid, 0) + fen
            mark = (count, max([found.mark[1], *(i for i, _, _ in added)]))
    if paid is None:
        paid, mark = await store.paid_and_mark(conn, plan.id)
    fresh = _Standing(amounts, paid, mark)
    _STANDING[key] = fresh
    _STANDING.move_to_end(key)
    while len(_STANDING) > _AMOUNTS_KEPT:
        _STANDING.popitem(last=False)
    return fresh


def _page_limit(limit: int | None) -> int | None:
    return None if limit is None else max(1, min(limit, BALANCES_MAX))


async def balances(
    db: Database,
    plan_id: int,
    principal: Principal,
    by: str | None,
    building_id: int | None = None,
    after: int = 0,
    limit: int | None = None,
) -> BalancesOut:
    """Due, paid and balance per household (owners: their own) in household id order after
    ``after``, at most ``limit`` (None: all; ≤ 5,000), ``next_after`` pages on; totals of
    the whole plan (or the building); ``by=building`` adds totals per building (staff);
    ``building_id``: one building's rows and totals. Due and paid per household
    (``standing_of``) and labels (``register_of``) are kept per process while the ledger's
    entries and the register stay as they are (two small queries tell)."""
    size = _page_limit(limit)
    async with db.connection() as conn:
        record = await readable_plan(conn, plan_id, principal)
        own = mine(principal)
        std = await standing_of(conn, record)
        register = await register_of(conn, record.estate_id)
        if building_id is not None:
            ids = [
                h
                for h in std.derived(register)["by_building"].get(building_id, [])
                if own is None or h in own
            ]
        elif own is not None:
            ids = [h for h in std.ids if h in own]
        else:
            ids = std.ids
        start = bisect_right(ids, after)
        stop = len(ids) if size is None else min(len(ids), start + size)
        page = ids[start:stop]
        schedule = await store.instalments(conn, record.id) if page else []
        today = await local_today(conn, record.estate_id)
    if building_id is None and own is None:
        total = std.derived(register).get("totals")
        if total is None:
            total = std.derived(register)["totals"] = std.totals(ids)
    else:
        total = std.totals(ids)
    labels = register.labels
    items = [
        balance(h, std.amounts[h], std.paid.get(h, 0), schedule, today, labels.get(h)) for h in page
    ]
    return BalancesOut(
        plan_id=plan_id,
        items=items,
        totals=total,
        buildings=std.derived(register)["buildings"] if by == "building" and own is None else None,
        next_after=page[-1] if stop < len(ids) and page else None,
    )


async def arrears_of(
    db: Database,
    plan_id: int,
    principal: Principal,
    building_id: int | None,
    after: int | None = None,
    limit: int | None = None,
) -> ArrearsOut:
    """Households still owing, by building and unit (staff): after the household ``after``
    in that order, at most ``limit`` (None: all; ≤ 5,000), ``next_after`` pages on;
    ``total_fen`` of all of them (or the building's)."""
    size = _page_limit(limit)
    async with db.connection() as conn:
        record = await plan_head(conn, plan_id, principal, STAFF)
        std = await standing_of(conn, record)
        register = await register_of(conn, record.estate_id)
        schedule = await store.instalments(conn, record.id)
        today = await local_today(conn, record.estate_id)
    labels = register.labels
    owing: list[tuple[str, str, int]] = std.derived(register)["owing"]
    if building_id is not None:
        key = f"owing:{building_id}"
        found = std.derived(register).get(key)
        if found is None:
            found = [o for o in owing if labels[o[2]].building_id == building_id]
            std.derived(register)[key] = found
        owing = found
    total_key = f"owing_total:{building_id}"
    total = std.derived(register).get(total_key)
    if total is None:
        total = std.derived(register)[total_key] = sum(std.balance_of(o[2]) for o in owing)
    start = 0
    if after is not None:
        mark = labels.get(after)
        start = (
            len(owing) if mark is None else bisect_right(owing, (mark.building, mark.unit, after))
        )
    stop = len(owing) if size is None else min(len(owing), start + size)
    lines = []
    for _, _, h in owing[start:stop]:
        label = labels[h]
        due, paid = std.amounts[h], std.paid.get(h, 0)
        lines.append(
            ArrearsLine(
                household_id=h,
                building_id=label.building_id,
                building=label.building,
                unit=label.unit,
                owner_name=label.owner_name,
                due_fen=due,
                paid_fen=paid,
                balance_fen=due - paid,
                overdue_fen=max(due_by(due, schedule, today) - paid, 0),
            )
        )
    return ArrearsOut(
        plan_id=plan_id,
        items=lines,
        total_fen=total,
        next_after=lines[-1].household_id if stop < len(owing) and lines else None,
    )


async def readable_entry(
    conn: asyncpg.Connection, entry_id: int, principal: Principal
) -> LedgerEntryOut:
    """One entry: staff any of their estate's, an owner only her households' (else 404)."""
    entry = await store.get_entry(conn, entry_id)
    if entry is None:
        raise NotFound("ledger entry")
    authorize(principal, entry.estate_id, READ, what="ledger entry")
    if principal.role == "owner" and entry.household_id not in principal.household_ids:
        raise NotFound("ledger entry")
    return entry_out(entry)


async def entry_estate(conn: asyncpg.Connection, entry_id: int) -> int:
    entry = await store.get_entry(conn, entry_id)
    assert entry is not None
    return entry.estate_id


async def receipt_no_of(conn: asyncpg.Connection, entry_id: int) -> str | None:
    entry = await store.get_entry(conn, entry_id)
    return entry.receipt_no if entry else None


async def plan_estate_id(conn: asyncpg.Connection, plan_id: int) -> int:
    found = await plan_estate(conn, plan_id)
    assert found is not None
    return found[0]


async def export_entries(
    db: Database, plan_id: int, principal: Principal
) -> tuple[list[LedgerEntryOut], str]:
    """Every entry of the plan and its earlier versions (staff), and a title line."""
    async with db.connection() as conn:
        record = await plan_head(conn, plan_id, principal, STAFF)
        found = await all_entries(conn, plan_id)
        estate = await estate_name(conn, record.estate_id) or ""
    return [entry_out(e) for e in found], f"{estate} · v{record.version}"
