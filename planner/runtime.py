"""Running the service's surroundings: the database a command needs, and what it prints.

Used by the CLI, the demo and ``planner audit``; it sits below all of them so that none of
them imports the CLI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from planner.settings import Settings


def print_lines(*lines: str) -> None:
    print(*lines, sep="\n", flush=True)


def announce(settings: Settings, worker: bool = False) -> Callable[[Any], Awaitable[None]]:
    """Print where the data lives, the URL to open and, on first start, the admin token
    (a ``worker`` of several prints only the token, if it made it)."""

    async def after_start(app: Any) -> None:
        if worker:
            if app.state.new_admin_token:
                print_lines(f"planner: admin token: {app.state.new_admin_token}")
            return
        where = (
            f"embedded PostgreSQL in {settings.data_dir / 'pg'}"
            if app.state.embedded
            else "PostgreSQL at DATABASE_URL"
        )
        print_lines(f"planner: data in {where}", f"planner: open {settings.base_url}/")
        if app.state.new_admin_token:
            print_lines(
                f"planner: admin token (also `planner token --admin`): {app.state.new_admin_token}"
            )

    return after_start


def with_database(settings: Settings, work: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    """Run ``work(database_url)``, starting the embedded server around it when needed."""
    from planner.db.embedded import EmbeddedPostgres

    embedded = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        url = embedded.start()
    try:
        asyncio.run(work(url))
    finally:
        if embedded is not None:
            embedded.stop()


def migrate_command(settings: Settings) -> None:
    """``planner migrate``: apply the migrations and print which ones ran."""
    from planner.db.migrate import migrate
    from planner.db.pool import connect_raw

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            applied = await migrate(conn)
        finally:
            await conn.close()
        print_lines(f"applied: {', '.join(applied) or 'nothing (up to date)'}")

    with_database(settings, work)
