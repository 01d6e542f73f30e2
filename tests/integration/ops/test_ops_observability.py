"""/metrics (Prometheus text, parsed with Prometheus' own parser), request ids, JSON request
lines and /ready, on the app under uvicorn in this process (real HTTP and WebSocket)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from planner.app import create_app
from planner.db.embedded import EmbeddedPostgres
from planner.ops.logs import JsonFormatter, request_id
from planner.settings import Settings
from planner.testing import bearer
from planner.testing import store as probe
from planner.testing.service import running_app

pytestmark = pytest.mark.timeout(120)

FAMILIES = {
    "planner_http_requests": "counter",
    "planner_http_request_duration_seconds": "histogram",
    "planner_live_sockets_open": "gauge",
    "planner_live_socket_overflows": "counter",
    "planner_live_event_lag_seconds": "histogram",
    "planner_funding_solve_seconds": "histogram",
    "planner_db_pool_connections": "gauge",
    "planner_db_pool_max_connections": "gauge",
}
_names = itertools.count(1)


class Running:
    def __init__(self, base_url: str, app: Litestar, database: str, pg: EmbeddedPostgres) -> None:
        self.base_url = base_url
        self.app = app
        self.database = database
        self.pg = pg
        self.admin = app.state.new_admin_token


@pytest.fixture(scope="module")
async def running(
    pg: EmbeddedPostgres, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    name = f"ops_obs_{os.getpid()}_{next(_names)}"
    async with probe.connected(pg.url()) as conn:
        await probe.create_database(conn, name, template_db)
    settings = Settings(
        database_url=pg.url(name), data_dir=tmp_path_factory.mktemp("ops"), log_format="json"
    )
    try:
        async with running_app(settings) as (base_url, app):
            yield Running(base_url, app, name, pg)
    finally:
        async with probe.connected(pg.url()) as conn:
            await probe.drop_database(conn, name)


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def sample(found: dict[str, Any], family: str, suffix: str = "", **labels: str) -> float | None:
    for s in found[family].samples:
        if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return float(s.value)
    return None


async def scrape(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return families(answer.text)


async def test_metrics_parse_and_count_requests_by_route_template(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        before = await scrape(http)
        for name, kind in FAMILIES.items():
            assert name in before, name
            assert before[name].type == kind, (name, before[name].type)
        health = sample(before, "planner_http_requests", "_total", route="/health", status="200")
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/api/works/123456")).status_code == 401
        after = await scrape(http)
    assert (
        sample(after, "planner_http_requests", "_total", route="/health", status="200")
        == (health or 0) + 1
    )
    work = {"route": "/api/works/{work_id}", "status": "401", "method": "GET"}
    assert sample(after, "planner_http_requests", "_total", **work) == 1
    raw = [s for s in after["planner_http_requests"].samples if "123456" in s.labels["route"]]
    assert not raw, "the route template is the label, never the raw path"
    seen = sample(
        after, "planner_http_request_duration_seconds", "_count", route="/health", method="GET"
    )
    assert seen is not None and seen >= 1
    assert (
        sample(after, "planner_db_pool_max_connections") == running.app.state.db.pool.get_max_size()
    )
    in_use = sample(after, "planner_db_pool_connections", state="in_use")
    idle = sample(after, "planner_db_pool_connections", state="idle")
    assert in_use is not None and idle is not None and in_use >= 0 and idle >= 0


async def test_open_sockets_and_event_lag(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        made = await http.post(
            "/api/estates", json={"name": "指标小区"}, headers=bearer(running.admin)
        )
        assert made.status_code == 201, made.text
        estate_id = made.json()["id"]
        url = running.base_url.replace("http://", "ws://")
        url += f"/ws/estates/{estate_id}?token={running.admin}"
        before = await scrape(http)
        lag_before = sample(before, "planner_live_event_lag_seconds", "_count") or 0
        async with connect(url) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello"
            assert sample(await scrape(http), "planner_live_sockets_open") == 1
            # a change that records an event: the doorbell rings, the socket gets it
            works = await http.post(
                f"/api/estates/{estate_id}/works",
                json={"title": "加装电梯", "category": "elevator", "estimate_fen": 100_000},
                headers=bearer(running.admin),
            )
            assert works.status_code == 201, works.text
            async with asyncio.timeout(10):
                while "seq" not in json.loads(await ws.recv()):
                    pass
        after = await scrape(http)
    assert (sample(after, "planner_live_event_lag_seconds", "_count") or 0) > lag_before
    assert sample(after, "planner_live_sockets_open") == 0


async def test_request_id_is_returned_and_kept_when_safe(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        made = (await http.get("/health")).headers["x-request-id"]
        assert 8 <= len(made) <= 64
        other = (await http.get("/health")).headers["x-request-id"]
        assert other != made
        kept = await http.get("/api/me", headers={"X-Request-ID": "lb-7f3a.2:x_y"})
        assert kept.status_code == 401 and kept.headers["x-request-id"] == "lb-7f3a.2:x_y"
        for bad in (b"a" * 65, b"has space", b"<script>", "名字".encode()):
            answer = await http.get("/health", headers={"X-Request-ID": bad})
            assert answer.headers["x-request-id"].encode() != bad
        unmatched = await http.get("/no/such/page.html")
        assert unmatched.status_code == 404 and unmatched.headers.get("x-request-id")


async def test_json_lines_carry_request_id_route_status_duration(running: Running) -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("planner.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
            await http.get("/api/works/77", headers={"X-Request-ID": "trace-123"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    found = [json.loads(line) for line in lines]
    mine = [line for line in found if line["request_id"] == "trace-123"]
    assert len(mine) == 1, found
    line = mine[0]
    assert line["route"] == "/api/works/{work_id}" and line["status"] == 401
    assert line["level"] == "info" and line["logger"] == "planner.access"
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
    assert {"time", "message"} <= set(line)


def test_json_formatter_outside_requests_and_with_a_traceback() -> None:
    formatter = JsonFormatter()
    token = request_id.set(None)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("planner").makeRecord(
                "planner", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info=True
            )
            import sys

            record.exc_info = sys.exc_info()
    finally:
        request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line["message"] == "failed x" and line["level"] == "error"
    assert line["request_id"] is None and "ValueError: boom" in line["exc"]
    assert "\n" not in formatter.format(record)


async def test_metrics_token_restricts_metrics(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path, metrics_token="s3cret")
    async with AsyncTestClient(app=create_app(settings)) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await http.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200 and "planner_http_requests" in families(right.text)
        assert (await http.get("/health")).status_code == 200  # /health stays open


async def test_ready_names_the_failed_check_and_recovers(running: Running) -> None:
    """Runs last: the database refuses new connections and its sessions are cut."""
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        ok = await http.get("/ready")
        assert ok.status_code == 200, ok.text
        assert ok.json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "doorbell": "ok"},
        }
        feed = running.app.state.live.feed
        async with probe.connected(running.pg.url()) as admin:
            await admin.execute(f"ALTER DATABASE {running.database} ALLOW_CONNECTIONS false")
            try:
                # the doorbell's LISTEN session only: the pool's sessions stay
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND application_name = 'planner live doorbell'",
                    running.database,
                )
                async with asyncio.timeout(10):
                    while feed.listening.is_set():
                        await asyncio.sleep(0.05)
                down = await http.get("/ready")
                assert down.status_code == 503, down.text
                assert down.json()["failed"] == ["doorbell"], down.json()
                assert down.json()["checks"]["database"] == "ok"
                assert (await http.get("/health")).status_code == 200  # alive, degraded
                # now every session: the database is unreachable too
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    running.database,
                )
                gone = await http.get("/ready")
                assert gone.status_code == 503
                body = gone.json()
                assert body["checks"] == {
                    "database": "down",
                    "migrations": "unknown",
                    "doorbell": "down",
                }, body
                assert body["failed"] == ["database", "migrations", "doorbell"]
            finally:
                await admin.execute(f"ALTER DATABASE {running.database} ALLOW_CONNECTIONS true")
        async with asyncio.timeout(30):
            while (await http.get("/ready")).status_code != 200:
                await asyncio.sleep(0.2)
