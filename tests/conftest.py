"""Shared fixtures: one embedded PostgreSQL per session, a fresh database per test.

- ``pg``: the session's embedded server (``pg.url(db)`` gives a URL for a database).
- ``database_url``: a new database cloned from a migrated template, dropped after the test.
- ``app`` / ``client``: the service in-process (lifespan run) and an httpx client on it.
- ``admin_token``, ``make_estate``, ``make_member``: accounts and estates for tests.
- ``service``: a factory running ``planner serve`` as a subprocess on a free port
  (``services``: the same with a longer start-up allowance, for the fault tests).
- ``served``: the app under uvicorn in the test process with a populated world (two
  estates, every role, one of each thing), shared by the tests of one module.
- ``browser``: headless Chromium (Debian's /usr/bin/chromium) through Playwright.

The helpers behind them live in ``planner.testing`` (the benchmarks use them too); the
names other test modules import from here (``bearer``, ``SAMPLE_CSV``, ``ROOT``,
``RunningService``, ``start_service``, ``free_port``, ``wait_healthy``) are re-exported.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.db.embedded import EmbeddedPostgres, _runtime_dir

os.environ["XDG_RUNTIME_DIR"] = _runtime_dir()

from litestar import Litestar
from litestar.testing import AsyncTestClient

from planner.access import store as access_store
from planner.access.tokens import new_token
from planner.app import create_app
from planner.db.migrate import migrate
from planner.db.pool import Database
from planner.settings import Settings
from planner.testing import (
    ROOT,
    SAMPLE_CSV,
    RunningService,
    Served,
    bearer,
    create_estate,
    free_port,
    serve_world,
    start_service,
    wait_healthy,
)
from planner.testing import store as probe

__all__ = [
    "ROOT",
    "SAMPLE_CSV",
    "RunningService",
    "bearer",
    "free_port",
    "start_service",
    "wait_healthy",
]

TEMPLATE_DB = "planner_template"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_db_names = itertools.count(1)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """pyproject's addopts run the suite on pytest-xdist workers (``--numprocesses=3
    --dist=loadfile``); with the plugin off (``-p no:xdist``) they are accepted and ignored."""
    if not pluginmanager.has_plugin("xdist"):
        parser.addoption("--numprocesses", dest="numprocesses", default=0)
        parser.addoption("--dist", dest="dist", default="no")


@pytest.fixture(autouse=True)
def _turnstile(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Under xdist, a test marked ``exclusive`` (it asserts how fast something answers) runs
    while no other worker runs a test: it closes the turnstile, waits for the tests in
    progress to end, and the other workers wait at the turnstile until it is done."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    shared = tmp_path_factory.getbasetemp().parent  # the workers' basetemp is <base>/popen-gwN
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with (
        (shared / "turnstile.lock").open("ab") as gate,
        (shared / "running.lock").open("ab") as running,
    ):
        waiting = time.monotonic()
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(running, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            if not exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)
        # the wait does not count against the test's pytest-timeout (its SIGALRM timer)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining + time.monotonic() - waiting)
        try:
            yield
        finally:
            fcntl.flock(running, fcntl.LOCK_UN)
            if exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    base = tmp_path_factory.mktemp("pg")
    server = EmbeddedPostgres(base)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def template_db(pg: EmbeddedPostgres) -> str:
    async with probe.connected(pg.url()) as conn:
        await probe.drop_database(conn, TEMPLATE_DB)
        await probe.create_database(conn, TEMPLATE_DB)
    async with probe.connected(pg.url(TEMPLATE_DB)) as conn:
        await migrate(conn)
    return TEMPLATE_DB


@pytest.fixture
async def database_url(pg: EmbeddedPostgres, template_db: str) -> AsyncIterator[str]:
    async with _cloned_database(pg, template_db, "test") as url:
        yield url


@asynccontextmanager
async def _cloned_database(pg: EmbeddedPostgres, template: str, prefix: str) -> AsyncIterator[str]:
    """A new database cloned from the migrated template; dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{next(_db_names)}"
    async with probe.connected(pg.url()) as conn:
        await probe.create_database(conn, name, template)
    try:
        yield pg.url(name)
    finally:
        async with probe.connected(pg.url()) as conn:
            await probe.drop_database(conn, name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A pool on the test's database, on the test's event loop.

    (The in-process app runs in the test client's own thread and loop, so tests use their own
    pool rather than ``app.state.db``.)
    """
    database = await Database.connect(database_url, min_size=1, max_size=4)
    yield database
    await database.close()


@pytest.fixture
def admin_token(app: Litestar, client: httpx.AsyncClient) -> str:
    token: str = app.state.new_admin_token
    return token


@pytest.fixture
def make_estate(client: httpx.AsyncClient, admin_token: str) -> Callable[..., Awaitable[int]]:
    """Create an estate through the API, import ``csv`` (SAMPLE_CSV by default), return its id."""

    async def create(name: str = "测试小区", csv: str | None = SAMPLE_CSV) -> int:
        return await create_estate(client, admin_token, csv, name)

    return create


@pytest.fixture
def make_member(db: Database) -> Callable[..., Awaitable[tuple[int, str]]]:
    """Insert a member directly; returns (member_id, token)."""

    async def create(
        estate_id: int,
        role: str,
        *,
        household_ids: tuple[int, ...] = (),
        supplier_id: int | None = None,
        display_name: str | None = None,
    ) -> tuple[int, str]:
        token = new_token()
        async with db.transaction() as conn:
            member_id = await access_store.insert_member(
                conn,
                estate_id=estate_id,
                role=role,
                display_name=display_name or role,
                token=token,
                supplier_id=supplier_id,
                household_ids=list(household_ids),
            )
        return member_id, token

    return create


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    """Factory: ``service()`` starts a ``planner serve`` on this test's database."""
    started: list[RunningService] = []

    def start(**kwargs: Any) -> RunningService:
        running = start_service(database_url, kwargs.pop("data_dir", tmp_path / "svc"), **kwargs)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
async def module_database_url(pg: EmbeddedPostgres, template_db: str) -> AsyncIterator[str]:
    """A database of the test module's own, shared by its tests (see ``module_service``)."""
    async with _cloned_database(pg, template_db, "module") as url:
        yield url


@pytest.fixture(scope="module")
def module_service(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningService]]:
    """Like ``service``, on the module's database and stopped at the module's end: the browser
    tests start one ``planner serve`` per module (each test makes its own estate in it), not
    one per test."""
    started: list[RunningService] = []
    base = tmp_path_factory.mktemp("module-svc")

    def start(**kwargs: Any) -> RunningService:
        running = start_service(module_database_url, kwargs.pop("data_dir", base), **kwargs)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def services(service: Callable[..., RunningService]) -> Callable[..., RunningService]:
    """``service`` with a longer start-up allowance (the fault tests start several)."""
    return functools.partial(service, timeout=120.0)


@pytest.fixture(scope="module")
async def served(
    pg: EmbeddedPostgres, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    """The service on a free port (same process, real HTTP and WebSocket) with a world, on a
    database of its own. Shared by the tests of one module (building the world takes
    seconds): tests that must not disturb the others run last in their module."""
    async with (
        _cloned_database(pg, template_db, "served") as database_url,
        serve_world(database_url, tmp_path_factory.mktemp("served")) as running,
    ):
        yield running


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium (apt install chromium)")
        pytest.skip("chromium is not installed on this machine")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()
