"""Fixtures for hardening tests: the real app under uvicorn with a populated world.

``served`` is shared by the tests of one module (building the world takes seconds): it has
a database of its own, cloned from the session's migrated template, dropped afterwards.
Tests that must not disturb the others (or be disturbed) run last in their module or use
a database of their own.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import AsyncIterator, Callable

import pytest
from litestar import Litestar

from planner.db.embedded import EmbeddedPostgres
from planner.db.pool import connect_raw
from planner.settings import Settings
from tests.conftest import RunningService
from tests.hardening.world import World, build_world, running_app

_names = itertools.count(1)


class Served:
    def __init__(self, base_url: str, app: Litestar, world: World, database_url: str) -> None:
        self.base_url = base_url
        self.app = app
        self.world = world
        self.database_url = database_url


@pytest.fixture(scope="module")
async def served(
    pg: EmbeddedPostgres, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    """The service on a free port (same process, real HTTP and WebSocket) with a world."""
    name = f"hardening_{os.getpid()}_{next(_names)}"
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    finally:
        await conn.close()
    database_url = pg.url(name)
    settings = Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("served"))
    async with running_app(settings) as (base_url, app):
        world = await build_world(base_url, app.state.new_admin_token)
        yield Served(base_url, app, world, database_url)
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


@pytest.fixture
def services(service: Callable[..., RunningService]) -> Callable[..., RunningService]:
    """tests/conftest.py's ``service``, with a longer start-up allowance."""
    return functools.partial(service, timeout=120.0)
