"""Per-process cache of principals, emptied by the doorbell.

Every authenticated request used to read its member (and the member's households) from
PostgreSQL. The cache keeps the answer for a bearer token or a session cookie, keyed by the
credential's hash (never the secret itself), bounded in size and for at most ``ttl_s``.

It is only trusted while this instance hears ``PRINCIPALS_CHANNEL``
(``planner.access.store``): a trigger on ``members``, ``member_households``, ``sessions`` (and
the district's assignments) rings it at commit with ``member:<id>`` or ``session:<hex>``
whenever anything a principal is built from changes (revocation, rotation, role, households,
estate or district assignment, signing out). The live feed's LISTEN connection carries it and
tells the cache when it is up (``listening(True)``) and down (``listening(False)``); both
empty the cache, and while it is down every lookup goes to the database.

A lookup that started before an invalidation must not store its (maybe stale) answer after
it: each entry is stored only if no invalidation happened since the lookup began
(``generation``). The cache is pure (no I/O); ``planner.access.service`` does the lookups.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from planner.access.model import Principal

DEFAULT_MAX_ENTRIES = 20_000
#: the safety net: an entry is re-read at least this often even if no doorbell rang
DEFAULT_TTL_S = 30.0

#: a cache key: ``b"t" + token hash`` or ``b"s" + session hash``
Key = bytes


def token_key(token_hash: bytes) -> Key:
    return b"t" + token_hash


def session_key(session_hash: bytes) -> Key:
    return b"s" + session_hash


@dataclass(eq=False)
class PrincipalCache:
    max_entries: int = DEFAULT_MAX_ENTRIES
    ttl_s: float = DEFAULT_TTL_S
    clock: Callable[[], float] = time.monotonic
    #: whether invalidations are heard now (the doorbell's LISTEN connection is up)
    enabled: bool = False
    #: bumped by every invalidation; a lookup stores its answer only if it did not move
    generation: int = 0
    hits: int = 0
    misses: int = 0
    _entries: OrderedDict[Key, tuple[float, Principal]] = field(default_factory=OrderedDict)
    _by_member: dict[int, set[Key]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Principal | None:
        if not self.enabled:
            return None
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        stored_at, principal = found
        expires = principal.session_expires_at
        if self.clock() - stored_at > self.ttl_s or (
            expires is not None and expires <= datetime.now(UTC)
        ):
            self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return principal

    def put(self, key: Key, principal: Principal, generation: int) -> None:
        """Store the answer of a lookup that began at ``generation`` (see the module doc)."""
        if not self.enabled or generation != self.generation:
            return
        if key in self._entries:
            self._drop(key)
        self._entries[key] = (self.clock(), principal)
        self._by_member.setdefault(principal.member_id, set()).add(key)
        while len(self._entries) > self.max_entries:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, key: Key) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        member_id = found[1].member_id
        keys = self._by_member.get(member_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_member[member_id]

    # Invalidation -------------------------------------------------------------------------

    def forget_member(self, member_id: int) -> None:
        self.generation += 1
        for key in list(self._by_member.get(member_id, ())):
            self._drop(key)

    def forget_session(self, session_hash: bytes) -> None:
        self.generation += 1
        self._drop(session_key(session_hash))

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._by_member.clear()

    def listening(self, up: bool) -> None:
        """The doorbell connection came up or went down: start afresh either way."""
        self.clear()
        self.enabled = up

    def on_notify(self, payload: str) -> bool:
        """A ``PRINCIPALS_CHANNEL`` payload; False (and everything forgotten) if malformed."""
        kind, _, key = payload.partition(":")
        try:
            if kind == "member":
                self.forget_member(int(key))
                return True
            if kind == "session":
                self.forget_session(bytes.fromhex(key))
                return True
        except ValueError:
            pass
        self.clear()
        return False
