"""Signed paper-ballot sheet codes (pure: no database, no web).

A sheet code names one paper ballot sheet, (consultation id, sheet number), and carries an
HMAC-SHA-256 of both under the estate's secret, truncated to 9 symbols (31^9 ≈ 2^44.6, so a
guessed or altered code passes with a chance of about 1 in 2.6 * 10^13). The sheet number
is the owner's row in the consultation's sheet list (``paper_sheets``), stable once given.

The code is typed by a committee member from the printed sheet, so it uses the receipts'
alphabet without 0/O and 1/I/L, in groups of four: ``3K7Q-M2PA-9CXE-RT4W``. Its layout,
symbol by symbol (each a base-31 digit, most significant first):

    n  (1 symbol: how many digits the consultation id has, 1..13)
    consultation id (n digits, no leading zero digit)
    m  (1 symbol: how many digits the sheet number has, 1..13)
    sheet number (m digits, no leading zero digit)
    MAC (9 digits)

Reading is case-, space- and dash-insensitive; any other character, a non-canonical
layout or a wrong MAC makes the code invalid. Changing any one symbol is always caught:
in the MAC part the MAC no longer matches (the MAC of a payload is one value); elsewhere
the layout breaks or the payload changes and its MAC would have to collide by chance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
MAC_SYMBOLS = 9
#: the longest number a length symbol may announce (a bigint needs 13 base-31 digits)
MAX_DIGITS = 13
#: the longest text worth reading (a 64-bit id and sheet, the MAC and separators)
MAX_INPUT = 64
_DOMAIN = b"planner/paper-sheet/v1\x00"
SECRET_BYTES = 32


class SheetRef(NamedTuple):
    """What a code names."""

    consultation_id: int
    sheet_no: int


def new_secret() -> bytes:
    """A fresh per-estate signing secret."""
    return secrets.token_bytes(SECRET_BYTES)


def _digits(value: int) -> str:
    if value <= 0:
        raise ValueError("ids and sheet numbers are positive")
    out = []
    while value:
        value, digit = divmod(value, BASE)
        out.append(ALPHABET[digit])
    if len(out) > MAX_DIGITS:
        raise ValueError("number too large for a sheet code")
    return "".join(reversed(out))


def _number(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * BASE + _VALUE[symbol]
    return value


def _mac(secret: bytes, consultation_id: int, sheet_no: int) -> str:
    message = _DOMAIN + f"{consultation_id}:{sheet_no}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big") % BASE**MAC_SYMBOLS
    out = []
    for _ in range(MAC_SYMBOLS):
        value, digit = divmod(value, BASE)
        out.append(ALPHABET[digit])
    return "".join(reversed(out))


def group(symbols: str) -> str:
    """``3K7QM2PA9`` → ``3K7Q-M2PA-9``: the printed form."""
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def sheet_code(secret: bytes, consultation_id: int, sheet_no: int) -> str:
    """The printed code of a sheet, grouped in fours."""
    cid, sheet = _digits(consultation_id), _digits(sheet_no)
    body = ALPHABET[len(cid)] + cid + ALPHABET[len(sheet)] + sheet
    return group(body + _mac(secret, consultation_id, sheet_no))


def normalize(text: str) -> str | None:
    """The code's symbols: upper case, without spaces and dashes; None when anything else is
    in it (or it is implausibly long)."""
    if len(text) > MAX_INPUT:
        return None
    symbols = "".join(c for c in text.upper() if c not in " -\t")
    if not symbols or any(c not in _VALUE for c in symbols):
        return None
    return symbols


def _layout(symbols: str) -> tuple[SheetRef, str] | None:
    """The payload and the MAC part, if the layout is canonical."""
    position = 0
    numbers = []
    for _ in range(2):
        if position >= len(symbols):
            return None
        n = _VALUE[symbols[position]]
        digits = symbols[position + 1 : position + 1 + n]
        if not 1 <= n <= MAX_DIGITS or len(digits) != n or digits[0] == ALPHABET[0]:
            return None
        numbers.append(_number(digits))
        position += 1 + n
    mac = symbols[position:]
    if len(mac) != MAC_SYMBOLS:
        return None
    return SheetRef(numbers[0], numbers[1]), mac


def read_code(text: str) -> SheetRef | None:
    """What a code claims to name, without checking its MAC (None when it is no code)."""
    symbols = normalize(text)
    found = None if symbols is None else _layout(symbols)
    return None if found is None else found[0]


def verify_code(secret: bytes, text: str) -> SheetRef | None:
    """What a code names when it was signed with ``secret``; None for anything else."""
    symbols = normalize(text)
    found = None if symbols is None else _layout(symbols)
    if found is None:
        return None
    ref, mac = found
    if not hmac.compare_digest(mac, _mac(secret, ref.consultation_id, ref.sheet_no)):
        return None
    return ref


def canonical(text: str) -> str | None:
    """The printed form of a well-formed code (unverified), for keys and answers."""
    symbols = normalize(text)
    return None if symbols is None or _layout(symbols) is None else group(symbols)
