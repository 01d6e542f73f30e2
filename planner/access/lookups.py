"""Principal lookups that miss the cache, coalesced: one query for all that wait.

Under a burst (a room of owners opening the app, a vote) every request whose credential the
cache does not hold used to take a pool connection and a round trip of its own. Here a lookup
joins the one in flight: while a query runs, the lookups that arrive wait for the next, which
takes all of them (``WHERE token_hash = ANY($1)``). At most one query runs per kind and pool,
so a lone request still costs one round trip, no waiting is added to it, and a thousand
at once cost a few queries, not a thousand (natural batching, as the ballot writer does).

Each answer is exactly what the single lookup gives (``store.principal_by_token_hash`` /
``principal_by_session_hash``); a failure (the database away) is every waiting lookup's.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from planner.access import store
from planner.access.model import Principal
from planner.db.pool import Database

Fetch = Callable[[asyncpg.Connection, Sequence[bytes]], Awaitable[dict[bytes, Principal]]]
#: the most credentials one query reads
MAX_BATCH = 500


class Lookups:
    """Coalesced lookups of one kind (tokens or sessions) on one pool."""

    def __init__(self, db: Database, fetch: Fetch) -> None:
        self.db = db
        self.fetch = fetch
        self._waiting: dict[bytes, list[asyncio.Future[Principal | None]]] = {}
        self._runner: asyncio.Task[None] | None = None

    async def get(self, hashed: bytes) -> Principal | None:
        future: asyncio.Future[Principal | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(hashed, []).append(future)
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting:
                hashes = list(self._waiting)[:MAX_BATCH]
                batch = {h: self._waiting.pop(h) for h in hashes}
                try:
                    async with self.db.connection() as conn:
                        found = await self.fetch(conn, hashes)
                except BaseException as exc:  # each waiting lookup gets the error
                    failure = exc if isinstance(exc, Exception) else RuntimeError("stopping")
                    for futures in batch.values():
                        for future in futures:
                            if not future.done():
                                future.set_exception(failure)
                    if failure is not exc:
                        raise
                    continue
                for hashed, futures in batch.items():
                    for future in futures:
                        if not future.done():
                            future.set_result(found.get(hashed))
        finally:
            self._runner = None
            if self._waiting:  # cancelled meanwhile: whoever still waits is told
                waiting, self._waiting = self._waiting, {}
                for futures in waiting.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(RuntimeError("the service stopped"))


_TOKENS: weakref.WeakKeyDictionary[Database, Lookups] = weakref.WeakKeyDictionary()
_SESSIONS: weakref.WeakKeyDictionary[Database, Lookups] = weakref.WeakKeyDictionary()


def tokens(db: Database) -> Lookups:
    """The pool's coalesced bearer-token lookups."""
    found = _TOKENS.get(db)
    if found is None:
        found = _TOKENS[db] = Lookups(db, store.principals_by_token_hashes)
    return found


def sessions(db: Database) -> Lookups:
    """The pool's coalesced browser-session lookups."""
    found = _SESSIONS.get(db)
    if found is None:
        found = _SESSIONS[db] = Lookups(db, store.principals_by_session_hashes)
    return found
