"""The pure OCDS builder: exact yuan, stable ids and dates, sealed bids never published,
and every package valid against OCDS 1.1.5 with the bid and budget breakdown extensions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from planner.ocds import build
from planner.ocds.model import (
    Auction,
    Award,
    Budget,
    Invitation,
    Line,
    Milestone,
    Quote,
    Round,
    Settlement,
    Share,
    Source,
    Supplier,
    Tender,
    Variation,
    Work,
)
from tests.unit.ocds.ocds_validation import (
    errors_of_package,
    errors_of_record_package,
    errors_of_release,
    merge_patch,
)

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
PREFIX = "ocds-test"


def _lines(price_fen: int) -> tuple[Line, ...]:
    return (
        Line(
            line_no=1,
            description="防水卷材",
            unit="m²",
            quantity="1200.5",
            unit_price_fen=price_fen,
            total_fen=round(Decimal("1200.5") * price_fen),
        ),
        Line(
            line_no=2,
            description="安装",
            unit="项",
            quantity="1",
            unit_price_fen=100_001,
            total_fen=100_001,
        ),
    )


def _quote(quote_id: int, supplier_id: int, prices: list[int], status: str = "open") -> Quote:
    rounds = tuple(
        Round(
            round=n + 1,
            total_fen=sum(x.total_fen for x in _lines(p)),
            at=T0 + timedelta(days=3 + n),
            lines=_lines(p),
            valid_until=date(2026, 6, 30),
        )
        for n, p in enumerate(prices)
    )
    return Quote(quote_id=quote_id, supplier_id=supplier_id, status=status, rounds=rounds)


def sealed(now: datetime = T0 + timedelta(days=5)) -> Tender:
    """Two bidders, bids sealed until day 10."""
    return Tender(
        estate_id=7,
        estate_name="金桂苑",
        time_zone="Asia/Shanghai",
        now=now,
        work=Work(
            id=42,
            title="屋面防水",
            description="3 栋屋面",
            category="roof",
            status="quoting",
            estimate_fen=3_000_000,
            created_at=T0,
            sealed_until=T0 + timedelta(days=10),
            opened_at=None,
        ),
        suppliers=(Supplier(id=1, name="甲公司"), Supplier(id=2, name="乙公司")),
        invitations=(
            Invitation(supplier_id=1, invited_at=T0 + timedelta(days=1)),
            Invitation(supplier_id=2, invited_at=T0 + timedelta(days=2)),
        ),
        quotes=(_quote(11, 1, [2000]), _quote(12, 2, [2100])),
    )


def awarded(with_everything: bool = False) -> Tender:
    base = sealed(now=T0 + timedelta(days=40))
    quotes = (_quote(11, 1, [2000, 1900, 1799], "awarded"), _quote(12, 2, [2100, 2050], "closed"))
    total = quotes[0].rounds[-1].total_fen
    work = msgspec.structs.replace(
        base.work, status="in_progress", opened_at=T0 + timedelta(days=10)
    )
    tender = msgspec.structs.replace(
        base,
        work=work,
        quotes=quotes,
        sources=(Source(id=5, name="老旧小区改造补贴", kind="subsidy"),),
        award=Award(
            quote_id=11, supplier_id=1, round=3, total_fen=total, at=T0 + timedelta(days=20)
        ),
    )
    if not with_everything:
        return tender
    return msgspec.structs.replace(
        tender,
        budget=Budget(
            plan_id=3,
            plan_version=2,
            approved_at=T0 + timedelta(days=25),
            cost_fen=total,
            residents_fen=total - 1_000_001,
            shares=(Share(source_id=5, amount_fen=1_000_001),),
        ),
        auction=Auction(
            id=9,
            status="ended",
            rounds=3,
            started_at=T0 + timedelta(days=11),
            ended_at=T0 + timedelta(days=11, minutes=20),
        ),
        milestones=(
            Milestone(
                id=1,
                title="进场",
                planned_start=date(2026, 4, 1),
                planned_end=date(2026, 4, 30),
                percent=100,
                done_at=T0 + timedelta(days=50),
                created_at=T0 + timedelta(days=26),
            ),
            Milestone(
                id=2,
                title="完工",
                planned_start=date(2026, 5, 1),
                planned_end=date(2026, 6, 30),
                percent=40,
                done_at=None,
                created_at=T0 + timedelta(days=26),
            ),
        ),
        variations=(
            Variation(
                id=4, amount_fen=860_000, reason="加铺一层", decided_at=T0 + timedelta(days=60)
            ),
        ),
        settlement=Settlement(
            final_accounts_id=8,
            version=1,
            approved_at=T0 + timedelta(days=90),
            final_cost_fen=total + 860_000,
        ),
    )


def _package(t: Tender) -> dict:
    raw = build.encode(build.release_package(t, PREFIX, "http://x/api/works/42/ocds", T0))
    return json.loads(raw)


def test_yuan_is_exact_with_two_places() -> None:
    assert build.yuan(123456) == Decimal("1234.56")
    assert str(build.yuan(1)) == "0.01" and str(build.yuan(-5)) == "-0.05"
    assert (
        build.encode({"v": build.value(360_000_000)})
        == b'{"v":{"amount":3600000.00,"currency":"CNY"}}'
    )


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_yuan_round_trips_every_fen(fen: int) -> None:
    text = build.encode(build.yuan(fen)).decode()
    assert Decimal(text) * 100 == fen
    assert text.split(".")[1].__len__() == 2
    assert json.loads(text, parse_float=Decimal) == Decimal(fen) / 100


def test_sealed_tender_publishes_no_bid_and_no_bidder() -> None:
    package = _package(sealed())
    assert errors_of_package(package) == []
    assert [r["id"] for r in package["releases"]] == [f"{PREFIX}-w42-tender"]
    text = json.dumps(package, ensure_ascii=False)
    assert "bids" not in package["releases"][0] and "甲公司" not in text and "乙公司" not in text
    assert "20.00" not in text  # no unit price
    tender = package["releases"][0]["tender"]
    assert tender["procurementMethod"] == "selective" and "numberOfTenderers" not in tender
    assert tender["value"]["amount"] == 30_000


def test_a_work_without_invitations_is_planned() -> None:
    t = msgspec.structs.replace(sealed(), invitations=(), quotes=())
    package = _package(t)
    assert errors_of_package(package) == []
    (release,) = package["releases"]
    assert release["id"].endswith("-planned") and release["tag"] == ["planning"]
    assert release["tender"]["status"] == "planned"


def test_a_rejected_work_is_a_cancelled_tender() -> None:
    work = msgspec.structs.replace(sealed().work, status="rejected")
    at = T0 + timedelta(days=3)
    t = msgspec.structs.replace(sealed(), work=work, quotes=(), rejected_at=at)
    package = _package(t)
    assert errors_of_package(package) == []
    last = package["releases"][-1]
    assert last["id"].endswith("-cancelled") and last["tag"] == ["tenderCancellation"]
    assert build.compiled(package["releases"])["tender"]["status"] == "cancelled"


def test_awarded_tender_has_every_round_as_a_bid_and_the_award_relates_to_its_bid() -> None:
    package = _package(awarded())
    assert errors_of_package(package) == []
    by_tag = {r["tag"][0]: r for r in package["releases"]}
    assert set(by_tag) == {"tender", "tenderUpdate", "award", "contract"}
    details = by_tag["award"]["bids"]["details"]
    assert len(details) == 5
    assert {d["id"] for d in details if d["status"] == "valid"} == {"bid-11-r3", "bid-12-r2"}
    (award,) = by_tag["award"]["awards"]
    assert award["relatedBids"] == ["bid-11-r3"]
    assert award["suppliers"] == [{"id": "supplier-1", "name": "甲公司"}]
    assert by_tag["contract"]["contracts"][0]["awardID"] == award["id"]


def test_everything_validates_and_the_compiled_release_merges_it() -> None:
    t = awarded(with_everything=True)
    package = _package(t)
    assert errors_of_package(package) == []
    dates = [r["date"] for r in package["releases"]]
    assert dates == sorted(dates, key=datetime.fromisoformat)
    record = json.loads(build.encode(build.record_package(t, PREFIX, "http://x/r", T0)))
    assert errors_of_record_package(record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == f"{PREFIX}-w42"
    breakdown = compiled["planning"]["budget"]["budgetBreakdown"]
    assert breakdown[0]["amount"]["amount"] == 10_000.01
    parties = {p["id"]: set(p["roles"]) for p in compiled["parties"]}
    assert parties["committee-7"] >= {"buyer", "procuringEntity", "payer"}
    assert parties["supplier-1"] == {"tenderer", "supplier", "payee"}
    assert parties["source-5"] == {"funder", "sourceParty"} and "owners-7" in parties
    assert parties["supplier-2"] == {"tenderer"}
    tender = compiled["tender"]
    assert tender["status"] == "complete" and "electronicAuction" in tender["submissionMethod"]
    assert "auction" in tender["procurementMethodDetails"]
    (contract,) = compiled["contracts"]
    assert contract["status"] == "terminated" and len(contract["milestones"]) == 2
    assert contract["amendments"][0]["id"] == "variation-4"
    (transaction,) = contract["implementation"]["transactions"]
    assert transaction["payee"]["id"] == "supplier-1"
    exact = json.loads(build.encode(compiled), parse_float=Decimal)
    total = t.settlement.final_cost_fen if t.settlement else 0
    assert (
        exact["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"]
        == Decimal(total) / 100
    )


def test_release_ids_and_dates_are_stable_across_exports() -> None:
    first = _package(awarded(with_everything=True))
    later = msgspec.structs.replace(awarded(with_everything=True), now=T0 + timedelta(days=400))
    again = _package(later)
    assert first["releases"] == again["releases"]
    assert len({r["id"] for r in first["releases"]}) == len(first["releases"])


def test_merge_patch_follows_rfc_7386() -> None:
    assert merge_patch({"a": "b", "c": {"d": "e", "f": "g"}}, {"a": "z", "c": {"f": None}}) == {
        "a": "z",
        "c": {"d": "e"},
    }
    assert merge_patch({"a": [1]}, {"a": [2, 3]}) == {"a": [2, 3]}


def test_an_invalid_release_is_caught() -> None:
    release = _package(sealed())["releases"][0]
    release["tender"]["value"]["amount"] = "1.00"
    assert errors_of_release(release)
    release = _package(sealed())["releases"][0]
    release["date"] = "2026-03-02 10:00"
    assert errors_of_release(release)
    package = _package(sealed())
    package["uri"] = "not a uri"
    assert errors_of_package(package)


@st.composite
def tenders(draw: st.DrawFn) -> Tender:
    """A random tender: 0–3 bidders with 1–3 rounds each, awarded or not, sealed or not."""
    bidders = draw(st.integers(min_value=0, max_value=3))
    quotes = tuple(
        _quote(10 + n, n + 1, draw(st.lists(st.integers(1, 10**7), min_size=1, max_size=3)))
        for n in range(bidders)
    )
    base = sealed(now=T0 + timedelta(days=draw(st.integers(0, 60))))
    award = None
    if quotes and draw(st.booleans()):
        winner = draw(st.sampled_from(quotes))
        last = winner.rounds[-1]
        award = Award(
            quote_id=winner.quote_id,
            supplier_id=winner.supplier_id,
            round=last.round,
            total_fen=last.total_fen,
            at=T0 + timedelta(days=draw(st.integers(11, 30))),
        )
    invited = base.invitations[: max(bidders, draw(st.integers(0, 2)))]
    suppliers = tuple(Supplier(id=n, name=f"供应商{n}") for n in range(1, 4))
    return msgspec.structs.replace(
        base, quotes=quotes, award=award, invitations=invited, suppliers=suppliers
    )


@given(tenders())
def test_every_tender_validates_and_bids_appear_only_with_the_award(t: Tender) -> None:
    package = _package(t)
    assert errors_of_package(package) == []
    compiled = build.compiled(package["releases"])
    assert errors_of_release(json.loads(build.encode(compiled))) == []
    assert ("bids" in compiled) == (t.award is not None)
    if t.award is None:
        text = json.dumps(package, ensure_ascii=False)
        assert "供应商" not in text and "unit" not in text
    else:
        rounds = sum(len(q.rounds) for q in t.quotes)
        assert len(compiled["bids"]["details"]) == rounds
        exact = json.loads(
            build.encode(build.compiled(build.releases(t, PREFIX))), parse_float=Decimal
        )
        assert exact["awards"][0]["value"]["amount"] * 100 == t.award.total_fen
