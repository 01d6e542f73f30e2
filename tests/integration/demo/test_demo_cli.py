"""``planner demo`` end to end: load, follow the printed links, check the reference case
through the API, load again (nothing new), and start over with ``--reset``."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from demo_run import DemoRun, run_demo

from tests.conftest import ROOT, SAMPLE_CSV

pytestmark = pytest.mark.slow

YUAN = 100
OTHER_ESTATE = "邻里小区（不属于演示）"


def listed(data: Any) -> list[Any]:
    return list(data["items"]) if isinstance(data, dict) else list(data)


def check_plan_adds_up(plan: dict[str, Any]) -> None:
    """Every total of a plan version adds up to the fen."""
    works = plan["works"]
    households = plan["households"]
    assert plan["total_cost_fen"] == sum(w["cost_fen"] for w in works)
    assert plan["residents_total_fen"] == sum(w["residents_fen"] for w in works)
    assert plan["residents_total_fen"] == sum(h["amount_fen"] for h in households)
    for w in works:
        assert sum(s["amount_fen"] for s in w["sources"]) + w["residents_fen"] == w["cost_fen"]
        on_work = sum(
            x["amount_fen"] for h in households for x in h["works"] if x["work_id"] == w["work_id"]
        )
        assert on_work == w["residents_fen"], w
    for h in households:
        assert h["amount_fen"] == sum(x["amount_fen"] for x in h["works"])
    for s in plan["sources"]:
        used = sum(
            a["amount_fen"] for w in works for a in w["sources"] if a["source_id"] == s["source_id"]
        )
        assert s["used_fen"] == used <= s["budget_fen"]


def snapshot(run: DemoRun) -> dict[str, Any]:
    """What the demo loaded, as the admin sees it through the API."""
    with run.admin() as admin:
        estates = admin.get("/api/estates").json()
        shot: dict[str, Any] = {"estates": sorted((e["name"], e["id"]) for e in estates)}
        for estate in estates:
            eid = estate["id"]
            shot[f"{eid}.households"] = len(
                listed(admin.get(f"/api/estates/{eid}/households").json())
            )
            works = listed(admin.get(f"/api/estates/{eid}/works").json())
            shot[f"{eid}.works"] = sorted((w["title"], w["status"]) for w in works)
            shot[f"{eid}.rounds"] = sorted(
                (q["id"], len(q["rounds"]), len(q["counter_offers"]))
                for w in works
                for q in admin.get(f"/api/works/{w['id']}/quotes").json()
            )
            shot[f"{eid}.plans"] = [
                p["version"] for p in admin.get(f"/api/estates/{eid}/funding-plans").json()
            ]
            shot[f"{eid}.sources"] = len(admin.get(f"/api/estates/{eid}/funding-sources").json())
            meetings = admin.get(f"/api/estates/{eid}/meetings").json()
            shot[f"{eid}.ballots"] = sorted(
                (m["id"], len(admin.get(f"/api/motions/{m['id']}/ballots").json()))
                for meeting in meetings
                for m in admin.get(f"/api/meetings/{meeting['id']}").json()["motions"]
            )
    return shot


def check_reference_case(run: DemoRun) -> None:
    """The retrofit's rounds, the passed self-funding motion and the approved plan."""
    committee = run.sign_in("committee")
    me = committee.get("/api/me")
    assert me["role"] == "committee"
    estate_id = me["estate_id"]
    works = committee.get(f"/api/estates/{estate_id}/works")
    assert {w["category"] for w in works} >= {
        "power",
        "water",
        "roof",
        "parking",
        "cameras",
        "signage",
    }
    power = next(w for w in works if w["category"] == "power")
    assert power["status"] == "awarded" and power["awarded_total_fen"] == 1_700_000 * YUAN
    awarded = next(
        q for q in committee.get(f"/api/works/{power['id']}/quotes") if q["status"] == "awarded"
    )
    rounds = awarded["rounds"]
    assert len(rounds) >= 3 and len(awarded["counter_offers"]) >= 2
    assert rounds[0]["total_fen"] == 3_600_000 * YUAN
    assert rounds[-1]["total_fen"] == 1_700_000 * YUAN
    assert rounds[-1]["change_vs_first_fen"] == -1_900_000 * YUAN
    assert rounds[-1]["change_vs_first_pct"] == "-52.8"
    assert [r["total_fen"] for r in rounds] == sorted(
        (r["total_fen"] for r in rounds), reverse=True
    )
    in_negotiation = [w for w in works if w["status"] == "quoting"]
    assert in_negotiation, "one work is still being negotiated"

    meetings = committee.get(f"/api/estates/{estate_id}/meetings")
    closed = [
        committee.get(f"/api/meetings/{m['id']}") for m in meetings if m["status"] == "closed"
    ]
    self_funding = next(m for meeting in closed for m in meeting["motions"] if m["matter"] == 6)
    tally = committee.get(f"/api/motions/{self_funding['id']}/tally")
    assert tally["passed"] is True and tally["quorum_met"] is True
    assert tally["participating_owners"] < tally["total_owners"], "a realistic turnout"
    assert 0 < tally["yes_owners"] < tally["participating_owners"], "a realistic tally"
    assert tally["rule"]
    committee.close()

    treasurer = run.sign_in("treasurer")
    plans = treasurer.get(f"/api/estates/{estate_id}/funding-plans")
    approved = [p for p in plans if p["status"] == "approved"]
    assert approved
    plan = treasurer.get(f"/api/funding-plans/{max(approved, key=lambda p: p['version'])['id']}")
    assert 150_000 * YUAN <= plan["residents_total_fen"] <= 200_000 * YUAN
    share = Decimal(plan["residents_total_fen"]) / Decimal(plan["total_cost_fen"])
    assert Decimal("0.20") <= share <= Decimal("0.30")
    assert Decimal("0.20") <= Decimal(plan["residents_share"]) <= Decimal("0.30")
    assert any(h["capped"] for h in plan["households"]), "hardship caps apply"
    assert any(h["amount_fen"] == 0 and h["capped"] for h in plan["households"]), "one exempt"
    kinds = {s["kind"] for s in treasurer.get(f"/api/estates/{estate_id}/funding-sources")}
    assert kinds == {"subsidy", "maintenance_fund", "utility", "donor"}
    for summary in plans:
        version = treasurer.get(f"/api/funding-plans/{summary['id']}")
        if version["status"] != "failed":
            check_plan_adds_up(version)
    treasurer.close()

    supplier = run.sign_in("supplier")
    mine = supplier.get(f"/api/estates/{estate_id}/works")
    open_quotes = [
        q
        for w in mine
        for q in supplier.get(f"/api/works/{w['id']}/quotes")
        if q["status"] == "open"
    ]
    assert open_quotes and open_quotes[0]["counter_offers"], "a counter-offer awaits an answer"
    assert all(w["estimate_fen"] is None for w in mine)
    supplier.close()


