"""The district overview's arithmetic: rows from the store's facts, the district's totals,
sorting and filtering. Pure: exact integers and fractions, no float ever decides a figure.

- Percentages are decimal strings with one place, rounded half away from zero ("-52.8"):
  turnout (participating / total, by area and by head count, over the open decisions),
  savings ((current - first) / first, negative when the negotiation saved), collection
  (collected / expected).
- The residents' share is residents' total / total cost with four places ("0.2000"), and it
  lies ``below``, ``within`` or ``above`` the plan's band, compared exactly (at 30.00 % it is
  within a 20–30 % band).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

import msgspec

from planner.district.model import (
    SOURCE_KINDS,
    BandPosition,
    DecisionFacts,
    DistrictTotals,
    EstateFacts,
    EstateRow,
    FundingFacts,
    MoneyFacts,
    NeedsFacts,
    TenderFacts,
    TenderWork,
)


def _fixed(num: int, den: int, places: int) -> str:
    """``num / den`` (``den`` > 0) rounded half away from zero to ``places`` decimals, in
    integers only (a thousand rows stay cheap): ``_fixed(-190, 360, 1)`` → ``"-0.5"``."""
    scale = 10**places
    scaled = (abs(num) * scale * 2 + den) // (2 * den)
    whole, frac = divmod(scaled, scale)
    sign = "-" if num < 0 and scaled else ""
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def percent(part: int, whole: int) -> str | None:
    """``part / whole`` in percent with one place ("62.5"); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return _fixed(part * 100, whole, 1)


def change_percent(first: int, current: int) -> str | None:
    """The change from ``first`` to ``current`` in percent ("-52.8" for 3.6M → 1.7M)."""
    if first == 0:
        return None
    return _fixed((current - first) * 100, first, 1)


def share(part: int, whole: int) -> str | None:
    """``part / whole`` with four places ("0.2000"); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return _fixed(part, whole, 4)


@lru_cache(maxsize=256)
def _bound(text: str) -> Fraction:
    return Fraction(Decimal(text))


def band_position(
    residents_fen: int, total_fen: int, low: str | None, high: str | None
) -> BandPosition | None:
    """Where the residents' share lies against the band, exactly; None without a cost."""
    if total_fen <= 0 or low is None or high is None:
        return None
    lo, hi = _bound(low), _bound(high)
    # residents / total against lo = n / d, by cross-multiplying (total > 0, d > 0)
    if residents_fen * lo.denominator < lo.numerator * total_fen:
        return "below"
    if residents_fen * hi.denominator > hi.numerator * total_fen:
        return "above"
    return "within"


def tender_facts(works: Sequence[TenderWork]) -> tuple[TenderFacts, list[TenderWork]]:
    """One estate's tenders summed, and each with its change in percent."""
    estate_id = works[0].estate_id if works else 0
    facts = TenderFacts(
        estate_id=estate_id,
        tenders=len(works),
        awarded=sum(1 for w in works if w.awarded),
        first_fen=sum(w.first_fen for w in works),
        current_fen=sum(w.current_fen for w in works),
    )
    return facts, [
        msgspec.structs.replace(w, change_pct=change_percent(w.first_fen, w.current_fen))
        for w in works
    ]


def estate_row(
    estate: EstateFacts,
    decisions: DecisionFacts | None,
    tenders: TenderFacts | None,
    funding: FundingFacts | None,
    money: MoneyFacts | None,
    needs: NeedsFacts | None,
    tender_works: Sequence[TenderWork] = (),
) -> EstateRow:
    """One estate's row from its facts (a missing topic counts as nothing yet)."""
    d = decisions or DecisionFacts(estate_id=estate.estate_id)
    t = tenders or TenderFacts(estate_id=estate.estate_id)
    m = money or MoneyFacts(estate_id=estate.estate_id)
    n = needs or NeedsFacts(estate_id=estate.estate_id)
    total = funding.total_cost_fen if funding else 0
    residents = funding.residents_total_fen if funding else 0
    expected = residents if funding and funding.plan_status == "approved" else 0
    return EstateRow(
        estate_id=estate.estate_id,
        name=estate.name,
        area=estate.area,
        households=estate.households,
        decisions_open=d.open,
        turnout_area_pct=percent(d.open_participating_area, d.open_total_area),
        turnout_owners_pct=percent(d.open_participating_owners, d.open_total_owners),
        open_owners=d.open_total_owners,
        open_participating_owners=d.open_participating_owners,
        decisions_passed=d.passed,
        decisions_failed=d.failed,
        tenders=t.tenders,
        tenders_awarded=t.awarded,
        tender_works=list(tender_works),
        first_quotes_fen=t.first_fen,
        current_fen=t.current_fen,
        saving_fen=t.first_fen - t.current_fen,
        saving_pct=change_percent(t.first_fen, t.current_fen),
        plan_status=funding.plan_status if funding else None,
        total_cost_fen=total,
        residents_total_fen=residents,
        residents_share=share(residents, total),
        band_low=funding.band_low if funding else None,
        band_high=funding.band_high if funding else None,
        band_position=(
            band_position(residents, total, funding.band_low, funding.band_high)
            if funding
            else None
        ),
        by_source={k: (funding.by_kind.get(k, 0) if funding else 0) for k in SOURCE_KINDS},
        expected_fen=expected,
        collected_fen=m.collected_fen,
        collected_pct=percent(m.collected_fen, expected),
        final_accounts=m.final_cost_fen is not None,
        final_cost_fen=m.final_cost_fen,
        final_residents_fen=m.final_residents_fen,
        suggestions=n.suggestions,
        problems=n.problems,
        problems_solved=n.problems_solved,
        urgent_solved=n.urgent_solved,
        wishes_fulfilled=n.wishes_fulfilled,
    )


