"""Start-to-healthy times of `planner serve` on the embedded database.

cold: a fresh data folder (initdb, migrations, admin token); warm: the same folder again.
Target (issue 2): warm start under 2 s.  Run: uv run python bench/startup.py [runs]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from planner.testing import ROOT, free_port


def start_to_healthy(data_dir: Path) -> float:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLANNER_DATA_DIR"] = str(data_dir)
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError("service exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - began
            except OSError:
                time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    base = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    os.chmod(base, 0o755)
    cold, warm = [], []
    try:
        for i in range(runs):
            data_dir = base / f"run{i}"
            cold.append(start_to_healthy(data_dir))
            warm.append(start_to_healthy(data_dir))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(
        f"cold start-to-healthy: median {statistics.median(cold):.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in cold)})"
    )
    print(
        f"warm start-to-healthy: median {statistics.median(warm):.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in warm)})  target < 2 s"
    )
    print(f"ratio warm/cold: {statistics.median(warm) / statistics.median(cold):.2f}")


if __name__ == "__main__":
    main()