SHANGHAI = timezone(timedelta(hours=8))


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local_day(value: str) -> str:
    return when(value).astimezone(SHANGHAI).date().isoformat()


def check_story_dates(run: DemoRun, database_url: str) -> None:
    """The history is dated like a real one: the retrofit's rounds and counter-offers weeks
    apart, the 1栋 meeting held on its scheduled evening with its ballots cast during it,
    the 5栋 meeting in session now, and every estate's events in story order (the 5栋 roof
    consultation's too, closed and announced after the story was written)."""
    now = datetime.now(UTC)
    committee = run.sign_in("committee")
    estate_id = committee.get("/api/me")["estate_id"]
    works = committee.get(f"/api/estates/{estate_id}/works")
    power = next(w for w in works if w["category"] == "power")
    awarded = next(
        q for q in committee.get(f"/api/works/{power['id']}/quotes") if q["status"] == "awarded"
    )
    rounds = [when(r["at"]) for r in awarded["rounds"]]
    counters = [when(c["at"]) for c in awarded["counter_offers"]]
    assert rounds == sorted(rounds) and len({r.date() for r in rounds}) == len(rounds)
    assert rounds[-1] - rounds[0] >= timedelta(weeks=6), rounds
    assert all(b - a >= timedelta(days=7) for a, b in itertools.pairwise(rounds))
    for i, counter in enumerate(counters):  # each answer between its round and the next
        assert rounds[i] < counter < rounds[i + 1], (rounds, counters)
    assert now - rounds[-1] > timedelta(weeks=4), "the award is weeks old, not today"

    meetings = [
        committee.get(f"/api/meetings/{m['id']}")
        for m in committee.get(f"/api/estates/{estate_id}/meetings")
    ]
    held = next(m for m in meetings if m["status"] == "closed")
    assert held["scope_building_ids"] and "1栋" in held["title"]
    scheduled = held["scheduled_at"]
    assert local_day(held["opened_at"]) == local_day(scheduled) == local_day(held["closed_at"])
    assert when(scheduled) <= when(held["opened_at"]) < when(held["closed_at"])
    assert when(held["closed_at"]) - when(held["opened_at"]) < timedelta(hours=3)
    assert now - when(scheduled) > timedelta(weeks=4)
    motion = held["motions"][0]
    ballots = committee.get(f"/api/motions/{motion['id']}/ballots")
    cast = sorted(when(b["cast_at"]) for b in ballots)
    assert when(held["opened_at"]) < cast[0] and cast[-1] < when(held["closed_at"])
    assert cast[-1] - cast[0] > timedelta(minutes=20), "ballots over the evening"
    in_session = next(m for m in meetings if m["status"] == "open")
    assert timedelta(0) < now - when(in_session["opened_at"]) < timedelta(hours=2)
    assert local_day(in_session["scheduled_at"]) == local_day(in_session["opened_at"])
    committee.close()

    async def event_times() -> dict[int, list[tuple[int, datetime]]]:
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT estate_id, seq, at FROM events ORDER BY estate_id, seq")
        finally:
            await conn.close()
        out: dict[int, list[tuple[int, datetime]]] = {}
        for r in rows:
            out.setdefault(r["estate_id"], []).append((r["seq"], r["at"]))
        return out

    for estate, events in asyncio.run(event_times()).items():
        times = [at for _, at in events]
        assert times == sorted(times), f"estate {estate}: events out of story order"
        assert times[-1] <= datetime.now(UTC)
    jg = asyncio.run(event_times())[estate_id]
    assert jg[-1][1] - jg[0][1] > timedelta(days=90), "four months of history"


