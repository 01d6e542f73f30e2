"""Running ``python -m planner demo`` as a subprocess and signing in with its printed links."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT, free_port, wait_healthy

LINK = re.compile(
    r"^\s+(committee|owner|supplier|treasurer|partner|district)\s+(http://\S+/login\?token=\S+)",
    re.M,
)
READY = "planner demo: open "
ROLES = ("committee", "owner", "supplier", "treasurer", "partner", "district")


class DemoRun:
    """A running ``planner demo``: its output, base URL and sign-in links by role."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        base_url: str,
        output: str,
        seconds: float,
        data_dir: Path,
    ) -> None:
        self.process = process
        self.base_url = base_url
        self.output = output
        self.seconds = seconds
        self.data_dir = data_dir
        self.links = dict(LINK.findall(output))

    @property
    def admin_token(self) -> str:
        return (self.data_dir / "admin_token").read_text().strip()

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            timeout=30,
            headers={"Authorization": f"Bearer {self.admin_token}"},
        )

    def sign_in(self, role: str) -> SignedIn:
        """Follow the role's printed link like a browser: the cookie holds the session."""
        client = httpx.Client(base_url=self.base_url, timeout=30)
        response = client.get(self.links[role].removeprefix(self.base_url))
        assert response.status_code in (302, 303), (response.status_code, response.text)
        assert "planner_session" in client.cookies
        return SignedIn(client)

    def stop(self) -> None:
        """Stop the service and everything it started (its solver processes too)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class SignedIn:
    """A cookie session; changes repeat the CSRF cookie in X-CSRF-Token, as the web app does."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def post(self, path: str, body: Any) -> httpx.Response:
        csrf = self.client.cookies.get("planner_csrf") or ""
        return self.client.post(path, json=body, headers={"X-CSRF-Token": csrf})

    def close(self) -> None:
        self.client.close()


def run_demo(
    database_url: str | None, data_dir: Path, *args: str, timeout: float = 300.0
) -> DemoRun:
    """Start ``python -m planner demo [args]`` and wait until it prints its sign-in links.

    With ``database_url`` None the demo starts its own embedded PostgreSQL in ``data_dir``.
    """
    port = free_port()
    env = {**os.environ, "PLANNER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    started = time.monotonic()
    log = data_dir.parent / f"demo-{port}.log"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        # its own process group, so stop() also ends the solver processes it spawns
        process = subprocess.Popen(
            [sys.executable, "-m", "planner", "demo", "--port", str(port), *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    run = DemoRun(process, base_url, "", 0.0, data_dir)
    deadline = started + timeout
    output = ""
    while READY not in output:
        output = log.read_text()
        if process.poll() is not None or time.monotonic() > deadline:
            run.stop()
            raise AssertionError(f"planner demo did not print its links:\n{output}")
        time.sleep(0.2)
    run = DemoRun(process, base_url, output, time.monotonic() - started, data_dir)
    try:
        wait_healthy(base_url, process)
    except (RuntimeError, TimeoutError) as exc:
        run.stop()
        raise AssertionError(f"{exc}; planner demo said:\n{log.read_text()}") from exc
    assert set(run.links) == set(ROLES), run.output
    return run
