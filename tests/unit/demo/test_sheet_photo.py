"""The demo's stand-in photos of signed paper sheets: valid PNGs, one per owner and choice."""

from __future__ import annotations

import struct
import zlib

from hypothesis import given
from hypothesis import strategies as st

from planner.demo.sheet_photo import CHOICES, HEIGHT, WIDTH, sheet_photo


def chunks(png: bytes) -> dict[bytes, bytes]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    at, out = 8, {}
    while at < len(png):
        (size,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + size]
        (crc,) = struct.unpack(">I", png[at + 8 + size : at + 12 + size])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        out[kind] = data
        at += 12 + size
    return out


@given(st.text(min_size=1, max_size=12), st.lists(st.sampled_from(CHOICES), max_size=4))
def test_a_valid_greyscale_png_of_the_sheet(owner_key: str, choices: list[str]) -> None:
    png = chunks(sheet_photo(owner_key, choices))
    width, height, depth, colour = struct.unpack(">IIBB", png[b"IHDR"][:10])
    assert (width, height, depth, colour) == (WIDTH, HEIGHT, 8, 0)
    assert len(zlib.decompress(png[b"IDAT"])) == (WIDTH + 1) * HEIGHT
    assert png[b"IEND"] == b""


def test_each_owner_and_choice_has_its_own_photo() -> None:
    assert sheet_photo("JG0001", ["yes"]) == sheet_photo("JG0001", ["yes"])
    photos = {sheet_photo(key, [c]) for key in ("JG0001", "JG0002") for c in CHOICES}
    assert len(photos) == 6
