"""What the written consultation's browser tests share (issue 17): times, waiting, the
phone-width and language checks, a stand-in photo, and a draft made through the API."""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: three or more Latin words in a row: a sentence in the wrong language on a Chinese page
ENGLISH = re.compile(r"[A-Za-z]+(?:[^\w]+[A-Za-z]+){2,}")


def iso(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def wait_until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


async def fits_phone(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"horizontal scroll: {width}px"


async def in_language(page: Any, lang: str, missing_keys: Any) -> None:
    """Every key translated; on a Chinese page no English sentence (receipts and sheet
    codes are codes, not words)."""
    assert await missing_keys(page) == []
    if lang == "zh-CN":
        main = await page.evaluate(
            """() => { const m = document.querySelector("main").cloneNode(true);
              m.querySelectorAll("[data-testid=receipt], .code, a[href*='code=']")
                .forEach((e) => e.remove());
              document.body.appendChild(m); const text = m.innerText; m.remove(); return text; }"""
        )
        assert not ENGLISH.search(main), ENGLISH.search(main)


def png(path: Path) -> Path:
    """A small valid PNG (a grey square) standing in for the photo of a signed sheet."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * 16 for _ in range(16))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def draft(
    committee: Any,
    estate_id: int,
    *,
    opens_in: float = 2,
    closes_in: float = 3600,
    motions: Sequence[str] = ("使用维修资金修屋面",),
    **more: Any,
) -> Any:
    """A draft consultation of the 5栋 roof (notice period 0, matter 5) made through the API."""
    created: Any = committee.post(
        f"/api/estates/{estate_id}/consultations",
        {
            "title": "5栋屋面防水维修",
            "opens_at": iso(opens_in),
            "closes_at": iso(closes_in),
            "notice_days": 0,
            "motions": [{"title": title, "matter": 5} for title in motions],
            **more,
        },
    )
    return created