def check_needs(run: DemoRun) -> None:
    """Before the renovation (issue 18): the pilot's figures on the board, the partner units'
    wishes, the equal-shares round that chose the plan's works while most votes would not
    have, all dated months before the award; the partner's link signs in to wishes only."""
    committee = run.sign_in("committee")
    estate_id = committee.get("/api/me")["estate_id"]
    figures = committee.get(f"/api/estates/{estate_id}/board")["figures"]
    assert figures["suggestions_received"] == 400
    assert (figures["problems_listed"], figures["problems_solved"]) == (40, 39)
    assert figures["problems_urgent_solved"] == 35
    summary = committee.get(f"/api/estates/{estate_id}/wishes/summary")
    assert sum(p["fulfilled"] for p in summary["partners"]) == 117
    kinds = {p["partner_kind"] for p in summary["partners"]}
    assert kinds == {"bank", "school", "hospital", "law_firm"}
    (chosen,) = committee.get(f"/api/estates/{estate_id}/choice-rounds")
    choice = committee.get(f"/api/choice-rounds/{chosen['id']}")
    works = {w["id"]: w for w in committee.get(f"/api/estates/{estate_id}/works")}
    funded = {works[w]["category"] for w in choice["result"]["funded_work_ids"]}
    assert funded == {"water", "roof", "parking", "cameras", "signage"}
    assert set(choice["result"]["greedy_work_ids"]) != set(choice["result"]["funded_work_ids"])
    assert datetime.now(UTC) - when(choice["closed_at"]) > timedelta(days=100), "story dates"
    problems = committee.get(f"/api/estates/{estate_id}/problems")
    solved = [when(p["solved_at"]) for p in problems if p.get("solved_at")]
    assert solved and max(solved) < datetime.now(UTC) - timedelta(days=100), "story dates"
    committee.close()
    partner = run.sign_in("partner")
    assert partner.get("/api/me")["role"] == "partner"
    assert partner.get(f"/api/estates/{estate_id}/wishes")
    partner.close()


