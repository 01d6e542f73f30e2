"""``planner audit verify`` as an operator runs it: a subprocess on the database.

An intact chain (after a busy session) exits 0; an edit, a deletion or a forged hash made
behind the service's back exits non-zero and names the first broken link.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.db.pool import connect_raw
from planner.events import append_event
from planner.testing import audit_verify

pytestmark = pytest.mark.timeout(120)


async def _busy_chain(database_url: str) -> tuple[int, int]:
    """Two estates with 40 events each, interleaved as a busy session writes them."""
    conn = await connect_raw(database_url)
    try:
        estates = [
            await conn.fetchval("INSERT INTO estates (name) VALUES ($1) RETURNING id", name)
            for name in ("甲", "乙")
        ]
        for i in range(40):
            for estate_id in estates:
                async with conn.transaction():
                    await append_event(
                        conn,
                        estate_id=estate_id,
                        type="ballot.cast",
                        data={"i": i, "choice": "yes", "household_id": 100 + i},
                        actor_id=None,
                        audience="members",
                    )
    finally:
        await conn.close()
    return estates[0], estates[1]


async def _tamper(database_url: str, sql: str, *args: object) -> None:
    """Change the table directly, bypassing any trigger that guards it."""
    conn = await connect_raw(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(sql, *args)
    finally:
        await conn.close()


async def test_intact_chain_verifies_then_an_edit_is_named(
    database_url: str, tmp_path: Path
) -> None:
    _first, second = await _busy_chain(database_url)
    intact = audit_verify(database_url, tmp_path / "data")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "intact" in intact.stdout and "80 events" in intact.stdout

    await _tamper(
        database_url,
        """UPDATE events SET data = jsonb_set(data, '{choice}', '"no"')
           WHERE estate_id = $1 AND seq = 17""",
        second,
    )
    broken = audit_verify(database_url, tmp_path / "data")
    assert broken.returncode != 0
    assert f"estate {second}, seq 17" in broken.stdout, broken.stdout
    assert "content" in broken.stdout


async def test_a_deleted_event_and_a_recomputed_hash_are_found(
    database_url: str, tmp_path: Path
) -> None:
    first, second = await _busy_chain(database_url)
    await _tamper(database_url, "DELETE FROM events WHERE estate_id = $1 AND seq = 9", first)
    deleted = audit_verify(database_url, tmp_path / "data")
    assert deleted.returncode != 0
    assert f"estate {first}, seq 9" in deleted.stdout, deleted.stdout

    # An editor who also rewrites the row's own hash still breaks the next row's link.
    await _tamper(
        database_url,
        """UPDATE events SET data = jsonb_set(data, '{choice}', '"no"'),
                             hash = sha256(hash) WHERE estate_id = $1 AND seq = 5""",
        second,
    )
    both = audit_verify(database_url, tmp_path / "data")
    assert both.returncode != 0
    assert f"estate {first}, seq 9" in both.stdout, "the first broken link is reported first"
