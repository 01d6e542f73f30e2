"""bench/city.py runs end to end at a tiny scale (the full scene is in docs/benchmarks.md), and
what it wrote straight to PostgreSQL (owners, their households, their member.added events) keeps
every estate's audit chain intact, as the API would have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from planner.testing import ROOT
from planner.testing.service import audit_verify


def test_city_bench_runs_at_a_tiny_scale(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [
            sys.executable,
            "bench/city.py",
            *("--estates", "4", "--votes", "2", "--voters", "30", "--sockets", "6"),
            *("--spread", "2", "--pushes", "2", "--overview-samples", "1", "--refresh", "1"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "zero lost: yes" in out, out
    assert "households** in total" in out
    assert "paper city of 3,000 estates" in out
    assert "CPU-ms per cast" in out
    verified = audit_verify(database_url, tmp_path / "data")
    assert verified.returncode == 0, verified.stdout + verified.stderr
