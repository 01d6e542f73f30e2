"""Pure rules for the solve form: which works it offers and ticks by default, and how a
preview (a solve that stores nothing) reads beside the plan in force."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from planner.funding.engine import FundingProblem, Outcome
from planner.funding.model import (
    PlanComparison,
    PlanInForceSummary,
    PlanPreview,
    WorkChoice,
    WorkChoices,
)
from planner.funding.rules import SOLVER_STATUS, failure_reason

# the problems whose ``residents_fen`` is the share the band would need / allows at most
_SHARE_PROBLEMS = ("resident_band_high", "resident_band_low")


def work_choices(
    works: list[tuple[int, str, str, int | None, int | None]],
    in_force: PlanInForceSummary | None,
) -> WorkChoices:
    """The works (id, title, status, estimate, awarded total) with the form's default:
    the plan in force's works plus the newly awarded ones; with no plan in force, every
    work with a cost (what a solve without ``work_ids`` covers)."""
    covered = set() if in_force is None else set(in_force.work_ids)
    choices: list[WorkChoice] = []
    for work_id, title, status, estimate, awarded in works:
        cost = awarded if awarded is not None else estimate
        in_plan = work_id in covered
        newly_awarded = awarded is not None and not in_plan
        if in_force is None:
            selected = cost is not None
        else:
            selected = cost is not None and (in_plan or newly_awarded)
        choices.append(
            WorkChoice(
                work_id=work_id,
                title=title,
                status=status,
                cost_fen=cost,
                cost_kind=None
                if cost is None
                else "awarded"
                if awarded is not None
                else "estimate",
                in_plan_in_force=in_plan,
                newly_awarded=newly_awarded,
                selected=selected,
            )
        )
    return WorkChoices(plan_in_force=in_force, works=choices)


def percent(share: Fraction) -> str:
    """``Fraction(753, 1000)`` → ``"75.3%"`` (one place, half up), as the engine says it."""
    tenths = (share.numerator * 2000 + share.denominator) // (2 * share.denominator)
    return f"{tenths // 10}.{tenths % 10}%"


def band_percent(share: str) -> str:
    """``"0.30"`` → ``"30"``, ``"0.205"`` → ``"20.5"`` (exact: a decimal shift)."""
    text = format(Decimal(share) * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _share_str(part: int, whole: int) -> str:
    """Exact share with four places, half up: ``"0.7530"``."""
    units = (part * 20_000 + whole) // (2 * whole)
    return f"{units // 10_000}.{units % 10_000:04d}"


def comparison(
    residents_fen: int | None,
    total_fen: int,
    feasible: bool,
    band: list[str],
    in_force: PlanInForceSummary | None,
) -> PlanComparison | None:
    """The attempt's share beside the plan in force's and the band, in both languages.

    None when there is nothing to compare: no share from the solver and no plan in force.
    """
    share = None if residents_fen is None or total_fen <= 0 else Fraction(residents_fen, total_fen)
    old = (
        None
        if in_force is None or in_force.total_cost_fen <= 0
        else Fraction(in_force.residents_total_fen, in_force.total_cost_fen)
    )
    if share is None and old is None:
        return None
    low, high = band_percent(band[0]), band_percent(band[1])
    zh_band = f"比例区间为 {low}%–{high}%"
    en_band = f"the band allows {low}–{high}%"
    if share is None:
        assert in_force is not None and old is not None
        zh = f"现行第{in_force.version}版居民承担 {percent(old)}；{zh_band}"
        en = f"Residents pay {percent(old)} in v{in_force.version} (in force); {en_band}"
    else:
        verb_zh = "居民承担" if feasible else "居民需承担"
        verb_en = "Residents' share is" if feasible else "Residents' share would be"
        if in_force is None or old is None:
            zh = f"{verb_zh} {percent(share)}；{zh_band}"
            en = f"{verb_en} {percent(share)}; {en_band}"
        else:
            zh = (
                f"{verb_zh} {percent(share)}（现行第{in_force.version}版为 {percent(old)}）；"
                f"{zh_band}"
            )
            en = f"{verb_en} {percent(share)} vs {percent(old)} in v{in_force.version}; {en_band}"
    return PlanComparison(
        share=None if share is None else _share_str(share.numerator, share.denominator),
        in_force_version=None if in_force is None else in_force.version,
        in_force_share=None if in_force is None else in_force.residents_share,
        resident_band=band,
        zh=zh,
        en=en,
    )


def preview_out(
    problem: FundingProblem, outcome: Outcome, in_force: PlanInForceSummary | None
) -> PlanPreview:
    """A solve's outcome as the preview answers it (``outcome.kind`` is not "invalid")."""
    band = [str(b) for b in problem.resident_band]
    total = sum(w.cost_fen for w in problem.works)
    result = outcome.result
    if result is not None:
        residents: int | None = result.residents_total_fen
    else:
        residents = next(
            (
                p.residents_fen
                for p in outcome.problems
                if p.constraint in _SHARE_PROBLEMS and p.residents_fen is not None
            ),
            None,
        )
    return PlanPreview(
        status="ok" if outcome.kind == "ok" else "failed",
        solver_status=SOLVER_STATUS[outcome.kind],
        policy=problem.policy,
        resident_band=band,
        target_share=None if problem.target_share is None else str(problem.target_share),
        work_ids=[w.work_id for w in problem.works],
        total_cost_fen=total,
        residents_total_fen=None if result is None else result.residents_total_fen,
        residents_share=None if result is None else result.residents_share,
        household_count=0 if result is None else len(result.households),
        works=[] if result is None else result.works,
        sources=[] if result is None else result.sources,
        explanation=None if result is None else result.explanation,
        failure_reason=None if result is not None else failure_reason(outcome),
        problems=outcome.problems,
        comparison=comparison(residents, total, result is not None, band, in_force),
    )
