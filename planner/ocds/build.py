"""OCDS 1.1 releases, records and packages from a ``Tender`` (pure: no database, no clock).
(Over 400 lines: one builder per release, in the order of the process, sharing helpers.)

One work is one contracting process, ``ocid = {prefix}-w{work_id}``. Its releases, one per
change, with ids and dates that do not move once the change happened:

- ``{ocid}-planned`` (tag ``planning``): the work before any invitation; or
  ``{ocid}-tender`` (``tender``): invited bidders, sealed rounds, dated by the first invitation;
- ``{ocid}-opened`` (``tenderUpdate``): the sealed bids opened (how many bidders, no price);
- ``{ocid}-cancelled`` (``tenderCancellation``): the committee rejected the work;
- ``{ocid}-auction-{id}`` (``tenderUpdate``): a live reverse auction that ran (when one did);
- ``{ocid}-planning-{plan_id}`` (``planning``): the budget and its breakdown by funding source
  in the plan in force (budget breakdown extension);
- ``{ocid}-award-{quote_id}-r{round}`` (``award``): the award with its related bid, and every
  round of every bidder as a bid (bid extension) — only ever once awarded, never while sealed;
- ``{ocid}-contract-{quote_id}`` (``contract``) and ``{ocid}-variation-{id}``
  (``contractAmendment``, an approved 变更);
- ``{ocid}-implementation-{digest}`` (``implementation``): delivery milestones and the
  settlement's transaction; its id carries a digest of its content (it changes as work goes on).

The compiled release merges them in date order by OCDS's merge rules (objects by key, arrays
of objects by ``id``, other arrays replaced), so it never says what no release says.
Amounts: ``value.amount`` is a number in yuan, ``fen / 100`` exactly (a ``Decimal`` with two
places, encoded as a JSON number by ``encode``); currency ``CNY``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import msgspec

from planner.localtime import zone
from planner.ocds.merge import compiled
from planner.ocds.model import Line, Quote, Tender

CURRENCY = "CNY"
VERSION = "1.1"
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_budget_breakdown_extension/master/extension.json",
)
SELECTIVE_DETAILS = "邀请报价，密封多轮报价 (invited bidders, sealed rounds)"
AUCTION_DETAILS = "开标后电子反向竞价 {rounds} 轮 (electronic reverse auction, {rounds} rounds)"

Json = dict[str, Any]
_ENCODER = msgspec.json.Encoder(decimal_format="number")
_SORTED = msgspec.json.Encoder(decimal_format="number", order="sorted")


def encode(document: Any) -> bytes:
    """JSON with amounts as exact numbers (``1.50``, never a float's ``1.5000000001``)."""
    return _ENCODER.encode(document)


def yuan(fen: int) -> Decimal:
    """Integer fen as yuan, exactly, with two places: 123456 → Decimal('1234.56')."""
    return Decimal(fen).scaleb(-2)


def value(fen: int) -> Json:
    return {"amount": yuan(fen), "currency": CURRENCY}


def ocid(prefix: str, work_id: int) -> str:
    return f"{prefix}-w{work_id}"


def _stamp(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).isoformat(timespec="seconds")


def _day(day: date, tz: str, end: bool) -> str:
    moment = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=zone(tz))
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------- parties


def buyer_ref(t: Tender) -> Json:
    return {"id": f"committee-{t.estate_id}", "name": f"{t.estate_name}业主委员会"}


def _supplier_ref(t: Tender, supplier_id: int) -> Json:
    names = {s.id: s.name for s in t.suppliers}
    return {"id": f"supplier-{supplier_id}", "name": names.get(supplier_id, f"#{supplier_id}")}


def _owners_ref(t: Tender) -> Json:
    return {"id": f"owners-{t.estate_id}", "name": f"{t.estate_name}全体业主"}


def _source_ref(t: Tender, source_id: int) -> Json:
    names = {s.id: s.name for s in t.sources}
    return {"id": f"source-{source_id}", "name": names.get(source_id, f"#{source_id}")}


def _party(ref: Json, *roles: str) -> Json:
    return {**ref, "roles": list(roles)}