def check_after_decision(run: DemoRun) -> None:
    """After the decision (issue 19): the pipes and the roof delivered and accepted, the roof's
    +¥8,600 variation approved by the committee, ~92 % collected with arrears in two
    buildings, the final accounts approved with refunds and a few top-ups, all dated before
    the 5栋 meeting was called."""
    committee = run.sign_in("committee")
    estate_id = committee.get("/api/me")["estate_id"]
    works = {w["category"]: w for w in committee.get(f"/api/estates/{estate_id}/works")}
    assert works["water"]["status"] == works["roof"]["status"] == "done"
    variations = committee.get(f"/api/works/{works['roof']['id']}/variations")
    assert [v["amount_fen"] for v in variations["items"] if v["status"] == "approved"] == [860_000]
    timeline = committee.get(f"/api/estates/{estate_id}/timeline")
    assert timeline, "the works' timeline"
    committee.close()
    treasurer = run.sign_in("treasurer")
    (plan,) = [p for p in treasurer.get(f"/api/estates/{estate_id}/funding-plans")
               if p["status"] == "approved"]  # fmt: skip
    balances = treasurer.get(f"/api/funding-plans/{plan['id']}/balances?by=building")
    totals = balances["totals"]
    assert 0.90 <= totals["paid_fen"] / totals["due_fen"] <= 0.94, totals
    owing = sorted((b["balance_fen"], b["building"]) for b in balances["buildings"])
    assert owing[-2][0] + owing[-1][0] > 0.8 * totals["balance_fen"], "arrears in two buildings"
    (final,) = treasurer.get(f"/api/estates/{estate_id}/final-accounts")
    assert final["status"] == "approved"
    detail = treasurer.get(f"/api/final-accounts/{final['id']}")
    refunds = [h for h in detail["households"] if h["refund_fen"] > 0]
    topups = [h for h in detail["households"] if h["topup_fen"] > 0]
    assert len(refunds) > len(topups) > 0
    assert datetime.now(UTC) - when(final["approved_at"]) > timedelta(days=20), "story dates"
    treasurer.close()
    token = re.search(r"/#/d/([\w-]+)", run.output)
    assert token, run.output
    public = httpx.get(f"{run.base_url}/api/public/disclosures/{token.group(1)}", timeout=30)
    assert public.status_code == 200, public.text
    assert public.json()["collection"]["collected_fen"] == totals["paid_fen"]
    assert "mine" not in public.json() or not public.json()["mine"]


