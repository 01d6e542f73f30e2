"""Bank statements' use cases: import (parse, match, post), read, assign an open line.

An import is one transaction: a malformed file posts nothing (400 ``bank_csv_invalid`` with
every faulty line); matched lines become ledger entries (channel bank_transfer, the bank's
transaction id as receipt number and ``bank_tx_id``: unique per estate, so a re-imported or
overlapping file never posts a line twice — those lines are ``duplicate``). Matching uses the
balances as they stood before the import. Events: one ``ledger.bank_import`` for staff (with
totals) and ``ledger.changed`` for members; an assigned line is an ordinary ``ledger.entry``.
"""

from __future__ import annotations

from datetime import datetime

from planner.access.guards import authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import Conflict, NotFound, PlannerError, field_error
from planner.events import append_event
from planner.payments import bank_store, ledger_store
from planner.payments.bank_model import AssignLine, BankLine, BankLineOut, StatementOut
from planner.payments.bank_rules import Matcher, parse_statement
from planner.payments.ledger_rules import STAFF
from planner.payments.ledger_service import (
    amounts_of,
    approved_plan,
    local_today,
    post_entry,
)

STATUSES = ("matched", "unmatched", "ambiguous", "duplicate", "assigned", "ignored")


def line_out(line: BankLine) -> BankLineOut:
    return BankLineOut(
        line_id=line.id,
        line_no=line.line_no,
        tx_date=line.tx_date,
        amount_fen=line.amount_fen,
        memo=line.memo,
        bank_tx_id=line.bank_tx_id,
        status=line.status,
        household_id=line.household_id,
        entry_id=line.entry_id,
        candidates=line.candidates,
    )


def statement_out(
    statement_id: int, plan_id: int, imported_at: datetime, lines: list[BankLine]
) -> StatementOut:
    counts = dict.fromkeys(STATUSES, 0)
    for line in lines:
        counts[line.status] += 1
    return StatementOut(
        statement_id=statement_id,
        plan_id=plan_id,
        imported_at=imported_at,
        counts=counts,
        posted_fen=sum(x.amount_fen for x in lines if x.status in ("matched", "assigned")),
        lines=[line_out(x) for x in lines],
    )


async def import_statement(
    db: Database, plan_id: int, raw: bytes, principal: Principal
) -> StatementOut:
    async with db.transaction() as conn:
        record = await approved_plan(conn, plan_id, principal)
        estate_id = record.estate_id
        today = await local_today(conn, estate_id)
        parsed, faults = parse_statement(raw, today)
        if faults:
            first = faults[0]
            raise PlannerError(
                f"line {first.line}: {first.field} {first.reason}",
                [
                    field_error(
                        f"line[{f.line}].{f.field}",
                        "bank_csv_invalid",
                        f.reason,
                        {"line": f.line, "field": f.field, "reason": f.reason},
                    )
                    for f in faults[:100]
                ],
                code="bank_csv_invalid",
                params={"line": first.line, "field": first.field, "reason": first.reason},
            )
        await bank_store.lock_ledger(conn, estate_id)
        due = await amounts_of(conn, record)
        paid = await ledger_store.paid_in_lineage(conn, plan_id)
        labels = await ledger_store.household_labels(conn, estate_id)
        matcher = Matcher(
            {h: (x.building, x.unit) for h, x in labels.items()},
            due,
            {h: d - paid.get(h, 0) for h, d in due.items()},
        )
        taken = await bank_store.bank_ids_in_ledger(conn, estate_id, [x.bank_tx_id for x in parsed])
        statement_id, imported_at = await bank_store.insert_statement(
            conn, estate_id, plan_id, principal.member_id
        )
        decided: list[tuple[str, int | None, list[int]]] = []
        to_post: list[int] = []
        for n, line in enumerate(parsed):
            if line.bank_tx_id in taken:
                decided.append(("duplicate", None, []))
                continue
            taken.add(line.bank_tx_id)
            found = matcher.match(line.amount_fen, line.memo)
            decided.append((found.status, found.household_id, found.candidates))
            if found.status == "matched":
                to_post.append(n)
        entry_ids = await bank_store.insert_entries(
            conn,
            [
                (
                    estate_id,
                    plan_id,
                    decided[n][1],
                    parsed[n].amount_fen,
                    parsed[n].bank_tx_id,
                    parsed[n].tx_date,
                    parsed[n].memo,
                    principal.member_id,
                )
                for n in to_post
            ],
        )
        entry_of = dict(zip(to_post, entry_ids, strict=True))
        await bank_store.insert_lines(
            conn,
            [
                (
                    statement_id,
                    estate_id,
                    line.line_no,
                    line.tx_date,
                    line.amount_fen,
                    line.memo,
                    line.bank_tx_id,
                    decided[n][0],
                    decided[n][1],
                    entry_of.get(n),
                    decided[n][2],
                )
                for n, line in enumerate(parsed)
            ],
        )
        stored = await bank_store.lines(conn, statement_id)
        out = statement_out(statement_id, plan_id, imported_at, stored)
        await append_event(
            conn,
            estate_id=estate_id,
            type="ledger.bank_import",
            data={
                "statement_id": statement_id,
                "plan_id": plan_id,
                "counts": out.counts,
                "posted_fen": out.posted_fen,
            },
            actor_id=principal.member_id,
            audience="staff",
        )
        if to_post:
            await append_event(
                conn,
                estate_id=estate_id,
                type="ledger.changed",
                data={"plan_id": plan_id},
                actor_id=principal.member_id,
                audience="members",
            )
    return out


async def statement(
    db: Database, plan_id: int, statement_id: int, principal: Principal
) -> StatementOut:
    async with db.connection() as conn:
        meta = await bank_store.statement_meta(conn, statement_id)
        if meta is None or meta["plan_id"] != plan_id:
            raise NotFound("bank statement")
        authorize(principal, meta["estate_id"], STAFF, what="bank statement")
        stored = await bank_store.lines(conn, statement_id)
    return statement_out(statement_id, plan_id, meta["imported_at"], stored)


async def assign_line(
    db: Database, plan_id: int, line_id: int, data: AssignLine, principal: Principal
) -> BankLineOut:
    """Post an unmatched or ambiguous line as the household's payment (treasurer, admin)
    against the plan in force (``plan_id``)."""
    async with db.transaction() as conn:
        line = await bank_store.get_line(conn, line_id, lock=True)
        if line is None:
            raise NotFound("bank line")
        authorize(principal, line.estate_id, ("admin", "treasurer"), what="bank line")
        record = await approved_plan(conn, plan_id, principal)
        if record.estate_id != line.estate_id:
            raise NotFound("bank line")
        if line.status not in ("unmatched", "ambiguous"):
            raise Conflict(
                f"line {line.line_no} is {line.status}",
                "bank_line_not_open",
                {"status": line.status},
            )
        if data.household_id not in await amounts_of(conn, record):
            raise NotFound("household")
        await bank_store.lock_ledger(conn, line.estate_id)
        entry_id = await post_entry(
            conn,
            record,
            principal,
            household_id=data.household_id,
            amount_fen=line.amount_fen,
            channel="bank_transfer",
            receipt_no=line.bank_tx_id,
            paid_on=line.tx_date,
            note=line.memo,
            bank_tx_id=line.bank_tx_id,
        )
        await bank_store.set_line(conn, line_id, "assigned", data.household_id, entry_id)
        updated = await bank_store.get_line(conn, line_id)
    assert updated is not None
    return line_out(updated)
