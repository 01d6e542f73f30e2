"""bench/city.py runs end to end at a tiny scale (the full scene is in docs/benchmarks.md)."""

from __future__ import annotations

import os
import subprocess
import sys

from planner.testing import ROOT


def test_city_bench_runs_at_a_tiny_scale(database_url: str) -> None:
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
