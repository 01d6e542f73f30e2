"""The district role (issue 21): a district member reads the overview of its assigned estates
and nothing else.

- every route of ``routes_spec.REQUESTS`` refuses it (403/404, or 401 where the route
  wants a sign-in link), except its own routes and a few that carry no estate's data
  (health, its identity, the rule sets, an empty estate list, signing out); the live
  stream closes with 4403;
- the overview lists only the assigned estates, and an assignment change applies at the
  next request; revocation ends it (401);
- no personal data: owner names, members' names, ballot choices or per-household payments
  appear in none of the JSON, CSV or XLSX.

Runs on the module's populated world (``served``); the district member of the world reads
estate A only.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.asyncio.client import connect

from planner.testing import LINES, Served, bearer
from planner.testing.routes_spec import REQUESTS, call, fill

pytestmark = pytest.mark.timeout(180)

#: what a district member reads; the global admin's district-member routes are 403 for it
DISTRICT_ROUTES = {r for r in REQUESTS if r[1].startswith("/api/district/")}
ADMIN_ROUTES = {r for r in REQUESTS if r[1].startswith("/api/district-members")}
#: routes that carry no estate's data: a district member gets them like anyone signed in
NO_ESTATE_DATA = {
    ("GET", "/health"),
    ("GET", "/ready"),  # the operator's probes (issue 21 ops): no estate's data
    ("GET", "/metrics"),  # open like /health unless PLANNER_METRICS_TOKEN is set
    ("GET", "/api/me"),
    ("GET", "/api/rule-sets"),
    ("GET", "/api/estates"),  # answered, but empty (checked below)
    ("POST", "/logout"),  # ends nothing of a bearer token
}
#: the sign-in link routes: 401 whatever the bearer (they read a pasted link)
SIGN_IN = {("GET", "/login"), ("POST", "/login")}
#: the owner names of the sample register, a member's name
PERSONAL = ("业主甲", "业主乙", "业主丙", "业主丁", "owner-", "committee-", "treasurer-")


async def _overview(http: httpx.AsyncClient, token: str, **query: str) -> dict:  # type: ignore[type-arg]
    response = await http.get("/api/district/overview", params=query, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


async def test_every_estate_route_refuses_a_district_member(served: Served) -> None:
    world = served.world
    token = world.district
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        for route in sorted(REQUESTS, key=lambda r: r == ("POST", "/logout")):
            response = await call(http, world, route, bearer(token))
            status = response.status_code
            if route in DISTRICT_ROUTES or route in NO_ESTATE_DATA:
                ok = status == 200
            elif route in ADMIN_ROUTES:
                ok = status == 403
            elif route in SIGN_IN:
                ok = status == 401
            else:
                ok = status in (403, 404)
            if not ok:
                wrong.append(f"{route}: {status} {response.text[:120]}")
        estates = await http.get("/api/estates", headers=bearer(token))
        assert estates.json() == []
        me = (await http.get("/api/me", headers=bearer(token))).json()
        assert me["role"] == "district" and me["estate_id"] is None
        assert "district.view" in me["capabilities"]
        assert not [c for c in me["capabilities"] if not c.startswith("district.view")]
    assert not wrong, "routes that did not refuse the district member:\n" + "\n".join(wrong)


async def test_the_live_stream_refuses_a_district_member(served: Served) -> None:
    world = served.world
    url = world.base_url.replace("http://", "ws://") + fill("/ws/estates/{estate_id:int}", world)
    async with connect(f"{url}?token={world.district}", open_timeout=10) as ws:
        with pytest.raises(Exception):  # noqa: B017 (closed by the server: any kind)
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
        assert ws.close_code == 4403


async def test_overview_has_only_assigned_estates_and_aggregates(served: Served) -> None:
    world = served.world
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        cast = await http.post(  # a ballot in estate A: its choice must stay private
            f"/api/motions/{world.ids['motion_id']}/ballots",
            json={"choice": "no"},
            headers=bearer(world.own["owner"]),
        )
        assert cast.status_code in (200, 201), cast.text
        body = await _overview(http, world.district)
        assert [r["estate_id"] for r in body["estates"]] == [world.estate_a]
        row = body["estates"][0]
        assert row["households"] == len(world.households_a)
        assert row["decisions_open"] >= 1
        assert row["turnout_owners_pct"] is not None and float(row["turnout_owners_pct"]) > 0
        assert row["open_participating_owners"] >= 1
        assert row["tenders"] >= 1 and row["first_quotes_fen"] > 0
        assert len(row["tender_works"]) == row["tenders"]
        assert {"work_id", "title", "first_fen", "current_fen", "change_pct"} <= set(
            row["tender_works"][0]
        )
        assert row["plan_status"] == "approved"
        assert row["band_low"] == "0.2000" and row["band_high"] == "0.3000"
        assert row["collected_fen"] > 0 and row["expected_fen"] > 0
        assert row["final_accounts"] is True
        assert row["problems"] >= 1
        assert body["read_from"] == "primary" and body["data_as_of"]
        assert body["totals"]["estates"] == 1
        csv_text = (
            await http.get("/api/district/overview.csv", headers=bearer(world.district))
        ).content.decode("utf-8-sig")
        xlsx = (
            await http.get("/api/district/overview.xlsx", headers=bearer(world.district))
        ).content
        with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
            sheet_text = "".join(
                book.read(n).decode() for n in book.namelist() if n.endswith(".xml")
            )
        admin = await _overview(http, world.admin)
    assert {r["estate_id"] for r in admin["estates"]} >= {world.estate_a, world.estate_b}
    json_text = str(body)
    for text in (json_text, csv_text, sheet_text):
        for personal in PERSONAL:
            assert personal not in text
        for key in ("household_id", "owner_name", "display_name", "choice", "receipt"):
            assert key not in text
    assert "甲小区" in csv_text and "乙小区" not in csv_text
    assert "甲小区" in sheet_text


async def test_sorting_and_filters(served: Served) -> None:
    world = served.world
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        by_name = await _overview(http, world.admin, sort="name")
        names = [r["name"] for r in by_name["estates"]]
        assert names == sorted(names)
        by_households = await _overview(http, world.admin, sort="-households")
        counts = [r["households"] for r in by_households["estates"]]
        assert counts == sorted(counts, reverse=True)
        found = await _overview(http, world.admin, q="甲")
        assert [r["estate_id"] for r in found["estates"]] == [world.estate_a]
        within = await _overview(http, world.admin, band="within")
        assert all(r["band_position"] == "within" for r in within["estates"])
        bad = await http.get(
            "/api/district/overview", params={"sort": "owner_name"}, headers=bearer(world.admin)
        )
        assert bad.status_code == 400
        unknown = await http.post(
            "/api/district-members",
            json={"display_name": "区委", "estate_ids": [world.estate_a, 9_000_000_001]},
            headers=bearer(world.admin),
        )
        assert unknown.status_code == 400 and unknown.json()["code"] == "estates_unknown"
        as_member = await http.post(
            f"/api/estates/{world.estate_a}/members",
            json={"role": "district", "display_name": "区"},
            headers=bearer(world.admin),
        )
        assert as_member.status_code == 400


async def _supplier(
    http: httpx.AsyncClient, admin: str, estate_id: int, name: str
) -> tuple[int, str]:
    made = await http.post(
        f"/api/estates/{estate_id}/suppliers", json={"name": name}, headers=bearer(admin)
    )
    negotiator = await http.post(
        f"/api/estates/{estate_id}/members",
        json={
            "role": "supplier",
            "display_name": f"{name}报价人",
            "supplier_id": made.json()["id"],
        },
        headers=bearer(admin),
    )
    return made.json()["id"], negotiator.json()["token"]


def _lines(total_fen: int) -> list[dict[str, object]]:
    return [{"description": "改造", "unit": "项", "quantity": "1", "unit_price_fen": total_fen}]


async def test_a_tender_saves_against_the_awarded_quotes_first_round(served: Served) -> None:
    """The pilot: the power company's ¥3.6M cut to ¥1.7M in rounds and awarded, beside a
    builder who opened lower (¥2.46M → ¥1.98M): the tender saved 52.8 %."""
    world = served.world
    yuan = 100
    estate = world.estate_b
    committee = bearer(world.other["committee"])
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        work = (
            await http.post(
                f"/api/estates/{estate}/works",
                json={"title": "二次供电改造", "category": "power"},
                headers=committee,
            )
        ).json()
        await http.post(
            f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=committee
        )
        quotes = {}
        for name, rounds in (
            ("供电公司", (3_600_000, 2_880_000, 2_150_000, 1_700_000)),
            ("建设公司", (2_460_000, 1_980_000)),
        ):
            supplier_id, token = await _supplier(http, world.admin, estate, name)
            await http.post(
                f"/api/works/{work['id']}/invitations",
                json={"supplier_id": supplier_id},
                headers=committee,
            )
            quote = await http.post(
                f"/api/works/{work['id']}/quotes",
                json={"lines": _lines(rounds[0] * yuan)},
                headers=bearer(token),
            )
            assert quote.status_code == 201, quote.text
            for n, total in enumerate(rounds[1:], start=1):
                revised = await http.post(
                    f"/api/quotes/{quote.json()['id']}/rounds",
                    json={"based_on_round": n, "lines": _lines(total * yuan)},
                    headers=bearer(token),
                )
                assert revised.status_code == 201, revised.text
            quotes[name] = (quote.json()["id"], len(rounds))
        before = await _overview(http, world.admin, q="乙")
        leading = before["estates"][0]["tender_works"]
        assert [(w["first_fen"], w["current_fen"], w["awarded"]) for w in leading] == [
            (3_600_000 * yuan, 1_700_000 * yuan, False)  # the lowest latest round leads
        ]
        quote_id, last = quotes["供电公司"]
        awarded = await http.post(
            f"/api/quotes/{quote_id}/award", json={"round": last}, headers=committee
        )
        assert awarded.status_code == 200, awarded.text
        after = await _overview(http, world.admin, q="乙")
    row = after["estates"][0]
    assert row["tender_works"] == [
        {
            "estate_id": estate,
            "work_id": work["id"],
            "title": "二次供电改造",
            "awarded": True,
            "first_fen": 3_600_000 * yuan,
            "current_fen": 1_700_000 * yuan,
            "change_pct": "-52.8",
        }
    ]
    assert row["saving_pct"] == "-52.8" and row["saving_fen"] == 1_900_000 * yuan


async def test_sealed_bids_stay_out_until_opened(served: Served) -> None:
    """A sealed tender's prices are nobody's before the opening: not the district's either."""
    world = served.world
    committee = bearer(world.own["committee"])
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        opens = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        work = (
            await http.post(
                f"/api/estates/{world.estate_a}/works",
                json={"title": "密封招标", "category": "power", "sealed_until": opens},
                headers=committee,
            )
        ).json()
        await http.post(
            f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=committee
        )
        invited = await http.post(
            f"/api/works/{work['id']}/invitations",
            json={"supplier_id": world.ids["supplier_a1"]},
            headers=committee,
        )
        assert invited.status_code == 201, invited.text
        quoted = await http.post(
            f"/api/works/{work['id']}/quotes",
            json={"lines": LINES},
            headers=bearer(world.own["supplier"]),
        )
        assert quoted.status_code == 201, quoted.text
        body = await _overview(http, world.district)
    row = next(r for r in body["estates"] if r["estate_id"] == world.estate_a)
    assert work["id"] not in [w["work_id"] for w in row["tender_works"]]
    assert "密封招标" not in str(body)


