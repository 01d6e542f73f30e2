"""The demo's collection chapter (issue 19): after the plan's approval the treasurer collects
the owners' shares over a few months, all through the HTTP API.

The one entry point::

    summary = await play_collection(
        treasurer,            # a Caller with a treasurer's (or admin's) token
        plan_id,              # the approved plan (the plan in force)
        households,           # [{"id", "building", "unit"}, ...]: GET /api/estates/{id}/households
        when=lambda day: approval_date + timedelta(days=day),
        seed=19,
    )

* ``when(day_offset)`` → the ``date`` a payment made ``day_offset`` days after the approval
  is dated (offsets 0 … ``days``). The server refuses dates after its today (the story clock
  while the loader plays), so ``when`` must map ``days`` to today or earlier: the loader sets
  the story clock to the end of the collection period before calling, or passes dates in
  the past.
* ``seed``: the same story every time.

What it plays: about 92 % of the residents' total collected; arrears concentrated in two
buildings (``ARREARS_BUILDINGS`` picks: the two with most units, or fewer if the estate has
fewer); mixed channels (cash, WeChat, Alipay recorded by hand with receipt numbers
``JG-<seq>``; bank transfers through one bank statement whose memos name the unit, a few
with none: unmatched, then assigned by the treasurer); some households pay in two parts;
two mistakes reversed with their reasons (a duplicate entry, a wrong amount re-recorded).

Returns a :class:`Collection` summary (figures for the story's README and the tests).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planner.demo.client import Caller

TARGET = 0.92
HAND_CHANNELS = ("cash", "wechat", "wechat", "alipay")
BANK_SHARE = 0.35
UNMATCHED_LINES = 4
REVERSAL_REASONS = ("重复登记", "金额录错，已按收据重新登记")


@dataclass
class Collection:
    entries: int = 0
    reversals: int = 0
    due_fen: int = 0
    paid_fen: int = 0
    arrears_buildings: list[str] = field(default_factory=list)
    statement_id: int | None = None
    bank_lines: int = 0
    assigned: int = 0
    channels: dict[str, int] = field(default_factory=dict)

    @property
    def collected(self) -> float:
        return self.paid_fen / self.due_fen if self.due_fen else 0.0


async def play_collection(
    treasurer: Caller,
    plan_id: int,
    households: Sequence[Mapping[str, Any]],
    *,
    when: Callable[[int], date],
    seed: int = 19,
    days: int = 90,
) -> Collection:
    rng = random.Random(seed)  # noqa: S311 - a story, not a secret
    base = f"/api/funding-plans/{plan_id}"
    rows = (await treasurer.get(f"{base}/balances"))["items"]
    due = {r["household_id"]: r["due_fen"] for r in rows if r["due_fen"] > 0}
    unit = {h["id"]: (str(h["building"]), str(h["unit"])) for h in households if h["id"] in due}
    total = sum(due[h] for h in unit)
    sizes = Counter(b for b, _ in unit.values())
    late = [b for b, _ in sorted(sizes.items(), key=lambda x: (-x[1], x[0]))[:2]]
    summary = Collection(due_fen=total, arrears_buildings=late)

    # who pays how much: everyone outside the two buildings in full; inside them, owners
    # stop paying (some pay half) until ~8 % of the total is missing
    pay = {h: due[h] for h in unit}
    missing_goal = round(total * (1 - TARGET))
    missing = 0
    for h in rng.sample(
        sorted(h for h in unit if unit[h][0] in late), k=sum(sizes[b] for b in late)
    ):
        if missing >= missing_goal:
            break
        cut = due[h] if rng.random() < 0.7 else due[h] // 2
        cut = min(cut, missing_goal - missing + due[h] // 2)
        pay[h] = due[h] - cut
        missing += cut

    receipt = 0
    bank: list[tuple[int, int, int]] = []  # (household, amount, day)
    channels: Counter[str] = Counter()

    async def record(h: int, amount: int, day: int, channel: str) -> int:
        nonlocal receipt
        receipt += 1
        created = await treasurer.post(
            f"{base}/ledger",
            {
                "household_id": h,
                "amount_fen": amount,
                "channel": channel,
                "receipt_no": f"JG-{receipt:05d}",
                "paid_on": when(day).isoformat(),
            },
        )
        summary.entries += 1
        channels[channel] += 1
        entry_id: int = created["entry_id"]
        return entry_id

    hand: list[tuple[int, int, int, int]] = []  # (entry, household, amount, day)
    order = sorted(pay, key=lambda h: (rng.random(), h))
    for h in order:
        amount = pay[h]
        if amount <= 0:
            continue
        day = min(days, int(rng.triangular(0, days, days * 0.2)))
        parts = (
            [amount] if rng.random() < 0.85 or amount < 2 else [amount // 2, amount - amount // 2]
        )
        for k, part in enumerate(parts):
            part_day = min(days, day + 30 * k)
            if rng.random() < BANK_SHARE:
                bank.append((h, part, part_day))
            else:
                entry = await record(h, part, part_day, rng.choice(HAND_CHANNELS))
                hand.append((entry, h, part, part_day))
    if len(hand) >= 2:
        # a payment entered twice: the second one reversed
        _, h, part, day = hand[0]
        again = await record(h, part, day, "cash")
        await treasurer.post(f"/api/ledger/{again}/reverse", {"reason": REVERSAL_REASONS[0]})
        # a wrong amount: reversed, then recorded again with the receipt's figure
        entry, h, part, day = hand[1]
        await treasurer.post(f"/api/ledger/{entry}/reverse", {"reason": REVERSAL_REASONS[1]})
        await record(h, part, day, "cash")
        summary.reversals = 2

    if bank:
        lines = ["交易日期,交易金额,摘要,交易流水号"]
        blank = set(rng.sample(range(len(bank)), k=min(UNMATCHED_LINES, len(bank))))
        for i, (h, amount, day) in enumerate(bank):
            building, room = unit[h]
            memo = "转账" if i in blank else f"{building} {room} 维修资金"
            lines.append(f"{when(day).isoformat()},{amount // 100}.{amount % 100:02d},{memo},"
                         f"BOC{seed:02d}{i:06d}")  # fmt: skip
        statement = await treasurer.post(
            f"{base}/bank-statements",
            content=("\n".join(lines) + "\n").encode(),
            headers={"content-type": "text/csv"},
        )
        summary.statement_id = statement["statement_id"]
        summary.bank_lines = len(bank)
        for line in statement["lines"]:
            if line["status"] in ("matched",):
                channels["bank_transfer"] += 1
            if line["status"] in ("unmatched", "ambiguous"):
                h = bank[line["line_no"] - 2][0]
                await treasurer.post(
                    f"{base}/bank-lines/{line['line_id']}/assign", {"household_id": h}
                )
                summary.assigned += 1
                channels["bank_transfer"] += 1
        summary.entries += statement["counts"]["matched"] + summary.assigned

    after = (await treasurer.get(f"{base}/balances"))["totals"]
    summary.paid_fen = after["paid_fen"]
    summary.channels = dict(channels)
    return summary
