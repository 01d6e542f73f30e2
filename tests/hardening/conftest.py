"""Fixtures for hardening tests: the real app under uvicorn with a populated world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar

from planner.settings import Settings
from tests.hardening.world import World, build_world, running_app


class Served:
    def __init__(self, base_url: str, app: Litestar, world: World, database_url: str) -> None:
        self.base_url = base_url
        self.app = app
        self.world = world
        self.database_url = database_url


@pytest.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """The service on a free port (same process, real HTTP and WebSocket) with a world."""
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    async with running_app(settings) as (base_url, app):
        world = await build_world(base_url, app.state.new_admin_token)
        yield Served(base_url, app, world, database_url)