async def test_assignment_change_applies_at_once_and_revocation_ends_it(served: Served) -> None:
    """Runs last: it moves and then revokes the world's district member."""
    world = served.world
    member_id = world.ids["district_member_id"]
    admin = bearer(world.admin)
    async with httpx.AsyncClient(base_url=world.base_url, timeout=30) as http:
        moved = await http.put(
            f"/api/district-members/{member_id}/estates",
            json={"estate_ids": [world.estate_b]},
            headers=admin,
        )
        assert moved.status_code == 200, moved.text
        body = await _overview(http, world.district)
        assert [r["estate_id"] for r in body["estates"]] == [world.estate_b]
        both = await http.put(
            f"/api/district-members/{member_id}/estates",
            json={"estate_ids": [world.estate_b, world.estate_a]},
            headers=admin,
        )
        assert both.json() == {"estate_ids": sorted([world.estate_a, world.estate_b])}
        body = await _overview(http, world.district)
        assert {r["estate_id"] for r in body["estates"]} == {world.estate_a, world.estate_b}
        listed = (await http.get("/api/district-members", headers=admin)).json()
        mine = next(m for m in listed if m["id"] == member_id)
        assert mine["estate_ids"] == sorted([world.estate_a, world.estate_b])
        assert mine["level"] == "subdistrict"
        events = await http.get(
            f"/api/district-members/{member_id}/revoke", headers=admin
        )  # GET is not a route
        assert events.status_code in (404, 405)
        revoked = await http.post(f"/api/district-members/{member_id}/revoke", headers=admin)
        assert revoked.json() == {"revoked": True}
        after = await http.get("/api/district/overview", headers=bearer(world.district))
        assert after.status_code == 401
        again = await http.post(f"/api/district-members/{member_id}/revoke", headers=admin)
        assert again.json() == {"revoked": False}
