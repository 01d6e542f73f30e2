"""``planner serve --workers N``: N service processes on one listening socket.

The supervisor (this process) starts the embedded PostgreSQL when no ``DATABASE_URL`` is set
(once: the workers get its URL), binds the listening socket and starts N workers
(``planner serve --worker-fd FD``), each a whole service (uvicorn, the app, its pool, its
live feed on the shared doorbell, its background loops) accepting from the inherited
socket. It restarts a worker that dies, and on SIGTERM or SIGINT passes SIGTERM on (each
worker shuts down gracefully: planner.app.serve) and waits for them.

Why one inherited socket rather than N servers on ``SO_REUSEPORT`` sockets: one accept
queue, so a worker that dies or restarts loses no connection waiting in its own queue, and
no other process can bind the port beside us; a worker busy with requests accepts less,
so the idle ones take new connections. (uvicorn's own ``--workers`` would need the app as
an import string and pickles its config, which our protocol classes, made per server, are
not.)

Metrics: the workers share ``PROMETHEUS_MULTIPROC_DIR`` (a fresh folder, removed at exit),
so ``/metrics`` on any of them answers for all (planner.ops.metrics).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from planner.ops.metrics import MULTIPROC_ENV
from planner.settings import Settings

#: a worker that dies sooner than this after its start is restarted only after a pause
QUICK_DEATH_S = 5.0
RESTART_PAUSE_S = 2.0
BACKLOG = 2048


def _die_with_parent() -> None:
    """In a worker before it runs: SIGTERM when the supervisor dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)


def listening_socket(host: str, port: int) -> socket.socket:
    """The shared socket: bound, listening, inheritable."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings = settings
        self.count = workers
        self.workers: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self.stopping = False

    def _spawn(self, index: int, fd: int, env: dict[str, str]) -> None:
        process = subprocess.Popen(  # noqa: S603  (this interpreter running planner)
            [sys.executable, "-m", "planner", "serve", "--worker-fd", str(fd)],
            env={**env, "PLANNER_WORKER_INDEX": str(index)},
            pass_fds=(fd,),
            # the terminal's Ctrl-C reaches the supervisor only: it passes SIGTERM on once (a
            # second signal would make uvicorn skip the graceful part)
            start_new_session=True,
            preexec_fn=_die_with_parent,  # no threads in the supervisor: safe here
        )
        self.workers[index] = (process, time.monotonic())

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        from planner.db.embedded import EmbeddedPostgres

        embedded: EmbeddedPostgres | None = None
        url = self.settings.database_url
        if url is None:
            embedded = EmbeddedPostgres(self.settings.data_dir)
            url = embedded.start()
        metrics_dir = Path(tempfile.mkdtemp(prefix="planner-metrics-"))
        sock = listening_socket(self.settings.host, self.settings.port)
        env = {**os.environ, "DATABASE_URL": url, MULTIPROC_ENV: str(metrics_dir)}
        where = "embedded PostgreSQL" if embedded is not None else "PostgreSQL at DATABASE_URL"
        print(
            f"planner: {self.count} workers on {self.settings.host}:{self.settings.port}, "
            f"data in {where}",
            f"planner: open {self.settings.base_url}/",
            sep="\n",
            flush=True,
        )
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for index in range(self.count):
                self._spawn(index, sock.fileno(), env)
            self._watch(sock.fileno(), env, metrics_dir)
        finally:
            self._terminate_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            sock.close()
            shutil.rmtree(metrics_dir, ignore_errors=True)
            if embedded is not None:
                embedded.stop()
        return 0

    def _watch(self, fd: int, env: dict[str, str], metrics_dir: Path) -> None:
        """Until told to stop: restart workers that died (after a pause if they died young)."""
        from prometheus_client.multiprocess import mark_process_dead

        while not self.stopping:
            time.sleep(0.2)
            for index, (process, started) in list(self.workers.items()):
                if process.poll() is None or self.stopping:
                    continue
                mark_process_dead(process.pid, str(metrics_dir))  # type: ignore[no-untyped-call]
                print(
                    f"planner: worker {index} (pid {process.pid}) exited with "
                    f"{process.returncode}; restarting",
                    file=sys.stderr,
                    flush=True,
                )
                if time.monotonic() - started < QUICK_DEATH_S:
                    time.sleep(RESTART_PAUSE_S)
                if not self.stopping:
                    self._spawn(index, fd, env)

    def _terminate_all(self) -> None:
        """SIGTERM to every worker; wait for their graceful shutdown, then kill the rest."""
        for process, _ in self.workers.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.settings.shutdown_timeout_s + 15
        for process, _ in self.workers.values():
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def run_workers(settings: Settings, workers: int) -> int:
    """``planner serve --workers N`` (N ≥ 2): supervise N workers until SIGTERM / SIGINT."""
    return Supervisor(settings, workers).run()
