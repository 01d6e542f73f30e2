"""Shared msgspec base types."""

from __future__ import annotations

from typing import Annotated

import msgspec

Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="integer fen (1/100 yuan)")]
# a name or title: 1-200 characters, not only blanks (the database refuses an empty name)
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused with 400."""


class Out(msgspec.Struct, kw_only=True):
    """Base of every response body."""
