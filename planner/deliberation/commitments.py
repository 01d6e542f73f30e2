"""Ballot commitments: how every vote-bearing fact enters the audit chain (pure).

The event stream is visible to members, so it must not say who voted what; yet ``planner audit
verify`` must be able to recount every motion from the chain alone. Each ballot therefore goes
into its ``ballot.cast`` event as a *commitment*: HMAC-SHA-256, keyed with the motion's secret
(stored on the motion row, never sent to a client), of the motion, the ballot id, the unit,
the choice and the cast time. Without the secret the commitment reveals nothing (three choices
would otherwise be easy to guess); with it, the verifier checks each ballot row against its
commitment and, for a row that was deleted, finds which unit and choice it committed to.

The roll (units, persons, areas) is committed the same way in ``motion.opened``, and
``motion.closed`` carries a digest of all the motion's commitments, so the close seals the
set of ballots the tally of record was counted from.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

#: Hex characters of a commitment kept in the event (128 bits: binding against the few
#: alternatives a forger could try, and short enough for a batch frame to every member).
COMMITMENT_HEX = 32
CHOICES = ("yes", "no", "abstain")


def new_secret() -> bytes:
    """A motion's commitment key (256 random bits)."""
    return secrets.token_bytes(32)


def canonical_time(at: datetime) -> str:
    """A timestamp as the commitments write it: UTC, microseconds, e.g. ``...T08:00:00.000000Z``."""
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}Z"


def _mac(secret: bytes, content: object) -> str:
    message = msgspec.json.encode(content, order="sorted")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def ballot_commitment(
    secret: bytes,
    *,
    motion_id: int,
    ballot_id: int,
    household_id: int,
    choice: str,
    cast_at: datetime,
) -> str:
    """The commitment of one ballot (hex, ``COMMITMENT_HEX`` characters)."""
    content = {
        "motion_id": motion_id,
        "ballot_id": ballot_id,
        "household_id": household_id,
        "choice": choice,
        "cast_at": canonical_time(cast_at),
    }
    return _mac(secret, content)[:COMMITMENT_HEX]


def roll_digest(secret: bytes, motion_id: int, roll: Iterable[tuple[int, str, int]]) -> str:
    """The commitment of a motion's roll: (unit, person key, area in hundredths of m²)."""
    units = sorted([household_id, person, area] for household_id, person, area in roll)
    return _mac(secret, {"motion_id": motion_id, "roll": units})


def ballots_digest(commitments: Iterable[str]) -> str:
    """The digest of a motion's ballot commitments in ballot order (sealed by motion.closed)."""
    return hashlib.sha256("\n".join(commitments).encode()).hexdigest()
