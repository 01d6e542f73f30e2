"""``planner backup`` / ``planner restore`` as an operator runs them: back up, change, restore;
the audit chain verifies and every table is as backed up. A restore under a running service
is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from planner.app import create_app
from planner.settings import Settings
from planner.testing import ROOT, audit_verify, bearer, create_estate, start_service
from planner.testing import store as probe

pytestmark = pytest.mark.timeout(180)


def planner(
    database_url: str | None, data_dir: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``planner <args>`` as an operator runs it; with no ``database_url``, on the embedded
    PostgreSQL of ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLANNER_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _add_work(http: AsyncTestClient, token: str, estate_id: int, title: str) -> None:  # type: ignore[type-arg]
    made = await http.post(
        f"/api/estates/{estate_id}/works",
        json={"title": title, "category": "elevator", "estimate_fen": 1_000_000},
        headers=bearer(token),
    )
    assert made.status_code == 201, made.text


async def test_backup_change_restore_round_trip(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(database_url=database_url, data_dir=data_dir)
    dump = tmp_path / "planner.dump"
    async with AsyncTestClient(app=create_app(settings)) as http:
        admin = http.app.state.new_admin_token
        estate_id = await create_estate(http, admin, name="备份小区")
        await _add_work(http, admin, estate_id, "外墙")
        backed_up = planner(database_url, data_dir, "backup", str(dump))
        assert backed_up.returncode == 0, backed_up.stderr
        assert "backed up to" in backed_up.stdout and dump.stat().st_size > 0
        async with probe.connected(database_url) as conn:
            before = await probe.table_digests(conn)
        # changes after the backup: a new estate, a work, their events
        other = await create_estate(http, admin, name="后来的小区")
        await _add_work(http, admin, estate_id, "加装电梯")
        await _add_work(http, admin, other, "屋面防水")
        # the service is running: its pool and its LISTEN connection are sessions
        refused = planner(database_url, data_dir, "restore", str(dump))
        assert refused.returncode == 2, (refused.stdout, refused.stderr)
        assert "Stop every planner instance first" in refused.stderr
    async with probe.connected(database_url) as conn:
        changed = await probe.table_digests(conn)
    assert changed != before

    restored = planner(database_url, data_dir, "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    async with probe.connected(database_url) as conn:
        after = await probe.table_digests(conn)
        head = await probe.event_head(conn, estate_id)
    assert after == before, sorted(k for k in before if before[k] != after.get(k))
    assert head > 0
    verified = audit_verify(database_url, data_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit: OK" in verified.stdout

    # the service starts on the restored database and serves it
    async with AsyncTestClient(app=create_app(settings)) as http:
        estates = await http.get("/api/estates", headers=bearer(admin))
        assert [e["name"] for e in estates.json()] == ["备份小区"]


def test_restore_of_a_missing_or_broken_file_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    missing = planner(database_url, tmp_path, "restore", str(tmp_path / "none.dump"))
    assert missing.returncode == 1 and "no such backup" in missing.stderr
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really")
    failed = planner(database_url, tmp_path, "restore", str(broken))
    assert failed.returncode == 1, failed.stdout + failed.stderr


@pytest.mark.slow
def test_the_embedded_database_round_trip(tmp_path: Path) -> None:
    """With no ``DATABASE_URL`` both commands start the data folder's own PostgreSQL: back up,
    change, restore, and the service serves what was backed up."""
    data_dir = tmp_path / "data"

    def estates_after(change: str | None) -> list[str]:
        running = start_service(None, data_dir, timeout=120.0)
        try:
            admin = {"authorization": f"Bearer {running.admin_token}"}
            if change is not None:
                made = httpx.post(
                    f"{running.base_url}/api/estates", json={"name": change}, headers=admin
                )
                assert made.status_code == 201, made.text
            listed = httpx.get(f"{running.base_url}/api/estates", headers=admin)
            return sorted(e["name"] for e in listed.json())
        finally:
            running.stop()

    assert estates_after("备份前的小区") == ["备份前的小区"]
    dump = tmp_path / "embedded.dump"
    backed_up = planner(None, data_dir, "backup", str(dump))
    assert backed_up.returncode == 0, backed_up.stderr
    assert estates_after("备份后的小区") == ["备份前的小区", "备份后的小区"]
    restored = planner(None, data_dir, "restore", str(dump))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert estates_after(None) == ["备份前的小区"]
