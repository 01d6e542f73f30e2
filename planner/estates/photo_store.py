"""SQL of the estate's photos (table ``photos``): signed paper sheets, works' progress and
defects, by content hash; any slice that keeps a photo reference checks it here. (Owners'
suggestion photos are kept apart, in the needs slice, so that owners never reach these.)"""

from __future__ import annotations

import asyncpg


async def insert_photo(
    conn: asyncpg.Connection,
    estate_id: int,
    sha256: str,
    media_type: str,
    content: bytes,
    uploaded_by: int,
) -> None:
    """Store the photo unless the estate has these bytes already (then nothing changes)."""
    await conn.execute(
        """INSERT INTO photos (estate_id, sha256, media_type, size, bytes, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        estate_id,
        sha256,
        media_type,
        len(content),
        content,
        uploaded_by,
    )


async def photo_exists(conn: asyncpg.Connection, estate_id: int, sha256: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM photos WHERE estate_id = $1 AND sha256 = $2", estate_id, sha256
        )
    )


async def photo(conn: asyncpg.Connection, estate_id: int, sha256: str) -> tuple[str, bytes] | None:
    """The photo's media type and bytes."""
    row = await conn.fetchrow(
        "SELECT media_type, bytes FROM photos WHERE estate_id = $1 AND sha256 = $2",
        estate_id,
        sha256,
    )
    return None if row is None else (row["media_type"], bytes(row["bytes"]))


async def photos_missing(conn: asyncpg.Connection, estate_id: int, sha256s: list[str]) -> list[str]:
    """The photos of ``sha256s`` the estate does not hold."""
    if not sha256s:
        return []
    rows = await conn.fetch(
        """SELECT s FROM unnest($2::text[]) AS s
           WHERE NOT EXISTS (SELECT 1 FROM photos WHERE estate_id = $1 AND sha256 = s)""",
        estate_id,
        sha256s,
    )
    return [r["s"] for r in rows]