def _buyer(t: Tender, *more: str) -> Json:
    return _party(buyer_ref(t), "buyer", "procuringEntity", *more)


# ---------------------------------------------------------------- items and bids


def _items(lines: Iterable[Line], priced: bool) -> list[Json]:
    items = []
    for line in lines:
        unit: Json = {"name": line.unit}
        if priced:
            unit["value"] = value(line.unit_price_fen)
        items.append(
            {
                "id": str(line.line_no),
                "description": line.description,
                "quantity": Decimal(line.quantity),
                "unit": unit,
            }
        )
    return items


def bid_id(quote_id: int, round_no: int) -> str:
    return f"bid-{quote_id}-r{round_no}"


def _bids(t: Tender) -> Json:
    """Every round of every bidder: the latest ``valid``, earlier ones ``withdrawn`` (each
    revision replaced the bidder's previous offer)."""
    details = []
    for quote in t.quotes:
        latest = max((r.round for r in quote.rounds), default=0)
        for r in quote.rounds:
            bid: Json = {
                "id": bid_id(quote.quote_id, r.round),
                "date": _stamp(r.at, t.time_zone),
                "status": "valid" if r.round == latest else "withdrawn",
                "description": f"第 {r.round} 轮报价 (round {r.round})",
                "tenderers": [_supplier_ref(t, quote.supplier_id)],
                "value": value(r.total_fen),
                "items": _items(r.lines, priced=True),
            }
            if r.valid_until is not None:
                bid["validityPeriod"] = {"endDate": _day(r.valid_until, t.time_zone, True)}
            details.append(bid)
    statistics = [
        {"id": "bids", "measure": "bids", "value": len(details)},
        {"id": "validBids", "measure": "validBids", "value": len(t.quotes)},
    ]
    return {"statistics": statistics, "details": details}


def _awarded_round(t: Tender) -> tuple[Quote, Sequence[Line]] | None:
    if t.award is None:
        return None
    for quote in t.quotes:
        if quote.quote_id == t.award.quote_id:
            for r in quote.rounds:
                if r.round == t.award.round:
                    return quote, r.lines
    return None


# ---------------------------------------------------------------- the tender


def _tender(t: Tender) -> Json:
    tender: Json = {
        "id": f"tender-{t.work.id}",
        "title": t.work.title,
        "status": "active" if t.invitations else "planned",
        "procuringEntity": buyer_ref(t),
        "procurementMethod": "selective",
        "procurementMethodDetails": SELECTIVE_DETAILS,
        "submissionMethod": ["electronicSubmission"],
        "mainProcurementCategory": "works",
    }
    if t.work.description:
        tender["description"] = t.work.description
    if t.work.estimate_fen is not None:
        tender["value"] = value(t.work.estimate_fen)
    period: Json = {}
    if t.invitations:
        period["startDate"] = _stamp(min(i.invited_at for i in t.invitations), t.time_zone)
    if t.work.sealed_until is not None:
        period["endDate"] = _stamp(t.work.sealed_until, t.time_zone)
    if period:
        tender["tenderPeriod"] = period
    return tender


def _opened_at(t: Tender) -> datetime | None:
    """When the sealed bids opened (``None`` while sealed; unsealed works: never sealed)."""
    if t.work.opened_at is not None:
        return t.work.opened_at
    sealed_until = t.work.sealed_until
    return sealed_until if sealed_until is not None and sealed_until <= t.now else None


# ---------------------------------------------------------------- the releases


def _release(t: Tender, prefix: str, suffix: str, at: datetime, tag: str, body: Json) -> Json:
    key = ocid(prefix, t.work.id)
    return {
        "ocid": key,
        "id": f"{key}-{suffix}",
        "date": _stamp(at, t.time_zone),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "buyer": buyer_ref(t),
        **body,
    }


