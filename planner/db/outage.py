"""When the database cannot be reached: which errors mean that, and one log line each way.

``Database`` (``planner.db.pool``) turns an error that means "the server is away" into
``DatabaseUnavailable``; the app answers it with 503 and ``Retry-After``
(``planner.problems``). ``Outage`` remembers that the database is away: the first failure
logs one line (no traceback), the first success after it logs one more with the count of
requests refused meanwhile and how long it lasted. Nothing waits or retries here: every
request still tries the database, so the service is back as soon as the server is.
"""

from __future__ import annotations

import logging
import time

import asyncpg

log = logging.getLogger("planner.db")

#: Seconds a refused client is told to wait (``Retry-After``); a restart takes a few.
RETRY_AFTER_S = 3

#: Errors that mean the server is away, whenever they happen: refused, shut down (fast or
#: immediate), crashed, starting up, out of connection slots, or the connection cut.
_GONE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError among them
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    ConnectionError,  # refused, reset, broken pipe
)
#: Also when getting a connection: no socket file (the embedded server's Unix socket is
#: gone while it is stopped), no route, or no connection within the acquire timeout.
_UNREACHABLE: tuple[type[BaseException], ...] = (*_GONE, OSError, TimeoutError)


class DatabaseUnavailable(ConnectionError):
    """The database cannot be reached now; nothing was changed. Answered with 503.

    A ``ConnectionError`` (so an ``OSError``): code that already treats a lost connection
    as "try again later" (the live feed, the sockets) keeps doing so.
    """


def unreachable_at_acquire(exc: BaseException) -> bool:
    """Getting a connection failed because the server is away (not, e.g., a closed pool)."""
    return isinstance(exc, _UNREACHABLE)


def lost_during_use(exc: BaseException, connection_closed: bool) -> bool:
    """A statement failed because the server went away (the connection is closed, or the
    error says so); a refused statement on a live connection is not an outage."""
    return connection_closed or isinstance(exc, _GONE)


def failure_level(exc: BaseException) -> int:
    """The log level for a background task's failed database call: debug during an outage
    (logged once, by ``Outage``), info for anything else."""
    return logging.DEBUG if isinstance(exc, DatabaseUnavailable) else logging.INFO


def describe(exc: BaseException) -> str:
    """One line naming the error (for the log and the exception's message)."""
    text = " ".join(str(exc).split()) or "no detail"
    return f"{type(exc).__name__}: {text[:200]}"


class Outage:
    """Whether this instance finds the database away, since when, and what it refused."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.refused = 0

    @property
    def active(self) -> bool:
        return self.since is not None

    def begin(self, exc: BaseException) -> DatabaseUnavailable:
        """A database operation failed because the server is away: log it if this starts an
        outage; return the error to raise."""
        cause = describe(exc)
        if self.since is None:
            self.since = time.monotonic()
            self.refused = 0
            log.warning("database unavailable (%s); answering 503 until it is back", cause)
        return DatabaseUnavailable(f"the database cannot be reached ({cause})")

    def refuse(self) -> None:
        """A request was answered 503 (or a socket closed) because of the outage."""
        self.refused += 1

    def end(self) -> None:
        """A database operation succeeded: log the end of an outage, if there was one."""
        if self.since is not None:
            lasted = time.monotonic() - self.since
            self.since = None
            log.warning(
                "database back after %.1f s; %d requests refused meanwhile", lasted, self.refused
            )

    def still_down_at_exit(self) -> None:
        """The service stops during an outage: say so, as the end line would have."""
        if self.since is not None:
            lasted = time.monotonic() - self.since
            log.warning(
                "stopping with the database still unavailable after %.1f s; "
                "%d requests refused meanwhile",
                lasted,
                self.refused,
            )
            self.since = None
