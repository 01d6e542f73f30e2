"""Why a plan looks the way it does, or why there is none, in words a treasurer can act on.

Infeasibility is computed, not guessed: the source-split LP is solved again with a
priced slack on every constraint that can be violated (the band, each work's band,
what residents can pay through capped or absent beneficiaries), and each non-zero
slack becomes one :class:`Problem` with its amount in fen.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

from planner.funding.engine._classes import Prepared
from planner.funding.engine._lp import SolverClock
from planner.funding.engine._model import Note, Problem, WorkInput
from planner.funding.engine._sources import YUAN, SourcePair, build_model
from planner.money import format_money


def percent(share: Fraction) -> str:
    """``Fraction(342, 1000)`` → ``"34.2%"`` (one place, half up)."""
    tenths = (share.numerator * 2000 + share.denominator) // (2 * share.denominator)
    return f"{tenths // 10}.{tenths % 10}%"


def band_percent(share: Decimal) -> str:
    """``Decimal("0.30")`` → ``"30%"``, ``Decimal("0.205")`` → ``"20.5%"``."""
    text = format(share * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def share_str(part: int, whole: int) -> str:
    """Exact share as a decimal string with four places, half up: ``"0.2000"``."""
    if whole == 0:
        return "0.0000"
    if whole < 0:
        part, whole = -part, -whole
    units = (part * 20_000 + whole) // (2 * whole)  # floor(part / whole × 10,000 + 1/2)
    return f"{units // 10_000}.{units % 10_000:04d}"


def work_label(work: WorkInput) -> tuple[str, str]:
    if work.title:
        return f"「{work.title}」", f"'{work.title}'"
    return f"#{work.work_id}", f"#{work.work_id}"


def pledge_problems(prepared: Prepared, source_pairs: list[SourcePair]) -> list[Problem]:
    """Fixed pledges that break a rule on their own (no LP needed)."""
    problems: list[Problem] = []
    positions = {w.work_id: i for i, w in enumerate(prepared.works)}
    pairs = {(p.source, p.work): p for p in source_pairs}
    pledged_on_work = [0] * len(prepared.works)
    sources = sorted(prepared.problem.sources, key=lambda s: s.source_id)
    for k, source in enumerate(sources):
        name = source.name or f"#{source.source_id}"
        pledged = 0
        for work_id, amount in sorted(source.pledges.items()):
            if work_id not in positions:
                continue
            w = positions[work_id]
            pledged += amount
            pledged_on_work[w] += amount
            zh_work, en_work = work_label(prepared.works[w])
            if (k, w) not in pairs:
                problems.append(
                    Problem(
                        constraint="not_eligible",
                        zh=f"资金来源「{name}」认捐了不可资助的工程{zh_work}",
                        en=f"source '{name}' pledges to {en_work}, which it may not fund",
                        amount_fen=amount,
                        subject_id=source.source_id,
                    )
                )
                continue
            cost = prepared.works[w].cost_fen
            limit = cost if source.max_share is None else floor(Fraction(source.max_share) * cost)
            if amount > limit:
                problems.append(
                    Problem(
                        constraint="max_share",
                        zh=f"资金来源「{name}」对工程{zh_work}的认捐超出其比例上限 "
                        f"{format_money(amount - limit)}",
                        en=f"source '{name}' pledges {format_money(amount - limit)} more to "
                        f"{en_work} than its largest share allows",
                        amount_fen=amount - limit,
                        subject_id=source.source_id,
                    )
                )
        if pledged > source.budget_fen:
            excess = pledged - source.budget_fen
            problems.append(
                Problem(
                    constraint="budget",
                    zh=f"资金来源「{name}」的固定认捐超出预算 {format_money(excess)}；"
                    "请减少认捐或增加预算",
                    en=f"source '{name}' pledges {format_money(excess)} more than its budget; "
                    "lower the pledges or raise the budget",
                    amount_fen=excess,
                    subject_id=source.source_id,
                )
            )
    for w, amount in enumerate(pledged_on_work):
        cost = prepared.works[w].cost_fen
        if amount > cost:
            zh_work, en_work = work_label(prepared.works[w])
            problems.append(
                Problem(
                    constraint="pledges_exceed_cost",
                    zh=f"工程{zh_work}的固定认捐超出其费用 {format_money(amount - cost)}",
                    en=f"pledges to {en_work} exceed its cost by {format_money(amount - cost)}",
                    amount_fen=amount - cost,
                    subject_id=prepared.works[w].work_id,
                )
            )
    return problems


def diagnose(prepared: Prepared, pairs: list[SourcePair], clock: SolverClock) -> list[Problem]:
    """Solve the relaxed source split and turn its non-zero slacks into problems."""
    model = build_model(prepared, pairs, relaxed=True)
    solution = model.lp.solve(clock)
    if solution is None:
        return [_solver_problem()]
    problems: list[Problem] = []
    total = prepared.total_cost
    band = prepared.problem.resident_band
    for kind, entries in model.slacks.items():
        for col, w in entries:
            amount = ceil(float(solution[col]) * YUAN - 1e-4)
            if amount < 1:
                continue
            problems.append(_slack_problem(prepared, kind, w, amount, total, band))
    return problems or [_solver_problem()]


def _solver_problem() -> Problem:
    return Problem(
        constraint="solver",
        zh="求解器未能找到满足全部条件的方案",
        en="the solver found no plan that meets every rule",
    )


def _slack_problem(
    prepared: Prepared,
    kind: str,
    w: int,
    amount: int,
    total: int,
    band: tuple[Decimal, Decimal],
) -> Problem:
    money = format_money(amount)
    if kind == "band_high":
        need = percent(Fraction(prepared.band_high + amount, total))
        high = band_percent(band[1])
        return Problem(
            constraint="resident_band_high",
            zh=f"居民需承担 {need} > {high}：缺口 {money}；请增加补贴或放宽比例区间",
            en=f"residents would need {need} > {high}: {money} short; "
            "raise a subsidy by that much or widen the band",
            amount_fen=amount,
            residents_fen=prepared.band_high + amount,
        )
    if kind == "band_low":
        can = percent(Fraction(max(prepared.band_low - amount, 0), total))
        low = band_percent(band[0])
        return Problem(
            constraint="resident_band_low",
            zh=f"居民最多只能承担 {can} < {low}：差 {money}（固定认捐或困难户上限所致）；"
            "请降低比例区间下限",
            en=f"residents can pay at most {can} < {low}: {money} below the band "
            "(fixed pledges or hardship caps); lower the band's floor",
            amount_fen=amount,
            residents_fen=max(prepared.band_low - amount, 0),
        )
    work = prepared.works[w]
    zh_work, en_work = work_label(work)
    cost = work.cost_fen
    if kind in ("work_band_high", "work_band_low"):
        assert work.resident_band is not None
        if kind == "work_band_high":
            need = percent(Fraction(prepared.work_high[w] + amount, cost))
            high = band_percent(work.resident_band[1])
            return Problem(
                constraint="work_band_high",
                zh=f"工程{zh_work}居民需承担 {need} > {high}：缺口 {money}；"
                "请增加该工程的补贴或放宽其比例区间",
                en=f"residents would need {need} > {high} of {en_work}: {money} short; "
                "raise its subsidy or widen its band",
                amount_fen=amount,
                subject_id=work.work_id,
            )
        can = percent(Fraction(max(prepared.work_low[w] - amount, 0), cost))
        low = band_percent(work.resident_band[0])
        return Problem(
            constraint="work_band_low",
            zh=f"工程{zh_work}居民最多只能承担 {can} < {low}：差 {money}；请降低其比例区间下限",
            en=f"residents can pay at most {can} < {low} of {en_work}: {money} below its band; "
            "lower its band's floor",
            amount_fen=amount,
            subject_id=work.work_id,
        )
    if prepared.beneficiaries[w]:
        return Problem(
            constraint="hardship_caps",
            zh=f"困难户上限使工程{zh_work}有 {money} 无人可付；请增加补贴或提高上限",
            en=f"hardship caps leave {money} of {en_work} that no one may pay; "
            "raise a subsidy or the caps",
            amount_fen=amount,
            subject_id=work.work_id,
        )
    return Problem(
        constraint="no_beneficiaries",
        zh=f"工程{zh_work}没有受益户，居民部分 {money} 无人可付；请增加该工程的补贴或调整受益范围",
        en=f"no household benefits from {en_work}: {money} of its residents' part has no one "
        "to pay it; fund it from sources or change its scope",
        amount_fen=amount,
        subject_id=work.work_id,
    )


def summary(
    prepared: Prepared,
    residents_total: int,
    capped_households: int,
    shortfall: int,
    exhausted: list[tuple[int, str]],
) -> tuple[str, str, list[Note]]:
    """Plan-level sentences and notes for a feasible plan."""
    total = prepared.total_cost
    band = prepared.problem.resident_band
    share = percent(Fraction(residents_total, total)) if total else "0.0%"
    low, high = band_percent(band[0]), band_percent(band[1])
    public = total - residents_total
    zh = [
        f"总费用 {format_money(total)}，公共资金 {format_money(public)}，"
        f"居民合计 {format_money(residents_total)}（{share}，区间 {low}–{high}）"
    ]
    en = [
        f"total cost {format_money(total)}, public sources {format_money(public)}, "
        f"residents {format_money(residents_total)} ({share}, band {low}–{high})"
    ]
    notes: list[Note] = []
    if total and residents_total == prepared.band_low and prepared.problem.policy == "minimum":
        zh.append("居民份额已取区间下限")
        en.append("residents pay the band's lower bound")
        notes.append(Note(code="band_low", zh=zh[-1], en=en[-1], amount_fen=residents_total))
    elif total and residents_total > prepared.band_low and prepared.problem.policy == "minimum":
        zh.append("公共资金已用到预算、资助范围或比例上限，居民承担其余部分")
        en.append("public sources are used up to their budgets, eligible works or share caps")
        notes.append(Note(code="sources_bind", zh=zh[-1], en=en[-1]))
    if prepared.problem.policy == "target":
        zh.append("按目标比例求解")
        en.append("solved for the target share")
        notes.append(Note(code="target", zh=zh[-1], en=en[-1], amount_fen=residents_total))
    for source_id, name in exhausted:
        label = name or f"#{source_id}"
        notes.append(
            Note(
                code="budget_exhausted",
                zh=f"资金来源「{label}」预算已用完",
                en=f"source '{label}' is used up",
                subject_id=source_id,
            )
        )
    if capped_households:
        zh.append(
            f"{capped_households} 户困难户按上限缴纳，少缴的 {format_money(shortfall)} "
            "由其余受益户均衡分摊"
        )
        en.append(
            f"{capped_households} hardship households pay their caps; the "
            f"{format_money(shortfall)} they are spared is spread evenly over the others"
        )
        notes.append(Note(code="caps", zh=zh[-1], en=en[-1], amount_fen=shortfall))
    return "；".join(zh) + "。", "; ".join(en) + ".", notes
