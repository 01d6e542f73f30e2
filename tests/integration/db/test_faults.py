"""Faults: SIGKILL mid-vote-storm, PostgreSQL restart under load, a solver that times out
or finds no plan, two instances racing on the same award or ballot.

Real ``planner serve`` subprocesses on the test's database (the ``services`` fixture) or on
a PostgreSQL server of the test's own (for the restart).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from planner.db.pool import connect_raw
from planner.testing import LINES, RunningService, Served, bearer, row_counts
from planner.testing.faults import estate_rows, vote_storm_with_kills
from planner.testing.postgres_restart import postgres_restarts_under_load
from planner.testing.voting import open_motion, setup_voting

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


async def test_sigkill_mid_vote_storm_loses_and_doubles_nothing(
    services: Callable[..., RunningService], database_url: str
) -> None:
    report = await vote_storm_with_kills(
        services, database_url, owners=20, changes_per_owner=3, kills=1, concurrency=8
    )
    assert report.kills == 1
    assert len(report.acknowledged) == report.casts_planned
    assert report.lost == 0, "an acknowledged ballot is missing"
    assert report.doubled == 0, "an acknowledged ballot is stored twice or altered"
    assert report.tally_mismatch == 0, "the running tally does not follow the ballots"
    assert report.resumes >= 1, "the socket should have been cut by the kill"
    assert report.stream_gaps == 0, "the resumed stream missed events"
    assert report.stream_duplicates == 0, "the resumed stream repeated events"


async def test_postgres_restart_under_load_recovers_by_itself(tmp_path: Path) -> None:
    """Nothing acknowledged is lost, new changes go through again without a restart of the
    service (pool and listener reconnect), and the stream, resumed by seq, has no gap."""
    report = await postgres_restarts_under_load(tmp_path, restarts=1)
    print(
        f"pg restart: recovered in {report.recovery_seconds} s, refused {report.refused}, "
        f"{report.acknowledged} acknowledged"
    )
    assert report.restarts == 1
    assert report.lost == 0
    assert report.stream_gaps == 0
    assert max(report.recovery_seconds) < 30
    # while the server restarts: 503 (database_unavailable), never a 500
    assert all(r == 503 or isinstance(r, str) for r in report.refused), (
        report.refused,
        "\n".join(report.errors_logged),
    )


async def test_solver_timeout_and_infeasible_plans_are_stored_as_failed(served: Served) -> None:
    world = served.world
    treasurer = bearer(world.own["treasurer"])
    cases = [
        ({"resident_band": ["0.20", "0.30"], "time_limit_s": 1e-9}, "timeout"),
        ({"resident_band": ["0.00", "0.01"]}, "infeasible"),
    ]
    async with httpx.AsyncClient(base_url=served.base_url, timeout=120) as http:
        for body, status in cases:
            before = await row_counts(served.database_url)
            response = await http.post(
                f"/api/estates/{world.estate_a}/funding-plans", json=body, headers=treasurer
            )
            assert response.status_code == 422, response.text
            problem = response.json()
            assert problem["detail"], "the treasurer is told why"
            after = await row_counts(served.database_url)
            changed = {k: after[k] - before[k] for k in after if after[k] != before.get(k)}
            assert changed == {"funding_plans": 1, "funding_plan_figures": 1, "events": 1}, changed
            conn = await connect_raw(served.database_url)
            try:
                plan = await conn.fetchrow(
                    "SELECT * FROM funding_plans WHERE estate_id = $1 ORDER BY id DESC LIMIT 1",
                    world.estate_a,
                )
                event = await conn.fetchrow(
                    "SELECT type FROM events WHERE estate_id = $1 ORDER BY seq DESC LIMIT 1",
                    world.estate_a,
                )
            finally:
                await conn.close()
            assert plan["status"] == "failed"
            assert plan["solver_status"] == status, dict(plan)
            assert event["type"] == "plan.failed"
            listed = await http.get(f"/api/funding-plans/{plan['id']}", headers=treasurer)
            assert listed.status_code == 200
            assert listed.json()["status"] == "failed"
            assert listed.json()["failure_reason"]
            approve = await http.post(f"/api/funding-plans/{plan['id']}/approve", headers=treasurer)
            assert approve.status_code == 409, "a failed version can never be approved"


async def test_two_instances_racing_on_awards_and_ballots(
    services: Callable[..., RunningService], database_url: str
) -> None:
    first = await asyncio.to_thread(services)
    second = await asyncio.to_thread(services, data_dir=first.data_dir)
    admin = bearer(first.admin_token)
    async with (
        httpx.AsyncClient(base_url=first.base_url, timeout=60) as a,
        httpx.AsyncClient(base_url=second.base_url, timeout=60) as b,
    ):
        voting = await setup_voting(a, first.admin_token, None, estate_rows(12))
        estate_id = voting.estate_id
        committee = bearer(voting.committee)
        suppliers = []
        for name in ("甲电力", "乙电力"):
            made = await a.post(
                f"/api/estates/{estate_id}/suppliers", json={"name": name}, headers=admin
            )
            supplier_id = made.json()["id"]
            member = await a.post(
                f"/api/estates/{estate_id}/members",
                json={"role": "supplier", "display_name": name, "supplier_id": supplier_id},
                headers=admin,
            )
            suppliers.append((supplier_id, bearer(member.json()["token"])))
        outcomes = []
        for i in range(6):
            work = (
                await a.post(
                    f"/api/estates/{estate_id}/works",
                    json={"title": f"工程{i}", "category": "power"},
                    headers=committee,
                )
            ).json()
            await a.post(
                f"/api/works/{work['id']}/status", json={"status": "approved"}, headers=committee
            )
            quotes = []
            for supplier_id, token in suppliers:
                await a.post(
                    f"/api/works/{work['id']}/invitations",
                    json={"supplier_id": supplier_id},
                    headers=committee,
                )
                quote = await a.post(
                    f"/api/works/{work['id']}/quotes", json={"lines": LINES}, headers=token
                )
                assert quote.status_code == 201, quote.text
                quotes.append(quote.json()["id"])
            # even works: both instances award the same quote; odd: each a different one
            target_b = quotes[0] if i % 2 == 0 else quotes[1]
            results = await asyncio.gather(
                a.post(f"/api/quotes/{quotes[0]}/award", json={"round": 1}, headers=committee),
                b.post(f"/api/quotes/{target_b}/award", json={"round": 1}, headers=committee),
            )
            outcomes.append(sorted(r.status_code for r in results))
        assert outcomes == [[200, 409]] * 6, outcomes
        conn = await connect_raw(database_url)
        try:
            awarded = await conn.fetch(
                """SELECT w.id, count(q.id) FILTER (WHERE q.status = 'awarded') AS n, w.status
                   FROM works w LEFT JOIN quotes q ON q.work_id = w.id
                   WHERE w.estate_id = $1 GROUP BY w.id""",
                estate_id,
            )
        finally:
            await conn.close()
        assert all(r["n"] == 1 and r["status"] == "awarded" for r in awarded), [
            dict(r) for r in awarded
        ]

        # the same owner's ballot through both instances at once: both are changes on
        # record, the later one counts, the owner is counted once
        _, motion_id = await open_motion(a, voting)
        owners = sorted(voting.owners.values())
        for _, token in owners:
            results = await asyncio.gather(
                a.post(
                    f"/api/motions/{motion_id}/ballots",
                    json={"choice": "yes"},
                    headers=bearer(token),
                ),
                b.post(
                    f"/api/motions/{motion_id}/ballots",
                    json={"choice": "no"},
                    headers=bearer(token),
                ),
            )
            assert [r.status_code for r in results] == [201, 201], [r.text for r in results]
        # casting while the other instance closes: a ballot is either counted or refused
        late = [
            b.post(
                f"/api/motions/{motion_id}/ballots",
                json={"choice": "abstain"},
                headers=bearer(token),
            )
            for _, token in owners
        ]
        close = a.post(f"/api/motions/{motion_id}/close", headers=committee)
        *cast_results, closed = await asyncio.gather(*late, close)
        assert closed.status_code == 200, closed.text
        assert {r.status_code for r in cast_results} <= {201, 409}
        conn = await connect_raw(database_url)
        try:
            motion = await conn.fetchrow("SELECT * FROM motions WHERE id = $1", motion_id)
            after_close = await conn.fetchval(
                "SELECT count(*) FROM ballots WHERE motion_id = $1 AND cast_at > $2",
                motion_id,
                motion["closed_at"],
            )
            units = await conn.fetch(
                "SELECT u.choice, u.last_ballot_id, (SELECT max(id) FROM ballots x WHERE "
                "x.motion_id = u.motion_id AND x.household_id = u.household_id) AS latest "
                "FROM motion_units u WHERE motion_id = $1",
                motion_id,
            )
        finally:
            await conn.close()
        assert after_close == 0, "no ballot may be stored after the close"
        assert all(u["last_ballot_id"] == u["latest"] for u in units)
        tally = (await a.get(f"/api/motions/{motion_id}/tally", headers=committee)).json()
        assert tally["participating_owners"] == len(owners)
        accepted_late = sum(r.status_code == 201 for r in cast_results)
        abstaining = sum(u["choice"] == "abstain" for u in units)
        assert abstaining == accepted_late, "every accepted late ballot counts, no refused one"


async def test_a_crashed_or_vanished_solver_leaves_nothing_half_stored(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies answers 'error': one failed version with the reason. A solve
    that blows up outside the worker stores nothing at all."""
    from planner.funding import service as funding_service
    from planner.funding.engine import Outcome

    world = served.world
    treasurer = bearer(world.own["treasurer"])

    async def died(_: object) -> Outcome:
        return Outcome(kind="error", reason="the solver process died")

    async def exploded(_: object) -> Outcome:
        raise RuntimeError("pool torn down mid-solve")

    async with httpx.AsyncClient(base_url=served.base_url, timeout=120) as http:
        monkeypatch.setattr(funding_service, "solve_off_loop", died)
        before = await row_counts(served.database_url)
        response = await http.post(
            f"/api/estates/{world.estate_a}/funding-plans", json={}, headers=treasurer
        )
        assert response.status_code == 422, response.text
        assert "died" in response.json()["detail"]
        after = await row_counts(served.database_url)
        changed = {k: after[k] - before[k] for k in after if after[k] != before.get(k)}
        assert changed == {"funding_plans": 1, "funding_plan_figures": 1, "events": 1}, changed

        monkeypatch.setattr(funding_service, "solve_off_loop", exploded)
        before = after
        response = await http.post(
            f"/api/estates/{world.estate_a}/funding-plans", json={}, headers=treasurer
        )
        assert response.status_code == 500
        assert response.json()["detail"] == "the server failed; the change was not made"
        assert await row_counts(served.database_url) == before
        # and the service goes on
        assert (await http.get("/health")).status_code == 200