def totals(rows: Sequence[EstateRow], decisions: Iterable[DecisionFacts]) -> DistrictTotals:
    """The district's figures over ``rows``; turnout is summed over the open decisions'
    areas and head counts (``decisions``: the same estates' facts), not averaged."""
    d = list(decisions)
    area = sum(x.open_participating_area for x in d), sum(x.open_total_area for x in d)
    owners = sum(x.open_participating_owners for x in d), sum(x.open_total_owners for x in d)
    first = sum(r.first_quotes_fen for r in rows)
    current = sum(r.current_fen for r in rows)
    cost = sum(r.total_cost_fen for r in rows)
    residents = sum(r.residents_total_fen for r in rows)
    expected = sum(r.expected_fen for r in rows)
    collected = sum(r.collected_fen for r in rows)
    return DistrictTotals(
        estates=len(rows),
        households=sum(r.households for r in rows),
        decisions_open=sum(r.decisions_open for r in rows),
        decisions_passed=sum(r.decisions_passed for r in rows),
        decisions_failed=sum(r.decisions_failed for r in rows),
        turnout_area_pct=percent(*area),
        turnout_owners_pct=percent(*owners),
        tenders=sum(r.tenders for r in rows),
        first_quotes_fen=first,
        current_fen=current,
        saving_fen=first - current,
        saving_pct=change_percent(first, current),
        total_cost_fen=cost,
        residents_total_fen=residents,
        residents_share=share(residents, cost),
        within_band=sum(1 for r in rows if r.band_position == "within"),
        outside_band=sum(1 for r in rows if r.band_position in ("below", "above")),
        expected_fen=expected,
        collected_fen=collected,
        collected_pct=percent(collected, expected),
        problems_solved=sum(r.problems_solved for r in rows),
        wishes_fulfilled=sum(r.wishes_fulfilled for r in rows),
    )


#: the row fields the overview sorts by (``?sort=saving_pct``, ``?sort=-households``)
SORT_KEYS: tuple[str, ...] = tuple(
    f for f in EstateRow.__struct_fields__ if f not in ("by_source", "tender_works")
)

BandFilter = Literal["below", "within", "above", "outside"]


def _key(field: str) -> Callable[[EstateRow], tuple[int, Any]]:
    def key(row: EstateRow) -> tuple[int, Any]:
        value = getattr(row, field)
        if value is None:
            return (1, 0)  # nothing to show: last, whichever the direction
        if isinstance(value, str) and field.endswith(("_pct", "_share", "_low", "_high")):
            return (0, Decimal(value))
        return (0, value)

    return key


def arrange(
    rows: Iterable[EstateRow],
    *,
    sort: str = "name",
    area: str | None = None,
    q: str | None = None,
    band: BandFilter | None = None,
) -> list[EstateRow]:
    """Filter (area exact, ``q`` in the name, band position; ``outside``: below or above)
    and sort by a field of ``SORT_KEYS`` (``-`` first: descending; estates without the
    figure last either way; ties by estate id). ValueError for an unknown field."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORT_KEYS:
        raise ValueError(field)
    kept = [
        r
        for r in rows
        if (area is None or r.area == area)
        and (not q or q.casefold() in r.name.casefold())
        and (
            band is None
            or r.band_position == band
            or (band == "outside" and r.band_position in ("below", "above"))
        )
    ]
    kept.sort(key=lambda r: r.estate_id)
    key = _key(field)
    present = [r for r in kept if key(r)[0] == 0]
    missing = [r for r in kept if key(r)[0] == 1]
    present.sort(key=key, reverse=descending)
    return present + missing
