"""The limit on failed sign-ins and wrong bearer tokens (issue 15, item 5).

Only failures are counted, per client address (``planner.connections.client_key``: an IPv6
/64 is one client) and from everyone, in ``auth_failures``, so every instance sees the same
counts. A token is always checked first and a right one always let in: the limit refuses
wrong tokens (429 with Retry-After instead of 401) once a client, or everyone together, has
failed too often within the window, and a refused failure is not recorded again (the count
stays bounded and the client's window clears on time).

Why a right token still works while its address is over the limit: members behind one
proxy or NAT share an address, and a limit on every attempt would let one guesser lock all
of them out. Letting the right token in tells a guesser nothing it would not learn anyway
(a 401 or 429 says wrong, a session says right); what stops guessing is the token's 32
random bytes (a guess is right with probability 2^-256), and what the limit bounds is the
work and the log a stream of wrong tokens makes, with a clear "slow down" to well-behaved
clients.
"""

from __future__ import annotations

import math
from typing import NoReturn

from planner.access import store
from planner.connections import client_key
from planner.db.pool import Database
from planner.errors import PlannerError, Unauthorized
from planner.settings import AuthLimits


class TooManyFailures(PlannerError):
    """429 with Retry-After: too many wrong tokens from this client (or from everyone)."""

    status = 429
    title = "Too many failed attempts"
    default_code = "too_many_requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"retry-after": str(retry_after_s)}


async def wrong_token(
    db: Database, host: str, limits: AuthLimits, detail: str, code: str | None = None
) -> NoReturn:
    """A token was wrong: 401 (and the failure recorded), or 429 when over the limit."""
    client = client_key(host)
    async with db.transaction() as conn:
        recent = await store.recent_auth_failures(conn, client, limits.window_s)
        over_mine = recent.mine >= limits.failures_per_client
        over_all = recent.everyone >= limits.failures_global
        if not (over_mine or over_all):
            await store.record_auth_failure(conn, client)
    if over_mine or over_all:
        wait = recent.mine_clears_in_s if over_mine else recent.all_clear_in_s
        who = "this address" if over_mine else "all clients"
        raise TooManyFailures(
            f"too many failed sign-ins or wrong tokens from {who}; try again later",
            max(1, math.ceil(wait)),
        )
    raise Unauthorized(detail, code)
