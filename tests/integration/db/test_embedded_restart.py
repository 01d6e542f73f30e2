import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, wait_healthy


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLANNER_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process, timeout=60)
    return process, base


@pytest.mark.slow
def test_embedded_data_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, base = _serve(data_dir)
    try:
        token = (data_dir / "admin_token").read_text().strip()
        created = httpx.post(
            f"{base}/api/estates",
            json={"name": "留存"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert b"planner: open http://127.0.0.1:" in out
    assert b"admin token" in out
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "embedded server left running"

    process, base = _serve(data_dir)
    try:
        estates = httpx.get(
            f"{base}/api/estates", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert [e["name"] for e in estates] == ["留存"]
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert b"admin token" not in out
