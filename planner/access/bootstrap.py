"""The global admin: created on first start, its token kept in the data folder (mode 600)."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg

from planner.access import store
from planner.access.tokens import new_token

ADMIN_TOKEN_FILE = "admin_token"  # noqa: S105 (a file name)
_LOCK_KEY = 7_420_250_002


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
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        saved = read_admin_token(data_dir)
        if not rotate:
            if saved and await store.principal_by_token(conn, saved) is not None:
                return None
            if await conn.fetchval(
                "SELECT 1 FROM members WHERE role = 'admin' AND estate_id IS NULL "
                "AND revoked_at IS NULL"
            ):
                return None
        await conn.execute(
            "UPDATE members SET revoked_at = now() "
            "WHERE role = 'admin' AND estate_id IS NULL AND revoked_at IS NULL"
        )
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