def recount(ballots: list[dict[str, Any]], households: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Participation and choices from the counted ballots alone (each owner votes one way)."""
    counted = [b for b in ballots if b["counted"]]
    by_owner: dict[str, set[str]] = {}
    area: dict[str, Decimal] = {"yes": Decimal(0), "no": Decimal(0), "abstain": Decimal(0)}
    for b in counted:
        unit = households[b["household_id"]]
        by_owner.setdefault(unit["owner_key"], set()).add(b["choice"])
        area[b["choice"]] += Decimal(unit["area_m2"])
    assert all(len(choices) == 1 for choices in by_owner.values())
    owners = {c: sum(1 for v in by_owner.values() if c in v) for c in area}
    return {
        "participating_units": len(counted),
        "participating_owners": len(by_owner),
        "participating_area_m2": str(sum(area.values())),
        **{f"{c}_owners": owners[c] for c in area},
        **{f"{c}_area_m2": str(area[c]) for c in area},
    }


def check_consultation(run: DemoRun, tmp_path: Path) -> None:
    """The 5栋 roof by written consultation: notice 15 days before its week of voting, about
    half the owners on the phone, a proxy holder's split, 10 paper sheets entered twice (one
    mismatch resolved by a third member), closed by itself at closes_at, announced; its
    tally is what its counted ballots add up to, and what ``planner recount`` makes of its
    downloaded record."""
    assert "closed by itself" in run.output
    committee = run.sign_in("committee")
    estate_id = committee.get("/api/me")["estate_id"]
    roof = next(
        c
        for c in committee.get(f"/api/estates/{estate_id}/consultations")
        if c["title"].startswith("5栋屋面防水")
    )
    assert roof["status"] == "announced"
    assert roof["closed_by"] is None, "it closed by itself"
    assert when(roof["closes_at"]) <= when(roof["closed_at"]) <= when(roof["announced_at"])
    assert when(roof["closed_at"]) - when(roof["closes_at"]) < timedelta(seconds=60)
    assert roof["notice_days"] == 15 and roof["rule_set"] == "civil_code_2021"
    notice = when(roof["opens_at"]) - when(roof["published_at"])
    assert timedelta(days=15) <= notice < timedelta(days=16), "the notice came 15 days before"
    assert when(roof["opened_at"]) - when(roof["opens_at"]) < timedelta(minutes=1)
    assert datetime.now(UTC) - when(roof["opens_at"]) > timedelta(days=5), "a week of voting"
    assert f"/#/consultations/{roof['id']}" in run.output
    assert f"/#/c/{roof['public_token']}" in run.output
    [motion] = roof["motions"]
    assert motion["matter"] == 5 and motion["status"] == "closed"
    # the notice reached the phone voters online (their first opening) and the others on
    # paper, handed over by a committee member before voting opened
    delivered = committee.get(f"/api/consultations/{roof['id']}/deliveries")["items"]
    states = Counter(d["state"] for d in delivered)
    assert states["paper"] == 12 and states["online"] >= 28, states
    for d in delivered:
        if d["state"] == "paper":
            assert d["by_name"] and when(d["at"]) < when(roof["opens_at"])

    tally = committee.get(f"/api/motions/{motion['id']}/tally")
    assert tally["passed"] is True and tally["quorum_met"] is True
    assert tally["participating_owners"] < tally["total_owners"]
    channels = tally["by_channel"]
    assert channels["paper"]["owners"] == 10 and channels["proxy"]["owners"] == 2
    share = Decimal(channels["online"]["owners"]) / tally["total_owners"]
    assert Decimal("0.4") <= share <= Decimal("0.6"), "about half the owners on the phone"

    ballots = committee.get(f"/api/motions/{motion['id']}/ballots")
    opened, closes = when(roof["opened_at"]), when(roof["closes_at"])
    assert all(opened < when(b["cast_at"]) < closes for b in ballots)
    days = {local_day(b["cast_at"]) for b in ballots}
    assert len(days) >= 4, "ballots over the week"
    assert len(ballots) == tally["participating_units"], "a retried phone recorded once"
    proxied = [b for b in ballots if b["delegation_id"] is not None]
    assert len(proxied) == 2 and len({b["cast_by"] for b in proxied}) == 1
    assert sorted(b["choice"] for b in proxied) == ["no", "yes"], "the proxy split"
    assert all(b["delegation_reference"] for b in proxied), "written authorisations"
    households = {h["id"]: h for h in listed(committee.get(f"/api/estates/{estate_id}/households"))}
    expected = recount(ballots, households)
    assert {k: tally[k] for k in expected} == expected, "the tally is the recount"
    record = committee.client.get(f"/api/consultations/{roof['id']}/record")
    assert record.status_code == 200, record.text
    path, digest = tmp_path / "record.json", roof["record_digest"]
    path.write_bytes(record.content)
    done = subprocess.run(
        [sys.executable, "-m", "planner", "recount", str(path), "--expect-digest", digest],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [figures] = [json.loads(line) for line in done.stdout.splitlines()]
    assert figures["motion_id"] == motion["id"]
    assert {k: tally[k] for k in figures if k in tally} == {
        k: v for k, v in figures.items() if k in tally
    }, "planner recount prints the tally's figures"

    sheets = committee.get(f"/api/consultations/{roof['id']}/paper-entries")["items"]
    assert len(sheets) == 10 and all(s["state"] == "counted" for s in sheets)
    resolved = [s for s in sheets if len(s["entries"]) == 3]
    assert len(resolved) == 1
    first, second, third = resolved[0]["entries"]
    assert second["state"] == "mismatch" and third["state"] == "counted"
    assert first["choices"] == third["choices"] != second["choices"]
    assert len({e["entered_by"] for e in (first, second, third)}) == 3
    for sheet in sheets:
        one, two = sheet["entries"][:2]
        assert one["entered_by"] != two["entered_by"], "two members entered each sheet"
        if sheet is not resolved[0]:
            assert one["choices"] == two["choices"] and two["state"] == "counted"
        assert opened < when(one["entered_at"]) < when(two["entered_at"]) < closes
        assert {e["photo_sha256"] for e in sheet["entries"]} == {one["photo_sha256"]} != {None}
    assert len({s["entries"][0]["photo_sha256"] for s in sheets}) == 10, "a photo per sheet"
    committee.close()


def vote_as_owner(run: DemoRun) -> None:
    """The owner finds the open motion of their building and casts a ballot; the tally moves."""
    owner = run.sign_in("owner")
    me = owner.get("/api/me")
    assert len(me["household_ids"]) >= 2, "the tour owner holds two flats"
    mine = owner.get(f"/api/estates/{me['estate_id']}/households")
    meetings = owner.get(f"/api/estates/{me['estate_id']}/meetings")
    live = [owner.get(f"/api/meetings/{m['id']}") for m in meetings if m["status"] == "open"]
    motion = next(m for meeting in live for m in meeting["motions"] if m["status"] == "open")
    meeting = next(meeting for meeting in live if motion in meeting["motions"])
    assert {h["building_id"] for h in mine} <= set(meeting["scope_building_ids"])
    before = owner.get(f"/api/motions/{motion['id']}/tally")
    cast = owner.post(f"/api/motions/{motion['id']}/ballots", {"choice": "yes"})
    assert cast.status_code == 201, cast.text
    assert len(cast.json()["ballots"]) == len(me["household_ids"])
    after = owner.get(f"/api/motions/{motion['id']}/tally")
    assert after["participating_owners"] == before["participating_owners"] + 1
    assert after["participating_units"] == before["participating_units"] + len(me["household_ids"])
    plan_ids = [p["id"] for p in owner.get(f"/api/estates/{me['estate_id']}/funding-plans")]
    shown = owner.get(f"/api/funding-plans/{plan_ids[0]}")["households"]
    assert {h["household_id"] for h in shown} == set(me["household_ids"])
    owner.close()


def answer_as_supplier(run: DemoRun) -> None:
    """The supplier answers the committee's counter-offer on the car park with round 2."""
    supplier = run.sign_in("supplier")
    me = supplier.get("/api/me")
    works = supplier.get(f"/api/estates/{me['estate_id']}/works")
    quote = next(
        q
        for w in works
        for q in supplier.get(f"/api/works/{w['id']}/quotes")
        if q["status"] == "open"
    )
    latest = quote["rounds"][-1]
    target = quote["counter_offers"][-1]["target_total_fen"]
    lines = [
        {k: line[k] for k in ("description", "unit", "quantity", "unit_price_fen")}
        for line in latest["lines"]
    ]
    lines[-1]["unit_price_fen"] -= (latest["total_fen"] - target) // 2
    revised = supplier.post(
        f"/api/quotes/{quote['id']}/rounds", {"based_on_round": latest["round"], "lines": lines}
    )
    assert revised.status_code in (200, 201), revised.text
    assert revised.json()["rounds"][-1]["total_fen"] == (latest["total_fen"] + target + 1) // 2
    supplier.close()