def _planning(t: Tender, prefix: str) -> Json | None:
    budget = t.budget
    if budget is None:
        return None
    breakdown = [
        {
            "id": f"source-{s.source_id}",
            "description": _source_ref(t, s.source_id)["name"],
            "amount": value(s.amount_fen),
            "sourceParty": _source_ref(t, s.source_id),
        }
        for s in budget.shares
        if s.amount_fen
    ]
    if budget.residents_fen or not breakdown:
        breakdown.append(
            {
                "id": "owners",
                "description": "业主分摊 (owners' shares)",
                "amount": value(budget.residents_fen),
                "sourceParty": _owners_ref(t),
            }
        )
    funders = [_party(b["sourceParty"], "funder", "sourceParty") for b in breakdown]
    return _release(
        t,
        prefix,
        f"planning-{budget.plan_id}",
        budget.approved_at,
        "planning",
        {
            "parties": [_buyer(t), *funders],
            "planning": {
                "budget": {
                    "id": f"plan-{budget.plan_id}",
                    "description": f"筹资方案第 {budget.plan_version} 版 "
                    f"(funding plan version {budget.plan_version})",
                    "amount": value(budget.cost_fen),
                    "budgetBreakdown": breakdown,
                }
            },
        },
    )


def _tender_releases(t: Tender, prefix: str) -> list[Json]:
    tender = _tender(t)
    if t.invitations:
        first = min(i.invited_at for i in t.invitations)
        out = [
            _release(
                t, prefix, "tender", first, "tender", {"parties": [_buyer(t)], "tender": tender}
            )
        ]
    else:
        out = [
            _release(
                t,
                prefix,
                "planned",
                t.work.created_at,
                "planning",
                {"parties": [_buyer(t)], "tender": tender},
            )
        ]
    opened = _opened_at(t)
    if opened is not None and t.invitations:
        update = {"id": tender["id"], "numberOfTenderers": len(t.quotes)}
        out.append(_release(t, prefix, "opened", opened, "tenderUpdate", {"tender": update}))
    if t.work.status == "rejected":
        # older data without the event: the last thing the tender says happened
        at = t.rejected_at or max([t.work.created_at, *(i.invited_at for i in t.invitations)])
        update = {"id": tender["id"], "status": "cancelled"}
        out.append(_release(t, prefix, "cancelled", at, "tenderCancellation", {"tender": update}))
    auction = t.auction
    if auction is not None and auction.ended_at is not None:
        details = f"{SELECTIVE_DETAILS}; " + AUCTION_DETAILS.format(rounds=auction.rounds)
        update = {
            "id": tender["id"],
            "procurementMethodDetails": details,
            "submissionMethod": ["electronicSubmission", "electronicAuction"],
        }
        out.append(
            _release(
                t,
                prefix,
                f"auction-{auction.id}",
                auction.ended_at,
                "tenderUpdate",
                {"tender": update},
            )
        )
    return out


def _award_releases(t: Tender, prefix: str) -> list[Json]:
    award = t.award
    found = _awarded_round(t)
    if award is None or found is None:
        return []
    quote, lines = found
    winner = _supplier_ref(t, award.supplier_id)
    tenderers = [_supplier_ref(t, q.supplier_id) for q in t.quotes]
    parties = [_buyer(t)] + [
        _party(ref, "tenderer", "supplier")
        if ref["id"] == winner["id"]
        else _party(ref, "tenderer")
        for ref in tenderers
    ]
    related = [bid_id(quote.quote_id, award.round)]
    award_id = f"award-{quote.quote_id}-r{award.round}"
    award_json = {
        "id": award_id,
        "title": t.work.title,
        "status": "active",
        "date": _stamp(award.at, t.time_zone),
        "value": value(award.total_fen),
        "suppliers": [winner],
        "items": _items(lines, priced=True),
        "relatedBids": related,
    }
    tender_update: Json = {
        "id": f"tender-{t.work.id}",
        "status": "complete",
        "numberOfTenderers": len(t.quotes),
        "tenderers": tenderers,
        "items": _items(lines, priced=False),
    }
    out = [
        _release(
            t,
            prefix,
            award_id,
            award.at,
            "award",
            {"parties": parties, "tender": tender_update, "bids": _bids(t), "awards": [award_json]},
        )
    ]
    contract_id = f"contract-{quote.quote_id}"
    contract = {
        "id": contract_id,
        "awardID": award_id,
        "title": t.work.title,
        "status": "active",
        "value": value(award.total_fen),
        "dateSigned": _stamp(award.at, t.time_zone),
        "items": _items(lines, priced=True),
        "relatedBids": related,
    }
    out.append(_release(t, prefix, contract_id, award.at, "contract", {"contracts": [contract]}))
    for v in t.variations:
        change = f"{yuan(v.amount_fen):+}"
        amendment = {
            "id": f"variation-{v.id}",
            "date": _stamp(v.decided_at, t.time_zone),
            "rationale": v.reason,
            "description": f"变更 {change} 元 (variation of {change} CNY)",
        }
        out.append(
            _release(
                t,
                prefix,
                f"variation-{v.id}",
                v.decided_at,
                "contractAmendment",
                {
                    "contracts": [
                        {"id": contract_id, "awardID": award_id, "amendments": [amendment]}
                    ]
                },
            )
        )
    implementation = _implementation(t, prefix, (contract_id, award_id), winner)
    if implementation is not None:
        out.append(implementation)
    return out


