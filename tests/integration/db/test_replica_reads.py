"""Reads through ``read_db`` go to a real streaming standby (``DATABASE_REPLICA_URL``).

A primary of the module's own and a standby copied from it with ``pg_basebackup -R``
(``planner.testing.standby``); the service runs in-process under uvicorn with
``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URL`` on the standby. A write through
the API shows on the read path within moments; while the standby's replay is paused it does
not (so the reads really are the standby's) and ``data_as_of`` stays before the write; with
the standby stopped, reads go to the primary, ``/health`` says so, one line is logged, and
when the standby is back reads go to it again. The district overview (``read_db``) is
read from the standby and says how fresh (``data_as_of``, ``read_from``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from planner.db.outage import DatabaseUnavailable
from planner.db.pool import Database
from planner.db.replica import RETRY_S, ReadDatabase, data_as_of, freshness
from planner.estates import store as estates_store
from planner.settings import Settings
from planner.testing import SAMPLE_CSV, bearer, create_estate, running_app, start_service
from planner.testing import store as probe
from planner.testing.postgres_restart import wait_until
from planner.testing.standby import StandbyPair

DATABASE = "planner"


@pytest.fixture(scope="module")
async def pair(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[StandbyPair]:
    standbys = StandbyPair(tmp_path_factory.mktemp("replica"))
    await asyncio.to_thread(standbys.start)
    async with probe.connected(standbys.primary_url()) as conn:
        await probe.create_database(conn, DATABASE)
    try:
        yield standbys
    finally:
        await asyncio.to_thread(standbys.stop)


@pytest.fixture(scope="module")
async def service(
    pair: StandbyPair, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, Litestar, str]]:
    settings = Settings(
        database_url=pair.primary_url(DATABASE),
        database_replica_url=pair.standby_url(DATABASE),
        data_dir=tmp_path_factory.mktemp("replica-svc"),
    )
    async with running_app(settings) as (base_url, app):
        # at once, unless a loaded machine made the first attempt miss its 3 s
        await wait_until(lambda: _replica_up(reads_of(app)), within=RETRY_S * 5 + 10)
        admin = bearer(app.state.new_admin_token)
        async with httpx.AsyncClient(base_url=base_url, headers=admin, timeout=30) as http:
            yield http, app, base_url


@pytest.fixture(scope="module")
async def district(service: tuple[httpx.AsyncClient, Litestar, str]) -> tuple[int, str]:
    """An estate with households and a district member reading it: (estate id, token)."""
    http, app, _ = service
    estate_id = await create_estate(http, app.state.new_admin_token, SAMPLE_CSV, "副本花园")
    answer = await http.post(
        "/api/district-members", json={"display_name": "街道", "estate_ids": [estate_id]}
    )
    assert answer.status_code == 201, answer.text
    return estate_id, answer.json()["token"]


async def overview(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    answer = await http.get("/api/district/overview", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def reads_of(app: Litestar) -> ReadDatabase:
    reads = app.state.read_db
    assert isinstance(reads, ReadDatabase)
    return reads


async def estate_seen(reads: Database, estate_id: int) -> bool:
    async with reads.connection() as conn:
        return await estates_store.estate_exists(conn, estate_id)


async def test_a_write_shows_on_the_replica_within_moments(
    service: tuple[httpx.AsyncClient, Litestar, str],
) -> None:
    http, app, _ = service
    reads = reads_of(app)
    assert reads.replica_up
    answer = await http.post("/api/estates", json={"name": "副本小区"})
    assert answer.status_code == 201, answer.text
    estate_id = answer.json()["id"]
    waited = await wait_until(lambda: estate_seen(reads, estate_id), within=5)
    assert waited < 5
    async with reads.connection() as conn:
        fresh = await freshness(conn)
        as_of = await data_as_of(conn)
    assert fresh.source == "replica"
    now = datetime.now(UTC)
    assert now - timedelta(seconds=5) < fresh.as_of <= as_of <= now + timedelta(seconds=1)
    assert 0 <= fresh.lag_s < 5
    health = (await http.get("/health")).json()
    assert health["status"] == "ok"
    assert health["replica"] == "ok"
    assert 0 <= health["replica_lag_s"] < 5


async def test_reads_are_the_standbys_and_data_as_of_says_how_old(
    service: tuple[httpx.AsyncClient, Litestar, str], pair: StandbyPair
) -> None:
    """With replay paused the write is on the primary and not on the read path, and the read
    path's ``data_as_of`` stays before it; resumed, both catch up."""
    http, app, _ = service
    reads = reads_of(app)
    await pair.replayed()
    async with probe.connected(pair.standby_url(DATABASE)) as standby:
        await probe.pause_replay(standby)
        try:
            before = datetime.now(UTC)
            answer = await http.post("/api/estates", json={"name": "暂停时"})
            estate_id = answer.json()["id"]
            await asyncio.sleep(0.5)
            assert await estate_seen(app.state.db, estate_id)
            assert not await estate_seen(reads, estate_id)
            async with reads.connection() as conn:
                paused = await freshness(conn)
            assert paused.source == "replica"
            assert paused.as_of < before
            assert paused.lag_s >= 0.5
        finally:
            await probe.resume_replay(standby)
    await wait_until(lambda: estate_seen(reads, estate_id), within=5)
    async with reads.connection() as conn:
        resumed = await freshness(conn)
    assert resumed.as_of > before
    assert resumed.lag_s < 5


