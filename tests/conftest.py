"""Shared fixtures: one embedded PostgreSQL per session, a fresh database per test.

- ``pg``: the session's embedded server (``pg.url(db)`` gives a URL for a database).
- ``database_url``: a new database cloned from a migrated template, dropped after the test.
- ``app`` / ``client``: the service in-process (lifespan run) and an httpx client on it.
- ``admin_token``, ``make_estate``, ``make_member``: accounts and estates for tests.
- ``service``: a factory running ``planner serve`` as a subprocess on a free port.
- ``browser``: headless Chromium (Debian's /usr/bin/chromium) through Playwright.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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
from planner.db.pool import Database, connect_raw
from planner.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture(scope="session")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    base = tmp_path_factory.mktemp("pg")
    server = EmbeddedPostgres(base)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def template_db(pg: EmbeddedPostgres) -> str:
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
        await conn.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    finally:
        await conn.close()
    conn = await connect_raw(pg.url(TEMPLATE_DB))
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return TEMPLATE_DB


@pytest.fixture
async def database_url(pg: EmbeddedPostgres, template_db: str) -> AsyncIterator[str]:
    name = f"test_{os.getpid()}_{next(_db_names)}"
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    finally:
        await conn.close()
    yield pg.url(name)
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


SAMPLE_CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.50,B,业主乙,
1栋,201,2,100.00,A,业主甲,
2栋,101,1,120.25,C,业主丙,0
2栋,102,1,60.00,D,业主丁,50000
"""


@pytest.fixture
def make_estate(client: httpx.AsyncClient, admin_token: str) -> Callable[..., Awaitable[int]]:
    """Create an estate through the API, import ``csv`` (SAMPLE_CSV by default), return its id."""

    async def create(name: str = "测试小区", csv: str | None = SAMPLE_CSV) -> int:
        response = await client.post(
            "/api/estates", json={"name": name}, headers=bearer(admin_token)
        )
        assert response.status_code == 201, response.text
        estate_id: int = response.json()["id"]
        if csv:
            imported = await client.post(
                f"/api/estates/{estate_id}/households/import",
                content=csv.encode(),
                headers={**bearer(admin_token), "content-type": "text/csv"},
            )
            assert imported.status_code == 201, imported.text
        return estate_id

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RunningService:
    """A ``planner serve`` subprocess."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str, data_dir: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.data_dir = data_dir

    @property
    def admin_token(self) -> str:
        return (self.data_dir / "admin_token").read_text().strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_service(
    database_url: str,
    data_dir: Path,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = ("serve",),
    timeout: float = 90.0,
) -> RunningService:
    """``planner <args>`` on a free (or the given) port, given up to ``timeout`` to become
    healthy (a loaded 2-core machine can take tens of seconds); killed if it does not."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PLANNER_DATA_DIR": str(data_dir),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", *args, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process, timeout)
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return RunningService(process, base_url, data_dir)


def wait_healthy(
    base_url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 90.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} not healthy after {timeout} s")


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