def _implementation(t: Tender, prefix: str, ids: tuple[str, str], winner: Json) -> Json | None:
    if not t.milestones and t.settlement is None:
        return None
    tz = t.time_zone
    contract: Json = {"id": ids[0], "awardID": ids[1]}
    moments: list[datetime] = []
    if t.milestones:
        contract["period"] = {
            "startDate": _day(min(m.planned_start for m in t.milestones), tz, False),
            "endDate": _day(max(m.planned_end for m in t.milestones), tz, True),
        }
        milestones = []
        for m in t.milestones:
            milestone: Json = {
                "id": f"milestone-{m.id}",
                "title": m.title,
                "type": "delivery",
                "dueDate": _day(m.planned_end, tz, True),
                "status": "met" if m.done_at is not None else "scheduled",
                "description": f"完成 {m.percent}% ({m.percent}% done)",
            }
            if m.done_at is not None:
                milestone["dateMet"] = _stamp(m.done_at, tz)
                moments.append(m.done_at)
            moments.append(m.created_at)
            milestones.append(milestone)
        contract["milestones"] = milestones
    parties = [_buyer(t)]
    if t.settlement is not None:
        s = t.settlement
        contract["status"] = "terminated"
        contract["implementation"] = {
            "transactions": [
                {
                    "id": f"settlement-{s.final_accounts_id}",
                    "date": _stamp(s.approved_at, tz),
                    "value": value(s.final_cost_fen),
                    "payer": buyer_ref(t),
                    "payee": winner,
                }
            ]
        }
        moments.append(s.approved_at)
        parties = [_buyer(t, "payer"), _party(winner, "tenderer", "supplier", "payee")]
    body = {"parties": parties, "contracts": [contract]}
    digest = hashlib.sha256(_SORTED.encode(body)).hexdigest()[:12]
    return _release(t, prefix, f"implementation-{digest}", max(moments), "implementation", body)


def releases(t: Tender, prefix: str) -> list[Json]:
    """The work's releases in date order (ties: the order of the process)."""
    out = _tender_releases(t, prefix)
    planning = _planning(t, prefix)
    if planning is not None:
        out.append(planning)
    out += _award_releases(t, prefix)
    order = {id(r): i for i, r in enumerate(out)}
    return sorted(out, key=lambda r: (datetime.fromisoformat(r["date"]), order[id(r)]))


# ---------------------------------------------------------------- merging and packaging


def package_head(uri: str, published: str, publisher: str) -> Json:
    """A package's fields but ``releases``/``records`` (also the bulk export's head)."""
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": published,
        "publisher": {"name": publisher},
    }


def release_package(t: Tender, prefix: str, uri: str, published: datetime) -> Json:
    head = package_head(uri, _stamp(published, t.time_zone), f"{t.estate_name}业主委员会")
    return {**head, "releases": releases(t, prefix)}


def record_package(t: Tender, prefix: str, uri: str, published: datetime) -> Json:
    rels = releases(t, prefix)
    head = package_head(uri, _stamp(published, t.time_zone), f"{t.estate_name}业主委员会")
    record = {"ocid": ocid(prefix, t.work.id), "releases": rels, "compiledRelease": compiled(rels)}
    return {**head, "records": [record]}