async def test_the_district_overview_is_read_from_the_standby(
    service: tuple[httpx.AsyncClient, Litestar, str],
    pair: StandbyPair,
    district: tuple[int, str],
) -> None:
    """The overview's figures are the standby's: a rename made while its replay is paused
    is not in them, and ``data_as_of`` is before it; resumed, the next overview has it."""
    http, _, _ = service
    estate_id, token = district
    await pair.replayed()

    async def named(name: str) -> bool:
        rows = (await overview(http, token))["estates"]
        return [r["name"] for r in rows if r["estate_id"] == estate_id] == [name]

    await wait_until(lambda: named("副本花园"), within=5)
    body = await overview(http, token)
    assert body["read_from"] == "replica"
    assert body["estates"][0]["households"] > 0
    as_of = datetime.fromisoformat(body["data_as_of"])
    assert abs((datetime.now(UTC) - as_of).total_seconds()) < 5
    assert 0 <= body["data_lag_s"] < 5
    async with probe.connected(pair.standby_url(DATABASE)) as standby:
        await probe.pause_replay(standby)
        try:
            before = datetime.now(UTC)
            renamed = await http.patch(f"/api/estates/{estate_id}", json={"name": "改名花园"})
            assert renamed.status_code == 200, renamed.text
            await asyncio.sleep(0.5)
            paused = await overview(http, token)
            assert [r["name"] for r in paused["estates"]] == ["副本花园"]
            assert paused["read_from"] == "replica"
            assert datetime.fromisoformat(paused["data_as_of"]) < before
            assert paused["data_lag_s"] >= 0.5
            exported = await http.get("/api/district/overview.csv", headers=bearer(token))
            assert exported.status_code == 200
            assert "副本花园" in exported.text
        finally:
            await probe.resume_replay(standby)
    await wait_until(lambda: named("改名花园"), within=5)
    fresh = await overview(http, token)
    assert datetime.fromisoformat(fresh["data_as_of"]) > before


async def test_a_standby_too_far_behind_is_passed_over_and_metrics_say_so(
    service: tuple[httpx.AsyncClient, Litestar, str],
    pair: StandbyPair,
    district: tuple[int, str],
) -> None:
    """Past ``PLANNER_REPLICA_MAX_LAG_S`` the overview comes from the primary (with the
    change the standby lacks) and ``/metrics`` shows the replica unused with its lag; caught
    up, the standby answers again."""
    http, app, _ = service
    estate_id, token = district
    reads = reads_of(app)
    await pair.replayed()
    assert (await overview(http, token))["read_from"] == "replica"
    async with probe.connected(pair.standby_url(DATABASE)) as standby:
        await probe.pause_replay(standby)
        reads.max_lag_s = 0.3
        try:
            renamed = await http.patch(f"/api/estates/{estate_id}", json={"name": "滞后花园"})
            assert renamed.status_code == 200, renamed.text
            await asyncio.sleep(0.6)
            behind = await overview(http, token)
            assert behind["read_from"] == "primary"
            assert behind["data_lag_s"] == 0
            assert [r["name"] for r in behind["estates"]] == ["滞后花园"]
            scraped = _gauges((await http.get("/metrics")).text)
            assert scraped["planner_db_replica_up"] == 0
            assert scraped["planner_db_replica_lag_seconds"] >= 0.5
        finally:
            reads.max_lag_s = 60.0
            await probe.resume_replay(standby)
    await wait_until(lambda: _named_on_replica(http, token, "滞后花园"), within=5)
    scraped = _gauges((await http.get("/metrics")).text)
    assert scraped["planner_db_replica_up"] == 1
    assert scraped["planner_db_replica_lag_seconds"] < 5