def audit_verify(database_url: str, data_dir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "planner", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.timeout(600)
def check_district(run: DemoRun) -> None:
    """The printed district link (issue 21): its overview has both demo estates, and the
    retrofit's tender beside its first quote."""
    district = run.sign_in("district")
    try:
        overview = district.get("/api/district/overview")
        assert [r["name"] for r in overview["estates"]] == ["金桂苑小区", "银杏苑小区"]
        jingui = overview["estates"][0]
        assert jingui["tenders"] >= 1 and jingui["first_quotes_fen"] > jingui["current_fen"]
        assert any(w["change_pct"] == "-52.8" for w in jingui["tender_works"])
        assert jingui["plan_status"] == "approved" and jingui["households"] > 0
        hidden = district.client.get(f"/api/estates/{jingui['estate_id']}")
        assert hidden.status_code == 404
    finally:
        district.close()


def test_demo_loads_once_and_resets(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = run_demo(database_url, data_dir)
    try:
        assert "loaded 金桂苑小区 and 银杏苑小区" in first.output
        loaded = snapshot(first)
        names = [name for name, _ in loaded["estates"]]
        assert names == ["金桂苑小区", "银杏苑小区"]
        households = sum(v for k, v in loaded.items() if k.endswith(".households"))
        assert 850 <= households <= 950
        with first.admin() as admin:
            buildings = sum(
                len(admin.get(f"/api/estates/{eid}/buildings").json())
                for _, eid in loaded["estates"]
            )
        assert 12 <= buildings <= 20
        check_reference_case(first)
        check_story_dates(first, database_url)
        check_consultation(first, tmp_path)
        check_needs(first)
        check_after_decision(first)
        check_district(first)
        vote_as_owner(first)
        answer_as_supplier(first)
        voted = snapshot(first)
    finally:
        first.stop()

    second = run_demo(database_url, data_dir)
    try:
        assert "already loaded" in second.output
        assert "closed by itself" in second.output
        assert snapshot(second) == voted, "a second run loads nothing new"
        old_link = first.links["committee"].removeprefix(first.base_url)
        stale = httpx.get(second.base_url + old_link, follow_redirects=False)
        assert stale.status_code == 401, "the previous run's links are revoked"
        check_reference_case(second)
        with second.admin() as admin:
            other = admin.post("/api/estates", json={"name": OTHER_ESTATE}).json()["id"]
            imported = admin.post(
                f"/api/estates/{other}/households/import",
                content=SAMPLE_CSV.encode(),
                headers={"content-type": "text/csv"},
            )
            assert imported.status_code == 201, imported.text
    finally:
        second.stop()

    third = run_demo(database_url, data_dir, "--reset")
    try:
        assert "loaded 金桂苑小区 and 银杏苑小区" in third.output
        fresh = snapshot(third)
        assert (OTHER_ESTATE, other) in fresh["estates"], "--reset leaves other estates alone"
        assert fresh[f"{other}.households"] == SAMPLE_CSV.count("\n") - 1
        fresh = {k: v for k, v in fresh.items() if not k.startswith(f"{other}.")}
        fresh["estates"].remove((OTHER_ESTATE, other))
        assert [n for n, _ in fresh["estates"]] == names
        assert {i for _, i in fresh["estates"]}.isdisjoint({i for _, i in loaded["estates"]})
        renumbered = {k.split(".", 1)[1]: v for k, v in fresh.items() if "." in k}
        original = {k.split(".", 1)[1]: v for k, v in loaded.items() if "." in k}
        for key in ("households", "works", "plans", "sources"):
            assert sorted(v for k, v in renumbered.items() if k == key) == sorted(
                v for k, v in original.items() if k == key
            )
        vote_as_owner(third)
    finally:
        third.stop()
    audit_verify(database_url, data_dir)
