"""Photos people upload (signed paper sheets, suggestions, works' progress): what is accepted.

Pure: a photo is a JPEG, PNG or WebP whose first bytes say so, of 1 byte to 8 MiB, known by
the SHA-256 of its bytes (the same bytes twice are one photo). The slices that keep photos
store them by that hash; this module only checks and names them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final, Literal

import msgspec

from planner.errors import BadRequest

MAX_PHOTO_BYTES: Final = 8 * 1024 * 1024
PhotoType = Literal["image/jpeg", "image/png", "image/webp"]
_MAGIC: Final[dict[str, Callable[[bytes], bool]]] = {
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda b: len(b) >= 12 and b[:4] == b"RIFF" and b[8:12] == b"WEBP",
}


class CheckedPhoto(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    media_type: PhotoType
    size: int


def checked_photo(declared: str, content: bytes) -> CheckedPhoto:
    """The upload's hash and media type; 400 ``photo_invalid`` unless the declared
    ``Content-Type`` is one we keep, the first bytes agree with it, and the size fits."""
    media_type = declared.split(";", 1)[0].strip().lower()
    check = _MAGIC.get(media_type)
    if check is None or not content or len(content) > MAX_PHOTO_BYTES or not check(content):
        raise BadRequest("body", "not a JPEG, PNG or WebP image of at most 8 MiB", "photo_invalid")
    return CheckedPhoto(
        sha256=hashlib.sha256(content).hexdigest(),
        media_type=media_type,  # type: ignore[arg-type]
        size=len(content),
    )
