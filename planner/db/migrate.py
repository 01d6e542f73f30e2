"""Numbered ``.sql`` migrations, applied once each, in order, under an advisory lock.

Each applied file is recorded with its SHA-256; if an applied file later changes, start-up
refuses with ``MigrationError`` rather than run on a schema that differs from the code.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import asyncpg

_LOCK_KEY = 7_420_250_001
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


def available_migrations() -> list[tuple[str, str]]:
    """(file name, SQL text) of every migration shipped with the package, in order."""
    folder = resources.files("planner.db") / "migrations"
    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if _NAME.match(entry.name)
    ]
    return sorted(found)


def checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


async def migrate(
    conn: asyncpg.Connection, migrations: list[tuple[str, str]] | None = None
) -> list[str]:
    """Apply what is missing; returns the names applied by this call."""
    todo = available_migrations() if migrations is None else migrations
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        rows = await conn.fetch("SELECT name, checksum FROM schema_migrations")
        applied = {r["name"]: r["checksum"] for r in rows}
        for name, sql in todo:
            digest = checksum(sql)
            if name in applied:
                if applied[name] != digest:
                    raise MigrationError(
                        f"migration {name} was changed after it was applied "
                        f"(recorded {applied[name][:12]}, file {digest[:12]}); "
                        "add a new migration instead of editing an applied one"
                    )
                continue
            await conn.execute(sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name, digest
            )
            applied_now.append(name)
    return applied_now
