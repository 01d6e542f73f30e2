"""A stand-in photo of a signed paper ballot sheet, as the committee's phone would take it.

Pure: a small greyscale PNG (no imaging library) of a sheet with one row of three boxes
(同意 / 反对 / 弃权) per motion, a cross in the chosen box and a signature scribble drawn from
the owner's key, so every owner's sheet has its own bytes (and content hash).
"""

from __future__ import annotations

import itertools
import math
import random
import struct
import zlib
from collections.abc import Sequence

WIDTH, HEIGHT = 240, 340
CHOICES = ("yes", "no", "abstain")
_PAPER, _INK, _GREY = 246, 30, 170


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(pixels: Sequence[bytearray]) -> bytes:
    """8-bit greyscale rows (all of one width) as a PNG file."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def sheet_photo(owner_key: str, choices: Sequence[str]) -> bytes:
    """The photo of ``owner_key``'s signed sheet with one choice per motion."""
    page = [bytearray([_PAPER]) * WIDTH for _ in range(HEIGHT)]

    def box(x0: int, y0: int, x1: int, y1: int, shade: int, fill: bool = False) -> None:
        for y in range(max(0, y0), min(HEIGHT, y1)):
            for x in range(max(0, x0), min(WIDTH, x1)):
                if fill or y in (y0, y1 - 1) or x in (x0, x1 - 1):
                    page[y][x] = shade

    def line(x0: float, y0: float, x1: float, y1: float) -> None:
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            for dx, dy in ((0, 0), (1, 0), (0, 1)):
                if 0 <= x + dx < WIDTH and 0 <= y + dy < HEIGHT:
                    page[y + dy][x + dx] = _INK

    box(16, 14, WIDTH - 16, 30, _GREY, fill=True)  # the title
    box(WIDTH - 52, 40, WIDTH - 16, 76, _INK)  # the QR code's place
    for n, choice in enumerate(choices):
        top = 96 + n * 40
        box(16, top + 8, 110, top + 14, _GREY, fill=True)  # the motion's text
        for i, name in enumerate(CHOICES):
            left = 124 + i * 34
            box(left, top, left + 24, top + 24, _INK)
            if name == choice:
                line(left + 4, top + 4, left + 20, top + 20)
                line(left + 20, top + 4, left + 4, top + 20)
    rng = random.Random(owner_key)  # noqa: S311 (a drawing, not a secret)
    amplitude, turns = rng.uniform(5, 11), rng.uniform(2.5, 5.5)
    base = HEIGHT - 50
    points = [
        (40 + t * 1.6, base + amplitude * math.sin(t / 100 * turns * 2 * math.pi + rng.random()))
        for t in range(0, 101, 4)
    ]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        line(x0, y0, x1, y1)
    box(30, HEIGHT - 30, WIDTH - 30, HEIGHT - 29, _GREY, fill=True)  # the signature line
    return encode_png(page)
