"""``planner ocds [--estate ID] [--work ID] [-o FILE]``: the OCDS release package straight
from the database, built by the same code as ``GET /api/ocds`` (``service.export``)."""

from __future__ import annotations

import sys
from pathlib import Path

from planner.errors import NotFound
from planner.settings import Settings


def export_command(
    settings: Settings, estate_id: int | None, work_id: int | None, out: Path | None
) -> int:
    """Write the package to ``out`` (or stdout); 0, or 1 for a missing estate or work."""
    from planner.db.pool import Database
    from planner.ocds import service
    from planner.runtime import with_database

    result = {"code": 0}

    async def work(url: str) -> None:
        db = await Database.connect(url, min_size=1, max_size=2)
        try:
            chunks = await service.export(
                db, settings.ocds_prefix, settings.base_url, estate_id, work_id
            )
        except NotFound as exc:
            print(f"planner ocds: {exc}", file=sys.stderr)
            result["code"] = 1
            await db.close()
            return
        try:
            if out is None:
                async for chunk in chunks:
                    sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
            else:
                with out.open("wb") as file:
                    async for chunk in chunks:
                        file.write(chunk)
        finally:
            await db.close()

    with_database(settings, work)
    return result["code"]
