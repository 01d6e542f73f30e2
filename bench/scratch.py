"""A fresh embedded PostgreSQL with one empty database, for the bench scripts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from planner.db.embedded import EmbeddedPostgres, _runtime_dir
from planner.testing import store


@asynccontextmanager
async def embedded_database(folder: Path, name: str) -> AsyncIterator[str]:
    """Start a server in ``folder``, create database ``name``, yield its URL; stop after."""
    os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
    pg = EmbeddedPostgres(folder)
    url = await asyncio.to_thread(pg.start)
    try:
        async with store.connected(url) as conn:
            await store.create_database(conn, name)
        yield pg.url(name)
    finally:
        await asyncio.to_thread(pg.stop)
