"""A fresh embedded PostgreSQL with one empty database, for the bench scripts."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from machine import append_to_benchmarks  # bench/machine.py

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


def bench_main(
    doc: str | None,
    name: str,
    run: Callable[[str, Path], Awaitable[dict[str, Any]]],
    report: Callable[[dict[str, Any]], str],
    heading: str,
) -> None:
    """A bench's command line on a scratch database: ``run(url, folder)`` on database
    ``bench_<name>`` of a fresh embedded server, print ``report(figures)``, and with
    ``--write`` record it in docs/benchmarks.md under ``heading``."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)

    async def measured(folder: Path) -> dict[str, Any]:
        async with embedded_database(folder, f"bench_{name}") as url:
            return await run(url, folder)

    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder:
        figures = asyncio.run(measured(Path(folder)))
    body = report(figures)
    print(body)
    if args.write:
        append_to_benchmarks(heading, body)