async def _named_on_replica(http: httpx.AsyncClient, token: str, name: str) -> bool:
    body = await overview(http, token)
    return body["read_from"] == "replica" and [r["name"] for r in body["estates"]] == [name]


def _gauges(text: str) -> dict[str, float]:
    """The unlabelled samples of a Prometheus text answer, by name."""
    from prometheus_client.parser import text_string_to_metric_families

    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


async def test_a_read_cut_by_the_standby_stopping_is_refused_and_the_next_goes_elsewhere(
    service: tuple[httpx.AsyncClient, Litestar, str], pair: StandbyPair
) -> None:
    """A standby connection lost mid-read: DatabaseUnavailable (503 with Retry-After: the
    body ran, it cannot be replayed elsewhere); the next read goes to the primary."""
    _, app, _ = service
    reads = reads_of(app)
    assert reads.replica_up
    try:
        with pytest.raises(DatabaseUnavailable):
            async with reads.connection() as conn:
                assert (await freshness(conn)).source == "replica"
                await asyncio.to_thread(pair.standby.halt)
                await freshness(conn)
        assert not reads.replica_up
        async with reads.connection() as conn:
            assert (await freshness(conn)).source == "primary"
    finally:
        await asyncio.to_thread(pair.standby.resume)
    await wait_until(lambda: _replica_up(reads), within=RETRY_S * 5 + 10)


async def test_without_the_standby_reads_go_to_the_primary_and_back(
    service: tuple[httpx.AsyncClient, Litestar, str],
    pair: StandbyPair,
    district: tuple[int, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    http, app, _ = service
    reads = reads_of(app)
    caplog.set_level(logging.WARNING, logger="planner.db")
    await asyncio.to_thread(pair.standby.halt)
    try:
        answer = await http.post("/api/estates", json={"name": "备库停了"})
        assert answer.status_code == 201
        estate_id = answer.json()["id"]
        for _ in range(5):  # every read answers, from the primary
            assert await estate_seen(reads, estate_id)
        assert not reads.replica_up
        async with reads.connection() as conn:
            assert (await freshness(conn)).source == "primary"
        health = await http.get("/health")
        assert health.status_code == 200
        assert health.json()["replica"] == "down"
        assert health.json()["status"] == "degraded"
        body = await overview(http, district[1])
        assert body["read_from"] == "primary"
        assert body["data_lag_s"] == 0
        assert [r["estate_id"] for r in body["estates"]] == [district[0]]
        away = [r for r in caplog.records if "read replica unavailable" in r.getMessage()]
        assert len(away) == 1
    finally:
        await asyncio.to_thread(pair.standby.resume)
    await wait_until(lambda: _replica_up(reads), within=RETRY_S * 5 + 10)
    async with reads.connection() as conn:
        assert (await freshness(conn)).source == "replica"
    assert (await http.get("/health")).json()["replica"] == "ok"
    assert any("read replica back" in r.getMessage() for r in caplog.records)
    assert (await overview(http, district[1]))["read_from"] == "replica"


async def _replica_up(reads: ReadDatabase) -> bool:
    return reads.replica_up


async def test_a_standby_away_at_start_does_not_stop_the_service(
    pair: StandbyPair, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=pair.primary_url(DATABASE),
        database_replica_url="postgresql://postgres@127.0.0.1:9/planner",
        data_dir=tmp_path / "data",
    )
    async with running_app(settings) as (base_url, app):
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            health = await http.get("/health")
        assert health.status_code == 200
        assert health.json()["replica"] == "down"
        async with app.state.read_db.connection() as conn:
            assert (await freshness(conn)).source == "primary"


async def test_planner_serve_takes_the_replica_from_its_environment(
    pair: StandbyPair, tmp_path: Path
) -> None:
    """``DATABASE_REPLICA_URL`` reaches ``planner serve``: its /health reports the standby."""
    running = await asyncio.to_thread(
        start_service,
        pair.primary_url(DATABASE),
        tmp_path / "svc",
        extra_env={"DATABASE_REPLICA_URL": pair.standby_url(DATABASE)},
        timeout=120,
    )
    try:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as http:

            async def replica_ok() -> bool:
                return bool((await http.get("/health")).json()["replica"] == "ok")

            # at once, unless a loaded machine made the first attempt miss its 3 s
            await wait_until(replica_ok, within=RETRY_S * 5 + 10)
            health = (await http.get("/health")).json()
        assert 0 <= health["replica_lag_s"] < 5
    finally:
        await asyncio.to_thread(running.stop)
