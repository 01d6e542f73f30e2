"""The global admin: created on first start, its token kept in the data folder (mode 600)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import asyncpg

from planner.access import store
from planner.access.tokens import new_token
from planner.db.migrate import migrate
from planner.db.pool import connect_raw
from planner.runtime import print_lines, with_database
from planner.settings import Settings

ADMIN_TOKEN_FILE = "admin_token"  # noqa: S105 (a file name)


def admin_token_path(data_dir: Path) -> Path:
    return data_dir / ADMIN_TOKEN_FILE


def _write_secret(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token + "\n")


async def ensure_admin(
    conn: asyncpg.Connection, data_dir: Path, rotate: bool = False
) -> str | None:
    """Return the admin token if this call created or rotated it, else None.

    The first start creates the admin. An instance whose data folder holds no working token
    while an admin already exists (another host's data folder) leaves that admin alone;
    ``rotate`` replaces it. Serialised by an advisory lock so instances starting together
    agree on one token.
    """
    path = admin_token_path(data_dir)
    async with conn.transaction():
        await store.lock_admin_bootstrap(conn)
        saved = read_admin_token(data_dir)
        if not rotate:
            if saved and await store.principal_by_token(conn, saved) is not None:
                return None
            if await store.global_admin_exists(conn):
                return None
        await store.revoke_global_admins(conn)
        token = new_token()
        await store.insert_member(
            conn,
            estate_id=None,
            role="admin",
            display_name="管理员 admin",
            token=token,
            supplier_id=None,
            household_ids=[],
        )
        _write_secret(path, token)
    return token


async def saved_admin_token(conn: asyncpg.Connection, data_dir: Path) -> str | None:
    """The token in this data folder, if it still signs in as the admin."""
    saved = read_admin_token(data_dir)
    if saved and await store.principal_by_token(conn, saved) is not None:
        return saved
    return None


def read_admin_token(data_dir: Path) -> str | None:
    path = admin_token_path(data_dir)
    return path.read_text().strip() if path.exists() else None


def token_command(settings: Settings, rotate: bool) -> int:
    """``planner token --admin [--rotate]``: print the admin token; 1 when this data folder
    holds none that works (the admin was made elsewhere and ``rotate`` was not asked)."""
    result = {"code": 0}

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            await migrate(conn)
            await ensure_admin(conn, settings.data_dir, rotate=rotate)
            token = await saved_admin_token(conn, settings.data_dir)
        finally:
            await conn.close()
        if token is None:
            print(
                "planner: this data folder holds no working admin token (the admin was made "
                "elsewhere); `planner token --admin --rotate` makes a new one",
                file=sys.stderr,
            )
            result["code"] = 1
        else:
            print_lines(token)

    with_database(settings, work)
    return result["code"]
