"""SQL of the demo: finding its estates and whether their load finished."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def estates_named(conn: asyncpg.Connection, names: Sequence[str]) -> dict[str, int]:
    """The ids of the estates with these names (name → id)."""
    rows = await conn.fetch(
        "SELECT id, name FROM estates WHERE name = ANY($1) ORDER BY id", list(names)
    )
    return {r["name"]: r["id"] for r in rows}


async def has_event(conn: asyncpg.Connection, estate_id: int, event_type: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM events WHERE estate_id = $1 AND type = $2", estate_id, event_type
        )
    )
