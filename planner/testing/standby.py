"""A primary PostgreSQL and a streaming standby following it, for replica tests and benches.

``StandbyPair(base)``: ``start()`` makes a primary of its own on TCP (``TcpPostgres``: initdb
with trust authentication, whose pg_hba.conf already lets local replication in; wal_level
``replica`` is the default), copies it with ``pg_basebackup -R`` (the copy starts as a
standby streaming from it), starts the standby on another port and waits until the
primary's ``pg_stat_replication`` shows it streaming. ``standby.halt()`` / ``resume()``
stop and start the standby; ``stop()`` stops both. ``wait_replayed()`` waits until the
standby has replayed everything the primary has written so far.

Used as a context manager (``with StandbyPair(base) as pair: ...``), or from async code
through ``asyncio.to_thread(pair.start)``.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType

from planner.db.embedded import make_reachable
from planner.testing import store
from planner.testing.postgres_restart import TcpPostgres

#: Seconds a standby has to copy the primary and start streaming.
START_TIMEOUT_S = 120.0


class StandbyPair:
    """A primary (``pair.primary``) and its streaming standby (``pair.standby``)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.primary = TcpPostgres(base / "primary")
        self.standby = TcpPostgres(base / "standby")

    def primary_url(self, database: str = "postgres") -> str:
        return self.primary.url(database)

    def standby_url(self, database: str = "postgres") -> str:
        return self.standby.url(database)

    def start(self) -> None:
        self.primary.start()
        try:
            self._copy()
            self.standby.resume()
            self.wait_streaming()
        except BaseException:
            self.stop()
            raise

    def _copy(self) -> None:
        """``pg_basebackup -R``: the primary's files, plus ``standby.signal`` and its
        ``primary_conninfo``, streaming the WAL written meanwhile (``-X stream``)."""
        parent = self.standby.pgdata.parent
        parent.mkdir(parents=True, exist_ok=True)
        make_reachable(parent)
        if self.standby.user:
            shutil.chown(parent, self.standby.user, self.standby.user)
        subprocess.run(  # noqa: S603  (our own PostgreSQL binaries)
            [
                *self.standby.run_as,
                str(self.standby.bin / "pg_basebackup"),
                "-D",
                str(self.standby.pgdata),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary.port),
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_S,
        )
        (self.standby.pgdata / "postmaster.pid").unlink(missing_ok=True)

    def wait_streaming(self, timeout: float = START_TIMEOUT_S) -> None:
        """Until the primary sees the standby streaming."""
        asyncio.run(self._wait(self._streaming, timeout, "streaming"))

    def wait_replayed(self, timeout: float = 30.0) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        asyncio.run(self.replayed(timeout))

    async def _streaming(self) -> bool:
        async with store.connected(self.primary_url()) as conn:
            return await store.standby_streaming(conn)

    async def replayed(self, within_s: float = 30.0) -> None:
        """``wait_replayed`` for async callers."""
        async with store.connected(self.primary_url()) as conn:
            target = await store.wal_position(conn)

        async def replayed() -> bool:
            async with store.connected(self.standby_url()) as conn:
                return await store.replayed_past(conn, target)

        await self._wait(replayed, within_s, f"replayed up to {target}")

    @staticmethod
    async def _wait(probe: Callable[[], Awaitable[bool]], within_s: float, what: str) -> None:
        deadline = time.monotonic() + within_s
        last: BaseException | None = None
        while time.monotonic() < deadline:
            try:
                if await probe():
                    return
            except Exception as exc:  # not up yet, or "starting up"
                last = exc
            await asyncio.sleep(0.1)
        raise TimeoutError(f"standby not {what} after {within_s} s ({last})")

    def stop(self) -> None:
        self.standby.stop()
        self.primary.stop()

    def __enter__(self) -> StandbyPair:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
