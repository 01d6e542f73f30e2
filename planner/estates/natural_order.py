"""Natural order of building and unit names: 1栋, 2栋, …, 10栋 (not 1栋, 10栋, 2栋).

Names are compared piece by piece: runs of digits by their value (before any text at the
same place), everything else as text.
``web/lib/format.js`` (``naturalCompare``) orders the same way on the screens.
"""

from __future__ import annotations

import re

_PIECES = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key: "10栋" after "9栋", "2-301" before "10-101", "B2" before "B10"."""
    return tuple(
        (0, int(piece), piece) if piece.isdigit() else (1, 0, piece)
        for piece in _PIECES.split(name)
        if piece
    )
