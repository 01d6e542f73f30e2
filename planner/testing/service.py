"""Running the service for tests and benches: ``planner serve`` (or any ``planner``
command) as a subprocess, or the app under uvicorn inside the caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx
import uvicorn
from litestar import Litestar

from planner.app import create_app
from planner.settings import Settings

#: The checkout's root (the subprocesses run there).
ROOT = Path(__file__).resolve().parents[2]


#: Under pytest-xdist each worker takes its ports from a block of its own, below the kernel's
#: ephemeral range (32768-60999 on Linux), so that no two workers (nor an outgoing
#: connection) can be handed the same free port between ``free_port()`` and the bind.
WORKER_PORTS_BASE = 20_000
WORKER_PORTS_BLOCK = 500
_worker_ports: Iterator[int] | None = None


def _xdist_worker() -> int | None:
    """The pytest-xdist worker's number (gw3: 3), or None outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (any port the kernel picks; under xdist, one of this
    worker's block, handed out in turn)."""
    global _worker_ports
    worker = _xdist_worker()
    if worker is None or worker >= (32_768 - WORKER_PORTS_BASE) // WORKER_PORTS_BLOCK:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    if _worker_ports is None:
        first = WORKER_PORTS_BASE + worker * WORKER_PORTS_BLOCK
        _worker_ports = itertools.cycle(range(first, first + WORKER_PORTS_BLOCK))
    for _ in range(WORKER_PORTS_BLOCK):
        candidate = next(_worker_ports)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue  # still in use (a service of an earlier test, or another program)
            return candidate
    raise RuntimeError(f"no free port in xdist worker {worker}'s block")


class RunningService:
    """A ``planner serve`` subprocess."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str, data_dir: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.data_dir = data_dir

    @property
    def admin_token(self) -> str:
        return (self.data_dir / "admin_token").read_text().strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_service(
    database_url: str | None,
    data_dir: Path,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = ("serve",),
    timeout: float = 180.0,
    log_file: Path | None = None,
) -> RunningService:
    """``planner <args>`` on a free (or the given) port, given up to ``timeout`` to become
    healthy (a loaded 2-core machine can take tens of seconds); killed if it does not.
    Its output and log go to ``log_file`` (appended), or to a temporary file whose end the
    error quotes if it exits before it is healthy. Without a
    ``database_url`` it runs on the embedded PostgreSQL in ``data_dir``."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"PLANNER_DATA_DIR": str(data_dir), **(extra_env or {})})
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    with contextlib.ExitStack() as files:
        # without a log file, the output goes to an unnamed temporary file, read back only
        # to say why a service that never became healthy exited
        output: IO[bytes] = (
            files.enter_context(log_file.open("ab"))
            if log_file is not None
            else files.enter_context(tempfile.TemporaryFile())
        )
        process = subprocess.Popen(  # noqa: S603  (this interpreter running planner)
            [sys.executable, "-m", "planner", *args, "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base_url, process, timeout)
        except BaseException as error:
            process.kill()
            process.wait(10)
            if log_file is None and isinstance(error, RuntimeError | TimeoutError):
                output.seek(0)
                tail = output.read()[-3000:].decode(errors="replace")
                raise type(error)(f"{error}; its output ended with:\n{tail}") from error
            raise
    return RunningService(process, base_url, data_dir)


def wait_healthy(
    base_url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 180.0
) -> None:
    """Poll ``/health`` until it answers 200; fails early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} not healthy after {timeout} s")


def audit_verify(
    database_url: str, data_dir: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """``planner audit verify [options]`` as an operator runs it (exit 0: the chain is intact
    and every motion recounts as recorded)."""
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_DATA_DIR": str(data_dir)}
    return subprocess.run(  # noqa: S603  (this interpreter running planner)
        [sys.executable, "-m", "planner", "audit", "verify", *options],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@asynccontextmanager
async def running_app(
    settings: Settings, log_level: str = "critical"
) -> AsyncIterator[tuple[str, Litestar]]:
    """The real app under uvicorn in this process on a free port: (base_url, app)."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level=log_level,
        lifespan="on",
        ws_ping_interval=None,
        proxy_headers=False,  # as planner serve: forwarded headers only from trusted proxies
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(120):  # a loaded machine (parallel test workers) is slow
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
