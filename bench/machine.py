"""What every benchmark prints about the machine it ran on, and how a run is recorded in
docs/benchmarks.md (imported by the bench scripts)."""

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


def append_to_benchmarks(heading: str, body: str) -> None:
    """Add ``body`` at the end of the ``## heading`` section of docs/benchmarks.md, after the
    runs recorded there before (the section is added at the end of the file the first time)."""
    path = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    title = f"## {heading}\n"
    if title not in text:
        text = text.rstrip("\n") + "\n\n" + title
    start = text.index(title) + len(title)
    end = text.find("\n## ", start)
    end = len(text) if end < 0 else end + 1
    section = text[start:end].rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(
        text[:start] + section + ("\n" + text[end:] if end < len(text) else ""), encoding="utf-8"
    )
