"""What every benchmark prints about the machine it ran on (imported by the bench scripts)."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line() -> str:
    """``- 2026-11-26, 2 cores (`nproc` 2), x86_64, <CPU>, Python 3.11.7, load average 0.9``."""
    return (
        f"- {dt.datetime.now(dt.UTC):%Y-%m-%d}, {os.cpu_count()} cores "
        f"(`nproc` {len(os.sched_getaffinity(0))}), {platform.machine()}, {cpu_model()}, "
        f"Python {platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}"
    )
